"""Reads about progress: who sees which entries, and figures and statuses as they stood on a date."""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from progress.judging import figure_from, stored_evaluation, target_rule
from progress.models import (
    Notice,
    NoticeEvent,
    NoticeQuerySet,
    ProgressEntry,
    ProgressEntryQuerySet,
    ReviewState,
    StaleStatus,
    StatusSnapshot,
)
from progress.rules import (
    NOTICE_STANDING_LABELS,
    PERFORMANCE_LABELS,
    Evaluation,
    Figure,
    NoticeEventFact,
    NoticeStanding,
    NoticeStep,
    NoticeTargetFact,
    TargetRule,
    counts,
    current_period_end,
    due_date,
    evaluate,
    notice_matter,
    notice_state_as_of,
    period_label,
    report_due_date,
)
from progress.years import YearLocks
from targets import roles
from targets.models import DepartmentRole, Report, Target
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock


def entries_visible_to(user) -> ProgressEntryQuerySet:
    """Entries of the targets the user's department leads or co-operates on (all, for managers)."""
    entries = ProgressEntry.objects.all()
    if roles.sees_everything(user):
        return entries
    return entries.filter(target__in=targets_visible_to(user))


def entries_awaiting_review_by(user) -> ProgressEntryQuerySet:
    """Submitted entries the user may review: their lead department's, never their own (四眼原则)."""
    entries = ProgressEntry.objects.filter(review_state=ReviewState.SUBMITTED).exclude(submitted_by=user)
    if user.is_superuser:
        return entries
    if roles.department_of(user) is None or not roles.is_reviewer(user):
        return entries.none()
    return entries.filter(target__in=targets_led_by(user))  # the lead department reviews its targets


def end_of_day(day: dt.date) -> dt.datetime:
    """The instant a day ends in the project's time zone (Asia/Shanghai): "as of D" means then."""
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@dataclass(frozen=True)
class EntryState:
    """An entry as it stood at some moment, from its newest historical record before then."""

    entry_id: int
    target_id: int
    department_id: int
    period_end: dt.date
    value: Decimal
    is_final: bool
    review_state: str


def evaluate_as_of(rule: TargetRule, figures: list[Figure], as_of: dt.date) -> Evaluation:
    """Judge a target as of a day: at the end of a day that is over (or ahead), at the present moment
    today — a report due today is not late before today ends (progress.rules.has_passed)."""
    return evaluate(rule, figures, as_of, day_ended=not is_today(as_of))


def is_today(as_of: dt.date) -> bool:
    """Whether "as of `as_of`" is as of today: then the current rows are the state at the end of the day
    (anything written later today is written after the request in both readings), and the stored statuses
    may stand for an evaluation."""
    return as_of == clock.today()


def entry_states_as_of(
    *, target_ids: Iterable[int], as_of: dt.date, review_states: Collection[str] = ()
) -> list[EntryState]:
    """Every entry of these targets as it stood at the end of `as_of`: later corrections, reviews and
    entries are ignored, so a past bulletin is reproduced exactly. `review_states`: only the entries that
    stood in one of these review states at some moment by then (an entry returned at the end of the day
    was returned then): the others' history is not read.

    1. As of today, the current entries are that state: read them (no history).
    2. Otherwise take every historical record made before the end of the day; keep the newest per entry
       (in the database with `DISTINCT ON` where it has it, PostgreSQL: about half the rows cross the wire;
       else the last of each entry's records in time order); drop entries deleted by then.
    """
    if is_today(as_of):
        current = ProgressEntry.objects.filter(target_id__in=list(target_ids)).order_by("id")
        if review_states:
            current = current.filter(review_state__in=review_states)
        return [
            EntryState(*row)
            for row in current.values_list(
                "id", "target_id", "department_id", "period_end", "value", "is_final", "review_state"
            )
        ]
    records = ProgressEntry.history.filter(target_id__in=list(target_ids), history_date__lt=end_of_day(as_of))
    if review_states:
        ever = ProgressEntry.history.filter(
            history_date__lt=end_of_day(as_of), review_state__in=review_states
        )
        records = records.filter(id__in=ever.values("id"))
    records = records.values_list(
        "id", "target_id", "department_id", "period_end", "value", "is_final", "review_state", "history_type"
    )
    if connection.features.can_distinct_on_fields:
        newest = records.order_by("id", "-history_date", "-history_id").distinct("id")
    else:
        newest = {
            record[0]: record for record in records.order_by("id", "history_date", "history_id")
        }.values()
    return [EntryState(*record[:7]) for record in newest if record[7] != "-"]


