"""Errors as JSON with field names, and how the schema documents them.

Every 4xx under /api/ has one of two shapes, in Chinese: 400 `{field: ["说明", …]}` (`non_field_errors` for
an error that belongs to no field), every other status `{"detail": "说明"}`. The services raise Django's
ValidationError keyed by field; DRF's own refusals (parse errors, nested list errors), Django's request
limits (too many fields or files, a body too large) and the routing's 404 (wuzhong_tracker.urls) are
brought to the same shapes here.
"""

from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.views import exception_handler as drf_exception_handler

from wuzhong_tracker.boundary import body_too_large_message
from wuzhong_tracker.validation import ascii_digits


class RequestTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_code = "request_too_large"


def _api_exception(exc):
    """Django's exceptions as the API's own, each with a Chinese message."""
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(serializers.as_serializer_error(exc))
    if isinstance(exc, Http404):
        return exceptions.NotFound("未找到。")  # Django's message names the model, in English
    if isinstance(exc, RequestDataTooBig):
        return RequestTooLarge(body_too_large_message())
    if isinstance(exc, TooManyFilesSent):
        return exceptions.ValidationError({"evidence": ["一次上传的文件过多。"]})
    if isinstance(exc, TooManyFieldsSent):
        return exceptions.ValidationError({"non_field_errors": ["请求中的字段过多。"]})
    return exc


# DRF's messages that its Chinese translation lacks.
_UNTRANSLATED = {"No data provided": "请求内容为空：请提交 JSON 对象或表单。"}


def _messages(errors, prefix: str = "") -> list[str]:
    """Nested errors (a list field's per-item errors, a nested object's fields) as one list of strings, each
    saying which item it is about: `{"evidence": {"0": ["…"]}}` becomes `{"evidence": ["第1项：…"]}`."""
    if isinstance(errors, dict):
        messages = []
        for key, value in errors.items():
            where = f"第{int(key) + 1}项" if ascii_digits(key) else str(key)
            messages += _messages(value, f"{prefix}{where}：")
        return messages
    if isinstance(errors, list):
        return [message for item in errors for message in _messages(item, prefix)]
    return [f"{prefix}{_UNTRANSLATED.get(str(errors), errors)}"]


def field_errors(data) -> dict[str, list[str]]:
    if isinstance(data, dict):
        if set(data) == {"detail"}:  # a ParseError
            return {"non_field_errors": _messages(data["detail"])}
        return {str(field): _messages(value) for field, value in data.items()}
    return {"non_field_errors": _messages(data)}


def exception_handler(exc, context):
    response = drf_exception_handler(_api_exception(exc), context)
    if response is not None and response.status_code == status.HTTP_400_BAD_REQUEST:
        response.data = field_errors(response.data)
    return response


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "键为字段名（或 non_field_errors），值为中文说明列表。",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

_ERRORS = {
    400: OpenApiResponse(
        FIELD_ERRORS_SCHEMA,
        description='输入有误：按字段列出原因，如 {"value": ["“N/A”不是数字…"]}；查询参数、'
        "请求内容无法解析时同样如此（无对应字段时为 non_field_errors）。",
    ),
    401: OpenApiResponse(
        ErrorDetailSerializer, description="未登录：请使用会话或 `Authorization: Token …`。"
    ),
    403: OpenApiResponse(ErrorDetailSerializer, description="无权执行该操作（角色或所在单位不符）。"),
    404: OpenApiResponse(
        ErrorDetailSerializer,
        description="未找到：不存在，或不属于您所在单位（牵头或配合）；列表的页码超出范围时也是404。",
    ),
    413: OpenApiResponse(
        ErrorDetailSerializer, description="请求内容过大（REQUEST_BODY_MAX_BYTES，默认50 MB）。"
    ),
    429: OpenApiResponse(ErrorDetailSerializer, description="请求过于频繁，请稍后再试（见 Retry-After）。"),
}


def empty_query_values_allowed(result, generator, request, public):
    """drf-spectacular post-processing hook: an optional query parameter sent empty (`?measure=`, as the
    browsable API's filter form does) is the same as leaving it out; the schema says so."""
    for item in result.get("paths", {}).values():
        for operation in item.values():
            for parameter in operation.get("parameters", []) if isinstance(operation, dict) else []:
                if parameter.get("in") == "query" and not parameter.get("required"):
                    parameter["allowEmptyValue"] = True
    return result


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation; 401 and 429 apply to every one."""
    return {code: _ERRORS[code] for code in sorted({401, 429, *codes})}
