"""Reads about progress: who sees which entries, and figures as they stood on a past date."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from progress.models import ProgressEntry, ProgressEntryQuerySet, ReviewState
from progress.rules import Evaluation, Figure, evaluate
from progress.services import target_rule
from targets import roles
from targets.models import Target
from targets.selectors import targets_visible_to


def entries_visible_to(user) -> ProgressEntryQuerySet:
    """Entries of the targets the user's department leads or co-operates on (all, for managers)."""
    entries = ProgressEntry.objects.all()
    if roles.sees_everything(user):
        return entries
    return entries.filter(target__in=targets_visible_to(user))


def entries_awaiting_review_by(user) -> ProgressEntryQuerySet:
    entries = ProgressEntry.objects.filter(review_state=ReviewState.SUBMITTED)
    if user.is_superuser:
        return entries
    department = roles.department_of(user)
    if department is None or not roles.is_reviewer(user):
        return entries.none()
    return entries.filter(department=department)


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


def entry_states_as_of(*, target_ids: Iterable[int], as_of: dt.date) -> list[EntryState]:
    """Every entry of these targets as it stood at the end of `as_of`, read from the history: later
    corrections, reviews and entries are ignored, so a past bulletin is reproduced exactly.

    Steps: take every historical record made before the end of the day; keep the newest per entry (in the
    database with `DISTINCT ON` where it has it, PostgreSQL: about half the rows cross the wire; else the
    last of each entry's records in time order); drop entries deleted by then.
    """
    records = ProgressEntry.history.filter(
        target_id__in=list(target_ids), history_date__lt=end_of_day(as_of)
    ).values_list(
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
    """The counted figures (returned entries excluded) of each target as they stood at the end of `as_of`."""
    figures: dict[int, list[Figure]] = defaultdict(list)
    for state in entry_states_as_of(target_ids=target_ids, as_of=as_of):
        if state.review_state != ReviewState.RETURNED:
            figures[state.target_id].append(
                Figure(
                    period_end=state.period_end,
                    value=state.value,
                    is_final=state.is_final,
                    entry_id=state.entry_id,
                )
            )
    return figures


def targets_evaluated_as_of(*, targets: Iterable[Target], as_of: dt.date) -> list[tuple[Target, Evaluation]]:
    """Every target judged as of a past (or present) date from the entries that existed then."""
    targets = list(targets)
    figures = figures_as_of(target_ids=[target.pk for target in targets], as_of=as_of)
    return [(target, evaluate(target_rule(target), figures.get(target.pk, []), as_of)) for target in targets]
