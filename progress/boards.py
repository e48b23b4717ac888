"""Selectors behind the managers' boards (滞后/逾期, bulletin, scoreboard, overview), their exports and the
API: every board is evaluated as of a date from the entries as they stood then (progress.selectors.figures_as_of), so that a bulletin printed
today can be reproduced exactly later. As of today, the targets whose stored status is today's and not
marked stale are read from it instead of being judged again (progress.selectors.targets_evaluated_as_of):
the same result, without reading every target's history. Each runs a fixed number of queries, whatever
the number of rows.
"""

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Prefetch, QuerySet

from progress.judging import target_rule
from progress.models import Notice, ReviewState
from progress.rules import Evaluation, NoticeStanding, Performance, Reporting, gap_text
from progress.selectors import (
    entry_states_as_of,
    figures_as_of,
    notices_as_of,
    notices_visible_to,
    targets_evaluated_as_of,
)
from targets.conventions import format_decimal
from targets.models import Department, Target, TargetDepartment
from targets.selectors import targets_visible_to

ATTENTION = (Performance.AT_RISK, Performance.LAGGING, Performance.OVERDUE)
SEVERITY = {
    Performance.OVERDUE: 0,
    Performance.LAGGING: 1,
    Performance.AT_RISK: 2,
    Performance.NO_DATA: 3,
    Performance.ON_TRACK: 4,
    Performance.ACHIEVED: 5,
}


@dataclass(frozen=True)
class BoardFilters:
    chapter: int | None = None  # Chapter pk
    task: int | None = None  # KeyTask pk
    department: str | None = None  # Department code (lead or co-operating)
    performance: str | None = None
    reporting: str | None = None
    measure: str | None = None
    target: int | None = None  # one Target pk (a target's own page and export)


@dataclass(frozen=True)
class TargetRow:
    target: Target
    evaluation: Evaluation

    @property
    def gap_text(self) -> str:
        """The gap in the target's own terms (progress.rules.gap_text)."""
        return gap_text(target_rule(self.target), self.evaluation)

    @property
    def lead(self) -> Department | None:
        return self.target.lead_department

    @property
    def needs_attention(self) -> bool:
        return self.evaluation.performance in ATTENTION or self.evaluation.reporting == Reporting.LATE


def _targets(user, filters: BoardFilters) -> QuerySet[Target]:
    # user=None: every target, for the scheduled jobs (digest, reminders) that act for the whole office.
    # The report's full text is not shown beside a row: leave it out of the join (it is repeated per row).
    targets = (
        (Target.objects.all() if user is None else targets_visible_to(user))
        .select_related("report", "task__chapter")
        .defer("report__source_text")
    )
    if filters.chapter:
        targets = targets.filter(task__chapter_id=filters.chapter)
    if filters.task:
        targets = targets.filter(task_id=filters.task)
    if filters.department:
        targets = targets.filter(
            pk__in=TargetDepartment.objects.filter(department__code=filters.department).values("target_id")
        )
    if filters.measure:
        targets = targets.filter(measure=filters.measure)
    if filters.target:
        targets = targets.filter(pk=filters.target)
    return targets.prefetch_related(
        Prefetch(
            "assignments",
            queryset=TargetDepartment.objects.select_related("department").order_by("order"),
            to_attr="prefetched_assignments",
        )
    ).order_by("report__year", "task__chapter__number", "task__number", "code")


