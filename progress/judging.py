"""The ORM's view for the status rules (progress.rules), both ways: a Target as a TargetRule, its entries as
the figures that count, and an Evaluation as the stored status columns and back again.

Everything that judges or shows a status imports this module — the status writer (progress.statuses), the
reads (selectors, boards, notifications) and the views — and none of them imports another for it.
"""

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from progress.models import ProgressEntry, StatusSnapshot, TargetStatus
from progress.rules import Evaluation, Figure, Performance, Reporting, TargetRule, Thresholds, counts
from targets.conventions import TOLERANCE_PCT
from targets.models import Measure, Target

# What a target's rule is made of (`rule_from` takes them in this order): the target's columns, then its
# report's; `values_list` reads them as plain tuples where many targets are judged at once (the sweep).
TARGET_RULE_COLUMNS = (
    "measure", "comparator", "value", "unit", "curve", "frequency", "deadline", "custom_curve",
    "tolerance_pct", "on_track_pp", "at_risk_pp",
)  # fmt: skip
REPORT_RULE_COLUMNS = (
    "year", "cumulative_on_track_pp", "cumulative_at_risk_pp", "level_on_track_pp", "level_at_risk_pp",
    "report_due_working_days",
)  # fmt: skip
RULE_COLUMNS = (*TARGET_RULE_COLUMNS, *(f"report__{name}" for name in REPORT_RULE_COLUMNS))


def target_rule(target: Target) -> TargetRule:
    """The rules' view of a target: its definition plus the report's thresholds and its own overrides."""
    report = target.report
    return rule_from(
        *(getattr(target, name) for name in TARGET_RULE_COLUMNS),
        *(getattr(report, name) for name in REPORT_RULE_COLUMNS),
    )


def rule_from(
    measure, comparator, goal, unit, curve, frequency, deadline, custom_curve, tolerance_pct, on_track_pp,
    at_risk_pp, year, cumulative_on_track_pp, cumulative_at_risk_pp, level_on_track_pp, level_at_risk_pp,
    due_working_days,
) -> TargetRule:  # fmt: skip
    """A TargetRule from RULE_COLUMNS' values (a target's, then its report's): the target's own thresholds
    override the report's for its measure."""
    cumulative = measure == Measure.CUMULATIVE
    report_on_track = cumulative_on_track_pp if cumulative else level_on_track_pp
    report_at_risk = cumulative_at_risk_pp if cumulative else level_at_risk_pp
    on_track = on_track_pp if on_track_pp is not None else report_on_track
    at_risk = at_risk_pp if at_risk_pp is not None else report_at_risk
    thresholds = Thresholds(
        cumulative_on_track_pp=on_track if cumulative else cumulative_on_track_pp,
        cumulative_at_risk_pp=at_risk if cumulative else cumulative_at_risk_pp,
        level_on_track_pp=level_on_track_pp if cumulative else on_track,
        level_at_risk_pp=level_at_risk_pp if cumulative else at_risk,
        due_working_days=due_working_days,
    )
    return TargetRule(
        measure=measure,
        comparator=comparator,
        goal=goal,
        unit=unit,
        curve=curve,
        frequency=frequency,
        year=year,
        deadline=deadline,
        custom_curve=tuple(Decimal(str(v)) for v in custom_curve) if custom_curve else None,
        tolerance_pct=tolerance_pct if tolerance_pct is not None else TOLERANCE_PCT,
        thresholds=thresholds,
    )


# The columns of an entry, in the order `figure_from` reads them (`values_list(*FIGURE_COLUMNS)`).
FIGURE_COLUMNS = ("period_end", "value", "is_final", "pk")


def figure_from(row: tuple) -> Figure:
    """A figure from an entry's FIGURE_COLUMNS read as a plain tuple (cheaper than model instances)."""
    period_end, value, is_final, entry_id = row
    return Figure(period_end=period_end, value=value, is_final=is_final, entry_id=entry_id)


def target_figures(target: Target) -> list[Figure]:
    """The figures that count of a target whose `entries` are prefetched (or read here)."""
    return [
        figure_from((entry.period_end, entry.value, entry.is_final, entry.pk))
        for entry in target.entries.all()
        if counts(entry.review_state)
    ]


def figures_by_target(target_ids: Iterable[int]) -> dict[int, list[Figure]]:
    """The current figures that count of each of these targets, in one query (every ID is a key)."""
    target_ids = list(target_ids)
    figures: dict[int, list[Figure]] = defaultdict(list, {target_id: [] for target_id in target_ids})
    counted = ProgressEntry.objects.filter(target_id__in=target_ids).counted().order_by()
    for target_id, *row in counted.values_list("target_id", *FIGURE_COLUMNS):
        figures[target_id].append(figure_from(tuple(row)))
    return figures


def status_fields(evaluation: Evaluation) -> dict:
    """The StatusFields of an evaluation (the columns TargetStatus and StatusSnapshot share)."""
    judged = evaluation.judged
    return {
        "performance": evaluation.performance.value,
        "reporting": evaluation.reporting.value,
        "progress_pct": evaluation.progress_pct,
        "expected_pct": evaluation.expected_pct,
        "gap_pp": evaluation.gap_pp,
        "latest_value": judged.value if judged else None,
        "latest_period_end": judged.period_end if judged else None,
        "next_due": evaluation.next_due,
        "days_late": evaluation.days_late,
    }


# Plain dictionary lookups: calling the enums costs more than the rest of a stored row (profiled).
PERFORMANCE_BY_VALUE = {status.value: status for status in Performance}
REPORTING_BY_VALUE = {status.value: status for status in Reporting}


def stored_evaluation(
    status: TargetStatus | StatusSnapshot, *, judged_is_final: bool | None
) -> Evaluation | None:
    """A stored status or a day's snapshot as the Evaluation it was written from; None when its judged entry
    is gone (never by the services: the target is then judged afresh). `judged_is_final`: the judged entry's
    `is_final`, the one part of an evaluation the status row does not hold (a snapshot holds it)."""
    judged = None
    if status.latest_period_end is not None:
        if status.judged_entry_id is None or judged_is_final is None:
            return None
        # The stored figure is the judged entry's (same column type): only `is_final` is read from the entry.
        judged = Figure(
            period_end=status.latest_period_end,
            value=status.latest_value,
            is_final=judged_is_final,
            entry_id=status.judged_entry_id,
        )
    return Evaluation(
        performance=PERFORMANCE_BY_VALUE[status.performance],
        reporting=REPORTING_BY_VALUE[status.reporting],
        progress_pct=status.progress_pct,
        expected_pct=status.expected_pct,
        gap_pp=status.gap_pp,
        judged=judged,
        next_due=status.next_due,
        days_late=status.days_late,
        reasons=tuple(status.reasons),
    )
