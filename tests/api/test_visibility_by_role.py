"""Each role sees exactly its set through the API, the same set as the admin (targets_visible_to and
entries_visible_to): officials and reviewers the targets their department leads or co-operates on and
their entries, managers and administrators everything, a user without a department nothing."""

import datetime as dt

import pytest

from progress import services
from progress.selectors import entries_visible_to
from targets.models import Target
from targets.selectors import targets_visible_to
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)
# One June entry per department: 1.1.03 新增规上企业 (industry leads, stats co-operates), 1.2.10 新增奶牛
# (agriculture leads), 0.1.07 CPI (ndrc leads, stats co-operates; nothing to do with industry or agriculture).
JUNE_ENTRIES = {"1.1.03": "7", "1.2.10": "0.5", "0.1.07": "2.8"}

DEPARTMENT_PEOPLE = [
    pytest.param("official_zhang", "industry", id="official-industry"),
    pytest.param("official_zhao", "agriculture", id="official-agriculture"),
    pytest.param("official_sun", "stats", id="official-stats"),
    pytest.param("reviewer_chen", "industry", id="reviewer-industry"),
]


@pytest.fixture
def june_entries(july_3rd_2020, administrator_li):
    for code, value in JUNE_ENTRIES.items():
        services.progress_entry_submit(
            target=Target.objects.get(code=code), period_end=JUNE_END, value=value, by=administrator_li
        )


def _rows(client, url: str) -> list[dict]:
    response = client.get(url, {"page_size": 500})
    assert response.status_code == 200, response.data
    assert response.data["next"] is None
    return response.data["results"]


def _department_target_codes(department: str) -> set[str]:
    return set(Target.objects.filter(assignments__department__code=department).values_list("code", flat=True))


@pytest.mark.parametrize(("person", "department"), DEPARTMENT_PEOPLE)
def test_department_people_see_exactly_the_targets_their_department_leads_or_co_operates_on(
    api, request, report_2020, person, department
):
    user = request.getfixturevalue(person)

    codes = [row["code"] for row in _rows(api(user), "/api/targets/")]

    assert len(codes) == len(set(codes))
    assert set(codes) == _department_target_codes(department)
    assert set(codes) == set(targets_visible_to(user).values_list("code", flat=True))


def test_industry_sees_its_25_targets_led_and_co_operated(api, report_2020, official_zhang):
    codes = {row["code"] for row in _rows(api(official_zhang), "/api/targets/")}

    assert len(codes) == 25
    assert "1.1.03" in codes
    assert "0.1.07" not in codes


@pytest.mark.parametrize("person", ["manager_wang", "administrator_li"])
def test_managers_and_administrators_see_every_target_and_entry(
    api, request, report_2020, june_entries, person
):
    client = api(request.getfixturevalue(person))

    assert len(_rows(client, "/api/targets/")) == 138
    assert {row["target_code"] for row in _rows(client, "/api/entries/")} == set(JUNE_ENTRIES)


@pytest.mark.parametrize(("person", "department"), DEPARTMENT_PEOPLE)
def test_department_people_see_exactly_the_entries_of_their_departments_targets(
    api, request, report_2020, june_entries, person, department
):
    user = request.getfixturevalue(person)

    codes = {row["target_code"] for row in _rows(api(user), "/api/entries/")}

    assert codes == set(JUNE_ENTRIES) & _department_target_codes(department)
    assert codes == set(entries_visible_to(user).values_list("target__code", flat=True))


def test_a_co_operating_department_sees_the_lead_departments_entry(
    api, report_2020, june_entries, official_sun
):
    rows = {row["target_code"]: row for row in _rows(api(official_sun), "/api/entries/")}

    assert rows["1.1.03"]["department"] == {"code": "industry", "name": "工业和信息化局"}


def test_a_user_without_a_department_sees_nothing(api, report_2020, june_entries):
    visitor = UserFactory(username="visitor_wu")
    client = api(visitor)

    assert _rows(client, "/api/targets/") == []
    assert _rows(client, "/api/entries/") == []
    assert client.get("/api/boards/lagging/").data["results"] == []
    assert client.get("/api/boards/summary/").data["total"] == 0


@pytest.mark.parametrize(("person", "department"), DEPARTMENT_PEOPLE)
def test_the_reports_as_of_a_date_cover_exactly_the_visible_targets(
    api, request, report_2020, person, department
):
    client = api(request.getfixturevalue(person))

    lagging = client.get("/api/boards/lagging/", {"as_of": "2020-07-03"}).data
    summary = client.get("/api/boards/summary/", {"as_of": "2020-07-03"}).data

    assert {row["code"] for row in lagging["results"]} <= _department_target_codes(department)
    assert summary["total"] == len(_department_target_codes(department))


def test_the_report_structure_is_the_same_for_everyone(api, report_2020, official_zhang, manager_wang):
    for url in ("/api/reports/", "/api/chapters/", "/api/tasks/", "/api/departments/"):
        assert _rows(api(official_zhang), url) == _rows(api(manager_wang), url)