def target_rows(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> list[TargetRow]:
    """Every visible target, judged as of `as_of`, narrowed by the filters (status filters included)."""
    evaluated = targets_evaluated_as_of(targets=_targets(user, filters), as_of=as_of)
    rows = [TargetRow(target, evaluation) for target, evaluation in evaluated]
    if filters.performance:
        rows = [row for row in rows if row.evaluation.performance == filters.performance]
    if filters.reporting:
        rows = [row for row in rows if row.evaluation.reporting == filters.reporting]
    return rows


def lagging_board(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> list[TargetRow]:
    """滞后/逾期: targets at risk, lagging or overdue, and targets whose reporting is late; worst first."""
    return attention_rows(target_rows(user=user, as_of=as_of, filters=filters))


def attention_rows(rows: list[TargetRow]) -> list[TargetRow]:
    """The rows of the 滞后/逾期 board among judged rows, worst first."""
    return sorted(
        (row for row in rows if row.needs_attention),
        key=lambda row: (
            SEVERITY[row.evaluation.performance],
            -(row.evaluation.gap_pp or Decimal(0)),
            -row.evaluation.days_late,
            row.target.code,
        ),
    )


@dataclass
class StatusSummary:
    as_of: dt.date
    total: int
    performance: Counter
    reporting: Counter
    by_chapter: list[dict]


def status_summary(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> StatusSummary:
    """Counts by status overall and per chapter and key task (the chapter overview)."""
    return summarize_rows(target_rows(user=user, as_of=as_of, filters=filters), as_of=as_of)


def summarize_rows(rows: list[TargetRow], *, as_of: dt.date) -> StatusSummary:
    """The counts of `status_summary` for rows judged already (a caller that needs both the summary and the
    report evaluates the targets once)."""
    chapters: dict[int, dict] = {}
    for row in rows:
        task = row.target.task
        chapter = chapters.setdefault(
            task.chapter_id,
            {
                "chapter": task.chapter,
                "performance": Counter(),
                "reporting": Counter(),
                "tasks": {},
                "targets": [],
            },
        )
        chapter["performance"][row.evaluation.performance] += 1
        chapter["reporting"][row.evaluation.reporting] += 1
        chapter["targets"].append(row)
        task_counts = chapter["tasks"].setdefault(
            task.pk, {"task": task, "performance": Counter(), "total": 0}
        )
        task_counts["performance"][row.evaluation.performance] += 1
        task_counts["total"] += 1
    by_chapter = []
    for chapter in sorted(chapters.values(), key=lambda c: (c["chapter"].report_id, c["chapter"].number)):
        chapter["tasks"] = sorted(chapter["tasks"].values(), key=lambda t: t["task"].number)
        chapter["total"] = sum(chapter["performance"].values())
        by_chapter.append(chapter)
    return StatusSummary(
        as_of=as_of,
        total=len(rows),
        performance=Counter(row.evaluation.performance for row in rows),
        reporting=Counter(row.evaluation.reporting for row in rows),
        by_chapter=by_chapter,
    )


# ------------------------------------------------------------------------------------- scoreboard

# Deductions per led target, in points out of 100: the rule is printed beside every score.
DEDUCTIONS = {
    Performance.OVERDUE: Decimal(10),
    Performance.LAGGING: Decimal(6),
    Performance.AT_RISK: Decimal(3),
}
LATE_REPORT_DEDUCTION = Decimal(2)
RETURNED_ENTRY_DEDUCTION = Decimal(1)
# A 督办 notice left unanswered past its response deadline (逾期未反馈, PRODUCT.md §7), per notice.
OVERDUE_NOTICE_DEDUCTION = Decimal(5)
SCORE_RULE = (
    "扣分 = 10×逾期未完成 + 6×滞后 + 3×预警 + 2×逾期未报 + 1×被退回填报 + 5×逾期未反馈督办单；"
    "得分 = 100 − 10 × 扣分 ÷ 牵头目标数（按每个牵头目标平均扣分计，单位目标多少不影响排名；"
    "只计本单位牵头的目标和发给本单位的督办单，全市统一计算；最低0分，保留一位小数）"
)
SCORE_SCALE = Decimal(10)  # points off per point of average deduction per led target


@dataclass
class DepartmentScore:
    department: Department
    targets: int = 0
    performance: Counter = field(default_factory=Counter)
    reporting: Counter = field(default_factory=Counter)
    returned_entries: int = 0
    overdue_notices: int = 0
    rank: int = 0

    @property
    def reports_due(self) -> int:
        return self.targets - self.reporting[Reporting.NOT_DUE]

    @property
    def on_time_rate(self) -> Decimal | None:
        """按时报送率: targets whose due reports are all in ÷ targets with a report due."""
        if not self.reports_due:
            return None
        return (Decimal(self.reporting[Reporting.ON_TIME]) / self.reports_due * 100).quantize(Decimal("0.1"))

    @property
    def deductions(self) -> list[tuple[str, int, Decimal]]:
        items = [
            ("逾期未完成", self.performance[Performance.OVERDUE], DEDUCTIONS[Performance.OVERDUE]),
            ("滞后", self.performance[Performance.LAGGING], DEDUCTIONS[Performance.LAGGING]),
            ("预警", self.performance[Performance.AT_RISK], DEDUCTIONS[Performance.AT_RISK]),
            ("逾期未报", self.reporting[Reporting.LATE], LATE_REPORT_DEDUCTION),
            ("被退回填报", self.returned_entries, RETURNED_ENTRY_DEDUCTION),
            ("逾期未反馈督办单", self.overdue_notices, OVERDUE_NOTICE_DEDUCTION),
        ]
        return [item for item in items if item[1]]

    @property
    def deducted(self) -> Decimal:
        return sum((count * points for _, count, points in self.deductions), Decimal(0))

    @property
    def score(self) -> Decimal:
        """Per led target, so that a department's size does not decide its rank: 100 − 10 × the average
        deduction per led target, floored at 0, to one decimal."""
        if not self.targets:
            return Decimal(100)
        per_target = SCORE_SCALE * self.deducted / self.targets
        return max(Decimal(0), (Decimal(100) - per_target).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))

    @property
    def explanation(self) -> str:
        if not self.deductions:
            return "无扣分 = 100"
        parts = " + ".join(f"{points}×{count}（{label}）" for label, count, points in self.deductions)
        floor = "（最低0分）" if self.score == 0 else ""
        return (
            f"扣分 {parts} = {format_decimal(self.deducted)}；"
            f"100 − 10 × {format_decimal(self.deducted)} ÷ {self.targets}个牵头目标 = {format_decimal(self.score)}{floor}"
        )


def department_scoreboard(*, as_of: dt.date) -> list[DepartmentScore]:
    """Per department (targets it leads): statuses, reporting, returned entries and an explainable score,
    ranked best first (ties share a rank). City-wide for everyone who may see the board: a score computed
    from the part of the city one official sees would differ from the office's for the same department."""
    rows = target_rows(user=None, as_of=as_of)
    scores: dict[int, DepartmentScore] = {}
    for row in rows:
        lead = row.lead
        if lead is None:
            continue
        score = scores.setdefault(lead.pk, DepartmentScore(lead))
        score.targets += 1
        score.performance[row.evaluation.performance] += 1
        score.reporting[row.evaluation.reporting] += 1
    for department_id, count in _returned_entries_as_of(as_of, rows).items():
        if department_id in scores:
            scores[department_id].returned_entries = count
    for department_id, count in _overdue_notices_as_of(None, as_of).items():
        if department_id in scores:
            scores[department_id].overdue_notices = count
    ranked = sorted(scores.values(), key=lambda s: (-s.score, s.department.name))
    for index, score in enumerate(ranked):
        previous = ranked[index - 1] if index else None
        score.rank = previous.rank if previous is not None and previous.score == score.score else index + 1
    return ranked


def _overdue_notices_as_of(user, as_of: dt.date) -> Counter:
    """Notices standing 逾期未反馈 at the end of `as_of`, per addressed department."""
    notices = Notice.objects.all() if user is None else notices_visible_to(user)
    return Counter(
        item.notice.department_id
        for item in notices_as_of(as_of=as_of, notices=notices)
        if item.standing == NoticeStanding.OVERDUE
    )


def _returned_entries_as_of(as_of: dt.date, rows: list[TargetRow]) -> Counter:
    """Entries standing returned at the end of `as_of` that a department submitted on a target it leads."""
    leads = {row.target.pk: row.lead.pk for row in rows if row.lead is not None}
    return Counter(
        state.department_id
        for state in entry_states_as_of(target_ids=list(leads), as_of=as_of)
        if state.review_state == ReviewState.RETURNED and leads[state.target_id] == state.department_id
    )


# ---------------------------------------------------------------------------------- monthly figures


def monthly_figures(*, target_ids: list[int], as_of: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """Each target's counted figure per period end, as of a date: the 台账's month columns (as of today,
    from the current entries)."""
    figures = figures_as_of(target_ids=target_ids, as_of=as_of)
    return {
        target_id: {figure.period_end: figure.value for figure in items}
        for target_id, items in figures.items()
    }
