"""`report_due_on`: whether one of a target's reports is due on a day — the only day on which judging the
target at the end of the day and during it can differ, so that the status writer judges it twice (for the
day's snapshot) only then."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from progress.rules import due_date, evaluate, period_ends, report_due_on
from tests.progress.rule_examples import YEAR_END_REPORT_DUE, enterprises_15, projects_started_by_april
from tests.progress.test_rules_properties import UNTIMED, as_of_days, figures, rules


@pytest.mark.parametrize(
    ("rule", "day", "due"),
    [
        # June's report: the 5th working day after Tuesday 30 June 2020 is Tuesday 7 July.
        pytest.param(enterprises_15(), dt.date(2020, 7, 7), True, id="june-report-due"),
        pytest.param(enterprises_15(), dt.date(2020, 7, 6), False, id="the-day-before"),
        pytest.param(enterprises_15(), dt.date(2020, 7, 8), False, id="the-day-after"),
        # May's: 31 May is a Sunday; 1–5 June are working days.
        pytest.param(enterprises_15(), dt.date(2020, 6, 5), True, id="may-report-due"),
        pytest.param(enterprises_15(), YEAR_END_REPORT_DUE, True, id="year-end-report-due"),
        # Quarterly: no report is due in early June.
        pytest.param(enterprises_15(frequency="quarterly"), dt.date(2020, 6, 5), False, id="quarterly-june"),
        pytest.param(enterprises_15(frequency="quarterly"), dt.date(2020, 7, 7), True, id="quarterly-q2"),
        # A deadline of 30 April closes its last period then: its report is due on 11 May (after 劳动节).
        pytest.param(projects_started_by_april(), dt.date(2020, 5, 11), True, id="deadline-report"),
        pytest.param(projects_started_by_april(), dt.date(2020, 7, 7), False, id="after-the-deadline"),
    ],
)
def test_a_report_due_on_the_day(rule, day, due):
    assert report_due_on(rule, day) is due


@UNTIMED
@given(rule=rules(), day=as_of_days)
def test_it_is_a_due_date_of_one_of_the_periods(rule, day):
    assert report_due_on(rule, day) == any(due_date(end, rule) == day for end in period_ends(rule))


@UNTIMED
@given(rule=rules(), figures=st.lists(figures, max_size=6), day=as_of_days)
def test_judging_during_the_day_and_at_its_end_differ_only_on_a_due_day(rule, figures, day):
    during, ended = (
        evaluate(rule, figures, day, day_ended=False),
        evaluate(rule, figures, day, day_ended=True),
    )
    assert during == ended or report_due_on(rule, day)
