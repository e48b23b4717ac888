"""The floor: what the sweep and the lagging/overdue report cost when their reads and writes are done by the
fewest hand-written SQL statements (PostgreSQL), and the helpers that put the database in the same state
before each run (truncate or restore the stored statuses).

The sweep's floor reads, in one statement, every target with its report's thresholds, its stored status,
its latest counted entry and its latest final-or-deadline entry (`DISTINCT ON`) and the number of its
entries' history records of the day (what the day's snapshot counts), then writes the statuses,
the changes and the day's snapshots with one statement each (`unnest` of arrays: one statement whatever the
number of rows, below PostgreSQL's limit on parameters). The values written are the ones the application's
own sweep stored, read beforehand: the rules' arithmetic is not SQL, and is not in the floor.

The report's floor reads, in one statement, the visible targets with chapter, key task and lead department,
and per target the latest counted figure and the latest final-or-deadline figure as they stood at the end
of the day (the newest history record of each entry before then, `DISTINCT ON`).
"""

import datetime as dt
import json
import statistics
import time

import tablib
from django.db import connection, transaction
from django.utils import timezone

from progress.importing import progress_import
from progress.selectors import SNAPSHOT_COMMIT_MARGIN, end_of_day
from targets import roles

STATUS_TABLES = ("progress_targetstatus", "progress_statuschange", "progress_statussnapshot")
SNAPSHOT_COLUMNS = (
    "performance", "reporting", "progress_pct", "expected_pct", "gap_pp", "latest_value", "latest_period_end",
    "next_due", "days_late",
)  # fmt: skip
SNAPSHOT_TYPES = ("text", "text", "numeric", "numeric", "numeric", "numeric", "date", "date", "integer")


def _execute(sql: str, params=None) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall() if cursor.description else []


def analyze() -> None:
    """Fresh planner statistics after the bulk load, as autovacuum would soon give them."""
    _execute("VACUUM ANALYZE")


def clear_statuses() -> None:
    _execute(f"TRUNCATE {', '.join(STATUS_TABLES)}")


def save_statuses() -> None:
    for table in STATUS_TABLES:
        _execute(f"DROP TABLE IF EXISTS bench_saved_{table}")
        _execute(f"CREATE TABLE bench_saved_{table} AS SELECT * FROM {table}")


def restore_statuses() -> None:
    clear_statuses()
    for table in STATUS_TABLES:
        _execute(f"INSERT INTO {table} SELECT * FROM bench_saved_{table}")
    _execute(f"ANALYZE {', '.join(STATUS_TABLES)}")


# ----------------------------------------------------------------------------------------- the sweep


def stored_state(day: dt.date) -> dict[str, list[tuple]]:
    """What a sweep of `day` left: every status, the changes and the snapshots of that day."""
    columns = ", ".join(SNAPSHOT_COLUMNS)
    return {
        "statuses": _execute(
            f"SELECT target_id, {columns}, judged_entry_id, reasons::text, as_of "
            "FROM progress_targetstatus ORDER BY target_id"
        ),
        "changes": _execute(
            "SELECT target_id, axis, old, new, reason, as_of FROM progress_statuschange "
            "WHERE as_of = %s ORDER BY target_id, axis",
            [day],
        ),
        # Every column but taken_at (the moment of the run, written by both as their own present moment).
        "snapshots": _execute(
            f"SELECT target_id, date, {columns}, day_entry_records, judged_entry_id, judged_is_final, reasons::text "
            "FROM progress_statussnapshot WHERE date = %s ORDER BY target_id",
            [day],
        ),
    }


def check_same(expected: dict, actual: dict) -> None:
    """The floor must have written exactly what the application did, or its time means nothing."""
    for key in expected:
        if expected[key] != actual[key]:
            raise AssertionError(f"the floor wrote other {key} than the application's sweep")


