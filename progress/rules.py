"""The status rules (PRODUCT.md §4) as pure, typed functions.

Input: a target's rule (its definition and thresholds), the figures that count (entries not returned),
an "as of" date and a working-day predicate. Output: an immutable `Evaluation`. Nothing here reads the
database, the clock or the settings; callers (services, the sweep, `status_report`) supply all of it.

Two axes, never merged:
- performance — how the target is doing: achieved, overdue, no_data, else the gap in percentage points
  against the thresholds;
- reporting — whether the reports arrive: a report per closed period is due on the N-th working day after
  the period ends (N = 5 by default); `late` while a due report is missing.

Choices where PRODUCT.md is silent (documented in README "Status rules"):
- The moment judged (README "Status rules"): "as of D" for a day that is over means at the end of D, so a
  report due on D and still missing is late as of D. Judged during D (the present moment: the stored
  statuses, the sweep, alerts, reminders, the pages as of today), D has not ended: what is due on D is not
  late yet, and it is late from the start of D+1 (the sweep just after midnight finds it so). `evaluate`
  takes `day_ended`; `has_passed` is the one comparison.
- Figures are year-to-date, so a report for a later period also answers the earlier missing ones.
- No report is due after the target is achieved or after a figure marked final.
- The last period of a target ends on its deadline (a target due 30 April reports Jan–Apr).
- Gaps are rounded to 0.01 point before they are compared with the thresholds, so that what is shown is
  what was judged. A goal of 0 (e.g. "只减不增", zero accidents) is measured against 1 unit instead of |goal|.
- Linear expected progress counts days: day 1 is 1 January, 100% is reached on the deadline.
- Level targets have no progress % or expected %: they are judged by the gap to the goal alone.
"""

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache

from progress.working_calendar import IsWorkday, is_chinese_workday, nth_working_day_after
from targets import conventions
from targets.conventions import chinese_date, format_decimal

HUNDRED = Decimal(100)
CENT = Decimal("0.01")


class Performance(StrEnum):
    NO_DATA = "no_data"
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    LAGGING = "lagging"
    ACHIEVED = "achieved"
    OVERDUE = "overdue"


class Reporting(StrEnum):
    NOT_DUE = "not_due"
    ON_TIME = "on_time"
    LATE = "late"


PERFORMANCE_LABELS = {
    Performance.NO_DATA: "无数据",
    Performance.ON_TRACK: "正常",
    Performance.AT_RISK: "预警",
    Performance.LAGGING: "滞后",
    Performance.ACHIEVED: "已完成",
    Performance.OVERDUE: "逾期未完成",
}
REPORTING_LABELS = {Reporting.NOT_DUE: "未到期", Reporting.ON_TIME: "按时", Reporting.LATE: "逾期未报"}


@dataclass(frozen=True)
class Thresholds:
    """Status thresholds in percentage points; the defaults are PRODUCT.md §4."""

    cumulative_on_track_pp: Decimal = conventions.CUMULATIVE_ON_TRACK_PP
    cumulative_at_risk_pp: Decimal = conventions.CUMULATIVE_AT_RISK_PP
    level_on_track_pp: Decimal = conventions.LEVEL_ON_TRACK_PP
    level_at_risk_pp: Decimal = conventions.LEVEL_AT_RISK_PP
    due_working_days: int = conventions.REPORT_DUE_WORKING_DAYS


@dataclass(frozen=True)
class TargetRule:
    """What the rules need to know of a target."""

    measure: str  # "cumulative" | "level"
    comparator: str  # "at_least" | "at_most" | "about" | "done"
    goal: Decimal | None  # None for milestones (their figures are % complete, the goal is 100)
    unit: str
    curve: str  # "linear" | "quarterly" | "year_end" | "custom"
    frequency: str  # "monthly" | "quarterly" | "annual"
    year: int
    deadline: dt.date
    custom_curve: tuple[Decimal, ...] | None = None  # expected % at each month end, January first
    tolerance_pct: Decimal = conventions.TOLERANCE_PCT  # for "about": ± this % of the goal
    thresholds: Thresholds = field(default_factory=Thresholds)

    @property
    def is_milestone(self) -> bool:
        return self.comparator == "done"

    @property
    def unit_label(self) -> str:
        return "%" if self.is_milestone else self.unit


