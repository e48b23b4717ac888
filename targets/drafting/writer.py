"""A draft as the loader's YAML (docs/data-format.md): `draft_yaml(draft, source=…)`."""

from decimal import Decimal

import yaml

from targets.drafting.draft import Draft, DraftTarget
from targets.drafting.reader import ABOUT


def _number(value: Decimal) -> int | float:
    # The loader reads numbers through str(), so a float that prints as the decimal is exact enough.
    normalised = value.normalize()
    return int(normalised) if normalised == normalised.to_integral_value() else float(normalised)


def _target(target: DraftTarget, year: int) -> dict:
    goal = target.goal
    item: dict = {
        "code": target.code,
        "metric": goal.metric,
        "quote": target.quote,
        "comparator": goal.comparator,
    }
    if not target.is_milestone:
        item["value"] = _number(goal.value)
        item["unit"] = goal.unit
    item |= {"measure": goal.measure, "curve": goal.curve, "frequency": goal.frequency}
    if goal.deadline is not None and (goal.deadline.month, goal.deadline.day) != (12, 31):
        item["deadline"] = goal.deadline
    if goal.comparator == ABOUT:
        item["tolerance_pct"] = 5
    item["departments"] = list(target.departments)
    if target.baseline is not None:
        item["baseline"] = {
            "value": _number(target.baseline.value),
            "unit": target.baseline.unit,
            "quote": target.baseline.quote,
        }
    item["reading"] = target.reading
    return item


def draft_yaml(draft: Draft, *, source: str) -> str:
    """The data file of the draft; `source` is the report text's path relative to the file."""
    data = {
        "report": {
            "issuer": draft.issuer,
            "year": draft.year,
            "title": draft.title,
            "delivered_on": draft.delivered_on,
            "occasion": draft.occasion,
            "source": source,
            "review_heading": draft.review_heading,
            "plan_heading": draft.plan_heading,
        },
        "departments": [{"code": code, "name": name} for code, name in draft.departments],
        "chapters": [
            {
                "number": chapter.number,
                "title": chapter.title,
                "tasks": [
                    {
                        "number": task.number,
                        "title": task.title,
                        "targets": [_target(target, draft.year) for target in task.targets],
                    }
                    for task in chapter.tasks
                ],
            }
            for chapter in draft.chapters
        ],
    }
    targets = draft.targets
    milestones = sum(1 for target in targets if target.is_milestone)
    header = [
        f"# {draft.title} — 由 draft_report 自动起草，待督查室审核。",
        f"# {len(targets)} 个目标：{len(targets) - milestones} 个数值目标，{milestones} 个里程碑；"
        f"{sum(1 for target in targets if target.baseline)} 个有上年基数。",
        "# 每个目标的 reading 说明原文是如何理解的；责任单位是按关键词提出的建议。",
        "# 格式见 docs/data-format.md；导入：python manage.py load_report 本文件。",
        *(f"# 注意：{warning}" for warning in draft.warnings),
        "",
    ]
    body = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10_000, default_flow_style=None)
    return "\n".join(header) + body
