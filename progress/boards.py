"""Selectors behind the managers' boards (滞后/逾期, bulletin, scoreboard, overview), their exports and the
API: every board is evaluated as of a date from the entries as they stood then (progress.selectors.figures_as_of), so that a bulletin printed
today can be reproduced exactly later. As of today, the targets whose stored status is today's and not
marked stale are read from it instead of being judged again (progress.selectors.targets_evaluated_as_of):
the same result, without reading every target's history; as of a past day, the targets whose snapshot of
the day still stands are read from it (progress.selectors.StoredDay). Each runs a fixed number of queries,
whatever the number of rows.
"""

import datetime as dt
import heapq
import itertools
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Collate

from progress.judging import PERFORMANCE_BY_VALUE, REPORTING_BY_VALUE, target_rule
from progress.models import Notice, ProgressEntry, ReviewState
from progress.rules import Evaluation, NoticeStanding, Performance, Reporting, gap_text
from progress.selectors import (
    StoredDay,
    condition_flag,
    entry_states_as_of,
    figures_as_of,
    is_today,
    notices_as_of,
    notices_visible_to,
    stored_day,
    targets_evaluated_as_of,
)
from targets.conventions import format_decimal
from targets.models import Department, DepartmentRole, KeyTask, Target, TargetDepartment
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
    # Years side by side (targets/years.py picks the default): one report (pk), else one year's reports.
    report: int | None = None
    year: int | None = None


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


# A row of the 台账: the target's row and its counted figure per period end.
LedgerItem = tuple[TargetRow, dict[dt.date, Decimal]]


def _targets(user, filters: BoardFilters) -> QuerySet[Target]:
    """The targets a board shows, with what their rows need, in the boards' order."""
    # The report's full text is not shown beside a row: leave it out of the join (it is repeated per row).
    return (
        _filtered_targets(user, filters)
        .select_related("report", "task__chapter")
        .defer("report__source_text")
        .prefetch_related(
            Prefetch(
                "assignments",
                queryset=TargetDepartment.objects.select_related("department").order_by("order"),
                to_attr="prefetched_assignments",
            )
        )
        .order_by("report__year", "task__chapter__number", "task__number", "code")
    )


def _filtered_targets(user, filters: BoardFilters) -> QuerySet[Target]:
    """The targets a board shows, bare (for the database's counts), narrowed by the filters but the status
    filters."""
    # user=None: every target, for the scheduled jobs (digest, reminders) that act for the whole office.
    targets = Target.objects.all() if user is None else targets_visible_to(user)
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
    if filters.report:
        targets = targets.filter(report_id=filters.report)
    elif filters.year:
        targets = targets.filter(report__year=filters.year)
    return targets


def target_rows(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> list[TargetRow]:
    """Every visible target, judged as of `as_of`, narrowed by the filters (status filters included)."""
    evaluated = targets_evaluated_as_of(targets=_targets(user, filters), as_of=as_of)
    return _narrowed([TargetRow(target, evaluation) for target, evaluation in evaluated], filters)


class HeadlineRows:
    """主要预期目标 for a Paginator: the targets of every chapter 0 the filters show (the overview lists them
    one by one), judged as `target_rows` judges them; only the rows of the page asked for are read and
    judged. A year of 20 reports has some 2,500 of them: every one built and rendered was most of the
    overview's second.

    `count` is the caller's: the overview's summary counts them already (its chapters numbered 0)."""

    def __init__(self, *, user, as_of: dt.date, filters: BoardFilters, count: int):
        self.user, self.as_of, self.filters, self.count = user, as_of, filters, count

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: slice) -> list[TargetRow]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("HeadlineRows is read a page (a slice) at a time.")
        start, stop, _ = index.indices(self.count)
        if start >= stop:
            return []
        # Each report's own, in reading order; no departments (the table shows none).
        targets = (
            _targets(self.user, self.filters)
            .filter(task__chapter__number=0)
            .prefetch_related(None)
            .order_by("report__year", "report_id", "task__number", _code_order(), "pk")[start:stop]
        )
        return [
            TargetRow(target, evaluation)
            for target, evaluation in targets_evaluated_as_of(targets=targets, as_of=self.as_of)
        ]