def figures_as_of(*, target_ids: Iterable[int], as_of: dt.date) -> dict[int, list[Figure]]:
    """The figures that count of each target as they stood at the end of `as_of`."""
    figures: dict[int, list[Figure]] = defaultdict(list)
    for state in entry_states_as_of(target_ids=target_ids, as_of=as_of):
        if counts(state.review_state):
            figures[state.target_id].append(
                figure_from((state.period_end, state.value, state.is_final, state.entry_id))
            )
    return figures


def targets_evaluated_as_of(*, targets: Iterable[Target], as_of: dt.date) -> list[tuple[Target, Evaluation]]:
    """Every target judged as of a past (or present) date from the entries that existed then.

    1. As of today, for a queryset of targets: read with the targets, in the same query, their stored
       status, whether its judged entry is final and whether the target is marked stale. A status evaluated
       today and not marked stale is what judging the target now gives: it is a function of the entries,
       the definition and the date, and every entry write (and every change of a definition or of
       thresholds) marks the target stale in its own transaction until the recomputation has stored the
       new result (progress.statuses).
    2. As of a past day, for a queryset of targets: read with the targets, in the same query, their
       snapshot of the day and whether it stands for judging them as of the day (`day_snapshot_stands`):
       then it is what judging them from the history gives.
    3. Judge the other targets (stale, never evaluated, evaluated on an earlier day; without a snapshot
       that stands, for a past day) from their figures as of the date (progress.rules.evaluate).
    """
    stored: dict[int, Evaluation] = {}
    if is_today(as_of) and isinstance(targets, QuerySet):
        targets = list(
            targets.select_related("status").annotate(
                status_stands=condition_flag(stored_status_stands(as_of)),
                judged_is_final=F("status__judged_entry__is_final"),
            )
        )
        for target in targets:
            evaluation = _stored_evaluation(target)
            if evaluation is not None:
                stored[target.pk] = evaluation
    elif as_of < clock.today() and isinstance(targets, QuerySet):
        day = StoredDay(as_of, "day_snapshot")
        targets = list(
            day.joined(targets)
            .select_related("day_snapshot")
            .annotate(snapshot_stands=condition_flag(day.stands))
        )
        for target in targets:
            if target.snapshot_stands:
                snapshot = target.day_snapshot
                stored[target.pk] = stored_evaluation(snapshot, judged_is_final=snapshot.judged_is_final)
    targets = list(targets)
    rest = [target.pk for target in targets if target.pk not in stored]
    figures = figures_as_of(target_ids=rest, as_of=as_of) if rest else {}
    return [
        (target, stored[target.pk])
        if target.pk in stored
        else (target, evaluate_as_of(target_rule(target), figures.get(target.pk, []), as_of))
        for target in targets
    ]


@dataclass(frozen=True)
class StoredDay:
    """Where the evaluations as of a day are stored, and which of them stand for judging the targets: today,
    the stored statuses (`status`, `stored_status_stands`); a past day, its snapshots (`day_snapshot`,
    `day_snapshot_stands`). The boards count, order and page targets by them in the database."""

    day: dt.date
    relation: str  # "status" | "day_snapshot"

    def joined(self, targets: QuerySet[Target]) -> QuerySet[Target]:
        """`targets` with the relation available by name (a past day's snapshot is a filtered join)."""
        if self.relation == "status":
            return targets
        return targets.annotate(
            day_snapshot=FilteredRelation("snapshots", condition=Q(snapshots__date=self.day))
        )

    @property
    def stands(self) -> Q:
        return stored_status_stands(self.day) if self.relation == "status" else day_snapshot_stands(self.day)

    def column(self, name: str) -> str:
        """A column of the stored evaluation, as a lookup path from the targets."""
        return f"{self.relation}__{name}"