# Entries in these review states do not count: a returned figure is withdrawn until it is corrected.
UNCOUNTED_REVIEW_STATES = frozenset({"returned"})


def counts(review_state: str) -> bool:
    """Whether an entry in this review state counts as a figure (submitted and approved ones do)."""
    return review_state not in UNCOUNTED_REVIEW_STATES


@dataclass(frozen=True)
class Figure:
    """A counted figure: an entry's value for the period ending on `period_end`."""

    period_end: dt.date
    value: Decimal
    is_final: bool = False
    entry_id: int | None = None


@dataclass(frozen=True)
class Evaluation:
    performance: Performance
    reporting: Reporting
    progress_pct: Decimal | None
    expected_pct: Decimal | None
    gap_pp: Decimal | None
    judged: Figure | None
    next_due: dt.date | None
    days_late: int
    reasons: tuple[str, ...]


# ---------------------------------------------------------------------------------------------- periods


REPORTING_MONTHS = {"monthly": range(1, 13), "quarterly": (3, 6, 9, 12), "annual": (12,)}


@lru_cache(maxsize=1024)
def month_end(year: int, month: int) -> dt.date:
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def _frequency_boundaries(rule: TargetRule) -> tuple[dt.date, ...]:
    return _boundaries(rule.frequency, rule.year)


@lru_cache(maxsize=256)
def _boundaries(frequency: str, year: int) -> tuple[dt.date, ...]:
    # Memoised (a function of two small values): the sweep asks for them once per target.
    return tuple(month_end(year, month) for month in REPORTING_MONTHS[frequency])


def period_ends(rule: TargetRule) -> tuple[dt.date, ...]:
    """The reporting period ends of a target: its frequency's boundaries before the deadline, then the
    deadline itself (which closes the last period)."""
    return _period_ends(rule.frequency, rule.year, rule.deadline)


@lru_cache(maxsize=4096)
def _period_ends(frequency: str, year: int, deadline: dt.date) -> tuple[dt.date, ...]:
    return (*(end for end in _boundaries(frequency, year) if end < deadline), deadline)


def due_date(period_end: dt.date, rule: TargetRule, is_workday: IsWorkday = is_chinese_workday) -> dt.date:
    return report_due_date(period_end, rule.thresholds.due_working_days, is_workday)


def report_due_date(
    period_end: dt.date, due_working_days: int, is_workday: IsWorkday = is_chinese_workday
) -> dt.date:
    """A period's report is due on the N-th working day after the period ends."""
    return nth_working_day_after(period_end, due_working_days, is_workday)


def report_due_on(rule: TargetRule, day: dt.date, is_workday: IsWorkday = is_chinese_workday) -> bool:
    """Whether one of the target's reports is due on `day`: the only day on which judging the target at the
    end of the day and during it can differ (`has_passed` is the one comparison, of a due date with the day).
    The status writer judges a target twice only then."""
    schedule = (rule.frequency, rule.year, rule.deadline, rule.thresholds.due_working_days)
    return day in _report_due_dates(*schedule, is_workday)


@lru_cache(maxsize=1024)
def _report_due_dates(
    frequency: str, year: int, deadline: dt.date, due_working_days: int, is_workday: IsWorkday
) -> frozenset[dt.date]:
    """The due dates of every report of a target with this schedule. Cached: the sweep asks for every
    target, and the targets of a report share a few schedules."""
    ends = _period_ends(frequency, year, deadline)
    return frozenset(report_due_date(end, due_working_days, is_workday) for end in ends)


def period_label(period_end: dt.date, rule: TargetRule) -> str:
    if period_end == rule.deadline and period_end not in _frequency_boundaries(rule):
        return f"截至{chinese_date(period_end)}"
    if rule.frequency == "monthly":
        return f"{period_end.year}年{period_end.month}月"
    if rule.frequency == "quarterly":
        return f"{period_end.year}年第{(period_end.month - 1) // 3 + 1}季度"
    return f"{period_end.year}年度"


def outstanding_period_end(ends: tuple[dt.date, ...], reported_until: dt.date | None) -> dt.date | None:
    """The first of the period ends `ends` (a target's, progress.rules.period_ends) whose report is still to
    come: the first after the latest reported period (figures are year-to-date, so a report answers the
    earlier periods too); None when the last period is reported."""
    return next((end for end in ends if reported_until is None or end > reported_until), None)


