"""Stored statuses: the one writer of TargetStatus, StatusChange and StatusSnapshot, and the stale marks
that keep the stored statuses honest between an entry's commit and its recomputation.

A single target's recomputation (after an entry) and the daily sweep of every target write through the same
batch writer, `_store_batch`: one target is a batch of one.
"""

import datetime as dt
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from progress.enqueueing import enqueue_after_commit
from progress.judging import RULE_COLUMNS, figures_by_target, rule_from, status_fields
from progress.models import (
    StaleStatus,
    StatusAxis,
    StatusChange,
    StatusFields,
    StatusSnapshot,
    SweepRun,
    TargetStatus,
)
from progress.rules import Evaluation, Figure, TargetRule, evaluate, report_due_on
from progress.selectors import day_entry_records
from targets.models import Target
from wuzhong_tracker import clock

logger = logging.getLogger(__name__)

STATUS_FIELD_NAMES = tuple(field.name for field in StatusFields._meta.get_fields())
# A snapshot's row (`_snapshot`): the StatusFields, then the rest of the evaluation and when it was made.
SNAPSHOT_COLUMNS = (
    "target_id", "date", *STATUS_FIELD_NAMES, "taken_at", "day_entry_records", "judged_entry_id",
    "judged_is_final", "reasons",
)  # fmt: skip


# ------------------------------------------------------------------------------------------ stale marks


def status_refresh_after_commit(target_id: int) -> None:
    """Inside an entry's transaction: mark the target stale (committed with the entry, so it survives a
    broker outage) and queue its recomputation for after the commit. A broker outage must not fail the
    official's save: `stale_statuses_refresh` picks up the mark."""
    statuses_mark_stale(target_ids=[target_id])
    status_refresh_enqueue(target_id)


def status_refresh_enqueue(target_id: int) -> None:
    """Queue the recomputation of a target (marked stale) for after the commit."""
    enqueue_after_commit(
        "progress.recompute_target_status",
        target_id,
        failure="状态重算任务未能入队（目标 %s）；将由下一次巡检补算。",
    )


def statuses_mark_stale(*, target_ids: Iterable[int]) -> None:
    """Mark targets whose stored status may no longer be what judging them gives, because their definition
    or their report's thresholds changed (an entry write marks its target itself): the boards judge them
    afresh until `stale_statuses_refresh` has recomputed them."""
    now = clock.now()
    StaleStatus.objects.bulk_create(
        [StaleStatus(target_id=target_id, since=now) for target_id in target_ids], ignore_conflicts=True
    )


def definitions_changed_receiver(sender, *, target_ids: Iterable[int], **kwargs) -> None:
    """targets.signals.definitions_changed: what judges these targets changed."""
    statuses_mark_stale(target_ids=target_ids)


def stale_statuses_refresh(*, limit: int = 1000) -> int:
    """Recompute the targets still marked stale (their entry committed while the broker was unreachable,
    or their recomputation was lost); the oldest first. Returns how many were recomputed."""
    target_ids = list(StaleStatus.objects.order_by("since").values_list("target_id", flat=True)[:limit])
    for target_id in target_ids:
        target_status_refresh(target_id=target_id)
    return len(target_ids)


# -------------------------------------------------------------------------------------------- the writer


@dataclass(frozen=True)
class StoredChange:
    target_id: int
    axis: str
    old: str
    new: str


@transaction.atomic
def target_status_refresh(*, target_id: int, today: dt.date | None = None) -> list[StoredChange]:
    """Evaluate one target at the present moment (today, not yet ended) from its current entries and
    store the result; returns the axes that changed.

    The stale mark is removed before the entries are read: an entry committed after that read marks the
    target again (its insert waits for this transaction), so no entry is missed by both."""
    StaleStatus.objects.filter(target_id=target_id).delete()
    return _store_batch([target_id], today or clock.today())


@dataclass
class SweepSummary:
    evaluated: int = 0
    changed_targets: int = 0
    changes: int = 0


