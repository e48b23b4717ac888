"""The admin for what the report promised: report → chapters → key tasks → targets.

Target definitions come from the data file (`load_report`) and are read-only here; managers assign
departments (责任分工) inline, and every change is kept in the history (django-simple-history).
"""

from collections.abc import Callable

from django.contrib import admin
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from targets.admin_filters import ReportYearFilter
from targets.admin_history import HistoryAdmin
from targets.admin_inlines import ExistingRowsInline
from targets.conventions import format_decimal
from targets.models import (
    Baseline,
    Chapter,
    Department,
    DepartmentMembership,
    DepartmentRole,
    KeyTask,
    Report,
    Target,
    TargetDepartment,
)
from targets.selectors import targets_visible_to
from targets.signals import definitions_changed

THRESHOLD_FIELDS = (
    "cumulative_on_track_pp", "cumulative_at_risk_pp", "level_on_track_pp", "level_at_risk_pp",
    "report_due_working_days",
)  # fmt: skip

TARGET_DEFINITION_FIELDS = (
    "report", "task", "code", "metric", "comparator", "value", "unit", "measure", "curve", "custom_curve",
    "frequency", "deadline", "tolerance_pct", "quote", "reading",
)  # fmt: skip


def _count_column(name: str, heading: str | Promise) -> Callable[[admin.ModelAdmin, object], int]:
    @admin.display(description=heading, ordering=name)
    def column(self, obj) -> int:
        return getattr(obj, name)

    return column


class CountColumnsAdmin(admin.ModelAdmin):
    """Changelist columns of counts, annotated in the list's one query (never counted row by row), sortable:
    `count_columns` maps each column's name (to put in `list_display`) to its heading and its `Count`."""

    count_columns: dict[str, tuple[str | Promise, Count]] = {}

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        for name, (heading, _count) in cls.count_columns.items():
            setattr(cls, name, _count_column(name, heading))

    def get_queryset(self, request):
        counts = {name: count for name, (_heading, count) in self.count_columns.items()}
        return super().get_queryset(request).annotate(**counts)


class ReadOnlyInline(ExistingRowsInline, admin.TabularInline):
    show_change_link = True

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ChapterInline(ReadOnlyInline):
    model = Chapter
    fields = ("number", "title")


@admin.register(Report)
class ReportAdmin(CountColumnsAdmin, HistoryAdmin):
    list_display = (
        "title", "issuer", "year", "delivered_on", "chapter_count", "target_count", "entries_state",
    )  # fmt: skip
    readonly_fields = ("issuer", "year", "title", "delivered_on", "occasion", "source_text")
    fieldsets = (
        (None, {"fields": ("title", "issuer", "year", "delivered_on", "occasion")}),
        (
            _("状态阈值（本报告全部目标的默认值，目标可单独覆盖；下一次巡检起生效）"),
            {
                "fields": (
                    ("cumulative_on_track_pp", "cumulative_at_risk_pp"),
                    ("level_on_track_pp", "level_at_risk_pp"),
                    "report_due_working_days",
                )
            },
        ),
        (_("报告全文"), {"classes": ["collapse"], "fields": ("source_text",)}),
    )
    inlines = [ChapterInline]
    count_columns = {
        "chapter_count": (_("章节数"), Count("chapters", distinct=True)),
        "target_count": (_("目标数"), Count("targets", distinct=True)),
    }

    @admin.display(description=_("年度填报"))
    def entries_state(self, report: Report) -> str:
        # Whether the year is closed is judged by progress (it knows the reporting calendar) on the year's
        # page; the list says whether an administrator reopened it.
        return "已重新开放" if report.entries_reopened else "到期自动锁定"

    @admin.display(description=_("年度填报"))
    def entries_state_link(self, report: Report) -> str:
        return format_html(
            '{} · <a href="{}">查看/重新开放</a>',
            self.entries_state(report),
            reverse("report-year-entries", args=[report.pk]),
        )

    def get_list_display(self, request):
        if request.user.has_perm("targets.change_report"):  # administrators reopen or lock a year
            return (*self.list_display[:-1], "entries_state_link")
        return self.list_display

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and set(form.changed_data) & set(THRESHOLD_FIELDS):
            # The stored statuses were judged with the old thresholds.
            definitions_changed.send(Report, target_ids=list(obj.targets.values_list("pk", flat=True)))

    def has_add_permission(self, request) -> bool:
        return False  # reports come from data files: `manage.py load_report`


