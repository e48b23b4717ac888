"""The officials' main tool: their targets with status lights, their entries, review and evidence.

Department scoping is enforced here in `get_queryset`, the permission hooks and the form's target
choices (all from the selectors), not only hidden in the UI. Every write goes through progress.services.
"""

import logging

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import Http404
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from import_export.admin import ImportMixin

from progress import messaging, notifications, services, statuses
from progress.forms import ProgressEntryForm, ReturnReasonForm
from progress.import_resource import LedgerCSV, LedgerXLSX, ProgressImportResource
from progress.importing import ImportRefused
from progress.judging import target_rule
from progress.models import (
    DepartmentWebhook,
    EvidenceFile,
    Message,
    MessageChannel,
    MessageState,
    MyTarget,
    Notice,
    NoticeState,
    NotificationSettings,
    ProgressEntry,
    ReviewState,
    StatusChange,
    SweepRun,
)
from progress.rules import (
    NOTICE_STANDING_LABELS,
    PERFORMANCE_LABELS,
    REPORTING_LABELS,
    NoticeStanding,
    Performance,
    Reporting,
    level_distance,
    notice_standing,
    reporting_summary,
)
from progress.selectors import (
    entries_awaiting_review_by,
    entries_returned_to,
    entries_visible_to,
    notices_visible_to,
    targets_due_now,
)
from targets import roles
from targets.admin_filters import ReportYearFilter, TargetReportYearFilter
from targets.admin_history import HistoryAdmin
from targets.admin_inlines import ExistingRowsInline
from targets.conventions import format_decimal
from targets.models import Department, Target
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock
from wuzhong_tracker.validation import ascii_digits

logger = logging.getLogger(__name__)

LIGHT_COLOURS = {
    Performance.NO_DATA: "#9e9e9e",
    Performance.ON_TRACK: "#2e7d32",
    Performance.AT_RISK: "#f9a825",
    Performance.LAGGING: "#c62828",
    Performance.ACHIEVED: "#1565c0",
    Performance.OVERDUE: "#7f0000",  # 红黄绿灯: darker than 滞后, never a milder colour
}
REVIEW_COLOURS = {
    ReviewState.SUBMITTED: "#f9a825",
    ReviewState.APPROVED: "#2e7d32",
    ReviewState.RETURNED: "#c62828",
}


def coloured_label(colour: str, label: str) -> str:
    return format_html('<span style="color:{};font-weight:bold">{}</span>', colour, label)


def status_light(performance: str) -> str:
    colour = LIGHT_COLOURS[Performance(performance)]
    return format_html(
        '<span class="wz-light" style="display:inline-block;width:.8em;height:.8em;border-radius:50%;'
        'background:{};margin-right:.3em;vertical-align:middle"></span>{}',
        colour,
        PERFORMANCE_LABELS[Performance(performance)],
    )


