"""Named targets and small builders shared by the status-rules tests (pure data, no database).

Each example is a goal from the 2020 report (or a faithful variant of one), so that a failing table row
reads as the sentence an official would recognise.
"""

import datetime as dt
from dataclasses import replace
from decimal import Decimal

import chinese_calendar

from progress.rules import Figure, TargetRule, Thresholds

D = Decimal
YEAR_END = dt.date(2020, 12, 31)
# The 5th Chinese working day after 31 Dec 2020 (1–3 Jan 2021 are the New Year holiday).
YEAR_END_REPORT_DUE = dt.date(2021, 1, 8)

# Expected % at each month end: 50 at the end of June, so that gaps against a goal of 100 are exact.
HALF_BY_JUNE = tuple(D(n) for n in (5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 100))


def enterprises_15(**changes) -> TargetRule:
    """新增规上企业15户: cumulative, at least 15, linear, monthly, due 31 December 2020."""
    rule = TargetRule(
        measure="cumulative",
        comparator="at_least",
        goal=D(15),
        unit="户",
        curve="linear",
        frequency="monthly",
        year=2020,
        deadline=YEAR_END,
    )
    return replace(rule, **changes)


def projects_started_by_april(**changes) -> TargetRule:
    """339个新建项目4月份开工70%以上: cumulative, at least 70 %, linear, monthly, due 30 April 2020."""
    return enterprises_15(goal=D(70), unit="%", deadline=dt.date(2020, 4, 30), **changes)


def milestone(**changes) -> TargetRule:
    """A key task to complete (done): figures are % complete, the goal is 100 %."""
    return enterprises_15(comparator="done", goal=None, unit="", **changes)


def cpi_at_most_3(**changes) -> TargetRule:
    """居民消费价格涨幅控制在3%以内: level, at most 3 %, monthly."""
    return enterprises_15(measure="level", comparator="at_most", goal=D(3), unit="%", **changes)


def gdp_growth_7(**changes) -> TargetRule:
    """地区生产总值增长7%: level, at least 7 %, quarterly steps, quarterly."""
    rule = enterprises_15(
        measure="level", comparator="at_least", goal=D(7), unit="%", curve="quarterly", frequency="quarterly"
    )
    return replace(rule, **changes)


def unemployment_about_5_2(**changes) -> TargetRule:
    """城镇调查失业率控制在5.2%左右: level, about 5.2 % ± 5 % of the goal (4.94 %–5.46 %), quarterly."""
    rule = gdp_growth_7(comparator="about", goal=D("5.2"), tolerance_pct=D(5))
    return replace(rule, **changes)


def spending_growth_at_most_0(**changes) -> TargetRule:
    """一般性支出只减不增: level, growth at most 0 % (a goal of 0 is measured against 1 unit), annual."""
    rule = enterprises_15(
        measure="level",
        comparator="at_most",
        goal=D(0),
        unit="%",
        curve="year_end",
        frequency="annual",
    )
    return replace(rule, **changes)


def hundred_on_custom_curve(**changes) -> TargetRule:
    """A goal of 100 on a custom curve expecting 50 % by the end of June: every gap is an exact number."""
    return enterprises_15(goal=D(100), unit="个", curve="custom", custom_curve=HALF_BY_JUNE, **changes)


def level_hundred(comparator: str, **changes) -> TargetRule:
    """A level goal of 100: the gap in points equals the distance to the goal."""
    return enterprises_15(measure="level", comparator=comparator, goal=D(100), unit="个", **changes)


def figure(
    period_end: dt.date | str, value, *, is_final: bool = False, entry_id: int | None = None
) -> Figure:
    day = dt.date.fromisoformat(period_end) if isinstance(period_end, str) else period_end
    return Figure(period_end=day, value=D(str(value)), is_final=is_final, entry_id=entry_id)


def strict_thresholds() -> Thresholds:
    """A stricter office: 5 and 15 points for cumulative targets, 0 and 5 for levels."""
    return Thresholds(
        cumulative_on_track_pp=D(5),
        cumulative_at_risk_pp=D(15),
        level_on_track_pp=D(0),
        level_at_risk_pp=D(5),
    )


def chinese_working_days_between(after: dt.date, up_to: dt.date) -> int:
    """Working days in (after, up_to], counted straight from the `chinesecalendar` package."""
    days = (up_to - after).days
    return sum(chinese_calendar.is_workday(after + dt.timedelta(days=i)) for i in range(1, days + 1))