class KeyTaskInline(ReadOnlyInline):
    model = KeyTask
    fields = ("number", "title")


@admin.register(Chapter)
class ChapterAdmin(CountColumnsAdmin):
    list_display = ("number", "title", "report", "task_count", "target_count")
    list_display_links = ("number", "title")
    list_filter = ("report",)
    list_select_related = ("report",)
    readonly_fields = ("report", "number", "title")
    inlines = [KeyTaskInline]
    count_columns = {
        "task_count": (_("重点任务数"), Count("tasks", distinct=True)),
        "target_count": (_("目标数"), Count("tasks__targets", distinct=True)),
    }

    def has_add_permission(self, request) -> bool:
        return False


class TargetInline(ReadOnlyInline):
    model = Target
    fields = ("code", "metric", "goal")
    readonly_fields = ("goal",)

    @admin.display(description=_("目标"))
    def goal(self, target: Target) -> str:
        return target.goal_display

    def get_queryset(self, request):
        # A key task is shared by departments; its targets are listed only to those who may see them.
        return super().get_queryset(request).filter(pk__in=targets_visible_to(request.user))


@admin.register(KeyTask)
class KeyTaskAdmin(CountColumnsAdmin):
    list_display = ("__str__", "chapter", "target_count")
    list_filter = ("chapter__report", "chapter")
    list_select_related = ("chapter",)
    search_fields = ("title",)
    readonly_fields = ("chapter", "number", "title", "paragraph")
    fields = ("chapter", "number", "title", "paragraph")
    inlines = [TargetInline]
    count_columns = {"target_count": (_("目标数"), Count("targets"))}

    @admin.display(description=_("段落原文"))
    def paragraph(self, task: KeyTask) -> str:
        return task.chapter.report.source_text[task.paragraph_start : task.paragraph_end]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(CountColumnsAdmin):
    list_display = ("name", "code", "lead_count", "target_count")
    search_fields = ("name", "code")
    count_columns = {
        "lead_count": (
            _("牵头目标数"),
            Count("assignments", filter=Q(assignments__role=DepartmentRole.LEAD)),
        ),
        "target_count": (_("牵头/配合目标数"), Count("assignments")),
    }

    def get_queryset(self, request):
        # A GROUP BY drops Meta.ordering, and the autocomplete pages need an order.
        return super().get_queryset(request).order_by("name")


@admin.register(DepartmentMembership)
class DepartmentMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "department")
    list_select_related = ("user", "department")
    list_filter = ("department",)
    autocomplete_fields = ("department",)
    search_fields = ("user__username", "user__first_name", "user__last_name", "department__name")


class TargetDepartmentInline(admin.TabularInline):
    model = TargetDepartment
    extra = 0
    fields = ("department", "role", "order")
    autocomplete_fields = ("department",)


class BaselineInline(ExistingRowsInline, admin.StackedInline):
    model = Baseline
    fields = ("year", "value", "unit", "quote")
    readonly_fields = fields


class DepartmentFilter(admin.SimpleListFilter):
    title = _("责任单位")
    parameter_name = "department"

    def lookups(self, request, model_admin):
        return Department.objects.values_list("code", "name")

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(assignments__department__code=self.value())
        return queryset


class KeyTaskFilter(admin.SimpleListFilter):
    title = _("重点任务")
    parameter_name = "task"

    def lookups(self, request, model_admin):
        # One query: the default related-field filter would fetch each task's chapter for its label.
        return [(task.pk, str(task)) for task in KeyTask.objects.select_related("chapter")]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(task_id=self.value())
        return queryset


class LeadDepartmentFilter(DepartmentFilter):
    title = _("牵头单位")
    parameter_name = "lead"

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(
                assignments__department__code=self.value(), assignments__role=DepartmentRole.LEAD
            )
        return queryset


