"""Reads of what the report promised: query shaping and plain-data views, no side effects."""

from collections.abc import Iterable
from decimal import Decimal

from targets.models import Target


def _number(value: Decimal | None) -> int | float | None:
    """A Decimal as the JSON number people expect: 15 rather than 15.0000, 7.5 rather than "7.5000"."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def target_export_rows(targets: Iterable[Target]) -> Iterable[dict]:
    """One plain dict per target (targets shaped with `Target.objects.with_structure()`)."""
    for target in targets:
        baseline = getattr(target, "baseline", None)
        yield {
            "code": target.code,
            "chapter": target.task.chapter.title,
            "chapter_number": target.task.chapter.number,
            "task": target.task.title,
            "metric": target.metric,
            "comparator": target.comparator,
            "value": _number(target.value),
            "unit": target.unit or None,
            "measure": target.measure,
            "curve": target.curve,
            "custom_curve": target.custom_curve,
            "frequency": target.frequency,
            "deadline": target.deadline.isoformat(),
            "tolerance_pct": _number(target.tolerance_pct),
            "baseline": (
                {
                    "value": _number(baseline.value),
                    "unit": baseline.unit,
                    "year": baseline.year,
                    "quote": baseline.quote,
                }
                if baseline is not None
                else None
            ),
            "departments": [department.name for department in target.ordered_departments()],
            "quote": target.quote,
            "reading": target.reading or None,
        }