def current_period_end(rule: TargetRule, today: dt.date) -> dt.date | None:
    """The period an official should report on now: the latest period ended by `today` (figures are
    year-to-date, so its report also answers any earlier period left unreported); None before the first
    period ends."""
    return max((end for end in period_ends(rule) if end <= today), default=None)


# A figure this many times the goal or the previous figure (or this fraction of it) is more likely a slip of
# unit (头 typed against a goal in 万头) than a fact: the entry form asks the official to confirm it.
SCALE_SLIP_FACTOR = Decimal(50)


def figure_scale_warning(value: Decimal, *, goal: Decimal | None, unit: str, previous: Decimal | None) -> str:
    """Why a figure looks like a slip of unit, in Chinese; "" when it does not. Zero, negative references
    (growth rates) and a zero figure are not compared: a ratio to them says nothing."""
    reasons = []
    for name, reference in (("目标值", goal), ("上期数值", previous)):
        if reference is None or reference <= 0 or value <= 0:
            continue
        ratio = value / reference
        if ratio >= SCALE_SLIP_FACTOR or ratio <= 1 / SCALE_SLIP_FACTOR:
            times = (
                f"{format_decimal(_round(ratio))}倍"
                if ratio >= 1
                else f"{format_decimal(_round(1 / ratio))}分之一"
            )
            reasons.append(f"是{name}（{format_decimal(reference)} {unit}）的{times}")
    if not reasons:
        return ""
    return f"数值{format_decimal(value)} {unit}" + "，".join(reasons) + f"；请确认单位是“{unit}”。"


def has_passed(due: dt.date, as_of: dt.date, *, day_ended: bool = True) -> bool:
    """Whether a due date has passed, judged at the end of `as_of` (`day_ended`) or at a moment during it:
    then the due day itself has not ended, and a report due today is not late until tomorrow."""
    return due <= as_of if day_ended else due < as_of


# ------------------------------------------------------------------------------------ expected progress


def expected_pct(rule: TargetRule, on: dt.date) -> Decimal:
    """序时进度: the share of the goal (in %) that should be done by the end of day `on`."""
    if on >= rule.deadline:
        return HUNDRED
    start = dt.date(rule.year, 1, 1)
    if on < start:
        return Decimal(0)
    if rule.curve == "linear":
        return Decimal((on - start).days + 1) / Decimal((rule.deadline - start).days + 1) * HUNDRED
    if rule.curve == "quarterly":
        quarters_closed = sum(1 for month in (3, 6, 9, 12) if month_end(rule.year, month) <= on)
        return min(HUNDRED, Decimal(25 * quarters_closed))
    if rule.curve == "year_end":
        return Decimal(0)
    if rule.curve == "custom":
        months_closed = on.month if on == month_end(on.year, on.month) else on.month - 1
        return Decimal(0) if months_closed == 0 else Decimal(rule.custom_curve[months_closed - 1])
    raise ValueError(f"unknown curve {rule.curve!r}")


# ---------------------------------------------------------------------------------------------- helpers


