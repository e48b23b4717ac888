"""Reporting status (PRODUCT.md §4): a report per closed period, due on the 5th Chinese working day after
the period ends; `late` while a due report is missing. Also the periods and due dates themselves."""

import datetime as dt
from decimal import Decimal

import chinese_calendar
import pytest

from progress.rules import Reporting, Thresholds, due_date, evaluate, period_ends
from progress.working_calendar import nth_working_day_after
from tests.progress.rule_examples import (
    YEAR_END_REPORT_DUE,
    chinese_working_days_between,
    cpi_at_most_3,
    enterprises_15,
    figure,
    gdp_growth_7,
    projects_started_by_april,
)

D = Decimal
NOT_DUE, ON_TIME, LATE = Reporting.NOT_DUE, Reporting.ON_TIME, Reporting.LATE
MONTH_ENDS_2020 = tuple(
    dt.date.fromisoformat(day)
    for day in (
        "2020-01-31", "2020-02-29", "2020-03-31", "2020-04-30", "2020-05-31", "2020-06-30",
        "2020-07-31", "2020-08-31", "2020-09-30", "2020-10-31", "2020-11-30", "2020-12-31",
    )
)  # fmt: skip


MARCH, MAY, JUNE = dt.date(2020, 3, 31), dt.date(2020, 5, 31), dt.date(2020, 6, 30)


def days(*isoformats: str) -> tuple[dt.date, ...]:
    return tuple(dt.date.fromisoformat(day) for day in isoformats)


def months(through_month: int) -> list:
    """One figure for each month end of 2020 up to `through_month`, one more enterprise a month."""
    return [figure(end, month) for month, end in enumerate(MONTH_ENDS_2020[:through_month], start=1)]


# ------------------------------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        pytest.param(enterprises_15(), MONTH_ENDS_2020, id="monthly: 12 month ends, 29 February included"),
        pytest.param(
            enterprises_15(frequency="quarterly"),
            days("2020-03-31", "2020-06-30", "2020-09-30", "2020-12-31"),
            id="quarterly",
        ),
        pytest.param(enterprises_15(frequency="annual"), days("2020-12-31"), id="annual"),
        pytest.param(projects_started_by_april(), MONTH_ENDS_2020[:4], id="monthly, due 30 April: Jan–Apr"),
        pytest.param(
            projects_started_by_april(frequency="quarterly"),
            days("2020-03-31", "2020-04-30"),
            id="quarterly, due 30 April: Q1 then the deadline",
        ),
        pytest.param(
            projects_started_by_april(frequency="annual"), days("2020-04-30"), id="annual, due 30 April"
        ),
        pytest.param(
            enterprises_15(deadline=dt.date(2020, 6, 15)),
            (*MONTH_ENDS_2020[:5], dt.date(2020, 6, 15)),
            id="monthly, due mid-June: the deadline closes a short last period",
        ),
    ],
)
def test_period_ends(rule, expected):
    assert period_ends(rule) == expected


# -------------------------------------------------------------------- due dates on the working calendar


@pytest.mark.parametrize(
    ("period_end", "due"),
    [
        pytest.param("2020-05-31", "2020-06-05", id="May 2020: 1–5 June"),
        pytest.param("2020-01-31", "2020-02-07", id="January 2020: Spring Festival extended to 2 February"),
        pytest.param("2020-03-31", "2020-04-08", id="Q1 2020: Qingming, 4–6 April"),
        pytest.param("2020-04-30", "2020-05-11", id="April 2020: Labour Day 1–5 May, Saturday 9 May worked"),
        pytest.param("2020-06-30", "2020-07-07", id="June 2020: a plain week"),
        pytest.param("2020-09-30", "2020-10-14", id="September 2020: 1–8 October off, Sat 10 Oct worked"),
        pytest.param("2020-12-31", "2021-01-08", id="December 2020: New Year 1–3 January 2021"),
    ],
)
def test_report_is_due_on_the_5th_chinese_working_day_after_the_period(period_end, due):
    end, pinned = dt.date.fromisoformat(period_end), dt.date.fromisoformat(due)
    assert due_date(end, enterprises_15()) == pinned
    # Independently of the module: the pinned day is a working day, and the 5th one after the period.
    assert chinese_calendar.is_workday(pinned)
    assert chinese_working_days_between(end, pinned) == 5


def test_the_holidays_behind_the_september_due_date():
    assert not any(chinese_calendar.is_workday(dt.date(2020, 10, day)) for day in range(1, 9))
    assert chinese_calendar.is_workday(dt.date(2020, 10, 9))
    assert chinese_calendar.is_workday(dt.date(2020, 10, 10))  # a Saturday, made up for the holiday
    assert not chinese_calendar.is_workday(dt.date(2020, 10, 11))


