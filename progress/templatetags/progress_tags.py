from decimal import Decimal

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from progress import selectors
from progress.admin import REVIEW_COLOURS, coloured_label
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS, Evaluation, reporting_summary
from targets import roles
from targets.conventions import format_decimal
from wuzhong_tracker import clock

register = template.Library()


@register.filter
def performance_label(value: str) -> str:
    return PERFORMANCE_LABELS.get(value, value)


@register.filter
def reporting_label(value: str) -> str:
    return REPORTING_LABELS.get(value, value)


@register.simple_tag
def reporting_text(evaluation: Evaluation, as_of, target) -> str:
    """逾期未报 N 天, 全年未报, 按时…: see progress.rules.reporting_summary."""
    return reporting_summary(
        reporting=evaluation.reporting,
        performance=evaluation.performance,
        days_late=evaluation.days_late,
        reported=evaluation.judged is not None,
        year_over=as_of.year > target.report.year,
    )


@register.filter
def number(value: Decimal | None) -> str:
    return "—" if value is None else format_decimal(value)


@register.filter
def bar_width(value: Decimal | None) -> str:
    """A percentage as a CSS width, kept inside the bar (0–100)."""
    if value is None:
        return "0"
    return format_decimal(min(max(value, Decimal(0)), Decimal(100)))


@register.filter
def count_of(counter, key) -> int:
    return counter.get(key, 0)


@register.simple_tag
def summary_rows(summary) -> str:
    """The overview's rows: each chapter (bold), its key tasks (indented), then the total, a count per
    status. Written in Python: a year of 20 reports has some 1,100 such rows, and a template node per cell
    cost more than the page's reads."""

    def row(label: str, counts, total: int, *, bold: bool, indent: bool = False) -> str:
        wrap = "<strong>{}</strong>" if bold else "{}"
        cells = "".join(
            f'<td class="wz-num">{wrap.format(counts.get(status, 0))}</td>' for status in PERFORMANCE_LABELS
        )
        style = ' style="padding-left:2em"' if indent else ""
        return f"<tr><td{style}>{wrap.format(escape(label))}</td>{cells}" + (
            f'<td class="wz-num">{wrap.format(total)}</td></tr>'
        )

    rows = []
    for chapter in summary.by_chapter:
        rows.append(row(str(chapter["chapter"]), chapter["performance"], chapter["total"], bold=True))
        rows += [
            row(
                f"{task['task'].number}. {task['task'].title}",
                task["performance"],
                task["total"],
                bold=False,
                indent=True,
            )
            for task in chapter["tasks"]
        ]
    rows.append(row("合计", summary.performance, summary.total, bold=True))
    return mark_safe("\n".join(rows))  # every text escaped above; the rest are numbers


@register.filter
def full_name(user) -> str:
    """A person as colleagues name them: the full name (surname first), else the username."""
    return "—" if user is None else roles.display_name(user)


@register.simple_tag
def review_badge(entry) -> str:
    """The entry's review state in its colour (待审核 yellow, 已审核 green, 已退回 red)."""
    return coloured_label(REVIEW_COLOURS[entry.review_state], entry.get_review_state_display())


@register.inclusion_tag("progress/_work_queue.html", takes_context=True)
def work_queue(context) -> dict:
    """待审核 N / 被退回 N / 本期待报 N for the signed-in person, each a link to its filtered list."""
    user = context["request"].user
    return {"queue": selectors.work_queue(user=user, today=clock.today()), "perms": context["perms"]}