SWEEP_READ = """
SELECT t.id, t.measure, t.comparator, t.value, t.unit, t.curve, t.custom_curve, t.frequency, t.deadline,
       t.tolerance_pct, t.on_track_pp, t.at_risk_pp,
       r.year, r.cumulative_on_track_pp, r.cumulative_at_risk_pp, r.level_on_track_pp, r.level_at_risk_pp,
       r.report_due_working_days,
       s.performance, s.reporting, s.progress_pct, s.expected_pct, s.gap_pp, s.latest_value,
       s.latest_period_end, s.next_due, s.days_late,
       l.id, l.period_end, l.value, l.is_final, f.id, f.period_end, f.value, f.is_final, c.records
FROM targets_target t
JOIN targets_report r ON r.id = t.report_id
LEFT JOIN progress_targetstatus s ON s.target_id = t.id
LEFT JOIN (
    SELECT DISTINCT ON (target_id) target_id, id, period_end, value, is_final
    FROM progress_progressentry
    WHERE review_state <> 'returned' AND period_end <= %(as_of)s
    ORDER BY target_id, period_end DESC
) l ON l.target_id = t.id
LEFT JOIN (
    SELECT DISTINCT ON (e.target_id) e.target_id, e.id, e.period_end, e.value, e.is_final
    FROM progress_progressentry e JOIN targets_target d ON d.id = e.target_id
    WHERE e.review_state <> 'returned' AND e.period_end <= %(as_of)s AND (e.is_final OR e.period_end = d.deadline)
    ORDER BY e.target_id, e.period_end DESC
) f ON f.target_id = t.id
LEFT JOIN (
    SELECT target_id, count(*) AS records FROM progress_historicalprogressentry
    WHERE history_date >= %(day_start)s AND history_date < %(day_end)s GROUP BY target_id
) c ON c.target_id = t.id
ORDER BY t.id
"""


def _recordset(columns: dict[str, str]) -> str:
    """The rows of one JSON document (`%(rows)s`: a list of objects) as a relation `v` of these columns
    and types: one string for the driver to quote, whatever the number of rows (the status writer's own
    technique, progress.statuses._rows_insert; arrays of strings cost the driver an escape per element)."""
    return f"json_to_recordset(%(rows)s::json) AS v({', '.join(f'{name} {kind}' for name, kind in columns.items())})"


STATUS_RECORD = {
    "target_id": "bigint", **dict(zip(SNAPSHOT_COLUMNS, SNAPSHOT_TYPES, strict=True)), "judged_entry_id": "bigint",
    "reasons": "text", "as_of": "date",
}  # fmt: skip

STATUS_INSERT = f"""
INSERT INTO progress_targetstatus (target_id, {", ".join(SNAPSHOT_COLUMNS)}, judged_entry_id, reasons, as_of, evaluated_at)
SELECT v.target_id, {", ".join(f"v.{name}" for name in SNAPSHOT_COLUMNS)}, v.judged_entry_id, v.reasons::jsonb, v.as_of, %(now)s
FROM {_recordset(STATUS_RECORD)}
"""

STATUS_UPDATE = f"""
UPDATE progress_targetstatus s
SET {", ".join(f"{name} = v.{name}" for name in SNAPSHOT_COLUMNS)}, judged_entry_id = v.judged_entry_id,
    reasons = v.reasons::jsonb, as_of = v.as_of, evaluated_at = %(now)s
FROM {_recordset(STATUS_RECORD)}
WHERE s.target_id = v.target_id
"""

CHANGE_RECORD = {
    "target_id": "bigint",
    "axis": "text",
    "old": "text",
    "new": "text",
    "reason": "text",
    "as_of": "date",
}
CHANGE_INSERT = f"""
INSERT INTO progress_statuschange (target_id, axis, old, new, reason, as_of, created_at)
SELECT v.*, %(now)s FROM {_recordset(CHANGE_RECORD)}
"""