def test_the_holidays_behind_the_january_due_date():
    assert not any(chinese_calendar.is_workday(dt.date(2020, 1, 31) + dt.timedelta(days=i)) for i in range(3))
    assert all(chinese_calendar.is_workday(dt.date(2020, 2, day)) for day in range(3, 8))


def test_due_working_days_can_be_changed():
    rule = enterprises_15(thresholds=Thresholds(due_working_days=3))
    assert due_date(dt.date(2020, 5, 31), rule) == dt.date(2020, 6, 3)
    assert due_date(dt.date(2020, 9, 30), rule) == dt.date(2020, 10, 12)


def weekdays_only(day: dt.date) -> bool:
    return day.weekday() < 5


@pytest.mark.parametrize(
    ("after", "n", "is_workday", "expected"),
    [
        pytest.param("2020-05-29", 1, weekdays_only, "2020-06-01", id="Friday, 1st weekday: Monday"),
        pytest.param("2020-05-29", 5, weekdays_only, "2020-06-05", id="Friday, 5th weekday: next Friday"),
        pytest.param("2020-09-30", 5, weekdays_only, "2020-10-07", id="weekdays only: no National Day"),
        pytest.param("2020-05-31", 5, lambda day: True, "2020-06-05", id="every day works"),
        pytest.param("2020-05-31", 3, lambda day: day != dt.date(2020, 6, 2), "2020-06-04", id="one day off"),
        pytest.param("2020-05-31", 1, lambda day: day.day % 10 == 0, "2020-06-10", id="only every tenth day"),
    ],
)
def test_nth_working_day_after_with_a_given_calendar(after, n, is_workday, expected):
    found = nth_working_day_after(dt.date.fromisoformat(after), n, is_workday)
    assert found == dt.date.fromisoformat(expected)


def test_nth_working_day_after_counts_strictly_after_a_working_day():
    assert nth_working_day_after(dt.date(2020, 6, 1), 1) == dt.date(2020, 6, 2)


@pytest.mark.parametrize("n", [0, -1])
def test_nth_working_day_after_needs_n_of_at_least_1(n):
    with pytest.raises(ValueError, match="at least 1"):
        nth_working_day_after(dt.date(2020, 5, 31), n)


def test_the_due_date_follows_the_calendar_given_to_evaluate():
    evaluation = evaluate(enterprises_15(), months(4), dt.date(2020, 6, 1), is_workday=weekdays_only)
    assert evaluation.next_due == dt.date(2020, 6, 5)
    every_day = evaluate(enterprises_15(), months(4), dt.date(2020, 6, 1), is_workday=lambda day: True)
    assert (every_day.reporting, every_day.next_due) == (ON_TIME, dt.date(2020, 6, 5))
    on_the_5th = evaluate(enterprises_15(), months(4), dt.date(2020, 6, 5), is_workday=lambda day: True)
    assert on_the_5th.reporting == LATE


# --------------------------------------------------------------------------------- reporting status


@pytest.mark.parametrize(
    ("figures", "as_of", "status", "next_due", "days_late"),
    [
        pytest.param([], "2020-01-15", NOT_DUE, "2020-02-07", 0, id="mid-January, nothing due yet"),
        pytest.param([], "2020-02-06", NOT_DUE, "2020-02-07", 0, id="the day before the first due date"),
        pytest.param([], "2020-02-07", LATE, "2020-02-07", 0, id="January missing on its due date"),
        pytest.param([], "2020-02-10", LATE, "2020-02-07", 3, id="January missing, 3 days on"),
        pytest.param(months(1), "2020-02-03", ON_TIME, "2020-03-06", 0, id="January in before it was due"),
        pytest.param(months(4), "2020-06-04", ON_TIME, "2020-06-05", 0, id="May not yet due on 4 June"),
        pytest.param(months(4), "2020-06-05", LATE, "2020-06-05", 0, id="May missing ON 5 June"),
        pytest.param(months(4), "2020-06-08", LATE, "2020-06-05", 3, id="May missing on 8 June"),
        pytest.param(months(5), "2020-06-05", ON_TIME, "2020-07-07", 0, id="May in"),
        pytest.param(months(1), "2020-06-10", LATE, "2020-03-06", 96, id="nothing since January"),
        pytest.param([figure(MAY, 5)], "2020-06-10", ON_TIME, "2020-07-07", 0, id="May answers Jan–Apr"),
        pytest.param(
            [*months(1), figure(MARCH, 3)], "2020-04-20", ON_TIME, "2020-05-11", 0, id="March answers Feb"
        ),
    ],
)
def test_reporting_status_of_a_monthly_target(figures, as_of, status, next_due, days_late):
    evaluation = evaluate(enterprises_15(), figures, dt.date.fromisoformat(as_of))
    assert evaluation.reporting == status
    assert evaluation.next_due == dt.date.fromisoformat(next_due)
    assert evaluation.days_late == days_late