class ListOnlyAdmin(admin.ModelAdmin):
    """Rows the system writes: listed and read here, never added or deleted by hand."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ViewOnlyAdmin(ListOnlyAdmin):
    def has_change_permission(self, request, obj=None) -> bool:
        return False


class EvidenceInline(ExistingRowsInline, admin.TabularInline):
    # Files are added through the entry form's multi-file field.
    model = EvidenceFile
    fields = ("download", "size_display", "uploaded_by", "uploaded_at")
    readonly_fields = fields

    @admin.display(description="文件")
    def download(self, evidence: EvidenceFile) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("evidence-download", args=[evidence.pk]), evidence.original_name
        )

    @admin.display(description="大小")
    def size_display(self, evidence: EvidenceFile) -> str:
        return filesizeformat(evidence.size)


class DepartmentEntryFilter(admin.SimpleListFilter):
    title = "填报单位"
    parameter_name = "department"

    def lookups(self, request, model_admin):
        department = roles.department_of(request.user)
        if department is not None and not roles.sees_everything(request.user):
            return [(department.code, department.name)]
        return Department.objects.values_list("code", "name")

    def queryset(self, request, queryset):
        return queryset.filter(department__code=self.value()) if self.value() else queryset


class ReviewStateFilter(admin.SimpleListFilter):
    """审核状态, with 待我审核 (the entries this reviewer may approve or return: their lead department's,
    never their own) where a reviewer's list opens; "全部" is then an explicit choice, since an empty query
    string means the default."""

    title = "审核状态"
    parameter_name = "review_state__exact"  # the name Django's own filter used: old links keep working
    ALL, MINE = "all", "mine"

    def __init__(self, request, params, model, model_admin):
        self.default = self.MINE if roles.is_reviewer(request.user) else None
        super().__init__(request, params, model, model_admin)

    def value(self):
        value = super().value()
        if value is None:
            return self.default
        return None if value == self.ALL else value

    def lookups(self, request, model_admin):
        mine = [(self.MINE, "待我审核")] if model_admin.has_review_permission(request) else []
        return [*mine, *ReviewState.choices]

    def choices(self, changelist):
        yield {
            "selected": self.value() is None,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": "全部",
        }
        for value, label in self.lookup_choices:
            yield {
                "selected": self.value() == value,
                "query_string": changelist.get_query_string({self.parameter_name: value}),
                "display": label,
            }

    def queryset(self, request, queryset):
        if self.value() == self.MINE:
            return queryset.filter(pk__in=entries_awaiting_review_by(request.user).values("pk"))
        return queryset.filter(review_state=self.value()) if self.value() else queryset


@admin.register(ProgressEntry)
class ProgressEntryAdmin(ImportMixin, HistoryAdmin):
    form = ProgressEntryForm
    resource_classes = [ProgressImportResource]
    import_formats = [LedgerCSV, LedgerXLSX]
    # The package's page shows row errors only on hover and base errors with a traceback; ours lists them.
    import_template_name = "admin/progress/progressentry/import.html"
    list_display = (
        "target_code", "target_metric", "period_end", "value_display", "provenance", "is_final", "review_badge",
        "evidence_links", "department", "submitter", "submitted_at", "revision",
    )  # fmt: skip
    list_display_links = ("target_code", "target_metric")
    list_filter = (
        TargetReportYearFilter, ReviewStateFilter, DepartmentEntryFilter, "provenance", "is_final", "period_end",
    )  # fmt: skip
    search_fields = ("target__code", "target__metric", "note")
    list_select_related = ("target", "department", "submitted_by")
    date_hierarchy = "period_end"
    inlines = [EvidenceInline]
    actions = ["approve_entries", "return_entries"]
    readonly_fields = (
        "department", "submitter", "submitted_at", "revision", "review_state", "reviewer", "reviewed_at",
        "return_reason",
    )  # fmt: skip

    class Media:
        js = ["progress/entry_form.js"]

    def get_queryset(self, request):
        return (
            entries_visible_to(request.user)
            .select_related("target", "department", "submitted_by")
            .prefetch_related("evidence")
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)

        class FormWithUser(form_class):
            def __init__(self, *args, **inner):
                super().__init__(*args, user=request.user, **inner)

        return FormWithUser

    def get_fieldsets(self, request, obj=None):
        entry = [
            ("target", "period_end"),
            "value",
            "confirm_scale",
            "is_final",
            "provenance",
            "note",
            "evidence",
        ]
        if obj is not None and not self.has_change_permission(request, obj):
            # Read only (a manager, a co-operating department): the files are listed in the inline, and the
            # upload field has no value to show (as a read-only field it would break the page); there is no
            # figure to confirm.
            entry.remove("evidence")
            entry.remove("confirm_scale")
        if obj is None:
            return [(None, {"fields": entry})]
        submission = ["revision", "department", "submitter", "submitted_at", "review_state"]
        if obj.review_state == ReviewState.RETURNED:
            # What the official must act on comes first, above the form they correct it in.
            returned = {
                "fields": ["return_reason", ("reviewer", "reviewed_at")],
                "description": "请按退回原因修改后保存，修改后将重新提交审核。",
            }
            return [
                ("本条填报已被退回", returned),
                (None, {"fields": entry}),
                ("填报与审核", {"fields": submission}),
            ]
        review = [*submission, "reviewer", "reviewed_at", "return_reason"]
        return [(None, {"fields": entry}), ("填报与审核", {"fields": review})]

    def get_inlines(self, request, obj=None):
        return self.inlines if obj is not None else []  # nothing to list before the entry exists

    def get_readonly_fields(self, request, obj=None):
        # A correction keeps its target and period: it is the same entry, one revision later.
        return (*self.readonly_fields, "target", "period_end") if obj else self.readonly_fields

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if "target" in request.GET:
            initial["target"] = request.GET["target"]
        return initial

    def has_change_permission(self, request, obj=None) -> bool:
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or (self._visible(request, obj) and services.can_correct(request.user, obj))

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and (obj is None or self._visible(request, obj))

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # corrections, never deletions: every figure keeps its history

    def has_review_permission(self, request) -> bool:
        return request.user.has_perm("progress.review_progressentry")

    def _visible(self, request, obj) -> bool:
        return entries_visible_to(request.user).filter(pk=obj.pk).exists()

    def save_form(self, request, form, change):
        """The service writes the entry the form prepared (and validated, once); the admin goes on with it."""
        if change:
            return services.progress_entry_correction_save(form.submission)
        return services.progress_entry_save(form.submission)

    def save_model(self, request, obj, form, change):
        """Written by `save_form`."""

    def save_related(self, request, form, formsets, change):
        """The entry has no many-to-many fields to save after it; the evidence inline only lists files."""
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description="编号", ordering="target__code")
    def target_code(self, entry: ProgressEntry) -> str:
        return entry.target.code

    @admin.display(description="指标")
    def target_metric(self, entry: ProgressEntry) -> str:
        return entry.target.metric

    @admin.display(description="数值", ordering="value")
    def value_display(self, entry: ProgressEntry) -> str:
        return f"{format_decimal(entry.value)} {entry.target.figure_unit}"

    @admin.display(description="填报人", ordering="submitted_by__last_name")
    def submitter(self, entry: ProgressEntry) -> str:
        return f"{roles.display_name(entry.submitted_by)}（{entry.department}）"

    @admin.display(description="审核人")
    def reviewer(self, entry: ProgressEntry) -> str:
        # The lead department's reviewer (a superuser has no department to show).
        if entry.reviewed_by is None:
            return "—"
        department = roles.department_of(entry.reviewed_by)
        return roles.display_name(entry.reviewed_by) + (f"（{department}）" if department else "")

    def add_view(self, request, form_url="", extra_context=None):
        return super().add_view(request, form_url, {"title": "填报进度", **(extra_context or {})})

    @admin.display(description="佐证材料")
    def evidence_links(self, entry: ProgressEntry) -> str:
        files = entry.evidence.all()
        if not files:
            return "—"
        return format_html_join(
            mark_safe("<br>"),  # a constant separator
            '<a href="{}">{}</a>',
            (
                (reverse("evidence-download", args=[evidence.pk]), evidence.original_name)
                for evidence in files
            ),
        )

    @admin.display(description="审核状态", ordering="review_state")
    def review_badge(self, entry: ProgressEntry) -> str:
        return coloured_label(
            REVIEW_COLOURS[ReviewState(entry.review_state)], entry.get_review_state_display()
        )

    @admin.action(description="批准所选填报", permissions=["review"])
    def approve_entries(self, request, queryset):
        done, refused = self._review_each(request, queryset, services.progress_entry_approve)
        self.message_user(
            request, f"已批准 {done} 条填报。" + (f"{refused} 条未处理（见上）。" if refused else "")
        )

    @admin.action(description="退回所选填报（需填写原因）", permissions=["review"])
    def return_entries(self, request, queryset):
        form = ReturnReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_valid():
            reason = form.cleaned_data["reason"]
            done, refused = self._review_each(
                request,
                queryset,
                lambda *, entry, by: services.progress_entry_return(entry=entry, by=by, reason=reason),
            )
            self.message_user(
                request, f"已退回 {done} 条填报。" + (f"{refused} 条未处理（见上）。" if refused else "")
            )
            return None
        return TemplateResponse(
            request,
            "admin/progress/return_entries.html",
            {
                **self.admin_site.each_context(request),
                "title": "退回填报",
                "entries": queryset.select_related("target"),
                "form": form,
                "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
                "opts": self.model._meta,
            },
        )

    def get_urls(self):
        review = self.admin_site.admin_view(self.review_view)
        return [
            path("<int:object_id>/review/", review, name="progress_progressentry_review"),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and self.has_review_permission(request):
            # 批准 / 退回 on the entry itself, or why this reviewer may not (四眼原则, another department).
            context["review"] = {
                "refusal": services.review_refusal(request.user, obj),
                "pending": obj.review_state == ReviewState.SUBMITTED,
                "form": ReturnReasonForm(),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def review_view(self, request, object_id: int):
        """POST: approve, or return with a reason, one entry from its own page; the service decides."""
        entry = self.get_object(request, str(object_id))
        if request.method != "POST" or entry is None or not self.has_review_permission(request):
            raise PermissionDenied
        page = reverse("admin:progress_progressentry_change", args=[entry.pk])
        try:
            if request.POST.get("decision") == "approve":
                services.progress_entry_approve(entry=entry, by=request.user)
                self.message_user(request, f"已批准 {entry}。")
            else:
                services.progress_entry_return(
                    entry=entry, by=request.user, reason=request.POST.get("reason", "")
                )
                self.message_user(request, f"已退回 {entry}，已通知填报人。")
        except ValidationError as error:
            self.message_user(request, "；".join(error.messages), messages.ERROR)
            return redirect(page)
        return redirect(reverse("admin:progress_progressentry_changelist"))

    def _review_each(self, request, queryset, review) -> tuple[int, int]:
        done = refused = 0
        for entry in queryset.select_related("target"):
            try:
                review(entry=entry, by=request.user)
                done += 1
            except ValidationError as error:
                refused += 1
                self.message_user(request, f"{entry}：{'；'.join(error.messages)}", messages.WARNING)
        return done, refused

    # django-import-export: the same rows, rules and all-or-nothing behaviour as `import_progress`.
    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def has_import_permission(self, request) -> bool:
        return request.user.has_perm("progress.add_progressentry")

    def get_import_context_data(self, **kwargs):
        return {**super().get_import_context_data(**kwargs), "import_max_rows": settings.IMPORT_MAX_ROWS}

    def add_data_read_fail_error_to_form(self, form, e):
        """A file refused while it is read (encoding, broken quote, too many rows, damaged workbook): the
        reason in Chinese instead of the package's English "<ExceptionName> encountered …"."""
        if isinstance(e, ImportRefused):
            form.add_error("import_file", [str(problem) for problem in e.listed()])
        else:
            logger.warning("Import file unreadable", exc_info=e)
            form.add_error("import_file", "无法读取该文件；请上传 CSV（UTF-8 编码）或 XLSX 文件。")


