"""The admin lists' 报告年度 filter (years side by side), shared by the targets' and the progress admins."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from targets.years import Shown, report_choices, report_pick, report_select_choices
from wuzhong_tracker import clock


class ReportYearFilter(admin.SimpleListFilter):
    """报告年度: one year at a time (years side by side), by default this year or the latest year with a
    report (targets.years.report_pick); `?report=` takes a year or a report's ID, `all` every year.
    Subclasses name the path to the report (`path`)."""

    title = _("报告年度")
    parameter_name = "report"
    path = "report"

    def lookups(self, request, model_admin):
        # One query, for the options and for the pick.
        self.reports = list(report_choices().only("pk", "year", "title"))
        return [
            *(choice for choice in report_select_choices(self.reports) if choice[0]),
            ("all", _("全部年度")),
        ]

    def shown(self) -> Shown | None:
        """What the list shows: the year or report asked for, else the default (None: everything)."""
        value = self.value()
        return None if value == "all" else report_pick(self.reports, value, today=clock.today())

    def choices(self, changelist):
        shown = self.shown()
        picked = "all" if shown is None else str(shown.report_id or shown.year)
        for lookup, title in self.lookup_choices:
            yield {
                "selected": lookup == picked,
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        shown = self.shown()
        return queryset.filter(**shown.lookup(self.path)) if shown is not None else queryset


class TargetReportYearFilter(ReportYearFilter):
    """报告年度 of the lists of a target's rows (entries, status changes)."""

    path = "target__report"
