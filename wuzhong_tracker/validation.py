"""A ValidationError's messages as one list, for pages that show them above a form or in a flash message."""

from django.core.exceptions import ValidationError


def error_messages(error: ValidationError) -> list[str]:
    """Every message, field by field for an error keyed by field, else the error's own."""
    if hasattr(error, "error_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


def ascii_digits(text: object) -> bool:
    """Whether `text` is a plain number 0-9 only: str.isdigit() also accepts ³ or ①, which int() refuses
    (a 500 where a 404 or a 400 belongs)."""
    text = str(text)
    return text.isascii() and text.isdigit()