class StatusFilter(admin.SimpleListFilter):
    """One axis of the stored status (`parameter_name` names the axis), with its Chinese labels."""

    labels: dict[str, str]

    def lookups(self, request, model_admin):
        return [(status.value, label) for status, label in self.labels.items()]

    def queryset(self, request, queryset):
        return (
            queryset.filter(**{f"status__{self.parameter_name}": self.value()}) if self.value() else queryset
        )


class PerformanceFilter(StatusFilter):
    title = "完成状态"
    parameter_name = "performance"
    labels = PERFORMANCE_LABELS


class ReportingFilter(StatusFilter):
    title = "报送状态"
    parameter_name = "reporting"
    labels = REPORTING_LABELS


class DueNowFilter(admin.SimpleListFilter):
    """本期待报: the targets the user's department leads whose period due now has no entry yet."""

    title = "待办"
    parameter_name = "todo"

    def lookups(self, request, model_admin):
        return [("due", "本期待报"), ("returned", "被退回")]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=targets_due_now(user=request.user, today=clock.today()))
        if self.value() == "returned":
            return queryset.filter(pk__in=entries_returned_to(request.user).values("target_id"))
        return queryset


@admin.register(MyTarget)
class MyTargetAdmin(ViewOnlyAdmin):
    """我的目标: the user's department's targets (every target for managers) with their stored status."""

    list_display = (
        "code", "metric", "goal", "light", "reporting_display", "latest_figure", "progress_display",
        "next_due_display", "report_link",
    )  # fmt: skip
    list_display_links = ("code", "metric")
    list_filter = (
        ReportYearFilter,
        DueNowFilter,
        PerformanceFilter,
        ReportingFilter,
        "task__chapter",
        "frequency",
    )
    search_fields = ("code", "metric")
    list_per_page = 50
    actions = ["recompute_now"]

    @admin.action(description="立即重新评估所选目标", permissions=["view"])
    def recompute_now(self, request, queryset):
        for target_id in queryset.values_list("pk", flat=True):
            statuses.target_status_refresh(target_id=target_id)
        self.message_user(request, f"已重新评估 {queryset.count()} 个目标。")

    def get_queryset(self, request):
        returned = entries_returned_to(request.user).filter(target=OuterRef("pk"))
        return (
            targets_visible_to(request.user)
            .select_related("status", "task__chapter", "report")
            .defer("report__source_text")
            .annotate(returned_entry=Subquery(returned.values("pk")[:1]))
            .order_by("code")
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # A target opens its 目标工作台: definition, sentence, status, chart, entries and the period due now.
        if not ascii_digits(object_id):
            return super().change_view(request, object_id, form_url, extra_context)  # the admin's 404
        return redirect(reverse("boards-target", args=[object_id]))

    @staticmethod
    def _status(target):
        return getattr(target, "status", None)

    @admin.display(description="目标")
    def goal(self, target) -> str:
        return target.goal_display

    @admin.display(description="状态灯", ordering="status__performance")
    def light(self, target) -> str:
        status = self._status(target)
        return status_light(status.performance if status else Performance.NO_DATA)

    @admin.display(description="报送", ordering="status__reporting")
    def reporting_display(self, target) -> str:
        status = self._status(target)
        if status is None:
            return "—"  # not evaluated yet: saying "not due" could be false
        text = reporting_summary(
            reporting=status.reporting,
            performance=status.performance,
            days_late=status.days_late,
            reported=status.latest_period_end is not None,
            year_over=status.as_of.year > target.report.year,
        )
        if status.reporting == Reporting.LATE:
            return format_html('<span style="color:#c62828;font-weight:bold">{}</span>', text)
        return text

    @admin.display(description="最新数据")
    def latest_figure(self, target) -> str:
        status = self._status(target)
        if status is None or status.latest_value is None:
            return "—"
        return f"{format_decimal(status.latest_value)} {target.figure_unit}（{status.latest_period_end:%Y-%m-%d}）"

    @admin.display(description="完成 / 序时进度")
    def progress_display(self, target) -> str:
        status = self._status(target)
        if status is None or status.progress_pct is None:
            if status is not None and status.gap_pp is not None:
                return level_distance(target_rule(target), status.latest_value)
            return "—"
        return f"{format_decimal(status.progress_pct)}% / {format_decimal(status.expected_pct)}%"

    @admin.display(description="下次报送截止", ordering="status__next_due")
    def next_due_display(self, target) -> str:
        status = self._status(target)
        return f"{status.next_due:%Y-%m-%d}" if status and status.next_due else "—"

    @admin.display(description="")
    def report_link(self, target) -> str:
        if target.returned_entry:
            # Until it is corrected: the correction sends it back to review and the badge goes.
            return format_html(
                '<a class="wz-returned" href="{}" style="color:#fff;background:#c62828;padding:1px 6px;'
                'border-radius:8px;white-space:nowrap">被退回</a>',
                reverse("admin:progress_progressentry_change", args=[target.returned_entry]),
            )
        return format_html(
            '<a href="{}?target={}">填报</a>', reverse("admin:progress_progressentry_add"), target.pk
        )


class NewStatusFilter(admin.SimpleListFilter):
    """The new state by its label (逾期未报, 逾期未完成), not its code."""

    title = "新状态"
    parameter_name = "new"

    def lookups(self, request, model_admin):
        return [(status.value, label) for status, label in (PERFORMANCE_LABELS | REPORTING_LABELS).items()]

    def queryset(self, request, queryset):
        return queryset.filter(new=self.value()) if self.value() else queryset


@admin.register(StatusChange)
class StatusChangeAdmin(ViewOnlyAdmin):
    list_display = ("created_at", "target_link", "axis", "old_display", "new_display", "reason")
    list_filter = (TargetReportYearFilter, "axis", NewStatusFilter, "as_of")
    list_select_related = ("target",)
    search_fields = ("target__code", "target__metric")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(target__in=targets_visible_to(request.user))

    # Not the foreign key itself: the admin keeps a foreign key's cell on one line, and the longest target
    # name then pushed 原因 off the page. Its 目标工作台 is the next step.
    @admin.display(description="目标", ordering="target__code")
    def target_link(self, change: StatusChange) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("boards-target", args=[change.target_id]), change.target
        )

    @admin.display(description="原状态")
    def old_display(self, change: StatusChange) -> str:
        return _status_label(change.axis, change.old)

    @admin.display(description="新状态")
    def new_display(self, change: StatusChange) -> str:
        return _status_label(change.axis, change.new)


