from django.urls import path
from django.views.generic import RedirectView
from rest_framework.routers import DefaultRouter

from progress.api import views

app_name = "api"

# No ".json" URL suffixes: `?format=json` (or the Accept header) chooses the format, and there is one URL
# per resource to scope and test (the suffixed spellings reached custom actions without a `format` argument).
router = DefaultRouter()
router.include_format_suffixes = False
router.register("reports", views.ReportViewSet, basename="report")
router.register("chapters", views.ChapterViewSet, basename="chapter")
router.register("tasks", views.KeyTaskViewSet, basename="task")
router.register("departments", views.DepartmentViewSet, basename="department")
router.register("targets", views.TargetViewSet, basename="target")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("notices", views.NoticeViewSet, basename="notice")

urlpatterns = [
    path("boards/lagging/", views.LaggingBoardView.as_view(), name="lagging-board"),
    path("boards/summary/", views.StatusSummaryView.as_view(), name="status-summary"),
    # Their addresses until this release, kept as redirects for one release (README, "API").
    path(
        "reports/lagging/",
        RedirectView.as_view(pattern_name="api:lagging-board", query_string=True, permanent=True),
    ),
    path(
        "reports/summary/",
        RedirectView.as_view(pattern_name="api:status-summary", query_string=True, permanent=True),
    ),
    *router.urls,
]
