"""The API's request parsers: DRF's, with their refusals in Chinese and in the API's error shape.

A JSON body may spell characters that no text can hold: a lone surrogate (`"\\ud800"`) decodes to a Python
string that cannot be encoded as UTF-8, so it can be neither stored nor echoed back in an error message.
Such a body is refused here, naming the field, before any serializer sees it.
"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

UNENCODABLE = "含有无法识别的字符（不成对的 Unicode 代理字符），请检查输入。"


def _has_unencodable_text(data: object) -> bool:
    if isinstance(data, str):
        try:
            data.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(data, dict):
        return any(_has_unencodable_text(k) or _has_unencodable_text(v) for k, v in data.items())
    if isinstance(data, list):
        return any(_has_unencodable_text(item) for item in data)
    return False


def _field_name(key: object) -> str:
    """A field's name for the error, made encodable if the name itself is what holds the surrogate."""
    return str(key).encode("utf-8", "replace").decode("utf-8")


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(
                "请求内容不是有效的 JSON，请检查格式（引号、逗号、括号）和编码（UTF-8）。"
            ) from None
        except RecursionError:
            raise ParseError("请求内容的 JSON 嵌套过深。") from None
        if isinstance(data, dict):
            fields = [key for key, value in data.items() if _has_unencodable_text([key, value])]
            if fields:
                raise ValidationError({_field_name(key): [UNENCODABLE] for key in fields})
        elif _has_unencodable_text(data):
            raise ValidationError({"non_field_errors": [UNENCODABLE]})
        return data


class MultiPartParser(parsers.MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except ParseError:
            raise ParseError(
                "请求内容不是有效的 multipart/form-data（分隔符或各部分的头有误），请检查上传方式。"
            ) from None