@admin.register(SweepRun)
class SweepRunAdmin(ViewOnlyAdmin):
    list_display = ("finished_at", "as_of", "evaluated", "changed_targets", "changes", "started_at")
    date_hierarchy = "finished_at"


def _status_label(axis: str, value: str) -> str:
    labels = PERFORMANCE_LABELS if axis == "performance" else REPORTING_LABELS
    return labels.get(value, value)


MESSAGE_STATE_COLOURS = {
    MessageState.PENDING: "#f9a825",
    MessageState.SENDING: "#1565c0",
    MessageState.SENT: "#2e7d32",
    MessageState.FAILED: "#c62828",
}


@admin.register(Message)
class MessageAdmin(ListOnlyAdmin):
    """The outbox, for administrators: what was sent to whom, what failed and why, and a resend action."""

    # Compact enough for the admin's width beside its navigation and filters: the attempts and the last
    # error are shown with the state, where they explain it.
    list_display = ("created_at", "kind", "channel", "recipient", "subject", "state_badge", "sent_at")
    list_filter = ("state", "kind", "channel", "created_at")
    search_fields = ("recipient", "subject", "subject_key")
    date_hierarchy = "created_at"
    actions = ["resend"]

    def changelist_view(self, request, extra_context=None):
        warn_of_unreachable_departments(request)
        return super().changelist_view(request, extra_context)

    readonly_fields = [field.name for field in Message._meta.fields]

    @admin.display(description="状态", ordering="state")
    def state_badge(self, message: Message) -> str:
        badge = coloured_label(
            MESSAGE_STATE_COLOURS[MessageState(message.state)], message.get_state_display()
        )
        if message.attempts > 1 or message.last_error:
            return format_html(
                "{}<br><small>已尝试{}次{}</small>",
                badge,
                message.attempts,
                f"：{message.last_error[:120]}" if message.last_error else "",
            )
        return badge

    @admin.action(description="重新发送所选的失败消息", permissions=["change"])
    def resend(self, request, queryset):
        resent = sum(messaging.message_resend(message=message) for message in queryset)
        self.message_user(request, f"已重新排队 {resent} 条消息（只处理发送失败的消息）。")


