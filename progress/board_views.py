"""The managers' report pages, inside the admin site (same login, same look): 滞后/逾期 with its printable
bulletin (通报), the department scoreboard, the chapter overview and a target's page. Each is evaluated
as of any date and downloads as XLSX and CSV. Views only parse the request and call the selectors in
progress.boards and the writers in progress.exports."""

import dataclasses
from collections.abc import Iterator
from typing import IO
from urllib.parse import quote

from django.contrib import admin, messages
from django.contrib.auth.mixins import PermissionRequiredMixin
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.views.generic import RedirectView, TemplateView

from progress import exports, services
from progress.boards import (
    SCORE_RULE,
    BoardFilters,
    department_scoreboard,
    headline_rows,
    lagging_board,
    lagging_board_pages,
    lagging_board_stream,
    late_lead_names,
    ledger_items,
    status_summary,
    target_rows,
)
from progress.charts import progress_chart_svg
from progress.forms import BoardFilterForm, CooperationNoteForm
from progress.judging import target_rule
from progress.models import StatusChange
from progress.notices import can_issue
from progress.rules import PERFORMANCE_LABELS, NoticeStanding, Performance, period_ends
from progress.selectors import (
    evaluate_as_of,
    figures_as_of,
    notices_as_of,
    notices_visible_to,
    period_due_now,
)
from progress.years import previous_year_result
from targets import roles
from targets.models import DepartmentRole
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _download(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    return response


def _xlsx_download(workbook: IO[bytes], filename: str) -> StreamingHttpResponse:
    """The workbook's temporary file, sent in blocks (and closed) by the response."""
    return _download(FileResponse(workbook, content_type=XLSX), filename)


def _csv_download(chunks: Iterator[str], filename: str) -> StreamingHttpResponse:
    """The CSV sent as it is written; the 台账's rows are read a batch at a time as it is sent (after the
    view returns, on the request's connection, which Django closes once the response is)."""
    return _download(StreamingHttpResponse(chunks, content_type="text/csv; charset=utf-8"), filename)


class BoardView(PermissionRequiredMixin, TemplateView):
    """A report page: filters from the query string, evaluated as of a date, optional ?format=xlsx|csv."""

    permission_required = "progress.view_mytarget"
    title = ""
    filter_fields: tuple[str, ...] = ("report", "as_of")

    def page_report(self):
        return None

    def get(self, request, *args, **kwargs):
        # Every field is optional: no query string means today, for this year's report (or the latest).
        self.form = BoardFilterForm(request.GET, report=self.page_report())
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
            context |= self.board_context()
        return context

    def board_context(self) -> dict:
        raise NotImplementedError

    def export(self, file_format: str) -> StreamingHttpResponse:
        raise NotImplementedError

    def filename(self, name: str, file_format: str) -> str:
        return quote(f"{name}_{self.as_of:%Y%m%d}.{file_format}")


class LaggingBoardView(BoardView):
    """滞后/逾期: every row counted and sorted worst first, rendered a page at a time (a whole province needs
    attention for thousands of targets); the downloads carry every row."""

    template_name = "progress/boards/lagging.html"
    title = "滞后/逾期目标"
    filter_fields = ("report", "as_of", "chapter", "task", "department", "performance", "reporting")
    paginate_by: int | None = 100

    def rows(self):
        return lagging_board(user=self.request.user, as_of=self.as_of, filters=self.form.report_filters())

    def board_context(self) -> dict:
        # A page: as of today counted and ordered by the database, only the page's rows built.
        if self.paginate_by:
            rows = lagging_board_pages(
                user=self.request.user, as_of=self.as_of, filters=self.form.report_filters()
            )
        else:
            rows = self.rows()
        context = {
            "rows": rows,
            "page_rows": rows,
            "count": len(rows),
            "late_departments": late_lead_names(rows),
            "can_issue_notice": can_issue(self.request.user),
        }
        if self.paginate_by:
            page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
            context |= {"page_obj": page, "page_rows": page.object_list}
        return context

    def export(self, file_format: str) -> StreamingHttpResponse:
        # Read and written a batch at a time (as of today in the database's order): memory holds a batch.
        rows = ledger_items(
            lagging_board_stream(
                user=self.request.user, as_of=self.as_of, filters=self.form.report_filters()
            ),
            as_of=self.as_of,
        )
        if file_format == "xlsx":
            return _xlsx_download(
                exports.ledger_xlsx(rows=rows, as_of=self.as_of, title=self.title),
                self.filename("滞后逾期目标台账", "xlsx"),
            )
        return _csv_download(exports.ledger_csv(rows=rows), self.filename("滞后逾期目标台账", "csv"))


class BulletinView(LaggingBoardView):
    """通报: the lagging/overdue report as a printable page (print CSS, no admin chrome)."""

    template_name = "progress/boards/bulletin.html"
    title = "关于政府工作报告目标任务滞后、逾期情况的通报"
    paginate_by = None  # printed whole

    def board_context(self) -> dict:
        context = super().board_context()
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


class ScoreboardView(BoardView):
    template_name = "progress/boards/scoreboard.html"
    title = "责任单位计分排名"

    def board_context(self) -> dict:
        return {
            "scores": department_scoreboard(as_of=self.as_of, filters=self.form.report_filters()),
            "rule": SCORE_RULE,
            "own_department": roles.department_of(self.request.user),
        }

    def export(self, file_format: str) -> StreamingHttpResponse:
        scores = department_scoreboard(as_of=self.as_of, filters=self.form.report_filters())
        if file_format == "xlsx":
            return _xlsx_download(
                exports.scoreboard_xlsx(scores=scores, as_of=self.as_of, rule=SCORE_RULE),
                self.filename("责任单位计分排名", "xlsx"),
            )
        return _csv_download(exports.scoreboard_csv(scores=scores), self.filename("责任单位计分排名", "csv"))


class ChapterOverviewView(BoardView):
    template_name = "progress/boards/overview.html"
    title = "分章节完成情况"
    filter_fields = ("report", "as_of", "department")

    paginate_by = 100  # 主要预期目标: some 2,500 in a year of 20 reports

    def filters(self) -> BoardFilters:
        # The overview counts every status: a status filter (not offered here) is not applied.
        return dataclasses.replace(self.form.report_filters(), performance=None, reporting=None)

    def summary(self):
        return status_summary(user=self.request.user, as_of=self.as_of, filters=self.filters())

    def board_context(self) -> dict:
        summary = self.summary()
        rows = headline_rows(
            user=self.request.user, as_of=self.as_of, filters=self.filters(), summary=summary
        )
        page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
        return {
            "summary": summary,
            "headline": page.object_list,
            "page_obj": page,
            "labels": PERFORMANCE_LABELS,
        }

    def export(self, file_format: str) -> StreamingHttpResponse:
        summary = self.summary()
        if file_format == "xlsx":
            return _xlsx_download(
                exports.summary_xlsx(summary=summary), self.filename("分章节完成情况", "xlsx")
            )
        return _csv_download(exports.summary_csv(summary=summary), self.filename("分章节完成情况", "csv"))


class TargetDeskView(BoardView):
    """目标工作台: the one page of a target, where every link to a target leads (我的目标, the reports, the
    emails, the API's `url`). Its definition and highlighted sentence, its status with the reasons, the
    chart against 序时进度, every entry with its review state and evidence, the period due now with a 填报
    button for the lead department, and its status history; all as of a date."""

    template_name = "progress/boards/target.html"
    filter_fields = ("as_of",)

    def page_report(self):
        # The desk's default date is its own report's (a 2020 target read in 2021 opens on 2020's close).
        return self.target.report

    def get(self, request, *args, **kwargs):
        self.target = get_object_or_404(targets_visible_to(request.user).with_structure(), pk=kwargs["pk"])
        self.title = f"{self.target.code} {self.target.metric}"
        return super().get(request, *args, **kwargs)

    def board_context(self) -> dict:
        target, as_of, user = self.target, self.as_of, self.request.user
        rule = target_rule(target)
        figures = figures_as_of(target_ids=[target.pk], as_of=as_of).get(target.pk, [])
        entries = list(
            target.entries.filter(period_end__lte=as_of)
            .select_related("department", "submitted_by", "reviewed_by")
            .prefetch_related("evidence")
            .order_by("period_end")
        )
        today = clock.today()
        may_submit = user.has_perm("progress.add_progressentry") and services.leads(user, target)
        return {
            "target": target,
            "evaluation": evaluate_as_of(rule, figures, as_of),
            "chart": progress_chart_svg(rule, figures, as_of),
            "periods": period_ends(rule),
            "entries": entries,
            "changes": StatusChange.objects.filter(target=target, as_of__lte=as_of).order_by("-created_at")[
                :50
            ],
            # What to do now is shown for today only: a past date is for reading, not for acting.
            "due": period_due_now(target=target, entries=entries, today=today) if as_of == today else None,
            "may_submit": may_submit,
            "paragraph": target.source_paragraph_parts(),
            "notes": target.cooperation_notes.filter(period_end__lte=as_of).select_related(
                "department", "created_by"
            ),
            "note_form": CooperationNoteForm(target=target) if self._cooperates(target) else None,
            "may_edit_definition": user.has_perm("targets.change_target"),
            # 督办 notices about the target, as they stood on the date (progress/_target_notices.html).
            "notices": notices_as_of(
                as_of=as_of, notices=notices_visible_to(self.request.user).filter(targets=target)
            ),
            "can_issue_notice": can_issue(self.request.user),
            # Years side by side: last year's target of the same metric, its result as the baseline.
            "previous_result": previous_year_result(target),
        }

    def _cooperates(self, target) -> bool:
        department = roles.department_of(self.request.user)
        return department is not None and any(
            a.department_id == department.pk and a.role == DepartmentRole.COOPERATING
            for a in target.assignment_list()
        )

    def post(self, request, *args, **kwargs):
        """配合情况 added from the desk (progress.services.cooperation_note_add decides who may)."""
        target = get_object_or_404(targets_visible_to(request.user).with_structure(), pk=kwargs["pk"])
        form = CooperationNoteForm(request.POST, request.FILES, target=target)
        desk = reverse("boards-target", args=[target.pk])
        if not form.is_valid():
            messages.error(
                request,
                "；".join(f"{form[name].label}：{'、'.join(errors)}" for name, errors in form.errors.items()),
            )
            return redirect(desk)
        try:
            services.cooperation_note_add(
                target=target, period_end=form.cleaned_data["period_end"], text=form.cleaned_data["text"],
                by=request.user, evidence=form.cleaned_data["evidence"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
            return redirect(desk)
        messages.success(request, "已添加配合情况。")
        return redirect(desk + "#wz-cooperation")

    def export(self, file_format: str) -> StreamingHttpResponse:
        rows = target_rows(
            user=self.request.user, as_of=self.as_of, filters=BoardFilters(target=self.target.pk)
        )
        items = list(ledger_items(rows, as_of=self.as_of))
        if file_format == "xlsx":
            return _xlsx_download(
                exports.ledger_xlsx(rows=items, as_of=self.as_of, title=self.title),
                self.filename(self.target.code, "xlsx"),
            )
        return _csv_download(exports.ledger_csv(rows=items), self.filename(self.target.code, "csv"))


def board_urls() -> list:
    """Mounted under /admin/ by wuzhong_tracker.urls (inside the admin site's login and look)."""
    view = admin.site.admin_view
    return [
        path("boards/lagging/", view(LaggingBoardView.as_view()), name="boards-lagging"),
        path("boards/bulletin/", view(BulletinView.as_view()), name="boards-bulletin"),
        path("boards/scoreboard/", view(ScoreboardView.as_view()), name="boards-scoreboard"),
        path("boards/overview/", view(ChapterOverviewView.as_view()), name="boards-overview"),
        path("boards/targets/<int:pk>/", view(TargetDeskView.as_view()), name="boards-target"),
        # The pages' addresses until this release (links in emails already sent), kept as redirects.
        *(
            path(
                f"reports/{page}/",
                RedirectView.as_view(url=f"/admin/boards/{page}/", query_string=True, permanent=True),
            )
            for page in ("lagging", "bulletin", "scoreboard", "overview")
        ),
        path(
            "reports/targets/<int:pk>/",
            RedirectView.as_view(url="/admin/boards/targets/%(pk)s/", query_string=True, permanent=True),
        ),
    ]
