from decimal import Decimal

from django import template

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
