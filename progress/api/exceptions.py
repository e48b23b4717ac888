"""Errors as JSON with field names, and how the schema documents them.

The services raise Django's ValidationError keyed by field, in Chinese; the API answers them as DRF does
its own: 400 with `{field: [messages]}` (`non_field_errors` for an error that belongs to no field).
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers
from rest_framework.views import exception_handler as drf_exception_handler


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()  # Django's message names the model, in English
    return drf_exception_handler(exc, context)


class ErrorDetailSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="中文说明")


FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "键为字段名（或 non_field_errors），值为中文说明列表。",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

_ERRORS = {
    400: OpenApiResponse(
        FIELD_ERRORS_SCHEMA, description='输入有误：按字段列出原因，如 {"value": ["“N/A”不是数字…"]}。'
    ),
    401: OpenApiResponse(
        ErrorDetailSerializer, description="未登录：请使用会话或 `Authorization: Token …`。"
    ),
    403: OpenApiResponse(ErrorDetailSerializer, description="无权执行该操作（角色或所在单位不符）。"),
    404: OpenApiResponse(
        ErrorDetailSerializer,
        description="未找到：不存在，或不属于您所在单位（牵头或配合）；列表的页码超出范围时也是404。",
    ),
    429: OpenApiResponse(ErrorDetailSerializer, description="请求过于频繁，请稍后再试（见 Retry-After）。"),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses of an operation; 401 and 429 apply to every one."""
    return {code: _ERRORS[code] for code in sorted({401, 429, *codes})}