def stored_day(as_of: dt.date) -> StoredDay | None:
    """Where the evaluations as of `as_of` are stored: today's statuses, a past day's snapshots; none for
    a day to come."""
    if is_today(as_of):
        return StoredDay(as_of, "status")
    if as_of < clock.today():
        return StoredDay(as_of, "day_snapshot")
    return None


def condition_flag(condition: Q) -> Case:
    """A condition as a column (false where a join is missing)."""
    return Case(When(condition, then=Value(True)), default=Value(False), output_field=BooleanField())


def stored_status_stands(today: dt.date) -> Q:
    """The targets whose stored status stands for judging them today (evaluated today, not marked stale, its
    judged entry still there), as a filter on targets: the boards count and order them by it in the
    database, and `targets_evaluated_as_of` reads it beside each target."""
    return (
        Q(status__as_of=today)
        # NOT IN rather than NOT EXISTS: one hashed subplan, not one probe per target (few rows are stale).
        & ~Q(pk__in=StaleStatus.objects.values("target_id"))
        & (Q(status__latest_period_end__isnull=True) | Q(status__judged_entry__isnull=False))
    )


# A snapshot of a day counts the records of its target's entries stamped from the start of the day, less
# this margin: a record is stamped when its entry is saved, and an entry's transaction open across midnight
# (a form, an API call, an import: seconds) is well within it. The margin also covers a definition edited
# while a snapshot was being taken.
SNAPSHOT_COMMIT_MARGIN = dt.timedelta(minutes=5)


def _day_records(day: dt.date) -> QuerySet:
    """The history records of entries that a snapshot of `day` counts: stamped from the start of the day
    (less the margin) to its end (by the history_date index)."""
    start = end_of_day(day - dt.timedelta(days=1)) - SNAPSHOT_COMMIT_MARGIN
    return ProgressEntry.history.filter(history_date__gte=start, history_date__lt=end_of_day(day))


def day_entry_records(*, target_ids: Iterable[int], day: dt.date) -> Counter:
    """How many of the day's entry records (`_day_records`) of each of these targets this transaction sees
    now, in one query: what a snapshot of the day was judged from (the status writer reads it before the
    figures, so that an entry committed in between is not counted), and what `day_snapshot_stands`
    compares later."""
    records = _day_records(day).filter(target_id__in=list(target_ids))
    return Counter(dict(records.values_list("target_id").annotate(count=Count("pk")).order_by()))


def day_snapshot_stands(day: dt.date) -> Q:
    """The targets whose snapshot of a past `day` stands for judging them as of that day, as a filter on
    targets annotated with that snapshot as `day_snapshot` (`targets_evaluated_as_of` reads it beside each
    target):
    - it was taken during the day (a snapshot is the last evaluation of its day; one written for the day at
      another moment, by a backfill, says nothing of the day's end);
    - it saw every record of the target's entries stamped during the day (`day_entry_records`: as many as
      there are now): it was judged from the entries as they stood at the end of the day. A count rather
      than a time: the recomputation after an entry takes the snapshot seconds after the entry's record,
      and an entry still uncommitted when a snapshot was taken has a record older than the snapshot. A
      correction or deletion after the day is ignored, by the history path too;
    - neither the target nor its report changed since (less SNAPSHOT_COMMIT_MARGIN, for an edit still
      uncommitted when the snapshot was taken): the history path judges with the present definition.
    Each is a NOT IN of the day's snapshots it undoes (one hashed subplan each, as for the stale marks, not
    one probe per target), each reading only the day's history records by their history_date index; the
    entries' count is compared only for the snapshots of targets with entry records of the day."""
    start, end = end_of_day(day - dt.timedelta(days=1)), end_of_day(day)
    snapshots = StatusSnapshot.objects.filter(date=day)
    day_records = _day_records(day)
    counted = day_records.filter(target_id=OuterRef("target_id")).values("target_id").annotate(n=Count("pk"))
    entries_unseen = snapshots.filter(
        Q(day_entry_records__gt=0) | Q(target_id__in=day_records.values("target_id"))
    ).exclude(day_entry_records=Coalesce(Subquery(counted.values("n")), 0))
    since = {
        "history_date__gt": OuterRef("taken_at") - Value(SNAPSHOT_COMMIT_MARGIN),
        "history_date__gte": start - SNAPSHOT_COMMIT_MARGIN,
    }
    target_changed = snapshots.filter(Exists(Target.history.filter(id=OuterRef("target_id"), **since)))
    report_changed = snapshots.filter(
        Exists(Report.history.filter(id=OuterRef("target__report_id"), **since))
    )
    stands = Q(day_snapshot__taken_at__gte=start, day_snapshot__taken_at__lt=end)
    for undone in (entries_unseen, target_changed, report_changed):
        stands &= ~Q(pk__in=undone.values("target_id"))
    return stands


