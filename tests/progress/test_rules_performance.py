"""Performance status (PRODUCT.md §4): achieved, overdue, no_data, else the gap against the thresholds.

Tables first (one row per case, named), then the fields of an Evaluation and its Chinese reasons.
"""

import datetime as dt
from dataclasses import FrozenInstanceError, replace
from decimal import Decimal

import pytest

from progress.rules import Performance, Thresholds, evaluate
from tests.progress.rule_examples import (
    YEAR_END_REPORT_DUE,
    cpi_at_most_3,
    enterprises_15,
    figure,
    gdp_growth_7,
    hundred_on_custom_curve,
    level_hundred,
    milestone,
    projects_started_by_april,
    spending_growth_at_most_0,
    strict_thresholds,
    unemployment_about_5_2,
)

D = Decimal
ON_TRACK, AT_RISK, LAGGING = Performance.ON_TRACK, Performance.AT_RISK, Performance.LAGGING
ACHIEVED, OVERDUE, NO_DATA = Performance.ACHIEVED, Performance.OVERDUE, Performance.NO_DATA
JUNE = dt.date(2020, 6, 30)
EARLY_JULY = dt.date(2020, 7, 3)
DEC = dt.date(2020, 12, 31)
JAN_5 = dt.date(2021, 1, 5)  # year-end figures in, their report not due before 8 January
MARCH_2021 = dt.date(2021, 3, 1)
DUE, DAY_BEFORE_DUE = YEAR_END_REPORT_DUE, dt.date(2021, 1, 7)
APRIL = dt.date(2020, 4, 30)
MAY_10, MAY_11 = dt.date(2020, 5, 10), dt.date(2020, 5, 11)  # 1–5 May off, Saturday 9 May worked
NOV = dt.date(2020, 11, 30)
ENTERPRISES, CPI, UNEMPLOYMENT = enterprises_15(), cpi_at_most_3(), unemployment_about_5_2()
BY_APRIL = projects_started_by_april()


def performance_of(rule, value) -> Performance:
    """The status of a target whose only figure is `value` for June, as of 3 July."""
    return evaluate(rule, [figure(JUNE, value)], EARLY_JULY).performance


# ------------------------------------------------------------------------------ the worked examples


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(7, ON_TRACK, id="7 of 15 by June: 3.06 points behind 49.73"),
        pytest.param(5, AT_RISK, id="5 of 15 by June: 16.4 points behind"),
        pytest.param(2, LAGGING, id="2 of 15 by June: 36.4 points behind"),
        pytest.param(15, ACHIEVED, id="15 of 15 by June: achieved early"),
    ],
)
def test_enterprises_15_worked_example(value, expected):
    assert performance_of(enterprises_15(), value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2.8", ON_TRACK, id="2.8 under the 3 cap"),
        pytest.param("3.2", AT_RISK, id="3.2: 6.67 points over"),
        pytest.param("3.5", LAGGING, id="3.5: 16.67 points over"),
    ],
)
def test_cpi_at_most_3_worked_example(value, expected):
    assert performance_of(cpi_at_most_3(), value) == expected


# ---------------------------------------------------------------- every measure × comparator × curve

CURVES = ["linear", "quarterly", "year_end", "custom"]


def _on_curve(rule_builder, curve):
    custom = hundred_on_custom_curve().custom_curve if curve == "custom" else None
    return rule_builder(curve=curve, custom_curve=custom)