def headline_rows(*, user, as_of: dt.date, filters: BoardFilters, summary: "StatusSummary") -> HeadlineRows:
    """主要预期目标 of the overview, counted by its `summary` (the same filters)."""
    count = sum(chapter["total"] for chapter in summary.by_chapter if chapter["chapter"].number == 0)
    return HeadlineRows(user=user, as_of=as_of, filters=filters, count=count)


def lagging_board(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> list[TargetRow]:
    """滞后/逾期: targets at risk, lagging or overdue, and targets whose reporting is late; worst first. Every
    row (the downloads, the bulletin, the API); a page of it: `lagging_board_pages`."""
    return attention_rows(target_rows(user=user, as_of=as_of, filters=filters))


def lagging_board_pages(
    *, user, as_of: dt.date, filters: BoardFilters = BoardFilters()
) -> "list[TargetRow] | StoredAttentionRows":
    """The rows of `lagging_board` for a Paginator: as of today or a past day ordered and counted by the
    database over the stored statuses or the day's snapshots, only the rows of the page asked for built
    (StoredAttentionRows); as of a day to come, every target judged (a list)."""
    day = stored_day(as_of)
    if day is not None:
        return StoredAttentionRows(user=user, day=day, filters=filters)
    return lagging_board(user=user, as_of=as_of, filters=filters)


# The rows a download reads and writes at a time: its memory is that of one batch, whatever the province.
STREAM_BATCH_ROWS = 2000


def lagging_board_stream(
    *, user, as_of: dt.date, filters: BoardFilters = BoardFilters(), batch: int = STREAM_BATCH_ROWS
) -> Iterator[TargetRow]:
    """The rows of `lagging_board`, in its order, read `batch` at a time (the downloads of the whole
    province): as of today in the order of the stored statuses, which the database sorts; as of a past
    date every row first, as `lagging_board` reads them (the day's snapshots where they stand).

    As of today, steps:
    1. One ORDER BY over the board's targets that need attention by their stored status, and every
       target whose stored status does not stand for today, these first (few once the day's sweep has
       run); a window of `batch` keys at a time (LIMIT/OFFSET), its targets read in the same statement.
    2. Each window's targets judged by `targets_evaluated_as_of` (stored status, or from the history).
       The judged ones that need attention are kept aside: they all come before the first stored row.
    3. The stored rows streamed, merged in `attention_order` with the judged ones (heapq.merge starts its
       inputs in the order given, so the judged rows are complete when it starts them)."""
    if not is_today(as_of):
        yield from lagging_board(user=user, as_of=as_of, filters=filters)
        return
    day = stored_day(as_of)  # today's statuses: no join of its own to add
    stands = day.stands
    shown = (
        stands
        & _status_narrowing(filters, day)
        & (Q(status__performance__in=ATTENTION) | Q(status__reporting=Reporting.LATE))
    )
    keys = _ordered(
        _filtered_targets(user, filters)
        .annotate(stands=condition_flag(stands))
        .filter(Q(stands=False) | shown),
        day,
        first=F("stands"),
    ).values("pk")
    judged: list[TargetRow] = []

    def stored():
        for start in itertools.count(0, batch):
            window = _targets(user, filters).filter(pk__in=keys[start : start + batch])
            evaluated = targets_evaluated_as_of(
                targets=window.annotate(stream_stands=condition_flag(stands)), as_of=as_of
            )
            rows = [TargetRow(target, evaluation) for target, evaluation in evaluated]
            judged.extend(_narrowed([row for row in rows if not row.target.stream_stands], filters))
            yield from sorted((row for row in rows if row.target.stream_stands), key=attention_order)
            if len(rows) < batch:
                return

    def judged_in_order():
        yield from attention_rows(judged)

    yield from heapq.merge(stored(), judged_in_order(), key=attention_order)


def ledger_items(
    rows: Iterable[TargetRow], *, as_of: dt.date, batch: int = STREAM_BATCH_ROWS
) -> Iterator[LedgerItem]:
    """Each row with its figures per period end (`monthly_figures`), read a batch of rows at a time: what
    the 台账 writes (progress.exports.ledger_xlsx)."""
    rows = iter(rows)
    while chunk := list(itertools.islice(rows, batch)):
        monthly = monthly_figures(target_ids=[row.target.pk for row in chunk], as_of=as_of)
        for row in chunk:
            yield row, monthly.get(row.target.pk, {})


def attention_rows(rows: list[TargetRow]) -> list[TargetRow]:
    """The rows of the 滞后/逾期 board among judged rows, worst first."""
    return sorted((row for row in rows if row.needs_attention), key=attention_order)


def attention_order(row: TargetRow) -> tuple:
    """Worst first: by severity, the widest gap, the longest delay, then the code, the year and the key (a
    code repeats only across reports). The database's ORDER BY of StoredAttentionRows is the same."""
    evaluation, target = row.evaluation, row.target
    return (
        SEVERITY[evaluation.performance],
        -(evaluation.gap_pp or Decimal(0)),
        -evaluation.days_late,
        target.code,
        target.report.year,
        target.pk,
    )


def late_lead_names(rows) -> list[str]:
    """The lead departments of the rows whose reporting is late, by name."""
    if isinstance(rows, StoredAttentionRows):
        return rows.late_lead_names()
    return sorted({row.lead.name for row in rows if row.lead and row.evaluation.reporting == Reporting.LATE})


class StoredAttentionRows:
    """The 滞后/逾期 board as of today (or a past day), as a sequence a Paginator slices: the targets whose
    stored status stands for today (whose snapshot of the day stands: `StoredDay`) are filtered, counted
    and ordered by the database (ORDER BY the stored status, in `attention_order`'s order) and only a
    page's rows are built; the others (stale, never evaluated, evaluated on an earlier day: few once the
    day's sweep has run) are judged in Python, as the history path does, and merged in order. They are
    merged rather than stored first: a board is a read, and before the day's sweep every target is of an
    earlier day (then this is the history path's work, no worse).

    A slice [start, stop) of the merged order holds at most `len(judged)` judged rows, so it lies within the
    stored rows [start − len(judged), stop) merged with every judged row."""

    def __init__(self, *, user, day: StoredDay, filters: BoardFilters):
        self.user, self.day, self.filters = user, day, filters
        stands, late = day.stands, Q(**{day.column("reporting"): Reporting.LATE})
        shown = (
            stands
            & _status_narrowing(filters, day)
            & (Q(**{day.column("performance__in"): ATTENTION}) | late)
        )
        self.stored = day.joined(_filtered_targets(user, filters)).filter(shown)
        # One query for the stored rows' count, their late lead departments and whether any target is left
        # to judge (one lead per target: a constraint).
        groups = (
            day.joined(_filtered_targets(user, filters))
            .annotate(lead=_lead_assignment())
            .annotate(
                stands=condition_flag(stands),
                shown=condition_flag(shown),
                late_lead=Case(
                    When(shown & late, then=F("lead__department__name")),
                    default=Value(None),
                    output_field=CharField(),
                ),
            )
            .values_list("stands", "shown", "late_lead")
            .annotate(count=Count("pk"))
            .order_by()
        )
        self.stored_count, self.stored_late_leads, others = 0, set(), 0
        for is_standing, is_shown, late_lead, count in groups:
            others += 0 if is_standing else count
            self.stored_count += count if is_shown else 0
            if late_lead is not None:
                self.stored_late_leads.add(late_lead)
        self.judged = attention_rows(_judged_others(user, day, filters)) if others else []

    def __len__(self) -> int:
        return self.stored_count + len(self.judged)

    def __iter__(self):
        return iter(self[:])

    def __getitem__(self, index: int | slice):
        if isinstance(index, int):
            position = index + len(self) if index < 0 else index
            if not 0 <= position < len(self):
                raise IndexError(index)
            return self[position : position + 1][0]
        if index.step is not None:
            raise TypeError("StoredAttentionRows is read a page (a slice) at a time.")
        start, stop, _ = index.indices(len(self))
        if start >= stop:
            return []
        skip = max(0, start - len(self.judged))
        stored = []
        if self.stored_count:
            # The window's keys by the ORDER BY on the stored statuses alone (a top-N sort, no other join),
            # its rows read in the same statement and put in the same order here.
            window = _ordered(self.stored, self.day).values("pk")[skip:stop]
            page = _targets(self.user, self.filters).filter(pk__in=window)
            evaluated = targets_evaluated_as_of(targets=page, as_of=self.day.day)
            stored = sorted(
                (TargetRow(target, evaluation) for target, evaluation in evaluated), key=attention_order
            )
        merged = list(heapq.merge(stored, self.judged, key=attention_order))
        return merged[start - skip : stop - skip]

    def late_lead_names(self) -> list[str]:
        return sorted(self.stored_late_leads | set(late_lead_names(self.judged)))


def _ordered(targets: QuerySet[Target], day: StoredDay, *, first=None) -> QuerySet[Target]:
    """In `attention_order`, by their stored evaluations (after `first`, an expression, if given)."""
    severity = Case(
        *(When(**{day.column("performance"): status}, then=Value(rank)) for status, rank in SEVERITY.items()),
        output_field=IntegerField(),
    )
    return targets.order_by(
        *([first] if first is not None else []),
        severity,
        Coalesce(day.column("gap_pp"), Value(Decimal(0)), output_field=DecimalField()).desc(),
        F(day.column("days_late")).desc(),
        _code_order(),
        "report__year",
        "pk",
    )


def _code_order():
    """The targets' codes ordered as Python compares strings (by code point), whatever the database's
    collation: PostgreSQL's "C" collation compares UTF-8 bytes, in the same order; SQLite's is binary."""
    if connection.vendor == "postgresql":
        return Collate("code", "C")
    return F("code")


def _judged_others(user, day: StoredDay, filters: BoardFilters, *, shape=None) -> list[TargetRow]:
    """The rows of the board's targets whose stored evaluation does not stand for the day (stale, never
    evaluated, evaluated on an earlier day; no snapshot of a past day, or one undone since), judged as
    `target_rows` judges them. `shape`: what the caller reads with them instead of their departments (the
    counts need no more than their key task or their lead: one read less)."""
    stands = day.joined(_filtered_targets(user, filters)).filter(day.stands)
    others = _targets(user, filters).exclude(pk__in=stands.values("pk"))
    if shape is not None:
        others = shape(others.prefetch_related(None))
    evaluated = targets_evaluated_as_of(targets=others, as_of=day.day)
    return _narrowed([TargetRow(target, evaluation) for target, evaluation in evaluated], filters)


def _stored_status_counts(
    targets: QuerySet[Target], day: StoredDay, *keys: str, narrowing: Q | None = None, **annotations
) -> tuple[Counter, bool]:
    """In one query (GROUP BY): the targets whose stored evaluation stands for the day (and matches
    `narrowing`), counted per (*keys, performance, reporting); and whether any target is left to judge.
    `annotations`: columns a key may name that read the stored evaluation (added once it is joined)."""
    groups = (
        day.joined(targets)
        .annotate(**annotations)
        .annotate(stands=condition_flag(day.stands & (narrowing or Q())))
        .values_list("stands", *keys, day.column("performance"), day.column("reporting"))
        .annotate(count=Count("pk"))
        .order_by()
    )
    counts, others = Counter(), False
    for stands, *key, performance, reporting, count in groups:
        if stands:
            counts[(*key, PERFORMANCE_BY_VALUE[performance], REPORTING_BY_VALUE[reporting])] += count
        else:
            others = True
    return counts, others


def _status_narrowing(filters: BoardFilters, day: StoredDay) -> Q:
    """The status filters on the stored evaluation (`_narrowed` on judged rows)."""
    narrowing = Q()
    if filters.performance:
        narrowing &= Q(**{day.column("performance"): filters.performance})
    if filters.reporting:
        narrowing &= Q(**{day.column("reporting"): filters.reporting})
    return narrowing


def _lead_assignment() -> FilteredRelation:
    """The target's lead assignment as a join of its own (one lead per target: a constraint)."""
    return FilteredRelation("assignments", condition=Q(assignments__role=DepartmentRole.LEAD))


def _judged_others_with_leads(day: StoredDay, filters: BoardFilters) -> list[TargetRow]:
    """`_judged_others` of the whole office, each target's lead department as columns of the same read
    (`lead_id`, `lead_code`, `lead_name`; None without a lead), as in the grouped counts."""
    return _judged_others(
        None,
        day,
        filters,
        shape=lambda targets: targets.annotate(
            lead=_lead_assignment(),
            lead_id=F("lead__department_id"),
            lead_code=F("lead__department__code"),
            lead_name=F("lead__department__name"),
        ),
    )


def _narrowed(rows: list[TargetRow], filters: BoardFilters) -> list[TargetRow]:
    if filters.performance:
        rows = [row for row in rows if row.evaluation.performance == filters.performance]
    if filters.reporting:
        rows = [row for row in rows if row.evaluation.reporting == filters.reporting]
    return rows


@dataclass
class StatusSummary:
    as_of: dt.date
    total: int
    performance: Counter
    reporting: Counter
    by_chapter: list[dict]


def status_summary(*, user, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> StatusSummary:
    """Counts by status overall and per chapter and key task (the chapter overview). As of today (a past
    day) the database counts the targets whose stored status (snapshot of the day) stands (GROUP BY) and
    only the others are judged, in Python, and added; as of a day to come every target is judged."""
    day = stored_day(as_of)
    if day is None:
        return summarize_rows(target_rows(user=user, as_of=as_of, filters=filters), as_of=as_of)
    counts, others = _stored_status_counts(
        _filtered_targets(user, filters), day, "task_id", narrowing=_status_narrowing(filters, day)
    )
    # Their key task is all the counts need: read without their departments.
    judged = _judged_others(user, day, filters, shape=QuerySet.all) if others else []
    counts += _status_counts(judged)
    tasks = {row.target.task_id: row.target.task for row in judged}
    tasks |= KeyTask.objects.select_related("chapter").in_bulk(
        {task_id for task_id, _, _ in counts} - set(tasks)
    )
    return _summary(counts, tasks, as_of=as_of)


def summarize_rows(rows: list[TargetRow], *, as_of: dt.date) -> StatusSummary:
    """The counts of `status_summary` for rows judged already (a caller that needs both the summary and the
    report evaluates the targets once)."""
    return _summary(_status_counts(rows), {row.target.task_id: row.target.task for row in rows}, as_of=as_of)


def _status_counts(rows: list[TargetRow]) -> Counter:
    """Rows per (key task ID, performance, reporting)."""
    return Counter((row.target.task_id, row.evaluation.performance, row.evaluation.reporting) for row in rows)


def _summary(counts: Counter, tasks: dict[int, KeyTask], *, as_of: dt.date) -> StatusSummary:
    """The summary of targets counted per (key task ID, performance, reporting); `tasks` by ID, with their
    chapters."""
    chapters: dict[int, dict] = {}
    performance, reporting = Counter(), Counter()
    for (task_id, task_performance, task_reporting), count in counts.items():
        task = tasks[task_id]
        # Made when first seen, not as a default each time (some 8,000 groups at 20 reports).
        if task.chapter_id not in chapters:
            chapters[task.chapter_id] = {
                "chapter": task.chapter, "performance": Counter(), "reporting": Counter(), "tasks": {},
            }  # fmt: skip
        chapter = chapters[task.chapter_id]
        chapter["performance"][task_performance] += count
        chapter["reporting"][task_reporting] += count
        if task.pk not in chapter["tasks"]:
            chapter["tasks"][task.pk] = {"task": task, "performance": Counter(), "total": 0}
        task_counts = chapter["tasks"][task.pk]
        task_counts["performance"][task_performance] += count
        task_counts["total"] += count
        performance[task_performance] += count
        reporting[task_reporting] += count
    by_chapter = []
    for chapter in sorted(chapters.values(), key=lambda c: (c["chapter"].report_id, c["chapter"].number)):
        chapter["tasks"] = sorted(chapter["tasks"].values(), key=lambda t: t["task"].number)
        chapter["total"] = sum(chapter["performance"].values())
        by_chapter.append(chapter)
    return StatusSummary(
        as_of=as_of,
        total=sum(counts.values()),
        performance=performance,
        reporting=reporting,
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


def department_scoreboard(*, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> list[DepartmentScore]:
    """Per department (targets it leads): statuses, reporting, returned entries and an explainable score,
    ranked best first (ties share a rank). City-wide for everyone who may see the board: a score computed
    from the part of the city one official sees would differ from the office's for the same department."""
    # Only the year (or report) of `filters`: a ranking mixes no years.
    year = BoardFilters(report=filters.report, year=filters.year)
    day = stored_day(as_of)
    if day is None:
        rows = target_rows(user=None, as_of=as_of, filters=year)
        leads, returned = _lead_counts(rows), _returned_entries_as_of(as_of, rows)
    else:
        leads = _lead_counts_stored(day, year)
        returned = (
            _returned_entries_today(year) if is_today(as_of) else _returned_entries_led(as_of, _leads(year))
        )
    scores: dict[int, DepartmentScore] = {}
    for (lead, performance, reporting), count in leads.items():
        score = scores.setdefault(lead.pk, DepartmentScore(lead))
        score.targets += count
        score.performance[performance] += count
        score.reporting[reporting] += count
    for department_id, count in returned.items():
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


def lead_status_counts(
    *, as_of: dt.date, due_between: tuple[dt.date, dt.date], filters: BoardFilters = BoardFilters()
) -> Counter:
    """Every target (of the filters' year) with a lead department as of the day (the whole office's, for
    the digest), counted per
    (lead department's name, performance, reporting, whether its next report falls due between the two
    days): as of today or a past day the database counts the stored evaluations that stand (GROUP BY) and
    only the others are judged; as of a day to come every target is judged."""
    start, end = due_between

    def due(next_due: dt.date | None) -> bool:
        return next_due is not None and start <= next_due <= end

    day = stored_day(as_of)
    if day is None:
        return Counter(
            (
                row.lead.name,
                row.evaluation.performance,
                row.evaluation.reporting,
                due(row.evaluation.next_due),
            )
            for row in target_rows(user=None, as_of=as_of, filters=filters)
            if row.lead is not None
        )
    counts, others = _stored_status_counts(
        _filtered_targets(None, filters).annotate(lead=_lead_assignment()),
        day,
        "lead__department__name",
        "due",
        due=condition_flag(Q(**{day.column("next_due__range"): due_between})),
    )
    # Keyed (lead, due, performance, reporting) by the grouped query: put in this function's order.
    leads = Counter(
        {
            (lead, performance, reporting, is_due): n
            for (lead, is_due, performance, reporting), n in counts.items()
            if lead is not None
        }
    )
    if others:
        judged = _judged_others_with_leads(day, filters)
        leads += Counter(
            (
                row.target.lead_name,
                row.evaluation.performance,
                row.evaluation.reporting,
                due(row.evaluation.next_due),
            )
            for row in judged
            if row.target.lead_name is not None
        )
    return leads


def target_performances(*, as_of: dt.date, filters: BoardFilters = BoardFilters()) -> dict[int, Performance]:
    """Every target's (of the filters' year) performance as of the day, by ID (the digest compares two
    moments): as of today or a past day read from the stored evaluations that stand (one column, no rows
    built), the others judged."""
    day = stored_day(as_of)
    if day is None:
        rows = target_rows(user=None, as_of=as_of, filters=filters)
        return {row.target.pk: row.evaluation.performance for row in rows}
    performances, others = {}, False
    stored = day.joined(_filtered_targets(None, filters)).annotate(stands=condition_flag(day.stands))
    for pk, stands, performance in stored.values_list("pk", "stands", day.column("performance")):
        if stands:
            performances[pk] = PERFORMANCE_BY_VALUE[performance]
        else:
            others = True
    if others:
        for row in _judged_others(None, day, filters, shape=QuerySet.all):
            performances[row.target.pk] = row.evaluation.performance
    return performances


def _lead_counts(rows: list[TargetRow]) -> Counter:
    """Rows per (lead department, performance, reporting); rows without a lead are not counted."""
    return Counter(
        (row.lead, row.evaluation.performance, row.evaluation.reporting)
        for row in rows
        if row.lead is not None
    )


def _lead_counts_stored(day: StoredDay, filters: BoardFilters) -> Counter:
    """`_lead_counts` of every target as of the day: the stored evaluations that stand counted by the
    database, the others judged."""
    # The lead department's columns in the grouped query itself (one lead per target: a constraint).
    targets = _filtered_targets(None, filters).annotate(lead=_lead_assignment())
    counts, others = _stored_status_counts(
        targets, day, "lead__department_id", "lead__department__code", "lead__department__name"
    )
    leads = Counter(
        {
            (Department(pk=lead_id, code=code, name=name), performance, reporting): count
            for (lead_id, code, name, performance, reporting), count in counts.items()
            if lead_id is not None
        }
    )
    if not others:
        return leads
    judged = _judged_others_with_leads(day, filters)
    return leads + Counter(
        (
            Department(pk=target.lead_id, code=target.lead_code, name=target.lead_name),
            evaluation.performance,
            evaluation.reporting,
        )
        for target, evaluation in ((row.target, row.evaluation) for row in judged)
        if target.lead_id is not None
    )


def _returned_entries_today(filters: BoardFilters) -> Counter:
    """`_returned_entries_as_of` today, counted by the database: the current entries standing returned
    that a department submitted on a target it leads."""
    led_by_submitter = TargetDepartment.objects.filter(
        target=OuterRef("target_id"), department=OuterRef("department_id"), role=DepartmentRole.LEAD
    )
    returned = ProgressEntry.objects.filter(
        review_state=ReviewState.RETURNED, target__in=_filtered_targets(None, filters).values("pk")
    ).filter(Exists(led_by_submitter))
    per_department = returned.values("department_id").annotate(count=Count("pk")).order_by()
    return Counter(dict(per_department.values_list("department_id", "count")))


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
    return _returned_entries_led(as_of, {row.target.pk: row.lead.pk for row in rows if row.lead is not None})


def _returned_entries_led(as_of: dt.date, leads: dict[int, int]) -> Counter:
    """`_returned_entries_as_of` for the targets of `leads` (target → its lead department): only the
    entries returned at some moment by then are read from the history."""
    returned = ReviewState.RETURNED
    states = entry_states_as_of(target_ids=list(leads), as_of=as_of, review_states=(returned,))
    return Counter(
        state.department_id
        for state in states
        if state.review_state == returned and leads[state.target_id] == state.department_id
    )


def _leads(filters: BoardFilters) -> dict[int, int]:
    """The lead department of each target of the filters (one lead per target: a constraint)."""
    assignments = TargetDepartment.objects.filter(
        role=DepartmentRole.LEAD, target__in=_filtered_targets(None, filters).values("pk")
    )
    return dict(assignments.values_list("target_id", "department_id"))


# ---------------------------------------------------------------------------------- monthly figures


def monthly_figures(*, target_ids: list[int], as_of: dt.date) -> dict[int, dict[dt.date, Decimal]]:
    """Each target's counted figure per period end, as of a date: the 台账's month columns (as of today,
    from the current entries)."""
    figures = figures_as_of(target_ids=target_ids, as_of=as_of)
    return {
        target_id: {figure.period_end: figure.value for figure in items}
        for target_id, items in figures.items()
    }