@admin.register(Target)
class TargetAdmin(HistoryAdmin):
    list_display = (
        "code",
        "metric",
        "goal",
        "chapter",
        "task_title",
        "departments_display",
        "frequency",
        "deadline",
    )
    list_display_links = ("code", "metric")
    list_filter = (
        ReportYearFilter,
        "task__chapter",
        KeyTaskFilter,
        DepartmentFilter,
        LeadDepartmentFilter,
        "measure",
        "comparator",
        "frequency",
        "curve",
    )
    search_fields = ("code", "metric", "quote")
    list_per_page = 50
    view_on_site = True  # "在站点上查看" opens the target's 目标工作台 (Target.get_absolute_url)
    inlines = [TargetDepartmentInline, BaselineInline]
    readonly_fields = (
        *TARGET_DEFINITION_FIELDS, "goal", "value_display", "source_paragraph", "baseline_display",
    )  # fmt: skip
    fieldsets = (
        (None, {"fields": ("code", "metric", "goal", "report", "task")}),
        (_("报告原文"), {"fields": ("source_paragraph", "quote", "reading", "baseline_display")}),
        (
            _("目标定义"),
            {
                "fields": (
                    "comparator",
                    "value_display",
                    "unit",
                    "measure",
                    "curve",
                    "custom_curve",
                    "frequency",
                    "deadline",
                    "tolerance_pct",
                )
            },
        ),
    )

    def get_queryset(self, request):
        # Officials and reviewers see their department's targets only, whatever ID they type (PRODUCT.md §1).
        return super().get_queryset(request).filter(pk__in=targets_visible_to(request.user)).with_structure()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # The definition form is for those who edit a target (managers assign departments, administrators
        # thresholds); everyone else opens the target's 目标工作台, which shows the definition too.
        if not self.has_change_permission(request) and self.get_object(request, object_id) is not None:
            return redirect(reverse("boards-target", args=[object_id]))
        return super().change_view(request, object_id, form_url, extra_context)

    def has_view_permission(self, request, obj=None) -> bool:
        # Checked on the object too: the history pages find a target by its ID, not through get_queryset.
        return super().has_view_permission(request, obj) and (obj is None or self._visible(request, obj))

    def has_change_permission(self, request, obj=None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or self._visible(request, obj))

    def _visible(self, request, target: Target) -> bool:
        return targets_visible_to(request.user).filter(pk=target.pk).exists()

    @admin.display(description=_("目标"))
    def goal(self, target: Target) -> str:
        return target.goal_display

    @admin.display(description=_("目标值"))
    def value_display(self, target: Target) -> str:
        return format_decimal(target.value) or "—"  # 3, not 3.0000

    @admin.display(description=_("章节"), ordering="task__chapter__number")
    def chapter(self, target: Target) -> str:
        return target.task.chapter.title

    @admin.display(description=_("重点任务"), ordering="task__number")
    def task_title(self, target: Target) -> str:
        return target.task.title

    @admin.display(description=_("责任单位（牵头在前）"))
    def departments_display(self, target: Target) -> str:
        departments = target.ordered_departments()
        if not departments:
            return "—"
        lead, *others = departments
        return format_html(
            "<strong>{}</strong>{}", lead.name, "、" + "、".join(d.name for d in others) if others else ""
        )

    @admin.display(description=_("原文段落（本目标所在句子已高亮）"))
    def source_paragraph(self, target: Target) -> str:
        return format_html(
            '<div class="wz-paragraph" style="max-width:60em;line-height:1.8">{}<mark>{}</mark>{}</div>',
            *target.source_paragraph_parts(),
        )

    @admin.display(description=_("基期值（上年）"))
    def baseline_display(self, target: Target) -> str:
        baseline = getattr(target, "baseline", None)
        if baseline is None:
            return "—"
        return format_html(
            "{}年：{} {}（原文：“{}”）",
            baseline.year,
            format_decimal(baseline.value),
            baseline.unit,
            baseline.quote,
        )

    def has_add_permission(self, request) -> bool:
        return False  # targets come from the data file: `manage.py load_report`

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
