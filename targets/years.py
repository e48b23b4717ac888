"""Years side by side: which report a page shows, and reopening a closed year.

Reads (`report_choices`, `report_default`, `report_resolve`) only shape queries; the one write
(`report_entries_reopen`) records its reason in the report's history. Whether a year is closed is judged
in progress/years.py, which knows the reporting calendar.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from targets import roles
from targets.models import Report
from wuzhong_tracker import clock

YEAR_MIN, YEAR_MAX = 2000, 2100


def report_choices():
    """Every report, newest year first, without its full text (a selector lists them on every page)."""
    return Report.objects.defer("source_text").order_by("-year", "pk")


def report_default(*, today: dt.date) -> Report | None:
    """The report a page shows when none is asked for: this year's, else the latest one (one query)."""
    reports = list(report_choices().filter(year__lte=today.year)[:1]) or list(report_choices()[:1])
    return reports[0] if reports else None


def report_resolve(value: object) -> Report:
    """`?report=` as people type it: a year (2000–2100: that year's report) or a report's ID.

    A year is tried first: report IDs in this service are small numbers, years are what people say. Two
    reports of the same year (two issuers) are told apart by ID. Raises ValidationError in Chinese."""
    text = str(value).strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationError(f"报告应为年度（如 2021）或报告 ID，“{text}”两者都不是。")
    number = int(text)
    if YEAR_MIN <= number <= YEAR_MAX:
        same_year = list(report_choices().filter(year=number)[:2])
        if len(same_year) > 1:
            raise ValidationError(f"{number}年有多个报告，请用报告 ID 指定。")
        if same_year:
            return same_year[0]
    report = report_choices().filter(pk=number).first()
    if report is None:
        raise ValidationError(f"没有{number}年的报告，也没有 ID 为 {number} 的报告。")
    return report


@transaction.atomic
def report_entries_reopen(*, report: Report, by, reason: str, reopen: bool = True) -> Report:
    """An administrator reopens a closed year for new entries (or locks it again, `reopen=False`); the
    reason is the history row's change reason, so the audit trail says who, when and why."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "请填写重新开放（或重新锁定）填报的原因。"})
    if not by.is_superuser and not by.groups.filter(name=roles.ADMINISTRATOR).exists():
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


def report_select_choices() -> list[tuple[str, str]]:
    """The report selector's options: a report's year as its value (its ID when two share the year)."""
    reports = list(report_choices().only("pk", "year", "title"))
    years = [report.year for report in reports]
    return [("", "默认（本年度或最新）")] + [
        (
            str(report.year) if years.count(report.year) == 1 else str(report.pk),
            f"{report.year}年 · {report.title}",
        )
        for report in reports
    ]