def _stored_evaluation(target: Target) -> Evaluation | None:
    """The target's stored status as an Evaluation, if it stands for judging the target today
    (`stored_status_stands`, annotated as `status_stands`); else None."""
    if not target.status_stands:
        return None
    return stored_evaluation(target.status, judged_is_final=target.judged_is_final)


# ------------------------------------------------------------------------------------- a finished year


def report_closing_date(report: Report) -> dt.date | None:
    """The report's final evaluation date: the due date of its last report (the latest due date of any of
    its targets' final periods); None for a report without targets. A due date depends only on a period end
    and the report's working-day rule, so the distinct deadlines are enough."""
    return _closing_date(report.report_due_working_days, report.targets.values_list("deadline", flat=True))


def _closing_date(due_working_days: int, deadlines: Iterable[dt.date]) -> dt.date | None:
    return max((report_due_date(deadline, due_working_days) for deadline in set(deadlines)), default=None)


@dataclass(frozen=True)
class DefaultAsOf:
    """The date the boards show when none is asked for: today, or — once the latest report's reporting
    is all over — that report's closing date (`closed_year` is then the report's year), so that a finished
    year reads as it ended rather than as years of overdue days."""

    as_of: dt.date
    closed_year: int | None = None


def boards_default_as_of(
    *, today: dt.date, report: int | None = None, year: int | None = None
) -> DefaultAsOf:
    """One query: the distinct deadlines, with their year and working-day rule, of the latest report, or of
    the report (pk) or the year's reports the page shows."""
    if report is not None:
        shown = {"report": report}
    elif year is not None:
        shown = {"report__year": year}
    else:
        shown = {"report": Subquery(Report.objects.order_by("-year", "pk").values("pk")[:1])}
    rows = list(
        Target.objects.filter(**shown)
        .values_list("deadline", "report__year", "report__report_due_working_days")
        .distinct()
        .order_by()
    )
    if not rows:
        return DefaultAsOf(as_of=today)
    _, year, due_working_days = rows[0]
    closing = _closing_date(due_working_days, [deadline for deadline, _, _ in rows])
    if closing < today:
        return DefaultAsOf(as_of=closing, closed_year=year)
    return DefaultAsOf(as_of=today)


# ------------------------------------------------------------------------------------- the target's desk


@dataclass(frozen=True)
class DuePeriod:
    """The period an official should act on now for one target, and its entry if there is one (a returned
    entry is to be corrected, not submitted again)."""

    period_end: dt.date
    label: str
    due: dt.date
    entry: ProgressEntry | None


def period_due_now(*, target: Target, entries: Iterable[ProgressEntry], today: dt.date) -> DuePeriod | None:
    """The target's period due now (progress.rules.current_period_end) and its entry, if any; None before
    its first period ends. `entries`: the target's current entries."""
    rule = target_rule(target)
    by_period = {entry.period_end: entry for entry in entries}
    end = current_period_end(rule, today)
    if end is None:
        return None
    return DuePeriod(end, period_label(end, rule), due_date(end, rule), by_period.get(end))


def previous_figure(*, target: Target, before: dt.date) -> Decimal | None:
    """The target's latest counted figure for a period before `before` (the entry form compares a new
    figure with it)."""
    return (
        ProgressEntry.objects.filter(target=target, period_end__lt=before)
        .counted()
        .order_by("-period_end")
        .values_list("value", flat=True)
        .first()
    )


# ------------------------------------------------------------------------------------------ work queue


def targets_led_by(user) -> QuerySet[Target]:
    """The targets whose figures the user's department submits (every target, for a superuser)."""
    if user.is_superuser:
        return Target.objects.all()
    department = roles.department_of(user)
    if department is None:
        return Target.objects.none()
    return Target.objects.filter(assignments__department=department, assignments__role=DepartmentRole.LEAD)