@pytest.mark.parametrize(
    ("curve", "value", "expected_pct", "expected"),
    [
        pytest.param("linear", 7, D("49.73"), ON_TRACK, id="linear: 46.67 % done against 49.73"),
        pytest.param("linear", 2, D("49.73"), LAGGING, id="linear: 13.33 % done against 49.73"),
        pytest.param("quarterly", 6, D(50), ON_TRACK, id="quarterly: 40 % done against 50, 10 points behind"),
        pytest.param("quarterly", 3, D(50), AT_RISK, id="quarterly: 20 % done against 50"),
        pytest.param("year_end", 0, D(0), ON_TRACK, id="year_end: nothing expected before the deadline"),
        pytest.param("custom", 3, D(50), AT_RISK, id="custom: 20 % done against 50"),
        pytest.param("custom", 1, D(50), LAGGING, id="custom: 6.67 % done against 50"),
    ],
)
def test_cumulative_at_least_on_every_curve(curve, value, expected_pct, expected):
    evaluation = evaluate(_on_curve(enterprises_15, curve), [figure(JUNE, value)], EARLY_JULY)
    assert evaluation.expected_pct == expected_pct
    assert evaluation.performance == expected


@pytest.mark.parametrize(
    ("curve", "percent_done", "expected"),
    [
        pytest.param("linear", 50, ON_TRACK, id="linear: 50 % done, 0.27 ahead"),
        pytest.param("linear", 30, AT_RISK, id="linear: 30 % done, 19.73 behind"),
        pytest.param("linear", 10, LAGGING, id="linear: 10 % done, 39.73 behind"),
        pytest.param("quarterly", 40, ON_TRACK, id="quarterly: 40 % done, 10 behind"),
        pytest.param("quarterly", 15, LAGGING, id="quarterly: 15 % done, 35 behind"),
        pytest.param("year_end", 0, ON_TRACK, id="year_end: not started, nothing expected yet"),
        pytest.param("custom", 25, AT_RISK, id="custom: 25 % done, 25 behind"),
        pytest.param("linear", 100, ACHIEVED, id="100 % done: achieved"),
    ],
)
def test_milestone_on_every_curve(curve, percent_done, expected):
    evaluation = evaluate(_on_curve(milestone, curve), [figure(JUNE, percent_done)], EARLY_JULY)
    assert evaluation.progress_pct == D(percent_done)
    assert evaluation.performance == expected


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize(
    ("rule_builder", "value", "expected"),
    [
        pytest.param(gdp_growth_7, "7.5", ON_TRACK, id="GDP 7.5 vs at least 7"),
        pytest.param(gdp_growth_7, "6.5", AT_RISK, id="GDP 6.5 vs at least 7"),
        pytest.param(gdp_growth_7, "6", LAGGING, id="GDP 6 vs at least 7"),
        pytest.param(cpi_at_most_3, "3.2", AT_RISK, id="CPI 3.2 vs at most 3"),
        pytest.param(unemployment_about_5_2, "5.7", AT_RISK, id="unemployment 5.7 vs about 5.2"),
    ],
)
def test_level_targets_ignore_the_curve(rule_builder, value, expected, curve):
    evaluation = evaluate(_on_curve(rule_builder, curve), [figure(JUNE, value)], EARLY_JULY)
    assert evaluation.performance == expected
    assert (evaluation.progress_pct, evaluation.expected_pct) == (None, None)


@pytest.mark.parametrize(
    ("value", "gap", "expected"),
    [
        pytest.param("7", D("0.00"), ON_TRACK, id="exactly 7"),
        pytest.param("8.4", D("-20.00"), ON_TRACK, id="8.4: 20 points better"),
        pytest.param("6.3", D("10.00"), AT_RISK, id="6.3: 10 points short"),
        pytest.param("6.2", D("11.43"), LAGGING, id="6.2: 11.43 points short"),
        pytest.param("-6.8", D("197.14"), LAGGING, id="first-quarter growth of -6.8 is a figure, judged"),
    ],
)
def test_gdp_growth_at_least_7(value, gap, expected):
    evaluation = evaluate(gdp_growth_7(), [figure("2020-03-31", value)], dt.date(2020, 4, 20))
    assert (evaluation.gap_pp, evaluation.performance) == (gap, expected)


