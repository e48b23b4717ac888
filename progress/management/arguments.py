"""Command-line arguments shared by the progress commands."""

import datetime as dt
from collections.abc import Callable

from django.core.management.base import CommandError


def date_argument(option: str) -> Callable[[str], dt.date]:
    """An argparse `type` for a YYYY-MM-DD option; anything else is refused in Chinese, naming the option."""

    def parse(text: str) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise CommandError(f"{option} “{text}” 不是日期（格式：YYYY-MM-DD）。") from None

    return parse


as_of_date = date_argument("--as-of")
