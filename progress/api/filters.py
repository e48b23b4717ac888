"""Query parameters of the lists: django-filter sets, and ordering by public names."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F, Q
from rest_framework.exceptions import ValidationError
from rest_framework.filters import BaseFilterBackend

from progress.models import (
    Notice,
    NoticeLevel,
    NoticeState,
    PerformanceStatus,
    ProgressEntry,
    Provenance,
    ReportingStatus,
    ReviewState,
)
from progress.selectors import entries_awaiting_review_by
from targets.models import Chapter, KeyTask, Measure, Target, TargetDepartment
from targets.years import report_resolve
from wuzhong_tracker import clock


class OrderingFilter(BaseFilterBackend):
    """`?ordering=-gap_pp,code`: the public names of a view's `ordering_fields` (name → ORM path).

    An unknown name is a 400 naming the parameter rather than silently ignored. Empty values sort last
    in either direction, so "worst first" starts with the worst target, not with one never evaluated.
    """

    param = "ordering"

    def filter_queryset(self, request, queryset, view):
        fields = getattr(view, "ordering_fields", None)
        terms = [term.strip() for term in request.query_params.get(self.param, "").split(",") if term.strip()]
        if not fields or not terms:
            return queryset
        unknown = [term for term in terms if term.removeprefix("-") not in fields]
        if unknown:
            raise ValidationError(
                {self.param: [f"不能按“{'、'.join(unknown)}”排序；可选：{'、'.join(fields)}。"]}
            )
        expressions = [
            F(fields[term.removeprefix("-")]).desc(nulls_last=True)
            if term.startswith("-")
            else F(fields[term]).asc(nulls_last=True)
            for term in terms
        ]
        return queryset.order_by(*expressions, "pk")

    def get_schema_operation_parameters(self, view):
        fields = getattr(view, "ordering_fields", None)
        if not fields:
            return []
        return [
            {
                "name": self.param,
                "in": "query",
                "required": False,
                "description": f"排序，多个用逗号分隔，前加“-”为降序；可选：{'、'.join(fields)}。",
                # A comma-separated list (form style, not exploded) of the names, each ascending or "-".
                "schema": {
                    "type": "array",
                    "items": {
                        "type": "string",
                        "enum": [f"{sign}{name}" for name in fields for sign in ("", "-")],
                    },
                },
                "style": "form",
                "explode": False,
            }
        ]


class YesNoFilter(django_filters.ChoiceFilter):
    """`true` or `false` only, anything else a 400: django-filter's BooleanFilter reads anything else as
    "not given"."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("true", "是"), ("false", "否")], **kwargs)


class IdFilter(django_filters.NumberFilter):
    """An ID: a whole number (django-filter's NumberFilter takes `0.5` and matches nothing, silently)."""

    field_class = forms.IntegerField

    def __init__(self, **kwargs):
        super().__init__(min_value=1, max_value=2**63 - 1, **kwargs)


class ChapterFilter(django_filters.FilterSet):
    report = IdFilter(field_name="report__id", help_text="报告 ID")

    class Meta:
        model = Chapter
        fields = ["report"]


class KeyTaskFilter(django_filters.FilterSet):
    report = IdFilter(field_name="chapter__report__id", help_text="报告 ID")
    chapter = IdFilter(field_name="chapter__id", help_text="章节 ID")

    class Meta:
        model = KeyTask
        fields = ["report", "chapter"]


class ReportYearFilter(django_filters.CharFilter):
    """`?report=2021` or `?report=<ID>` (targets.years.report_resolve), `all` for every year. A list
    without it shows this year's report or the latest (`report_default_filter`, applied by the list
    views only: a target's own URL finds it whatever its year)."""

    def filter(self, qs, value):
        if not value or value == "all":
            return qs
        try:
            shown = report_resolve(value)
        except DjangoValidationError as error:
            raise ValidationError({"report": error.messages}) from None
        return qs.filter(**shown.lookup(self.field_name))


def report_default_filter(request, queryset, path: str = "report"):
    """A list asked for no report: this year, or the latest year with a report (targets.years)."""
    if request.query_params.get("report"):
        return queryset
    shown = report_resolve(None)
    return queryset.filter(**shown.lookup(path)) if shown is not None else queryset


class TargetFilter(django_filters.FilterSet):
    report = ReportYearFilter(
        field_name="report",
        help_text="报告：年度（如 2021）或报告 ID；all 为全部年度；不填为本年度的报告（没有则为最新的）",
    )
    chapter = IdFilter(field_name="task__chapter__id", help_text="章节 ID")
    task = IdFilter(field_name="task__id", help_text="重点任务 ID")
    department = django_filters.CharFilter(
        method="filter_department", help_text="责任单位代码（牵头或配合），如 industry"
    )
    performance = django_filters.ChoiceFilter(
        field_name="status__performance", choices=PerformanceStatus.choices, help_text="完成状态（当前）"
    )
    reporting = django_filters.ChoiceFilter(
        field_name="status__reporting", choices=ReportingStatus.choices, help_text="报送状态（当前）"
    )
    measure = django_filters.ChoiceFilter(choices=Measure.choices, help_text="计量方式")

    class Meta:
        model = Target
        fields = ["report", "chapter", "task", "department", "performance", "reporting", "measure"]

    def filter_department(self, queryset, name, value):
        return queryset.filter(
            pk__in=TargetDepartment.objects.filter(department__code=value).values("target_id")
        )


class EntryFilter(django_filters.FilterSet):
    target = IdFilter(field_name="target__id", help_text="目标 ID")
    department = django_filters.CharFilter(field_name="department__code", help_text="填报单位代码")
    review_state = django_filters.ChoiceFilter(choices=ReviewState.choices, help_text="审核状态")
    provenance = django_filters.ChoiceFilter(choices=Provenance.choices, help_text="数据来源")
    period_end = django_filters.DateFilter(help_text="报告期末（YYYY-MM-DD）")
    awaiting_my_review = YesNoFilter(
        method="filter_awaiting_my_review",
        help_text="true：只列出待我审核的填报（单位负责人）；false 或不填：不限",
    )

    class Meta:
        model = ProgressEntry
        fields = ["target", "department", "review_state", "provenance", "period_end", "awaiting_my_review"]

    def filter_awaiting_my_review(self, queryset, name, value):
        if value != "true":
            return queryset
        return queryset.filter(pk__in=entries_awaiting_review_by(self.request.user).values("pk"))


class NoticeFilter(django_filters.FilterSet):
    department = django_filters.CharFilter(field_name="department__code", help_text="责任单位代码")
    target = IdFilter(field_name="targets__id", help_text="目标 ID")
    level = django_filters.ChoiceFilter(choices=NoticeLevel.choices, help_text="督办级别")
    state = django_filters.ChoiceFilter(
        choices=NoticeState.choices, help_text="存储状态（逾期未反馈见 standing）"
    )
    overdue = YesNoFilter(
        method="filter_overdue",
        help_text="true：只列出逾期未反馈的督办单；false：只列出其余的",
    )

    class Meta:
        model = Notice
        fields = ["department", "target", "level", "state", "overdue"]

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        overdue = Q(state=NoticeState.ISSUED, deadline__lt=clock.today())
        return queryset.filter(overdue) if value == "true" else queryset.exclude(overdue)