def test_negative_growth_is_judged_not_rejected():
    evaluation = evaluate(gdp_growth_7(), [figure("2020-03-31", "-6.8")], dt.date(2020, 4, 20))
    assert evaluation.judged.value == D("-6.8")
    assert "-6.8%" in evaluation.reasons[0]


@pytest.mark.parametrize(
    ("value", "gap", "expected"),
    [
        pytest.param("5.2", D("-5.00"), ON_TRACK, id="on the goal"),
        pytest.param("4.94", D("0.00"), ON_TRACK, id="lower edge of the band"),
        pytest.param("5.46", D("0.00"), ON_TRACK, id="upper edge of the band"),
        pytest.param("5.47", D("0.19"), AT_RISK, id="just above the band"),
        pytest.param("4.93", D("0.19"), AT_RISK, id="just below the band"),
        pytest.param("5.98", D("10.00"), AT_RISK, id="0.52 above the band: 10 points"),
        pytest.param("6", D("10.38"), LAGGING, id="6: well above the band"),
        pytest.param("4.4", D("10.38"), LAGGING, id="4.4: well below the band"),
    ],
)
def test_unemployment_about_5_2_band_4_94_to_5_46(value, gap, expected):
    evaluation = evaluate(unemployment_about_5_2(), [figure(JUNE, value)], EARLY_JULY)
    assert (evaluation.gap_pp, evaluation.performance) == (gap, expected)


@pytest.mark.parametrize(
    ("value", "gap", "expected"),
    [
        pytest.param("0", D("0.00"), ON_TRACK, id="no growth"),
        pytest.param("-1.5", D("-150.00"), ON_TRACK, id="a cut of 1.5 %"),
        pytest.param("0.1", D("10.00"), AT_RISK, id="0.1 % growth: 10 points against 1 unit"),
        pytest.param("0.2", D("20.00"), LAGGING, id="0.2 % growth: 20 points against 1 unit"),
    ],
)
def test_goal_of_zero_is_measured_against_one_unit(value, gap, expected):
    evaluation = evaluate(spending_growth_at_most_0(), [figure(JUNE, value)], EARLY_JULY)
    assert (evaluation.gap_pp, evaluation.performance) == (gap, expected)


def test_goal_of_zero_met_at_the_deadline_is_achieved():
    evaluation = evaluate(spending_growth_at_most_0(), [figure("2020-12-31", "-0.5")], dt.date(2021, 1, 5))
    assert evaluation.performance == ACHIEVED


# ------------------------------------------------------------------------------ threshold boundaries


@pytest.mark.parametrize(
    ("value", "gap", "expected"),
    [
        pytest.param("40", D("10.00"), ON_TRACK, id="gap exactly 10"),
        pytest.param("39.99", D("10.01"), AT_RISK, id="gap 10.01"),
        pytest.param("20", D("30.00"), AT_RISK, id="gap exactly 30"),
        pytest.param("19.99", D("30.01"), LAGGING, id="gap 30.01"),
        pytest.param("39.996", D("10.00"), ON_TRACK, id="gap 10.004 rounds to 10.00 before it is judged"),
        pytest.param("50", D("0.00"), ON_TRACK, id="on the curve"),
        pytest.param("60", D("-10.00"), ON_TRACK, id="10 points ahead"),
    ],
)
def test_cumulative_threshold_boundaries(value, gap, expected):
    evaluation = evaluate(hundred_on_custom_curve(), [figure(JUNE, value)], EARLY_JULY)
    assert evaluation.expected_pct == D(50)
    assert (evaluation.gap_pp, evaluation.performance) == (gap, expected)


