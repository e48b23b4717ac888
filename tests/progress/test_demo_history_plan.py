"""The demo year's plan (progress.demo_history.plan_year): the same for a seed, figures plausible for each
metric, and the events around each figure in a believable order. The replay itself, through the real
command, is tests/progress/test_load_demo_progress.py."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import pytest

from progress.demo_history import Staff, plan_year
from progress.models import Provenance
from progress.working_calendar import nth_working_day_after
from targets.models import Comparator, Measure, Target, TargetDepartment

from ..conftest import WUZHONG

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_department_staffed(report_2020) -> dict[int, Staff]:
    """An official (id 1) and a reviewer (id 2) for every lead department: the plan only names them."""
    leads = TargetDepartment.objects.filter(target__report=report_2020, role="lead").values_list(
        "department_id", flat=True
    )
    return {department_id: Staff(official_id=1, reviewer_id=2) for department_id in set(leads)}


@pytest.fixture
def plan_2020(report_2020, every_department_staffed):
    return plan_year(report=report_2020, seed=2020, staff=every_department_staffed)


def _by_code(plan) -> dict[str, list]:
    codes = dict(Target.objects.values_list("pk", "code"))
    figures = defaultdict(list)
    for planned in plan:
        figures[codes[planned.target_id]].append(planned)
    return figures


def test_the_same_seed_plans_the_same_year(report_2020, every_department_staffed, plan_2020):
    assert plan_year(report=report_2020, seed=2020, staff=every_department_staffed) == plan_2020
    other = plan_year(report=report_2020, seed=7, staff=every_department_staffed)
    assert [p.value for p in other] != [p.value for p in plan_2020]


def test_gdp_growth_was_negative_in_the_first_quarter_and_recovered(plan_2020):
    gdp = {p.period_end: p.value for p in _by_code(plan_2020)["0.1.01"]}
    assert sorted(gdp) == [
        dt.date(2020, 3, 31),
        dt.date(2020, 6, 30),
        dt.date(2020, 9, 30),
        dt.date(2020, 12, 31),
    ]
    assert gdp[dt.date(2020, 3, 31)] < 0 < gdp[dt.date(2020, 12, 31)] < Decimal(7)
    assert all(p.provenance == Provenance.OFFICIAL for p in _by_code(plan_2020)["0.1.01"])


def test_consumer_prices_stay_near_3_percent(plan_2020):
    cpi = [p.value for p in _by_code(plan_2020)["0.1.07"]]
    assert len(cpi) == 12
    assert all(Decimal("2.2") <= value <= Decimal("3.9") for value in cpi)


def test_grain_is_reported_once_after_the_harvest_year(plan_2020):
    (grain,) = _by_code(plan_2020)["1.2.01"]
    assert grain.period_end == dt.date(2020, 12, 31)
    assert grain.submitted_at.astimezone(WUZHONG).date() >= dt.date(2021, 1, 4)
    assert Decimal(80) < grain.value < Decimal(110)  # 万吨, around the goal of 90


def test_year_to_date_figures_never_fall_and_milestones_stay_within_100(report_2020, plan_2020):
    targets = {t.code: t for t in Target.objects.filter(report=report_2020)}
    for code, planned in _by_code(plan_2020).items():
        target = targets[code]
        if target.measure != Measure.CUMULATIVE:
            continue
        values = [p.value for p in sorted(planned, key=lambda p: p.period_end)]
        assert values == sorted(values), code
        if target.comparator == Comparator.DONE:
            assert all(Decimal(0) <= value <= Decimal(100) for value in values), code


def test_each_figure_is_submitted_after_its_period_and_reviewed_after_that(plan_2020):
    for planned in plan_2020:
        submitted = planned.submitted_at.astimezone(WUZHONG).date()
        assert submitted > planned.period_end
        assert planned.approved_at > planned.submitted_at
        if planned.returned_at is not None:
            assert planned.submitted_at < planned.returned_at < planned.corrected_at < planned.approved_at
            assert planned.wrong_value != planned.value and planned.return_reason


def test_a_lived_year_has_returns_evidence_and_both_provenances(plan_2020):
    returned = [p for p in plan_2020 if p.returned_at is not None]
    with_evidence = [p for p in plan_2020 if p.evidence is not None]
    assert 10 <= len(returned) <= len(plan_2020) // 10
    assert len(plan_2020) // 5 <= len(with_evidence) <= len(plan_2020) // 2
    assert {p.provenance for p in plan_2020} == {Provenance.ESTIMATE, Provenance.OFFICIAL}
    name, content = with_evidence[0].evidence
    assert content.startswith(b"%PDF-" if name.endswith(".pdf") else b"\x89PNG\r\n\x1a\n")


def test_the_agriculture_bureau_reports_on_the_4th_or_5th_working_day(report_2020, plan_2020):
    """So that on the demo date of 3 July its June figures are still to come (the README's walk-through)."""
    agriculture = set(
        TargetDepartment.objects.filter(department__code="agriculture", role="lead").values_list(
            "target_id", flat=True
        )
    )
    lags = {
        next(
            n
            for n in range(1, 30)
            if nth_working_day_after(p.period_end, n) == p.submitted_at.astimezone(WUZHONG).date()
        )
        for p in plan_2020
        if p.target_id in agriculture
    }
    assert lags <= {4, 5}
