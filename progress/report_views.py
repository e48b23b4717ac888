"""The managers' report pages, inside the admin site (same login, same look): 滞后/逾期 with its printable
bulletin (通报), the department scoreboard, the chapter overview and a target's page. Each is evaluated
as of any date and downloads as XLSX and CSV. Views only parse the request and call the selectors in
progress.reports and the writers in progress.exports."""

from urllib.parse import quote

from django.contrib import admin
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.views.generic import TemplateView

from progress import exports
from progress.charts import progress_chart_svg
from progress.forms import ReportFilterForm
from progress.models import StatusChange
from progress.notices import can_issue
from progress.reports import (
    SCORE_RULE,
    ReportFilters,
    department_scoreboard,
    lagging_report,
    monthly_figures,
    status_summary,
    target_rows,
)
from progress.rules import PERFORMANCE_LABELS, NoticeStanding, Performance, period_ends
from progress.selectors import evaluate_as_of, figures_as_of, notices_as_of, notices_visible_to
from progress.services import target_rule
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(content: bytes | str, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


class ReportView(PermissionRequiredMixin, TemplateView):
    """A report page: filters from the query string, evaluated as of a date, optional ?format=xlsx|csv."""

    permission_required = "progress.view_mytarget"
    title = ""
    filter_fields: tuple[str, ...] = ("as_of",)

    def get(self, request, *args, **kwargs):
        self.form = ReportFilterForm(request.GET)  # every field is optional: no query string means today
        valid = self.form.is_valid()
        self.as_of = self.form.cleaned_data["as_of"] if valid else None
        if valid and request.GET.get("format") in ("xlsx", "csv"):
            return self.export(request.GET["format"])
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.copy()
        query.pop("format", None)
        query.pop("page", None)  # the downloads are whole, and a page link adds its own
        context |= admin.site.each_context(self.request) | {
            "title": self.title,
            "form": self.form,
            "as_of": self.as_of,
            "query": query.urlencode(),
            "filter_fields": self.filter_fields,
            "closed_year": self.form.closed_year,
            "today": clock.today(),
        }
        if self.as_of is not None:
            context |= self.report_context()
        return context

    def report_context(self) -> dict:
        raise NotImplementedError

    def export(self, file_format: str) -> HttpResponse:
        raise NotImplementedError

    def filename(self, name: str, file_format: str) -> str:
        return quote(f"{name}_{self.as_of:%Y%m%d}.{file_format}")


class LaggingReportView(ReportView):
    """滞后/逾期: every row counted and sorted worst first, rendered a page at a time (a whole province needs
    attention for thousands of targets); the downloads carry every row."""

    template_name = "progress/reports/lagging.html"
    title = "滞后/逾期目标"
    filter_fields = ("as_of", "chapter", "task", "department", "performance", "reporting")
    paginate_by: int | None = 100

    def rows(self):
        return lagging_report(user=self.request.user, as_of=self.as_of, filters=self.form.report_filters())

    def report_context(self) -> dict:
        rows = self.rows()
        late_departments = sorted(
            {row.lead.name for row in rows if row.lead and row.evaluation.reporting == "late"}
        )
        context = {
            "rows": rows,
            "page_rows": rows,
            "late_departments": late_departments,
            "can_issue_notice": can_issue(self.request.user),
        }
        if self.paginate_by:
            page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
            context |= {"page_obj": page, "page_rows": page.object_list}
        return context

    def export(self, file_format: str) -> HttpResponse:
        rows = self.rows()
        monthly = monthly_figures(target_ids=[row.target.pk for row in rows], as_of=self.as_of)
        if file_format == "xlsx":
            content = exports.ledger_xlsx(rows=rows, monthly=monthly, as_of=self.as_of, title=self.title)
            return _download(content, self.filename("滞后逾期目标台账", "xlsx"), XLSX)
        content = exports.ledger_csv(rows=rows, monthly=monthly, as_of=self.as_of)
        return _download(content, self.filename("滞后逾期目标台账", "csv"), "text/csv; charset=utf-8")


class BulletinView(LaggingReportView):
    """通报: the lagging/overdue report as a printable page (print CSS, no admin chrome)."""

    template_name = "progress/reports/bulletin.html"
    title = "关于政府工作报告目标任务滞后、逾期情况的通报"
    paginate_by = None  # printed whole

    def report_context(self) -> dict:
        context = super().report_context()
        rows = context["rows"]
        context["counts"] = {
            label: sum(1 for row in rows if row.evaluation.performance == status)
            for status, label in PERFORMANCE_LABELS.items()
            if status in (Performance.OVERDUE, Performance.LAGGING, Performance.AT_RISK)
        }
        context["late_count"] = sum(1 for row in rows if row.evaluation.reporting == "late")
        # 督办 notices not closed on the date, overdue ones first (their own section of the bulletin).
        open_notices = [
            item
            for item in notices_as_of(as_of=self.as_of, notices=notices_visible_to(self.request.user))
            if item.standing != NoticeStanding.CLOSED
        ]
        context["notices"] = sorted(open_notices, key=lambda item: item.standing != NoticeStanding.OVERDUE)
        context["overdue_notices"] = sum(
            1 for item in open_notices if item.standing == NoticeStanding.OVERDUE
        )
        return context


class ScoreboardView(ReportView):
    template_name = "progress/reports/scoreboard.html"
    title = "责任单位计分排名"

    def report_context(self) -> dict:
        return {"scores": department_scoreboard(user=self.request.user, as_of=self.as_of), "rule": SCORE_RULE}

    def export(self, file_format: str) -> HttpResponse:
        scores = department_scoreboard(user=self.request.user, as_of=self.as_of)
        if file_format == "xlsx":
            content = exports.scoreboard_xlsx(scores=scores, as_of=self.as_of, rule=SCORE_RULE)
            return _download(content, self.filename("责任单位计分排名", "xlsx"), XLSX)
        content = exports.scoreboard_csv(scores=scores)
        return _download(content, self.filename("责任单位计分排名", "csv"), "text/csv; charset=utf-8")


class ChapterOverviewView(ReportView):
    template_name = "progress/reports/overview.html"
    title = "分章节完成情况"
    filter_fields = ("as_of", "department")

    def summary(self):
        return status_summary(user=self.request.user, as_of=self.as_of, filters=self.form.report_filters())

    def report_context(self) -> dict:
        summary = self.summary()
        headline = [
            row
            for chapter in summary.by_chapter
            if chapter["chapter"].number == 0
            for row in chapter["targets"]
        ]
        return {"summary": summary, "headline": headline, "labels": PERFORMANCE_LABELS}

    def export(self, file_format: str) -> HttpResponse:
        summary = self.summary()
        if file_format == "xlsx":
            return _download(
                exports.summary_xlsx(summary=summary), self.filename("分章节完成情况", "xlsx"), XLSX
            )
        return _download(
            exports.summary_csv(summary=summary),
            self.filename("分章节完成情况", "csv"),
            "text/csv; charset=utf-8",
        )


class TargetReportView(ReportView):
    """One target: its chart against 序时进度, every entry with provenance and review state, its status
    history and daily snapshots."""

    template_name = "progress/reports/target.html"

    def get(self, request, *args, **kwargs):
        self.target = get_object_or_404(
            targets_visible_to(request.user).select_related("report", "task__chapter"), pk=kwargs["pk"]
        )
        self.title = f"{self.target.code} {self.target.metric}"
        return super().get(request, *args, **kwargs)

    def report_context(self) -> dict:
        target, as_of = self.target, self.as_of
        rule = target_rule(target)
        figures = figures_as_of(target_ids=[target.pk], as_of=as_of).get(target.pk, [])
        return {
            "target": target,
            "evaluation": evaluate_as_of(rule, figures, as_of),
            "chart": progress_chart_svg(rule, figures, as_of),
            "periods": period_ends(rule),
            "entries": target.entries.filter(period_end__lte=as_of)
            .select_related("department", "submitted_by")
            .prefetch_related("evidence")
            .order_by("period_end"),
            "changes": StatusChange.objects.filter(target=target, as_of__lte=as_of).order_by("-created_at")[
                :50
            ],
            # 督办 notices about the target, as they stood on the date (progress/_target_notices.html).
            "notices": notices_as_of(
                as_of=as_of, notices=notices_visible_to(self.request.user).filter(targets=target)
            ),
            "can_issue_notice": can_issue(self.request.user),
        }

    def export(self, file_format: str) -> HttpResponse:
        rows = target_rows(
            user=self.request.user, as_of=self.as_of, filters=ReportFilters(target=self.target.pk)
        )
        monthly = monthly_figures(target_ids=[self.target.pk], as_of=self.as_of)
        if file_format == "xlsx":
            content = exports.ledger_xlsx(rows=rows, monthly=monthly, as_of=self.as_of, title=self.title)
            return _download(content, self.filename(self.target.code, "xlsx"), XLSX)
        return _download(
            exports.ledger_csv(rows=rows, monthly=monthly, as_of=self.as_of),
            self.filename(self.target.code, "csv"),
            "text/csv; charset=utf-8",
        )


def report_urls() -> list:
    """Mounted under /admin/reports/ by progress.admin (inside the admin site's login and look)."""
    view = admin.site.admin_view
    return [
        path("reports/lagging/", view(LaggingReportView.as_view()), name="reports-lagging"),
        path("reports/bulletin/", view(BulletinView.as_view()), name="reports-bulletin"),
        path("reports/scoreboard/", view(ScoreboardView.as_view()), name="reports-scoreboard"),
        path("reports/overview/", view(ChapterOverviewView.as_view()), name="reports-overview"),
        path("reports/targets/<int:pk>/", view(TargetReportView.as_view()), name="reports-target"),
    ]
