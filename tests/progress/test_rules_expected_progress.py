"""序时进度: the expected % of the goal by the end of a given day, for each curve (PRODUCT.md §3)."""

import datetime as dt
from decimal import Decimal

import pytest

from progress.rules import expected_pct
from tests.progress.rule_examples import HALF_BY_JUNE, enterprises_15, projects_started_by_april

D = Decimal


def rounded(value: Decimal) -> Decimal:
    return value.quantize(D("0.01"))


# ------------------------------------------------------------------------------------------- linear


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2020-01-01", D("0.27"), id="1 January is day 1 of 366"),
        pytest.param("2020-06-30", D("49.73"), id="30 June is day 182 of 366"),
        pytest.param("2020-07-01", D("50.00"), id="1 July is day 183 of 366"),
        pytest.param("2020-12-30", D("99.73"), id="the day before the deadline"),
        pytest.param("2020-12-31", D("100.00"), id="the deadline"),
        pytest.param("2021-01-15", D("100.00"), id="after the deadline"),
        pytest.param("2019-12-31", D("0.00"), id="before the year starts"),
    ],
)
def test_linear_counts_days_to_a_year_end_deadline(on, expected):
    assert rounded(expected_pct(enterprises_15(), dt.date.fromisoformat(on))) == expected


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2020-01-31", D("25.62"), id="31 of 121 days"),
        pytest.param("2020-03-31", D("75.21"), id="91 of 121 days"),
        pytest.param("2020-04-29", D("99.17"), id="120 of 121 days"),
        pytest.param("2020-04-30", D("100.00"), id="the 30 April deadline"),
        pytest.param("2020-06-30", D("100.00"), id="June, after an April deadline"),
    ],
)
def test_linear_reaches_100_on_an_april_deadline(on, expected):
    assert rounded(expected_pct(projects_started_by_april(), dt.date.fromisoformat(on))) == expected


def test_linear_is_exact_before_rounding():
    assert expected_pct(enterprises_15(), dt.date(2020, 6, 30)) == D(182) / D(366) * 100


# ---------------------------------------------------------------------------------------- quarterly


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2020-01-01", D(0), id="1 January"),
        pytest.param("2020-03-30", D(0), id="the day before the first quarter end"),
        pytest.param("2020-03-31", D(25), id="first quarter end"),
        pytest.param("2020-05-15", D(25), id="mid second quarter keeps the previous step"),
        pytest.param("2020-06-30", D(50), id="second quarter end"),
        pytest.param("2020-09-29", D(50), id="the day before the third quarter end"),
        pytest.param("2020-09-30", D(75), id="third quarter end"),
        pytest.param("2020-12-30", D(75), id="the day before the deadline"),
        pytest.param("2020-12-31", D(100), id="year end"),
    ],
)
def test_quarterly_steps(on, expected):
    assert expected_pct(enterprises_15(curve="quarterly"), dt.date.fromisoformat(on)) == expected


def test_quarterly_jumps_to_100_on_an_early_deadline():
    rule = projects_started_by_april(curve="quarterly")
    assert expected_pct(rule, dt.date(2020, 4, 29)) == D(25)
    assert expected_pct(rule, dt.date(2020, 4, 30)) == D(100)


# ----------------------------------------------------------------------------------------- year_end


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2020-01-31", D(0), id="January"),
        pytest.param("2020-09-30", D(0), id="third quarter end"),
        pytest.param("2020-12-30", D(0), id="the day before the deadline"),
        pytest.param("2020-12-31", D(100), id="the deadline"),
    ],
)
def test_year_end_expects_nothing_before_the_deadline(on, expected):
    assert expected_pct(enterprises_15(curve="year_end"), dt.date.fromisoformat(on)) == expected


# ------------------------------------------------------------------------------------------- custom


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        pytest.param("2020-01-01", D(0), id="1 January"),
        pytest.param("2020-01-30", D(0), id="January before the 31st"),
        pytest.param("2020-01-31", D(5), id="January end"),
        pytest.param("2020-02-28", D(5), id="28 February in a leap year keeps January"),
        pytest.param("2020-02-29", D(10), id="29 February is the month end"),
        pytest.param("2020-06-15", D(40), id="mid-June takes the May end"),
        pytest.param("2020-06-30", D(50), id="June end"),
        pytest.param("2020-11-30", D(95), id="November end"),
        pytest.param("2020-12-31", D(100), id="the deadline"),
    ],
)
def test_custom_takes_the_last_month_end(on, expected):
    rule = enterprises_15(curve="custom", custom_curve=HALF_BY_JUNE)
    assert expected_pct(rule, dt.date.fromisoformat(on)) == expected


def test_custom_curve_is_overridden_by_the_deadline():
    rule = projects_started_by_april(curve="custom", custom_curve=HALF_BY_JUNE)
    assert expected_pct(rule, dt.date(2020, 3, 31)) == D(20)
    assert expected_pct(rule, dt.date(2020, 4, 30)) == D(100)


def test_an_unknown_curve_is_an_error():
    with pytest.raises(ValueError, match="unknown curve"):
        expected_pct(enterprises_15(curve="weekly"), dt.date(2020, 6, 30))