def status_sweep(*, today: dt.date | None = None, batch_size: int = 1000) -> SweepSummary:
    """Evaluate every target at the present moment of `today` and store what changed (run just after
    midnight, it finds late what was due on the day that has just ended), batch by batch, one transaction
    each."""
    today = today or clock.today()
    summary = SweepSummary()
    target_ids = list(Target.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(target_ids), batch_size):
        batch = target_ids[start : start + batch_size]
        with transaction.atomic():
            changes = _store_batch(batch, today)
        summary.evaluated += len(batch)
        summary.changes += len(changes)
        summary.changed_targets += len({change.target_id for change in changes})
    return summary


def status_sweep_recorded(*, today: dt.date | None = None, batch_size: int = 1000) -> SweepRun:
    """The daily sweep, recorded as a SweepRun once it has finished (what /healthz reports)."""
    started_at = timezone.now()
    summary = status_sweep(today=today, batch_size=batch_size)
    return SweepRun.objects.create(
        as_of=today or clock.today(),
        started_at=started_at,
        finished_at=timezone.now(),
        evaluated=summary.evaluated,
        changed_targets=summary.changed_targets,
        changes=summary.changes,
    )


def _store_batch(batch: list[int], today: dt.date) -> list[StoredChange]:
    """Evaluate these targets at the present moment of `today` and store the result, in a fixed number of
    statements whatever the batch's size (inside the caller's transaction). Running it twice, or twice at
    once, stores the same thing once.

    1. Create the missing status rows with the initial state, ignoring conflicts, then read the batch's
       status rows locked (in key order) with their targets and reports: of two writers running at once,
       the second waits for the first to commit and compares against what it stored, so each change is
       written once.
    2. Read the counted figures as plain tuples and evaluate each target (progress.rules).
    3. Write a StatusChange per axis that changed; the whole status of targets whose status changed, only
       the evaluation date and time of the others; today's snapshot of every target, judged as at the end
       of today (`_snapshot`) (each in bulk).
    """
    now = clock.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
    missing = set(Target.objects.filter(pk__in=batch, status__isnull=True).values_list("pk", flat=True))
    _rows_insert(
        TargetStatus,
        ("target_id", *INITIAL_STATUS, "as_of", "evaluated_at"),
        [(pk, *INITIAL_STATUS.values(), today, stamp) for pk in sorted(missing)],
        on_conflict="DO NOTHING",
    )
    # One read for the locked statuses and their targets' rules, as plain tuples (model instances of the
    # statuses, targets and reports cost more than judging them: profiled), FOR UPDATE OF the status rows.
    rows = (
        TargetStatus.objects.filter(pk__in=batch)
        .select_for_update(of=("self",))
        .order_by("pk")
        .values_list("pk", *STATUS_FIELD_NAMES, *(f"target__{name}" for name in RULE_COLUMNS))
    )
    # Before the figures: an entry committed in between is in the figures but not counted (no snapshot stands).
    seen = day_entry_records(target_ids=batch, day=today)
    figures = figures_by_target(batch)
    changed, unchanged, changes, snapshots = [], [], [], []
    stored_width = len(STATUS_FIELD_NAMES)
    for target_id, *values in rows:
        stored = dict(zip(STATUS_FIELD_NAMES, values[:stored_width], strict=True))
        rule = rule_from(*values[stored_width:])
        evaluation = evaluate(rule, figures[target_id], today, day_ended=False)
        fields = status_fields(evaluation)
        snapshots.append(
            _snapshot(
                target_id,
                rule,
                figures[target_id],
                evaluation,
                fields,
                today=today,
                stamp=stamp,
                seen=seen[target_id],
            )
        )
        # A new row has no reasons yet: it is written whole even when the evaluation is the initial state.
        if target_id not in missing and fields == stored:
            unchanged.append(target_id)  # keeps its reasons and judged entry; only the date moves on
            continue
        changes += [
            (target_id, axis, stored[axis], new, reason, today, stamp)
            for axis, new, reason in (
                (StatusAxis.PERFORMANCE.value, evaluation.performance.value, evaluation.reasons[0]),
                (StatusAxis.REPORTING.value, evaluation.reporting.value, evaluation.reasons[1]),
            )
            if stored[axis] != new
        ]
        judged_entry_id = evaluation.judged.entry_id if evaluation.judged else None
        changed.append(
            (target_id, *fields.values(), judged_entry_id, json.dumps(evaluation.reasons), today, stamp)
        )
    _rows_insert(StatusChange, ("target_id", "axis", "old", "new", "reason", "as_of", "created_at"), changes)
    # The rows exist and are locked: the upsert only ever updates, in one statement.
    _rows_insert(
        TargetStatus,
        ("target_id", *STATUS_FIELD_NAMES, "judged_entry_id", "reasons", "as_of", "evaluated_at"),
        changed,
        on_conflict=_update_on_conflict(
            ("target_id",), (*STATUS_FIELD_NAMES, "judged_entry_id", "reasons", "as_of", "evaluated_at")
        ),
    )
    TargetStatus.objects.filter(pk__in=unchanged).update(as_of=today, evaluated_at=now)
    _rows_insert(
        StatusSnapshot,
        SNAPSHOT_COLUMNS,
        snapshots,
        on_conflict=_update_on_conflict(("target_id", "date"), SNAPSHOT_COLUMNS[2:]),
    )
    return [StoredChange(target_id, axis, old, new) for target_id, axis, old, new, *_ in changes]


