"""A target's actual figures against its expected-progress curve, as inline SVG.

Drawn on the server so that the chart renders in a browser with no internet access and prints as it
shows: no JavaScript, no CDN. Pure function of the rule and the figures.
"""

import datetime as dt
from decimal import Decimal

from django.utils.html import escape

from progress.rules import Figure, TargetRule, expected_pct, month_end

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40


def _goal_value(rule: TargetRule) -> Decimal:
    return Decimal(100) if rule.is_milestone else rule.goal


def progress_chart_svg(rule: TargetRule, figures: list[Figure], as_of: dt.date) -> str:
    """Cumulative targets: the expected curve (goal × 序时进度) and the reported figures, by month end.
    Level targets: the reported figures and a horizontal line at the goal."""
    months = [month_end(rule.year, month) for month in range(1, 13)]
    goal = _goal_value(rule)
    if rule.measure == "cumulative":
        start = [(dt.date(rule.year, 1, 1), Decimal(0))]
        expected = start + [
            (day, goal * expected_pct(rule, day) / 100) for day in months if day <= rule.deadline
        ]
        if rule.deadline not in months:
            expected.append((rule.deadline, goal))
            expected.sort()
    else:
        expected = [(months[0], goal), (months[-1], goal)]
    actual = sorted((f.period_end, f.value) for f in figures if f.period_end <= as_of)
    values = [value for _, value in expected + actual] + [Decimal(0)]
    low, high = min(values), max(values)
    if high == low:
        high = low + 1
    span_days = (months[-1] - dt.date(rule.year, 1, 1)).days

    def x(day: dt.date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - dt.date(rule.year, 1, 1)).days / span_days

    def y(value: Decimal) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * float((high - value) / (high - low))

    def polyline(points, css_class: str) -> str:
        coordinates = " ".join(f"{x(day):.1f},{y(value):.1f}" for day, value in points)
        return f'<polyline class="{css_class}" points="{coordinates}" fill="none"/>'

    unit = escape(rule.unit_label)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="wz-chart" role="img" '
        f'aria-label="实际与序时进度对比">',
        "<style>.expected{stroke:#9e9e9e;stroke-width:2;stroke-dasharray:6 4}.actual{stroke:#1565c0;stroke-width:2.5}"
        ".dot{fill:#1565c0}.axis{stroke:#bbb}.label{font-size:11px;fill:#555}</style>",
        f'<line class="axis" x1="{LEFT}" y1="{y(low):.1f}" x2="{WIDTH - RIGHT}" y2="{y(low):.1f}"/>',
    ]
    for day in months:
        parts.append(
            f'<text class="label" x="{x(day):.1f}" y="{HEIGHT - 20}" text-anchor="middle">{day.month}月</text>'
        )
    for value in (low, (low + high) / 2, high):
        parts.append(
            f'<text class="label" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value.normalize():f}</text>'
        )
    parts.append(polyline(expected, "expected"))
    if actual:
        parts.append(polyline(actual, "actual"))
        parts.extend(
            f'<circle class="dot" cx="{x(day):.1f}" cy="{y(value):.1f}" r="3.5"/>' for day, value in actual
        )
    legend = "序时进度" if rule.measure == "cumulative" else "目标值"
    parts.append(
        f'<text class="label" x="{LEFT}" y="{HEIGHT - 4}">虚线：{legend}（{unit}）　实线：实际填报（{unit}）</text></svg>'
    )
    return "".join(parts)
