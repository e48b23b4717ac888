"""The request line and the body's size, checked before any view (or the framework's parsers) sees them.

A NUL byte (`%00`) in the path or a query parameter reaches no view: PostgreSQL cannot store it in a text
column or compare it with one (psycopg raises DataError, a 500), so it is refused here as a 400 naming the
parameter. A body announced larger than REQUEST_BODY_MAX_BYTES is refused from its Content-Length, before
a byte of it is read, as a 413. Under /api/ both answer in the API's error shape (progress.api.exceptions);
elsewhere as a short Chinese page.
"""

from urllib.parse import parse_qsl

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

API_PREFIX = "/api/"
NUL = "\x00"


def is_api_request(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def refusal(request: HttpRequest, status: int, errors: dict[str, list[str]] | str) -> HttpResponse:
    """A 4xx in the API's shape under /api/ (`{field: [..]}` for a 400, `{"detail": ..}` otherwise), or a
    plain Chinese page elsewhere."""
    if is_api_request(request):
        body = errors if isinstance(errors, dict) else {"detail": errors}
        return JsonResponse(body, status=status, json_dumps_params={"ensure_ascii": False})
    text = errors if isinstance(errors, str) else "；".join(m for ms in errors.values() for m in ms)
    return HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")


def body_too_large_message() -> str:
    limit_mb = settings.REQUEST_BODY_MAX_BYTES / (1024 * 1024)
    return f"请求内容过大：一次最多 {limit_mb:g} MB（含全部佐证材料）；请分次上传。"


class RequestBoundaryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if NUL in request.path_info:
            return refusal(request, 400, {"non_field_errors": ["网址中含有空字符（%00），无法处理。"]})
        # keep_blank_values: `?department=%00` names its parameter even though the value is only the NUL.
        names = [
            name
            for name, value in parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
            if NUL in name or NUL in value
        ]
        if names:
            return refusal(
                request,
                400,
                {name.replace(NUL, "") or "non_field_errors": ["不能包含空字符（%00）。"] for name in names},
            )
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads nothing from a body whose length it cannot parse
        if length > settings.REQUEST_BODY_MAX_BYTES:
            return refusal(request, 413, body_too_large_message())
        return self.get_response(request)
