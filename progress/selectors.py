"""Reads about progress: who sees which entries, and figures as they stood on a past date."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

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


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def figures_as_of(*, target_ids: Iterable[int], as_of: dt.date) -> dict[int, list[Figure]]:
    """The counted figures of each target as they stood at the end of `as_of` (Asia/Shanghai), read from
    the entries' history: later corrections, reviews and entries are ignored, so a past bulletin is
    reproduced exactly.

    Steps: take every historical record made before the end of the day; keep the newest per entry; drop
    entries that were deleted or returned at that time.
    """
    records = (
        ProgressEntry.history.filter(target_id__in=list(target_ids), history_date__lt=_end_of_day(as_of))
        .order_by("id", "history_date", "history_id")
        .values_list("id", "target_id", "period_end", "value", "is_final", "review_state", "history_type")
    )
    newest: dict[int, tuple] = {}
    for record in records:
        newest[record[0]] = record
    figures: dict[int, list[Figure]] = defaultdict(list)
    for entry_id, target_id, period_end, value, is_final, review_state, history_type in newest.values():
        if history_type == "-" or review_state == ReviewState.RETURNED:
            continue
        figures[target_id].append(
            Figure(period_end=period_end, value=value, is_final=is_final, entry_id=entry_id)
        )
    return figures


def targets_evaluated_as_of(*, targets: Iterable[Target], as_of: dt.date) -> list[tuple[Target, Evaluation]]:
    """Every target judged as of a past (or present) date from the entries that existed then."""
    targets = list(targets)
    figures = figures_as_of(target_ids=[target.pk for target in targets], as_of=as_of)
    return [(target, evaluate(target_rule(target), figures.get(target.pk, []), as_of)) for target in targets]
