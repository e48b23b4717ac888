"""Years side by side, on the progress side: a closed year refuses new figures, and a target linked to last
year's target of the same metric takes that target's result as its baseline.

The lock: a report's year is closed for entries once its last report's due date (the due date of the
latest deadline's period, progress.rules.report_due_date) plus YEAR_LOCK_GRACE_DAYS has passed, unless an
administrator reopened it (Report.entries_reopened, targets/years.py). The refusal is raised by the entry
service (progress.services.progress_entry_validate), so the admin, the API and the import all refuse
alike.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import Max

from progress.models import ProgressEntry
from progress.rules import report_due_date
from targets.models import Report, Target


def year_lock_date(*, last_deadline: dt.date, due_working_days: int, grace_days: int) -> dt.date:
    """The first day a year refuses new entries: the day after its last report's due date plus the grace
    period (pure: the working calendar is the rules' own)."""
    return report_due_date(last_deadline, due_working_days) + dt.timedelta(days=grace_days + 1)


def report_lock_date(report: Report) -> dt.date | None:
    """The report's lock date (one query), None for a report without targets."""
    last = report.targets.aggregate(last=Max("deadline"))["last"]
    if last is None:
        return None
    return year_lock_date(
        last_deadline=last,
        due_working_days=report.report_due_working_days,
        grace_days=settings.YEAR_LOCK_GRACE_DAYS,
    )


def year_lock_refusal(*, target: Target, today: dt.date) -> str | None:
    """Why an entry for the target may not be written today, or None.

    A due date only grows with the period end, so the year cannot be locked before the target's own
    deadline is past due plus the grace period: the usual in-year entry costs no query."""
    report = target.report
    if report.entries_reopened:
        return None
    grace = settings.YEAR_LOCK_GRACE_DAYS
    own = year_lock_date(
        last_deadline=target.deadline, due_working_days=report.report_due_working_days, grace_days=grace
    )
    if today < own:
        return None
    lock_date = report_lock_date(report)
    if lock_date is None or today < lock_date:
        return None
    closed_on = lock_date - dt.timedelta(days=1)
    return (
        f"{report.year}年度已结束：最后一期报告的截止日加{grace}天宽限期已于{closed_on.year}年{closed_on.month}月{closed_on.day}日届满，"
        "不能再新增或更正填报；如确需补报，请系统管理员重新开放该年度并说明原因。"
    )


class YearLocks:
    """`year_lock_refusal` asked once per report, for a pass over many targets (an import's rows, the work
    queue). A report's year closes for all its targets at once, and a target still within its own grace
    period shows its report open: the first target asked about answers for the whole report."""

    def __init__(self) -> None:
        self._by_report: dict[tuple[int, dt.date], str | None] = {}

    def refusal(self, target: Target, today: dt.date) -> str | None:
        key = (target.report_id, today)
        if key not in self._by_report:
            self._by_report[key] = year_lock_refusal(target=target, today=today)
        return self._by_report[key]


@dataclass(frozen=True)
class PreviousResult:
    """Last year's result of a target linked to its predecessor: the predecessor's latest counted figure."""

    target: Target
    value: Decimal
    period_end: dt.date
    is_final: bool

    @property
    def unit(self) -> str:
        return self.target.figure_unit


def previous_year_result(target: Target) -> PreviousResult | None:
    """The result of the target's linked predecessor (one query, none without a link): its latest entry
    that counts (returned entries do not), or None while it has none."""
    if target.previous_id is None:
        return None
    entry = (
        ProgressEntry.objects.counted()
        .filter(target_id=target.previous_id)
        .select_related("target__report")
        .order_by("-period_end")
        .first()
    )
    if entry is None:
        return None
    return PreviousResult(
        target=entry.target, value=entry.value, period_end=entry.period_end, is_final=entry.is_final
    )