def _round(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _cumulative_figure(rule: TargetRule, value: Decimal) -> str:
    return (
        f"完成进度{format_decimal(value)}%"
        if rule.is_milestone
        else f"累计{format_decimal(value)}{rule.unit}"
    )


def _goal_text(rule: TargetRule) -> str:
    if rule.is_milestone:
        return "全部完成"
    words = {"at_least": "不低于", "at_most": "不高于", "about": "左右"}[rule.comparator]
    if rule.comparator == "about":
        return f"{format_decimal(rule.goal)}{rule.unit}左右（±{format_decimal(rule.tolerance_pct)}%）"
    return f"{words}{format_decimal(rule.goal)}{rule.unit}"


def _denominator(goal: Decimal) -> Decimal:
    return abs(goal) if goal != 0 else Decimal(1)


def _meets(rule: TargetRule, value: Decimal) -> bool:
    goal = HUNDRED if rule.is_milestone else rule.goal
    if rule.comparator in ("at_least", "done"):
        return value >= goal
    if rule.comparator == "at_most":
        return value <= goal
    return abs(value - goal) <= abs(goal) * rule.tolerance_pct / HUNDRED


def _cumulative_pct(rule: TargetRule, value: Decimal) -> Decimal:
    return value if rule.is_milestone else value / _denominator(rule.goal) * HUNDRED


def _level_gap(rule: TargetRule, value: Decimal) -> Decimal:
    goal = rule.goal
    if rule.comparator == "at_least":
        difference = goal - value
    elif rule.comparator == "at_most":
        difference = value - goal
    else:
        difference = abs(value - goal) - abs(goal) * rule.tolerance_pct / HUNDRED
    return difference / _denominator(goal) * HUNDRED


def _classify(gap: Decimal, on_track: Decimal, at_risk: Decimal) -> Performance:
    if gap <= on_track:
        return Performance.ON_TRACK
    if gap <= at_risk:
        return Performance.AT_RISK
    return Performance.LAGGING


# ------------------------------------------------------------------------------------------- evaluation


def evaluate(
    rule: TargetRule,
    figures: list[Figure] | tuple[Figure, ...],
    as_of: dt.date,
    is_workday: IsWorkday = is_chinese_workday,
    *,
    day_ended: bool = True,
) -> Evaluation:
    """Judge a target as of the end of day `as_of`, or (`day_ended=False`) at a moment during it: the
    present moment, when a due date that is today has not passed yet (`has_passed`).

    Steps:
    1. Keep the figures whose period has ended by `as_of`; the latest one is judged.
    2. Performance: achieved (cumulative: latest figure reaches the goal; level: the deadline's figure or a
       final one meets the comparator), else overdue (the deadline period's report is past due), else
       no_data, else the gap against the thresholds.
    3. Reporting: the first period after the latest reported one is outstanding; late once its due date
       has come, unless the target is achieved or a final figure is in.
    """
    figures = sorted((f for f in figures if f.period_end <= as_of), key=lambda f: f.period_end)
    latest = figures[-1] if figures else None
    ends = period_ends(rule)
    deadline_due = due_date(ends[-1], rule, is_workday)
    thresholds = rule.thresholds

    progress = expected = gap = None
    if rule.measure == "cumulative":
        judged = latest
        achieved = judged is not None and _meets(rule, judged.value)
        if judged is not None:
            progress = _round(_cumulative_pct(rule, judged.value))
            expected = _round(expected_pct(rule, judged.period_end))
    else:
        finals = [f for f in figures if f.period_end == rule.deadline or f.is_final]
        judged = finals[-1] if finals else latest
        achieved = bool(finals) and _meets(rule, judged.value)

    unit = rule.unit_label
    if achieved:
        performance = Performance.ACHIEVED
        reason = f"{chinese_date(judged.period_end)}数据为{format_decimal(judged.value)}{unit}，已达到目标（{_goal_text(rule)}）。"
    elif has_passed(deadline_due, as_of, day_ended=day_ended):
        performance = Performance.OVERDUE
        reason = (
            f"完成时限{chinese_date(rule.deadline)}所在期的报告已于{chinese_date(deadline_due)}到期，"
            f"目标（{_goal_text(rule)}）仍未完成。"
        )
    elif judged is None:
        performance = Performance.NO_DATA
        reason = "尚无有效填报（退回的填报不计入）。"
    elif rule.measure == "cumulative":
        gap = _round(expected - progress)
        performance = _classify(gap, thresholds.cumulative_on_track_pp, thresholds.cumulative_at_risk_pp)
        behind = (
            f"落后{format_decimal(gap)}个百分点"
            if gap > 0
            else f"超前{format_decimal(-gap)}个百分点"
            if gap < 0
            else "与序时进度持平"
        )
        reason = (
            f"截至{chinese_date(judged.period_end)}{_cumulative_figure(rule, judged.value)}，完成目标（{_goal_text(rule)}）的"
            f"{format_decimal(progress)}%，序时进度{format_decimal(expected)}%，{behind}"
            f"（落后不超过{format_decimal(thresholds.cumulative_on_track_pp)}个百分点为正常，"
            f"不超过{format_decimal(thresholds.cumulative_at_risk_pp)}个百分点为预警，超过为滞后）。"
        )
    else:
        gap = _round(_level_gap(rule, judged.value))
        performance = _classify(gap, thresholds.level_on_track_pp, thresholds.level_at_risk_pp)
        reason = (
            f"{chinese_date(judged.period_end)}数据为{format_decimal(judged.value)}{unit}，目标{_goal_text(rule)}，"
            f"{level_distance(rule, judged.value)}（按差距占目标的比例判断：本项{format_decimal(gap)}%，"
            f"不超过{format_decimal(thresholds.level_on_track_pp)}%为正常，"
            f"不超过{format_decimal(thresholds.level_at_risk_pp)}%为预警，超过为滞后）。"
        )

    reporting, next_due, days_late, reporting_reason = _reporting(
        rule, ends, latest, figures, achieved, as_of, is_workday, day_ended
    )
    if reporting == Reporting.LATE and performance == Performance.OVERDUE and as_of.year > rule.year:
        # The year's reporting is over: what is missing stays missing, and a count of days that only grows
        # says nothing more (see `reporting_summary`).
        reporting_reason = f"{rule.year}年度各期报告已于{chinese_date(deadline_due)}全部到期，" + (
            "全年未报送任何数据。"
            if latest is None
            else f"{chinese_date(latest.period_end)}之后的报告始终未报送。"
        )
    if performance == Performance.NO_DATA and expected is None and rule.measure == "cumulative":
        expected = _round(expected_pct(rule, as_of))
    return Evaluation(
        performance=performance,
        reporting=reporting,
        progress_pct=progress,
        expected_pct=expected,
        gap_pp=gap,
        judged=judged,
        next_due=next_due,
        days_late=days_late,
        reasons=(reason, reporting_reason),
    )


def _reporting(
    rule: TargetRule,
    ends: tuple[dt.date, ...],
    latest: Figure | None,
    figures: list[Figure],
    achieved: bool,
    as_of: dt.date,
    is_workday: IsWorkday,
    day_ended: bool,
) -> tuple[Reporting, dt.date | None, int, str]:
    any_due = has_passed(due_date(ends[0], rule, is_workday), as_of, day_ended=day_ended)
    finished = achieved or any(f.is_final for f in figures)
    first = outstanding_period_end(ends, latest.period_end if latest else None)
    if finished or first is None:
        status = Reporting.ON_TIME if any_due or latest is not None else Reporting.NOT_DUE
        return (
            status,
            None,
            0,
            "目标已完成或已报送最终数据，无需继续报送。" if finished else "各期报告均已报送。",
        )
    due = due_date(first, rule, is_workday)
    label = period_label(first, rule)
    if has_passed(due, as_of, day_ended=day_ended):
        days_late = (as_of - due).days
        return (
            Reporting.LATE,
            due,
            days_late,
            f"{label}的报告应于{chinese_date(due)}前报送，截至{chinese_date(as_of)}仍未报送"
            + (f"（逾期{days_late}天）。" if days_late else "（今日到期）。"),
        )
    if any_due or latest is not None:
        return Reporting.ON_TIME, due, 0, f"到期的报告均已报送；{label}的报告应于{chinese_date(due)}前报送。"
    return Reporting.NOT_DUE, due, 0, f"尚无到期的报告；{label}的报告应于{chinese_date(due)}前报送。"


# ------------------------------------------------------------------------------------------ gaps in words

# Units whose differences are percentage points: a rate in % and a change already counted in points.
POINT_UNITS = ("%", "个百分点")


def _difference_unit(rule: TargetRule) -> str:
    return "个百分点" if rule.unit_label in POINT_UNITS else rule.unit_label


def level_distance(rule: TargetRule, value: Decimal) -> str:
    """How far a level figure is from its goal, in the metric's own unit: 差8.2个百分点 (a rate), 差1.2万吨
    and 完成目标的98.67% (an amount, where that share means something)."""
    goal = rule.goal
    if rule.comparator == "at_least":
        shortfall = goal - value
    elif rule.comparator == "at_most":
        shortfall = value - goal
    else:
        shortfall = abs(value - goal) - abs(goal) * rule.tolerance_pct / HUNDRED
    unit = _difference_unit(rule)
    if shortfall <= 0:
        if rule.comparator == "about":
            return "在目标范围内"
        return "恰好达到目标" if shortfall == 0 else f"优于目标{format_decimal(_round(-shortfall))}{unit}"
    text = f"差{format_decimal(_round(shortfall))}{unit}"
    if rule.comparator == "at_least" and rule.unit_label not in POINT_UNITS and goal > 0 and value >= 0:
        text += f"，完成目标的{format_decimal(_round(value / goal * HUNDRED))}%"
    return text


def gap_text(rule: TargetRule, evaluation: Evaluation) -> str:
    """The gap of a judged target in its own terms, for every page, email, export and API row (empty when
    there is nothing to say: no figure yet, or achieved):
    - cumulative: points behind or ahead of 序时进度 (percentages of the goal, so points), and the
      amount that is missing in the target's unit (落后序时进度12.5个百分点，差1.9户); once overdue, what is
      missing of the goal itself;
    - level: the difference in the metric's unit, "个百分点" only for differences of percentages."""
    judged = evaluation.judged
    if judged is None or evaluation.performance == Performance.ACHIEVED:
        return ""
    if rule.measure != "cumulative":
        return level_distance(rule, judged.value)
    goal = HUNDRED if rule.is_milestone else rule.goal
    if evaluation.gap_pp is None:  # overdue: judged against the goal itself
        missing = _round(goal - judged.value)
        return f"差{format_decimal(missing)}{_difference_unit(rule)}，完成目标的{format_decimal(evaluation.progress_pct)}%"
    gap = evaluation.gap_pp
    if gap == 0:
        return "与序时进度持平"
    text = f"{'落后' if gap > 0 else '超前'}序时进度{format_decimal(abs(gap))}个百分点"
    if not rule.is_milestone:
        amount = _round(abs(evaluation.expected_pct * _denominator(goal) / HUNDRED - judged.value))
        text += f"（{'差' if gap > 0 else '多'}{format_decimal(amount)}{rule.unit}）"
    return text


def missing_periods(
    rule: TargetRule,
    reported_until: dt.date | None,
    as_of: dt.date,
    is_workday: IsWorkday = is_chinese_workday,
    *,
    day_ended: bool = True,
) -> tuple[dt.date, ...]:
    """The period ends whose report is past due and missing: every period after the latest one reported
    (`reported_until`) whose due date has passed. Figures are year-to-date, so the report for the last of
    them answers them all: that is the one to ask for."""
    return tuple(
        end
        for end in period_ends(rule)
        if (reported_until is None or end > reported_until)
        and has_passed(due_date(end, rule, is_workday), as_of, day_ended=day_ended)
    )


def reporting_summary(
    *, reporting: str, performance: str, days_late: int, reported: bool, year_over: bool
) -> str:
    """The reporting status as it reads beside a target (from an evaluation or a stored status): 未到期,
    按时, 逾期未报 N 天 — and, judged after the report's year (`year_over`) on a target whose last report
    is past due and whose goal was not met (`overdue`), 全年未报 or 年度未报齐 rather than a count of days
    that only grows. `reported`: whether any figure counts."""
    if reporting != Reporting.LATE:
        return REPORTING_LABELS[Reporting(reporting)]
    if year_over and performance == Performance.OVERDUE:
        return "年度未报齐" if reported else "全年未报"
    return f"逾期未报 {days_late} 天" if days_late else "今日到期未报"


# ---------------------------------------------------------------------------------- 督办 notices (§7)

NOTICE_ANSWER_WORKING_DAYS = 5
NOTICE_DUE_SOON_WORKING_DAYS = 2


class NoticeStanding(StrEnum):
    """Where a notice stands on a date. 逾期未反馈 is not a stored state: an issued notice becomes it when its
    response deadline has passed without an answer, and stops being it when the answer comes."""

    ISSUED = "issued"
    ANSWERED = "answered"
    CLOSED = "closed"
    OVERDUE = "overdue"


NOTICE_STANDING_LABELS = {
    NoticeStanding.ISSUED: "已下发",
    NoticeStanding.ANSWERED: "已反馈",
    NoticeStanding.CLOSED: "已办结",
    NoticeStanding.OVERDUE: "逾期未反馈",
}


class NoticeStep(StrEnum):
    ISSUE = "issue"
    ANSWER = "answer"
    CLOSE = "close"
    PRESS = "press"


@dataclass(frozen=True)
class NoticeEventFact:
    """One step of a notice's history, as the rules need it: what, on which day, and the response deadline
    it set (issuing and pressing again set one)."""

    step: NoticeStep
    on: dt.date
    deadline: dt.date | None = None


# The state each step leaves a notice in: 已下发 → 已反馈 → 已办结, or back to 已下发 (继续督办).
_STATE_AFTER = {
    NoticeStep.ISSUE: NoticeStanding.ISSUED,
    NoticeStep.PRESS: NoticeStanding.ISSUED,
    NoticeStep.ANSWER: NoticeStanding.ANSWERED,
    NoticeStep.CLOSE: NoticeStanding.CLOSED,
}
# Which steps each state allows next.
NOTICE_NEXT_STEPS = {
    NoticeStanding.ISSUED: (NoticeStep.ANSWER,),
    NoticeStanding.ANSWERED: (NoticeStep.CLOSE, NoticeStep.PRESS),
    NoticeStanding.CLOSED: (),
}


def notice_deadline(
    issued_on: dt.date,
    is_workday: IsWorkday = is_chinese_workday,
    *,
    working_days: int = NOTICE_ANSWER_WORKING_DAYS,
) -> dt.date:
    """The default response deadline (反馈期限): the 5th working day after the day of issue (or of 继续督办)."""
    return nth_working_day_after(issued_on, working_days, is_workday)


def notice_standing(*, state: str, deadline: dt.date, as_of: dt.date) -> NoticeStanding:
    """A stored state seen on `as_of`: an issued notice still unanswered after the end of its deadline day
    is 逾期未反馈 (an answer on the deadline itself is in time)."""
    standing = NoticeStanding(state)
    if standing == NoticeStanding.ISSUED and as_of > deadline:
        return NoticeStanding.OVERDUE
    return standing


def notice_state_as_of(
    events: list[NoticeEventFact], as_of: dt.date
) -> tuple[NoticeStanding, dt.date] | None:
    """A notice's standing and response deadline at the end of `as_of`, from its history (None when it was
    not issued yet): what a bulletin or scoreboard of a past date shows."""
    state, deadline = None, None
    for event in sorted(events, key=lambda e: e.on):
        if event.on > as_of:
            break
        state = _STATE_AFTER[event.step]
        if event.deadline is not None:
            deadline = event.deadline
    if state is None or deadline is None:
        return None
    return notice_standing(state=state, deadline=deadline, as_of=as_of), deadline


def notice_step_allowed(state: str, step: NoticeStep) -> bool:
    return step in NOTICE_NEXT_STEPS[NoticeStanding(state)]


def notice_due_soon(
    *, state: str, deadline: dt.date, as_of: dt.date, is_workday: IsWorkday = is_chinese_workday
) -> bool:
    """An unanswered notice whose deadline is today or within the next 2 working days (the reminder's
    "due soon" list)."""
    if NoticeStanding(state) != NoticeStanding.ISSUED or deadline < as_of:
        return False
    return deadline <= nth_working_day_after(as_of, NOTICE_DUE_SOON_WORKING_DAYS, is_workday)


def notice_number_label(year: int, number: int) -> str:
    """吴督〔2020〕12号."""
    return f"吴督〔{year}〕{number}号"


def notice_deadline_errors(
    *, deadline: dt.date, issued_on: dt.date, is_workday: IsWorkday = is_chinese_workday
) -> list[str]:
    """Why a response deadline cannot be used (empty when it can): not before the day after issue, and a
    working day (a department cannot be asked to answer on a holiday)."""
    if deadline <= issued_on:
        return [f"反馈期限{deadline:%Y-%m-%d}必须晚于下发日期{issued_on:%Y-%m-%d}。"]
    if not is_workday(deadline):
        return [f"反馈期限{deadline:%Y-%m-%d}不是工作日（法定节假日或周末）。"]
    return []


@dataclass(frozen=True)
class NoticeTargetFact:
    """A target as a notice's matter (督办事项) describes it."""

    code: str
    metric: str
    status_label: str
    reasons: tuple[str, ...] = ()


def notice_matter(targets: list[NoticeTargetFact]) -> str:
    """The matter prefilled from the targets' status and reasons; the office edits it before issuing."""
    lines = [
        f"{index}. {target.code} {target.metric}：{target.status_label}。{'；'.join(target.reasons)}".rstrip()
        for index, target in enumerate(targets, start=1)
    ]
    return "\n".join(
        [*lines, "请对照上述问题认真分析原因，制定整改措施，明确完成时间，于反馈期限前书面反馈。"]
    )
