from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularSwaggerSplitView

from progress.board_views import board_urls
from progress.notice_views import notice_evidence_download, notice_urls
from progress.views import cooperation_evidence_download, evidence_download
from progress.year_views import year_urls
from targets.draft_views import draft_urls
from wuzhong_tracker.health import healthz
from wuzhong_tracker.schema import SchemaView

admin.site.site_header = "吴忠市政府工作报告目标任务督查系统"
admin.site.site_title = "目标任务督查"
admin.site.index_title = "政府工作报告目标任务"  # every year side by side (the boards pick one)
admin.site.empty_value_display = "—"  # a cleared or missing value, as the report pages show it


class FaviconView(RedirectView):
    """Browsers ask for /favicon.ico whatever the page (the API's included): the site's icon, not a 404.
    The address is read per request, so that it is the static files' hashed name once they are collected;
    not a permanent redirect, which a browser would keep after the next release renames the file."""

    permanent = False

    def get_redirect_url(self, *args, **kwargs) -> str:
        return static("progress/favicon.svg")


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view()),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
    # The managers' reports live inside the admin (same login and look), ahead of the admin's own URLs.
    path("admin/", include(board_urls())),
    path("admin/", include(notice_urls())),
    path("admin/", include(draft_urls())),
    path("admin/", include(year_urls())),
    path("admin/", admin.site.urls),
    path("evidence/<int:pk>/", evidence_download, name="evidence-download"),
    path(
        "evidence/cooperation/<int:pk>/", cooperation_evidence_download, name="cooperation-evidence-download"
    ),
    path("notice-evidence/<int:pk>/", notice_evidence_download, name="notice-evidence-download"),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's start-up script as a file: the Content-Security-Policy allows no
    # inline script.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/", include("progress.api.urls")),
]

handler400 = "wuzhong_tracker.error_pages.bad_request"
handler403 = "wuzhong_tracker.error_pages.permission_denied"
handler404 = "wuzhong_tracker.error_pages.page_not_found"