def targets_due_now(*, user, today: dt.date) -> list[int]:
    """IDs of the targets the user's department leads whose period due now has no entry yet (a returned
    entry is counted under 被退回, not here), of every year whose entries are still open: a closed year
    (progress.years) asks nothing more. Two queries, whatever the number of targets, and one per report
    only once a target's own deadline is past its grace period."""
    targets = list(targets_led_by(user).select_related("report").defer("report__source_text"))
    reported = set(
        ProgressEntry.objects.filter(target__in=[target.pk for target in targets]).values_list(
            "target_id", "period_end"
        )
    )
    year_locks = YearLocks()
    due = []
    for target in targets:
        end = current_period_end(target_rule(target), today)
        if end is not None and (target.pk, end) not in reported and year_locks.refusal(target, today) is None:
            due.append(target.pk)
    return due


def entries_returned_to(user) -> ProgressEntryQuerySet:
    """Returned entries the user's department has to correct (its lead targets' entries)."""
    return ProgressEntry.objects.filter(review_state=ReviewState.RETURNED, target__in=targets_led_by(user))


@dataclass(frozen=True)
class WorkQueue:
    """What waits for the signed-in person: entries to review (never their own: 四眼原则), returned
    entries to correct, and targets whose period due now is not reported yet."""

    awaiting_review: int
    returned: int
    due_now: int


def work_queue(*, user, today: dt.date) -> WorkQueue:
    reviewable = entries_awaiting_review_by(user)
    reports = user.has_perm("progress.add_progressentry")
    return WorkQueue(
        awaiting_review=reviewable.count() if user.has_perm("progress.review_progressentry") else 0,
        returned=entries_returned_to(user).count() if reports else 0,
        due_now=len(targets_due_now(user=user, today=today)) if reports else 0,
    )


# ------------------------------------------------------------------------------------ 督办 notices


def notices_visible_to(user) -> NoticeQuerySet:
    """Notices a user may see: all for managers and administrators; a department's own notices (the ones
    addressed to it) for its officials and reviewers; none for anyone else."""
    notices = Notice.objects.all()
    if roles.sees_everything(user):
        return notices
    department = roles.department_of(user)
    if department is None:
        return notices.none()
    return notices.filter(department=department)


@dataclass(frozen=True)
class NoticeAsOf:
    notice: Notice
    standing: NoticeStanding
    deadline: dt.date

    @property
    def label(self) -> str:
        return NOTICE_STANDING_LABELS[self.standing]


def notices_as_of(*, as_of: dt.date, notices: QuerySet | None = None) -> list[NoticeAsOf]:
    """Notices issued by the end of `as_of`, each with its standing and deadline then, from its history
    (so a bulletin or scoreboard of a past date is reproduced); in number order. Two queries."""
    notices = (Notice.objects.all() if notices is None else notices).filter(issued_at__lt=end_of_day(as_of))
    notices = notices.select_related("department").prefetch_related(
        Prefetch(
            "events", queryset=NoticeEvent.objects.filter(at__lt=end_of_day(as_of)).order_by("at", "id")
        ),
        Prefetch("targets", queryset=Target.objects.order_by("code")),
    )
    result = []
    for notice in notices.order_by("year", "number"):
        facts = [
            NoticeEventFact(NoticeStep(event.step), timezone.localdate(event.at), event.deadline)
            for event in notice.events.all()
        ]
        state = notice_state_as_of(facts, as_of)
        if state is not None:
            result.append(NoticeAsOf(notice, *state))
    return result


def notice_matter_prefill(*, targets: QuerySet, as_of: dt.date) -> str:
    """The matter (督办事项) a notice about these targets starts from: each target's status and first
    reason as of the date (progress.rules.notice_matter)."""
    facts = [
        NoticeTargetFact(
            target.code, target.metric, PERFORMANCE_LABELS[evaluation.performance], evaluation.reasons[:1]
        )
        for target, evaluation in targets_evaluated_as_of(
            targets=targets.select_related("report").order_by("code"), as_of=as_of
        )
    ]
    return notice_matter(facts)