def warn_of_unreachable_departments(request) -> None:
    """Lead departments whose reminders and alerts reach nobody, named where recipients are managed (on
    viewing the list, not on its actions, whose own message is what the user needs to read)."""
    if request.method != "GET":
        return
    unreachable = notifications.unreachable_departments()
    if unreachable:
        messages.warning(
            request,
            f"以下{len(unreachable)}个牵头单位没有接收人（无留有邮箱的人员、无群机器人），其催报提醒和亮灯预警"
            f"无人接收，请为其添加人员邮箱或群机器人：{'、'.join(d.name for d in unreachable)}。",
        )


@admin.register(DepartmentWebhook)
class DepartmentWebhookAdmin(admin.ModelAdmin):
    list_display = ("department", "kind", "url", "signed", "is_active", "last_error")
    list_filter = ("kind", "is_active")
    list_select_related = ("department",)
    autocomplete_fields = ("department",)
    # Robot addresses are HTTPS; a typed address without a scheme means https:// (Django 6's default too).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        # The robot's latest error, from its newest message that has one (a retry waiting or a failure).
        latest_error = Message.objects.filter(
            channel=MessageChannel.WEBHOOK, recipient=OuterRef("url")
        ).exclude(last_error="")
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_error=Subquery(latest_error.order_by("-id").values("last_error")[:1]),
                latest_error_state=Subquery(latest_error.order_by("-id").values("state")[:1]),
            )
        )

    def changelist_view(self, request, extra_context=None):
        warn_of_unreachable_departments(request)
        return super().changelist_view(request, extra_context)

    @admin.display(description="加签", boolean=True)
    def signed(self, webhook) -> bool:
        return bool(webhook.secret)

    @admin.display(description="最近一次错误")
    def last_error(self, webhook) -> str:
        if not webhook.latest_error:
            return "—"
        state = MessageState(webhook.latest_error_state).label
        return f"{webhook.latest_error}（{state}）"