def _snapshot(
    target_id: int,
    rule: TargetRule,
    figures: list[Figure],
    evaluation: Evaluation,
    fields: dict,
    *,
    today: dt.date,
    stamp: object,
    seen: int,
) -> tuple:
    """Today's snapshot (a row of SNAPSHOT_COLUMNS) from the evaluation at the present moment and its
    `fields`: judged as at the end of today (what a board of this day reads later,
    progress.selectors.targets_evaluated_as_of), taken at `stamp` (adapted for the database), with how many
    of the day's entry records it was judged from (`seen`, progress.selectors.day_entry_records). Both
    judgements are the same unless one of the target's reports is due today: only then is it judged again."""
    if report_due_on(rule, today):
        evaluation = evaluate(rule, figures, today, day_ended=True)
        fields = status_fields(evaluation)
    judged = evaluation.judged
    return (
        target_id,
        today,
        *fields.values(),
        stamp,
        seen,
        judged.entry_id if judged else None,
        judged.is_final if judged else None,
        json.dumps(evaluation.reasons),
    )


# The columns a status row starts with before its target's first evaluation (the model's defaults).
INITIAL_STATUS = {
    name: TargetStatus._meta.get_field(name).get_default()
    for name in ("performance", "reporting", "days_late")
} | {"reasons": json.dumps(TargetStatus._meta.get_field("reasons").get_default())}


def _update_on_conflict(unique: tuple[str, ...], columns: tuple[str, ...]) -> str:
    return f"({', '.join(unique)}) DO UPDATE SET " + ", ".join(
        f"{name} = EXCLUDED.{name}" for name in columns
    )


def _rows_insert(model, columns: tuple[str, ...], rows: list[tuple], *, on_conflict: str = "") -> None:
    """INSERT rows (tuples of values ready for the database, in `columns` order; a JSON column's as JSON
    text) in one statement: on PostgreSQL `INSERT … SELECT FROM json_to_recordset(the rows as one JSON
    document)`, elsewhere (SQLite, the embedded default) executemany; `on_conflict`: what follows ON
    CONFLICT. What bulk_create does, without building a model instance and preparing each value through its
    field (half of a first sweep's time), and with one string for the driver to quote rather than an array
    per column, whose every element it escapes in Python (half of the rest once the snapshots held the
    reasons; both profiled)."""
    if not rows:
        return
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    conflict = f" ON CONFLICT {on_conflict}" if on_conflict else ""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            types = {field.column: field.db_type(connection) for field in model._meta.concrete_fields}
            # A JSON column arrives as JSON text (a string in the document) and is cast back.
            record = ", ".join(
                f"{name} {'text' if types[name] == 'jsonb' else types[name]}" for name in columns
            )
            values = ", ".join(
                f"v.{name}::jsonb" if types[name] == "jsonb" else f"v.{name}" for name in columns
            )
            document = json.dumps([dict(zip(columns, row, strict=True)) for row in rows], default=str)
            cursor.execute(
                f"INSERT INTO {table} ({names}) SELECT {values} FROM json_to_recordset(%s::json) AS v({record})"
                f"{conflict}",
                [document],
            )
        else:
            placeholders = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({placeholders}){conflict}", rows)