@pytest.mark.parametrize(
    ("comparator", "value", "gap", "expected"),
    [
        pytest.param("at_least", "100", D("0.00"), ON_TRACK, id="at least: gap exactly 0"),
        pytest.param("at_least", "99.99", D("0.01"), AT_RISK, id="at least: gap 0.01"),
        pytest.param("at_least", "90", D("10.00"), AT_RISK, id="at least: gap exactly 10"),
        pytest.param("at_least", "89.99", D("10.01"), LAGGING, id="at least: gap 10.01"),
        pytest.param("at_most", "100", D("0.00"), ON_TRACK, id="at most: gap exactly 0"),
        pytest.param("at_most", "100.01", D("0.01"), AT_RISK, id="at most: gap 0.01"),
        pytest.param("at_most", "110", D("10.00"), AT_RISK, id="at most: gap exactly 10"),
        pytest.param("at_most", "110.01", D("10.01"), LAGGING, id="at most: gap 10.01"),
    ],
)
def test_level_threshold_boundaries(comparator, value, gap, expected):
    evaluation = evaluate(level_hundred(comparator), [figure(JUNE, value)], EARLY_JULY)
    assert (evaluation.gap_pp, evaluation.performance) == (gap, expected)


@pytest.mark.parametrize(
    ("rule", "value", "default", "strict"),
    [
        pytest.param(hundred_on_custom_curve(), "44", ON_TRACK, AT_RISK, id="cumulative gap 6"),
        pytest.param(hundred_on_custom_curve(), "30", AT_RISK, LAGGING, id="cumulative gap 20"),
        pytest.param(hundred_on_custom_curve(), "45", ON_TRACK, ON_TRACK, id="cumulative gap 5 (edge)"),
        pytest.param(level_hundred("at_least"), "93", AT_RISK, LAGGING, id="level gap 7"),
        pytest.param(level_hundred("at_least"), "95", AT_RISK, AT_RISK, id="level gap 5 (edge)"),
    ],
)
def test_custom_thresholds_change_the_classification(rule, value, default, strict):
    assert performance_of(rule, value) == default
    assert performance_of(replace(rule, thresholds=strict_thresholds()), value) == strict


def test_thresholds_are_read_from_the_rule_not_from_the_defaults():
    lenient = Thresholds(cumulative_on_track_pp=D(40), cumulative_at_risk_pp=D(60))
    assert performance_of(enterprises_15(), 2) == LAGGING
    assert performance_of(enterprises_15(thresholds=lenient), 2) == ON_TRACK


# ------------------------------------------------------------------------------------------ achieved


def final(period_end, value):
    return figure(period_end, value, is_final=True)


@pytest.mark.parametrize(
    ("rule", "judged", "as_of", "expected"),
    [
        pytest.param(ENTERPRISES, figure(JUNE, 15), EARLY_JULY, ACHIEVED, id="cumulative: 15 by June"),
        pytest.param(ENTERPRISES, figure(JUNE, 17), EARLY_JULY, ACHIEVED, id="cumulative: goal exceeded"),
        pytest.param(ENTERPRISES, figure(JUNE, 14), EARLY_JULY, ON_TRACK, id="cumulative: one short"),
        pytest.param(milestone(), figure(JUNE, 100), EARLY_JULY, ACHIEVED, id="milestone: 100 % done"),
        pytest.param(CPI, figure(JUNE, "2.8"), EARLY_JULY, ON_TRACK, id="level met mid-year: on track"),
        pytest.param(CPI, final(JUNE, "2.8"), EARLY_JULY, ACHIEVED, id="level met by a final figure"),
        pytest.param(CPI, final(JUNE, "3.2"), EARLY_JULY, AT_RISK, id="level missed by a final figure"),
        pytest.param(CPI, figure(DEC, "2.8"), JAN_5, ACHIEVED, id="level met at the deadline"),
        pytest.param(CPI, figure(DEC, "3.2"), JAN_5, AT_RISK, id="level missed at the deadline"),
        pytest.param(gdp_growth_7(), figure(DEC, "7"), JAN_5, ACHIEVED, id="at least: exactly the goal"),
        pytest.param(UNEMPLOYMENT, figure(DEC, "5.46"), JAN_5, ACHIEVED, id="about: edge of the band"),
        pytest.param(UNEMPLOYMENT, figure(DEC, "5.5"), JAN_5, AT_RISK, id="about: outside the band"),
        pytest.param(ENTERPRISES, figure(DEC, 15), MARCH_2021, ACHIEVED, id="achieved wins over overdue"),
    ],
)
def test_achieved(rule, judged, as_of, expected):
    assert evaluate(rule, [judged], as_of).performance == expected


