"""Gaps in the target's own terms (issue 18, point 5): the difference in the metric's unit — points only
for differences of percentages — and, where it helps, the share of the goal reached; on the rules'
reasons, the pages, the exports and the API alike."""

import datetime as dt
from decimal import Decimal

import pytest

from progress.rules import evaluate, gap_text
from progress.services import progress_entry_submit
from targets.models import Target
from tests.progress.rule_examples import cpi_at_most_3, enterprises_15, figure, gdp_growth_7

D = Decimal
JULY = dt.date(2020, 7, 10)
JUNE = dt.date(2020, 6, 30)


def test_gdp_growth_below_its_goal_is_a_difference_of_points_not_a_percentage():
    """地区生产总值增长7%, −1.2% in the first half: 8.2 points short (117.14% of the goal, which judges it)."""
    evaluation = evaluate(gdp_growth_7(), [figure(JUNE, "-1.2")], JULY)

    assert gap_text(gdp_growth_7(), evaluation) == "差8.2个百分点"
    assert "差8.2个百分点" in evaluation.reasons[0]
    assert "差距117.14个百分点" not in evaluation.reasons[0]
    assert evaluation.gap_pp == D("117.14")


def test_an_amount_is_short_in_its_unit_with_the_share_of_the_goal():
    """粮食产量稳定在90万吨以上, 88.8万吨: 差1.2万吨, 98.67% of the goal."""
    grain = gdp_growth_7(goal=D(90), unit="万吨", curve="year_end", frequency="annual")
    evaluation = evaluate(grain, [figure(dt.date(2020, 12, 31), "88.8")], dt.date(2020, 12, 31))

    assert gap_text(grain, evaluation) == "差1.2万吨，完成目标的98.67%"


def test_a_ceiling_rate_is_over_by_points():
    rule = cpi_at_most_3()
    assert gap_text(rule, evaluate(rule, [figure(JUNE, "3.5")], JULY)) == "差0.5个百分点"
    assert gap_text(rule, evaluate(rule, [figure(JUNE, "2.6")], JULY)) == "优于目标0.4个百分点"


def test_a_cumulative_target_is_behind_its_schedule_in_points_and_in_its_unit():
    """5 of 15 enterprises on 30 June, when 49.73% (7.46) were expected."""
    rule = enterprises_15()
    evaluation = evaluate(rule, [figure(JUNE, 5)], JULY)

    assert gap_text(rule, evaluation) == "落后序时进度16.4个百分点（差2.46户）"


def test_nothing_is_said_without_a_figure_or_once_achieved():
    rule = enterprises_15()
    assert gap_text(rule, evaluate(rule, [], JULY)) == ""
    assert gap_text(rule, evaluate(rule, [figure(JUNE, 15)], JULY)) == ""


@pytest.mark.django_db
def test_the_lagging_report_says_the_gap_in_the_targets_terms(clock, manager_client, official_zhang):
    clock("2020-07-03")
    progress_entry_submit(
        target=Target.objects.get(report__year=2020, code="1.1.04"),
        period_end=JUNE,
        value="2.4",
        by=official_zhang,
    )

    page = manager_client.get("/admin/boards/lagging/?as_of=2020-07-03").content.decode()

    assert "<th>差距</th>" in page
    assert "差7.1个百分点" in page  # 1.1.04: 2.4% against at least 9.5%
    assert "74.74" not in page