@admin.register(NotificationSettings)
class NotificationSettingsAdmin(admin.ModelAdmin):
    list_display = ("user", "receive_digest")
    list_select_related = ("user",)
    autocomplete_fields = ("user",)


NOTICE_STANDING_COLOURS = {
    NoticeStanding.ISSUED: "#1565c0",
    NoticeStanding.ANSWERED: "#f9a825",
    NoticeStanding.CLOSED: "#2e7d32",
    NoticeStanding.OVERDUE: "#c62828",
}


class NoticeStandingFilter(admin.SimpleListFilter):
    title = "状态"
    parameter_name = "standing"

    def lookups(self, request, model_admin):
        return [(standing.value, label) for standing, label in NOTICE_STANDING_LABELS.items()]

    def queryset(self, request, queryset):
        today = clock.today()
        if self.value() == NoticeStanding.OVERDUE:
            return queryset.filter(state=NoticeState.ISSUED, deadline__lt=today)
        if self.value() == NoticeStanding.ISSUED:
            return queryset.filter(state=NoticeState.ISSUED, deadline__gte=today)
        if self.value() in NoticeState.values:
            return queryset.filter(state=self.value())
        return queryset


@admin.register(Notice)
class NoticeAdmin(ViewOnlyAdmin):
    """督办单: managers see every notice, a department its own. Notices are issued from the 滞后/逾期 report
    or a target's page and answered, closed or pressed on the notice's page (progress.notice_views)."""

    list_display = (
        "number_link",
        "level",
        "department",
        "target_codes",
        "deadline",
        "standing_badge",
        "issued_at",
    )
    list_filter = (ReportYearFilter, NoticeStandingFilter, "level", "department")
    list_select_related = ("department",)
    search_fields = ("matter", "targets__code", "department__name")
    date_hierarchy = "issued_at"

    def get_queryset(self, request):
        return (
            notices_visible_to(request.user)
            .select_related("department")
            .prefetch_related(
                Prefetch("targets", queryset=Target.objects.order_by("code").only("pk", "code"))
            )
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The notice's own page shows its history and the next step.
        if not ascii_digits(object_id) or not self.get_queryset(request).filter(pk=object_id).exists():
            raise Http404("没有这个督办单，或您无权查看。")
        return redirect("notice-detail", int(object_id))

    @admin.display(description="编号", ordering="number")
    def number_link(self, notice: Notice) -> str:
        return format_html(
            '<a href="{}">{}</a>', reverse("notice-detail", args=[notice.pk]), notice.number_label
        )

    @admin.display(description="督办目标")
    def target_codes(self, notice: Notice) -> str:
        return "、".join(target.code for target in notice.targets.all())

    @admin.display(description="状态", ordering="state")
    def standing_badge(self, notice: Notice) -> str:
        standing = notice_standing(state=notice.state, deadline=notice.deadline, as_of=clock.today())
        return coloured_label(NOTICE_STANDING_COLOURS[standing], NOTICE_STANDING_LABELS[standing])
