"""Reads of what the report promised: query shaping and plain-data views, no side effects."""

from collections.abc import Iterable
from decimal import Decimal

from targets import roles
from targets.models import Target, TargetQuerySet


def targets_visible_to(user) -> TargetQuerySet:
    """The targets a user may see and report on: all for managers and administrators; for officials and
    reviewers, those their department leads or co-operates on; none for anyone else."""
    targets = Target.objects.all()
    if roles.sees_everything(user):
        return targets
    department = roles.department_of(user)
    if department is None:
        return targets.none()
    return targets.filter(pk__in=department.assignments.values("target_id"))


def decimal_to_json(value: Decimal | None) -> int | float | None:
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
            "value": decimal_to_json(target.value),
            "unit": target.unit or None,
            "measure": target.measure,
            "curve": target.curve,
            "custom_curve": target.custom_curve,
            "frequency": target.frequency,
            "deadline": target.deadline.isoformat(),
            "tolerance_pct": decimal_to_json(target.tolerance_pct),
            "baseline": (
                {
                    "value": decimal_to_json(baseline.value),
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
