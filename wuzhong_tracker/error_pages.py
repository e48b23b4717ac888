"""Django's error views, answered in the API's error shape under /api/ (a URL no route matches, a request
Django itself refuses before any view), and as Django's own pages elsewhere."""

from django.views import defaults

from wuzhong_tracker.boundary import is_api_request, refusal


def bad_request(request, exception):
    if is_api_request(request):
        return refusal(request, 400, {"non_field_errors": ["请求无效。"]})
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    if is_api_request(request):
        return refusal(request, 403, "您没有执行该操作的权限。")
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception):
    if is_api_request(request):
        return refusal(request, 404, "未找到：该网址不是本系统的接口，请查看 /api/docs/。")
    return defaults.page_not_found(request, exception)