# The snapshot's own columns besides SNAPSHOT_COLUMNS (taken_at is the run's present moment).
SNAPSHOT_EVALUATION = ("day_entry_records", "judged_entry_id", "judged_is_final", "reasons")
SNAPSHOT_RECORD = {
    "target_id": "bigint", "date": "date", **dict(zip(SNAPSHOT_COLUMNS, SNAPSHOT_TYPES, strict=True)),
    "day_entry_records": "integer", "judged_entry_id": "bigint", "judged_is_final": "boolean", "reasons": "text",
}  # fmt: skip
SNAPSHOT_UPSERT = f"""
INSERT INTO progress_statussnapshot (target_id, date, {", ".join(SNAPSHOT_COLUMNS)}, {", ".join(SNAPSHOT_EVALUATION)}, taken_at)
SELECT v.target_id, v.date, {", ".join(f"v.{name}" for name in SNAPSHOT_COLUMNS)}, v.day_entry_records,
       v.judged_entry_id, v.judged_is_final, v.reasons::jsonb, %(now)s
FROM {_recordset(SNAPSHOT_RECORD)}
ON CONFLICT (target_id, date) DO UPDATE SET {", ".join(f"{name} = EXCLUDED.{name}" for name in (*SNAPSHOT_COLUMNS, *SNAPSHOT_EVALUATION, "taken_at"))}
"""


def _rows(rows: list[tuple], record: dict[str, str]) -> dict[str, str]:
    """The `%(rows)s` parameter of a `_recordset` of `record`'s columns."""
    return {"rows": json.dumps([dict(zip(record, row, strict=True)) for row in rows], default=str)}


def sweep_floor(*, as_of: dt.date, state: dict, first: bool) -> int:
    """The sweep's reads and writes in one transaction: one read, one write per table. Returns the number
    of rows read."""
    now = timezone.now()
    with transaction.atomic():
        day_start = end_of_day(as_of - dt.timedelta(days=1)) - SNAPSHOT_COMMIT_MARGIN
        rows = _execute(SWEEP_READ, {"as_of": as_of, "day_start": day_start, "day_end": end_of_day(as_of)})
        _execute(
            STATUS_INSERT if first else STATUS_UPDATE, _rows(state["statuses"], STATUS_RECORD) | {"now": now}
        )
        if state["changes"]:
            _execute(CHANGE_INSERT, _rows(state["changes"], CHANGE_RECORD) | {"now": now})
        _execute(SNAPSHOT_UPSERT, _rows(state["snapshots"], SNAPSHOT_RECORD) | {"now": now})
    return len(rows)


def measure_floor(action, *, repeat: int, setup=None) -> dict:
    from benchmarks.run import counting

    if setup is not None:
        setup()
    with counting() as counter:
        action()
    times = []
    for _ in range(repeat):
        if setup is not None:
            setup()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    if setup is not None:
        setup()
    action()  # leave the floor's result in place, for check_same
    result = {"floor_ms": statistics.median(times), "floor_queries": counter.count}
    print(f"    floor: {result['floor_ms']:.1f} ms, {counter.count} statements", flush=True)
    return result


# ---------------------------------------------------------------------------------------- the report

LAGGING_READ = """
WITH visible AS ({visible}),
states AS (
    SELECT DISTINCT ON (h.id) h.id, h.target_id, h.period_end, h.value, h.is_final, h.review_state, h.history_type
    FROM progress_historicalprogressentry h
    WHERE h.target_id IN (SELECT id FROM visible) AND h.history_date < %(end)s
    ORDER BY h.id, h.history_date DESC, h.history_id DESC
),
counted AS (
    SELECT * FROM states WHERE history_type <> '-' AND review_state <> 'returned' AND period_end <= %(as_of)s
),
latest AS (SELECT DISTINCT ON (target_id) * FROM counted ORDER BY target_id, period_end DESC),
finals AS (
    SELECT DISTINCT ON (c.target_id) c.* FROM counted c JOIN targets_target t ON t.id = c.target_id
    WHERE c.is_final OR c.period_end = t.deadline ORDER BY c.target_id, c.period_end DESC
)
SELECT t.id, t.code, t.metric, t.comparator, t.value, t.unit, t.measure, t.curve, t.custom_curve, t.frequency,
       t.deadline, t.tolerance_pct, t.on_track_pp, t.at_risk_pp,
       r.year, r.cumulative_on_track_pp, r.cumulative_at_risk_pp, r.level_on_track_pp, r.level_at_risk_pp,
       r.report_due_working_days, k.number, k.title, c.number, c.title, d.id, d.name,
       latest.id, latest.period_end, latest.value, latest.is_final,
       finals.id, finals.period_end, finals.value, finals.is_final
FROM targets_target t
JOIN visible v ON v.id = t.id
JOIN targets_report r ON r.id = t.report_id
JOIN targets_keytask k ON k.id = t.task_id
JOIN targets_chapter c ON c.id = k.chapter_id
LEFT JOIN targets_targetdepartment a ON a.target_id = t.id AND a.role = 'lead'
LEFT JOIN targets_department d ON d.id = a.department_id
LEFT JOIN latest ON latest.target_id = t.id
LEFT JOIN finals ON finals.target_id = t.id
ORDER BY r.year, c.number, k.number, t.code
"""


