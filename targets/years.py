"""Years side by side: which report a page shows, and reopening a closed year.

Reads (`report_choices`, `report_pick`, `report_resolve`) only shape queries; the one write
(`report_entries_reopen`) records its reason in the report's history. Whether a year is closed is judged
in progress/years.py, which knows the reporting calendar.
"""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from targets.models import Report
from wuzhong_tracker import clock
from wuzhong_tracker.validation import ascii_digits

YEAR_MIN, YEAR_MAX = 2000, 2100


def report_choices():
    """Every report, newest year first, without its full text (a selector lists them on every page)."""
    return Report.objects.defer("source_text").order_by("-year", "pk")


@dataclass(frozen=True)
class Shown:
    """What a page shows: one year (every report of it: the city's and, say, a county's), or one report
    when asked for by its ID."""

    year: int
    report_id: int | None = None

    def lookup(self, path: str = "report") -> dict:
        """The filter keyword for a queryset reaching the report through `path` ("report", "target__report")."""
        return {f"{path}_id": self.report_id} if self.report_id else {f"{path}__year": self.year}


def report_pick(reports: list[Report], value: str | None, *, today: dt.date) -> Shown | None:
    """`?report=` among the reports (newest first, as `report_choices` reads them), without a query:

    - nothing: this year (when it has a report), else the latest year with one; None without reports;
    - a year (2000–2100) that has a report: that year; years are what people say, and this service's
      report IDs stay small numbers;
    - else a report's ID; None when the value names neither."""
    if not reports:
        return None
    if not value:
        years = [report.year for report in reports]
        return Shown(year=next((year for year in years if year <= today.year), years[0]))
    text = str(value).strip()
    if not ascii_digits(text) or len(text) > 18:
        return None
    number = int(text)
    if YEAR_MIN <= number <= YEAR_MAX and any(report.year == number for report in reports):
        return Shown(year=number)
    report = next((report for report in reports if report.pk == number), None)
    return Shown(year=report.year, report_id=report.pk) if report is not None else None


def report_resolve(value: str | None, *, today: dt.date | None = None) -> Shown | None:
    """`report_pick` over every report (one query); a value that names no report is a ValidationError in
    Chinese, saying what is expected."""
    shown = report_pick(list(report_choices().only("pk", "year")), value, today=today or clock.today())
    if value and shown is None:
        raise ValidationError(f"报告应为有报告的年度（如 2021）或报告 ID；没有“{value}”。")
    return shown


@transaction.atomic
def report_entries_reopen(*, report: Report, by, reason: str, reopen: bool = True) -> Report:
    """An administrator reopens a closed year for new entries (or locks it again, `reopen=False`); the
    reason is the history row's change reason, so the audit trail says who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写重新开放（或重新锁定）填报的原因。"})
    if not by.has_perm("targets.change_report"):  # administrators (targets/roles.py)
        raise ValidationError({"reason": "只有系统管理员可以重新开放或锁定年度填报。"})
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.entries_reopened == reopen:
        state = "已重新开放" if reopen else "未开放"
        raise ValidationError({"reason": f"{report.year}年度的填报{state}，无需重复操作。"})
    report.entries_reopened = reopen
    report._change_reason = reason
    report._history_user = by
    report._history_date = clock.now()  # the service's clock, as every history row of the project
    report.save(update_fields=["entries_reopened"])
    return report


def report_select_choices(reports: list[Report]) -> list[tuple[str, str]]:
    """The report selector's options: each year (value: the year), and each report of a year that has
    several (value: its ID)."""
    choices = [("", "默认（本年度，或最近一年）")]
    for year in sorted({report.year for report in reports}, reverse=True):
        of_year = [report for report in reports if report.year == year]
        if len(of_year) == 1:
            choices.append((str(year), f"{year}年 · {of_year[0].title}"))
            continue
        choices.append((str(year), f"{year}年（{len(of_year)}个报告）"))
        choices += [(str(report.pk), f"{year}年 · {report.title}") for report in of_year]
    return choices
