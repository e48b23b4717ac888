"""How the reporting status reads beside a target (progress.rules.reporting_summary), and the reason given
once a year's reporting is over."""

import datetime as dt

import pytest

from progress.rules import evaluate, reporting_summary
from tests.progress.rule_examples import enterprises_15, figure


@pytest.mark.parametrize(
    ("reporting", "performance", "days_late", "reported", "year_over", "text"),
    [
        ("not_due", "no_data", 0, False, False, "未到期"),
        ("on_time", "on_track", 0, True, False, "按时"),
        ("late", "lagging", 3, True, False, "逾期未报 3 天"),
        ("late", "no_data", 0, False, False, "今日到期未报"),
        ("late", "overdue", 2, True, False, "逾期未报 2 天"),  # the deadline's report just passed, same year
        ("late", "overdue", 2152, False, True, "全年未报"),
        ("late", "overdue", 2152, True, True, "年度未报齐"),
        ("on_time", "overdue", 0, True, True, "按时"),
    ],
)
def test_reporting_summary(reporting, performance, days_late, reported, year_over, text):
    summary = reporting_summary(
        reporting=reporting,
        performance=performance,
        days_late=days_late,
        reported=reported,
        year_over=year_over,
    )
    assert summary == text


def test_the_reason_once_the_year_is_over_names_what_never_came():
    nothing = evaluate(enterprises_15(), [], dt.date(2026, 11, 30))
    assert nothing.reasons[1] == "2020年度各期报告已于2021年1月8日全部到期，全年未报送任何数据。"
    some = evaluate(enterprises_15(), [figure("2020-09-30", 8)], dt.date(2021, 3, 1))
    assert some.reasons[1] == "2020年度各期报告已于2021年1月8日全部到期，2020年9月30日之后的报告始终未报送。"


def test_until_the_last_report_falls_due_the_reason_still_counts_the_days():
    # The October report was due on 6 November 2020; the December one falls due on 8 January 2021.
    late = evaluate(enterprises_15(), [figure("2020-09-30", 8)], dt.date(2021, 1, 7))
    assert (
        late.reasons[1] == "2020年10月的报告应于2020年11月6日前报送，截至2021年1月7日仍未报送（逾期62天）。"
    )