def test_cumulative_is_judged_on_the_latest_figure_only():
    figures = [figure("2020-05-31", 15), figure("2020-06-30", 14)]  # a June correction below the goal
    assert evaluate(ENTERPRISES, figures, EARLY_JULY).performance == ON_TRACK


def test_level_final_figure_is_judged_even_when_a_later_one_arrives():
    figures = [figure("2020-06-30", "2.8", is_final=True), figure("2020-07-31", "3.5")]
    evaluation = evaluate(CPI, figures, dt.date(2020, 8, 3))
    assert evaluation.performance == ACHIEVED
    assert evaluation.judged == figures[0]


# ------------------------------------------------------------------------------------------- overdue


@pytest.mark.parametrize(
    ("rule", "figures", "as_of", "expected"),
    [
        pytest.param(ENTERPRISES, [figure(DEC, 12)], DUE, OVERDUE, id="12 of 15 on 8 Jan 2021"),
        pytest.param(ENTERPRISES, [figure(DEC, 12)], DAY_BEFORE_DUE, AT_RISK, id="12 of 15 a day before"),
        pytest.param(ENTERPRISES, [], DUE, OVERDUE, id="no figures at all on 8 Jan 2021"),
        pytest.param(ENTERPRISES, [], DAY_BEFORE_DUE, NO_DATA, id="no figures a day before"),
        pytest.param(ENTERPRISES, [figure(NOV, 14)], DUE, OVERDUE, id="deadline report never came"),
        pytest.param(CPI, [figure(DEC, "3.2")], DUE, OVERDUE, id="level missed at the deadline"),
        pytest.param(CPI, [figure(NOV, "2.8")], DUE, OVERDUE, id="level met in Nov only"),
        pytest.param(BY_APRIL, [figure(APRIL, 60)], MAY_11, OVERDUE, id="April deadline: due 11 May"),
        pytest.param(BY_APRIL, [figure(APRIL, 60)], MAY_10, AT_RISK, id="April deadline: a day before"),
        pytest.param(BY_APRIL, [figure(APRIL, 70)], MAY_11, ACHIEVED, id="April deadline: 70 % started"),
    ],
)
def test_overdue(rule, figures, as_of, expected):
    assert evaluate(rule, figures, as_of).performance == expected


def test_overdue_follows_the_working_calendar_given():
    every_day_works = evaluate(enterprises_15(), [], dt.date(2021, 1, 5), is_workday=lambda day: True)
    assert every_day_works.performance == OVERDUE
    assert evaluate(enterprises_15(), [], dt.date(2021, 1, 5)).performance == NO_DATA


# ------------------------------------------------------------------------------------------- no_data


def test_no_figures_is_no_data():
    evaluation = evaluate(enterprises_15(), [], EARLY_JULY)
    assert evaluation.performance == NO_DATA
    assert (evaluation.judged, evaluation.progress_pct, evaluation.gap_pp) == (None, None, None)
    assert evaluation.expected_pct == D("50.55")  # still shown: 185 of 366 days by 3 July
    assert "尚无有效填报" in evaluation.reasons[0]


def test_level_without_figures_has_no_expected_progress():
    evaluation = evaluate(cpi_at_most_3(), [], EARLY_JULY)
    assert (evaluation.performance, evaluation.expected_pct) == (NO_DATA, None)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        pytest.param(dt.date(2020, 6, 29), NO_DATA, id="the day before the period ends: ignored"),
        pytest.param(dt.date(2020, 6, 30), ON_TRACK, id="on the period end: counted (end of day)"),
    ],
)
def test_figures_for_periods_ending_after_as_of_are_ignored(as_of, expected):
    assert evaluate(enterprises_15(), [figure(JUNE, 7)], as_of).performance == expected