def test_a_report_for_a_period_after_as_of_does_not_count():
    evaluation = evaluate(enterprises_15(), [figure("2020-06-30", 6)], dt.date(2020, 6, 5))
    assert (evaluation.reporting, evaluation.next_due) == (LATE, dt.date(2020, 2, 7))


def test_every_period_reported():
    evaluation = evaluate(enterprises_15(), months(12), dt.date(2021, 1, 20))
    assert (evaluation.reporting, evaluation.next_due, evaluation.days_late) == (ON_TIME, None, 0)
    assert evaluation.reasons[1] == "各期报告均已报送。"


@pytest.mark.parametrize(
    ("rule", "figures"),
    [
        pytest.param(enterprises_15(), [figure(JUNE, 15)], id="achieved in June"),
        pytest.param(cpi_at_most_3(), [figure(JUNE, "2.9", is_final=True)], id="final figure, goal met"),
        pytest.param(cpi_at_most_3(), [figure(JUNE, "3.4", is_final=True)], id="final figure, goal missed"),
    ],
)
def test_no_report_is_due_after_achieved_or_a_final_figure(rule, figures):
    evaluation = evaluate(rule, figures, dt.date(2020, 12, 1))
    assert (evaluation.reporting, evaluation.next_due, evaluation.days_late) == (ON_TIME, None, 0)
    assert "无需继续报送" in evaluation.reasons[1]


def test_without_achievement_the_same_target_would_be_late():
    evaluation = evaluate(enterprises_15(), [figure("2020-06-30", 14)], dt.date(2020, 12, 1))
    assert (evaluation.reporting, evaluation.next_due) == (LATE, dt.date(2020, 8, 7))


def test_achieved_before_the_first_due_date_is_on_time():
    evaluation = evaluate(enterprises_15(), [figure("2020-01-31", 15)], dt.date(2020, 2, 3))
    assert (evaluation.reporting, evaluation.next_due) == (ON_TIME, None)


@pytest.mark.parametrize(
    ("figures", "as_of", "status", "next_due"),
    [
        pytest.param([], "2020-04-07", NOT_DUE, "2020-04-08", id="Q1 not yet due"),
        pytest.param([], "2020-04-08", LATE, "2020-04-08", id="Q1 missing on 8 April"),
        pytest.param([figure(MARCH, "-6.8")], "2020-04-08", ON_TIME, "2020-07-07", id="Q1 in, Q2 next"),
    ],
)
def test_quarterly_reports(figures, as_of, status, next_due):
    evaluation = evaluate(gdp_growth_7(), figures, dt.date.fromisoformat(as_of))
    assert (evaluation.reporting, evaluation.next_due) == (status, dt.date.fromisoformat(next_due))


def test_deadline_capped_quarterly_target_reports_to_the_deadline():
    rule = projects_started_by_april(frequency="quarterly")
    evaluation = evaluate(rule, [figure("2020-03-31", 40)], dt.date(2020, 5, 12))
    assert (evaluation.reporting, evaluation.next_due, evaluation.days_late) == (
        LATE,
        dt.date(2020, 5, 11),
        1,
    )
    assert evaluation.reasons[1] == (
        "截至2020年4月30日的报告应于2020年5月11日前报送，截至2020年5月12日仍未报送（逾期1天）。"
    )


def test_due_working_days_of_3_makes_the_may_report_late_on_3_june():
    rule = enterprises_15(thresholds=Thresholds(due_working_days=3))
    assert evaluate(rule, months(4), dt.date(2020, 6, 2)).reporting == ON_TIME
    late = evaluate(rule, months(4), dt.date(2020, 6, 3))
    assert (late.reporting, late.next_due) == (LATE, dt.date(2020, 6, 3))


def test_late_reason_in_chinese():
    evaluation = evaluate(enterprises_15(), months(4), dt.date(2020, 6, 8))
    assert (
        evaluation.reasons[1]
        == "2020年5月的报告应于2020年6月5日前报送，截至2020年6月8日仍未报送（逾期3天）。"
    )


def test_on_time_and_not_due_reasons_name_the_next_report():
    on_time = evaluate(enterprises_15(), months(5), dt.date(2020, 6, 10)).reasons[1]
    not_due = evaluate(enterprises_15(), [], dt.date(2020, 1, 15)).reasons[1]
    assert on_time == "到期的报告均已报送；2020年6月的报告应于2020年7月7日前报送。"
    assert not_due == "尚无到期的报告；2020年1月的报告应于2020年2月7日前报送。"


def test_reporting_is_late_while_performance_is_overdue_for_the_same_missing_report():
    evaluation = evaluate(enterprises_15(), months(11), YEAR_END_REPORT_DUE)
    assert (evaluation.performance, evaluation.reporting) == ("overdue", LATE)
    assert evaluation.next_due == YEAR_END_REPORT_DUE