def lagging_floor(*, user, as_of: dt.date) -> int:
    """The report's reads in one statement (the user's department first, as the app does). Returns the
    number of rows read."""
    params = {"end": end_of_day(as_of), "as_of": as_of}
    if roles.sees_everything(user):
        visible = "SELECT id FROM targets_target"
    else:
        visible = (
            "SELECT target_id AS id FROM targets_targetdepartment WHERE department_id = "
            "(SELECT department_id FROM targets_departmentmembership WHERE user_id = %(user)s)"
        )
        params["user"] = user.pk
    return len(_execute(LAGGING_READ.format(visible=visible), params))


# ---------------------------------------------------------------------------------------- the import


def import_dataset(*, rows: int, months: int) -> tuple[tablib.Dataset, int]:
    """A 台账 of `rows` rows, target by target and month by month: the figure already reported where
    there is one (re-importing the whole ledger is the usual practice), a new figure where it is missing.
    Returns the dataset and how many rows are new."""
    from progress.models import ProgressEntry
    from progress.rules import month_end
    from targets.models import Target

    dataset = tablib.Dataset(headers=["code", "period_end", "value", "note", "final", "provenance"])
    created = 0
    targets = Target.objects.select_related("report").order_by("pk")
    entries = {
        (entry.target_id, entry.period_end): entry
        for entry in ProgressEntry.objects.filter(target__in=targets[: rows // months + 1])
    }
    for target in targets.iterator():
        for month in range(1, months + 1):
            if len(dataset) >= rows:
                return dataset, created
            period_end = month_end(target.report.year, month)
            entry = entries.get((target.pk, period_end))
            if entry is None:
                created += 1
                dataset.append([target.code, period_end.isoformat(), "1", "补报", "否", "部门预估"])
            else:
                dataset.append(
                    [
                        target.code,
                        period_end.isoformat(),
                        format(entry.value, "f"),
                        entry.note,
                        "是" if entry.is_final else "否",
                        entry.get_provenance_display(),
                    ]
                )
    return dataset, created


def import_new_dataset(*, rows: int) -> tablib.Dataset:
    """A 台账 of `rows` rows that are all new: the entries of the newest targets, written to the file and
    then deleted with their history records, as if they had never been reported."""
    from progress.models import ProgressEntry

    chosen = list(ProgressEntry.objects.select_related("target").order_by("-target_id", "period_end")[:rows])
    dataset = tablib.Dataset(headers=["code", "period_end", "value", "note", "final", "provenance"])
    for entry in chosen:
        dataset.append(
            [
                entry.target.code,
                entry.period_end.isoformat(),
                format(entry.value, "f"),
                entry.note,
                "是" if entry.is_final else "否",
                entry.get_provenance_display(),
            ]
        )
    ids = [entry.pk for entry in chosen]
    with transaction.atomic():
        ProgressEntry.history.filter(id__in=ids).delete()
        ProgressEntry.objects.filter(pk__in=ids).delete()
    return dataset


def import_rolled_back(*, dataset: tablib.Dataset, by, new: bool = False) -> None:
    """The import service on the dataset, in a transaction rolled back afterwards so that every run starts
    from the same data (the recomputations it schedules on commit are the worker's, and are not run)."""
    with transaction.atomic():
        summary = progress_import(dataset=dataset, by=by)
        assert summary.created + summary.unchanged == len(dataset), summary
        assert not new or summary.created == len(dataset), summary
        transaction.set_rollback(True)