def test_a_future_figure_does_not_replace_the_latest_counted_one():
    figures = [figure("2020-05-31", 1), figure("2020-06-30", 15)]
    evaluation = evaluate(enterprises_15(), figures, dt.date(2020, 6, 15))
    assert evaluation.judged == figures[0]
    assert evaluation.performance == LAGGING  # 6.67 % done against 41.53 by 31 May


# ---------------------------------------------------------------------------- the Evaluation fields


def test_evaluation_fields_of_the_worked_example():
    june = figure(JUNE, 7, entry_id=42)
    evaluation = evaluate(enterprises_15(), [figure("2020-05-31", 6), june], EARLY_JULY)
    assert evaluation.progress_pct == D("46.67")
    assert evaluation.expected_pct == D("49.73")
    assert evaluation.gap_pp == D("3.06")
    assert evaluation.judged == june
    assert evaluation.judged.entry_id == 42


def test_cumulative_reason_explains_the_gap_in_chinese():
    reason = evaluate(enterprises_15(), [figure(JUNE, 5)], EARLY_JULY).reasons[0]
    for phrase in ("截至2020年6月30日累计5户", "不低于15户", "33.33%", "序时进度49.73%", "落后16.4个百分点"):
        assert phrase in reason


def test_ahead_of_schedule_is_said_as_ahead():
    reason = evaluate(hundred_on_custom_curve(), [figure(JUNE, 60)], EARLY_JULY).reasons[0]
    assert "超前10个百分点" in reason


def test_level_reasons_say_the_distance_to_the_goal():
    over = evaluate(cpi_at_most_3(), [figure(JUNE, "3.2")], EARLY_JULY).reasons[0]
    under = evaluate(cpi_at_most_3(), [figure(JUNE, "2.8")], EARLY_JULY).reasons[0]
    # 3.2% against at most 3% is 0.2 points over (6.67% of the goal, which the thresholds judge).
    assert "不高于3%" in over and "差0.2个百分点" in over and "本项6.67%" in over
    assert "优于目标0.2个百分点" in under
    about = evaluate(unemployment_about_5_2(), [figure(JUNE, "5.7")], EARLY_JULY).reasons[0]
    assert "5.2%左右（±5%）" in about


def test_overdue_reason_names_the_deadline_and_its_due_date():
    evaluation = evaluate(enterprises_15(), [figure("2020-12-31", 12)], YEAR_END_REPORT_DUE)
    assert evaluation.reasons[0] == (
        "完成时限2020年12月31日所在期的报告已于2021年1月8日到期，目标（不低于15户）仍未完成。"
    )
    assert "逾期" not in evaluation.reasons[0]  # the label says 逾期未完成; the reason says when it fell due


def test_achieved_reason_and_fields():
    evaluation = evaluate(enterprises_15(), [figure(JUNE, 15)], EARLY_JULY)
    assert evaluation.reasons[0] == "2020年6月30日数据为15户，已达到目标（不低于15户）。"
    assert (evaluation.progress_pct, evaluation.gap_pp) == (D("100.00"), None)


def test_reasons_cover_both_axes():
    evaluation = evaluate(enterprises_15(), [], dt.date(2020, 6, 8))
    performance_reason, reporting_reason = evaluation.reasons
    assert "尚无有效填报" in performance_reason
    assert "逾期" in reporting_reason


def test_evaluation_is_immutable():
    evaluation = evaluate(enterprises_15(), [figure(JUNE, 7)], EARLY_JULY)
    with pytest.raises(FrozenInstanceError):
        evaluation.performance = Performance.ACHIEVED
