"""Review through the API: a reviewer (单位负责人) of the submitting department approves or returns (with a
reason) a submitted entry; anyone else who can see the entry gets 403, and a decided entry is not decided
again."""

import datetime as dt

import pytest

from progress import services
from progress.models import ProgressEntry, ReviewState
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def june_entry(july_3rd_2020, official_zhang) -> ProgressEntry:
    """张工信's June figure for 1.1.03 新增规上企业, led by 工业和信息化局 with 统计局 co-operating."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=JUNE_END, value="7", by=official_zhang
    )


def test_the_departments_reviewer_approves(api, report_2020, june_entry, reviewer_chen):
    response = api(reviewer_chen).post(f"/api/entries/{june_entry.pk}/approve/")

    assert response.status_code == 200, response.data
    assert (response.data["review_state"], response.data["reviewed_by"]) == ("approved", "chen_gongxin")
    assert response.data["reviewed_at"].startswith("2020-07-03T10:00:00")
    assert ProgressEntry.objects.get().review_state == ReviewState.APPROVED


def test_the_departments_reviewer_returns_with_a_reason(api, report_2020, june_entry, reviewer_chen):
    response = api(reviewer_chen).post(
        f"/api/entries/{june_entry.pk}/return/", {"reason": "与统计局口径不一致，请核实"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert (response.data["review_state"], response.data["return_reason"]) == (
        "returned",
        "与统计局口径不一致，请核实",
    )


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"])
def test_returning_needs_a_reason(api, report_2020, june_entry, reviewer_chen, body):
    response = api(reviewer_chen).post(f"/api/entries/{june_entry.pk}/return/", body, format="json")

    assert response.status_code == 400
    assert list(response.data) == ["reason"]
    assert ProgressEntry.objects.get().review_state == ReviewState.SUBMITTED


@pytest.mark.parametrize(
    "person",
    [
        pytest.param("official_zhang", id="the-submitter-is-no-reviewer"),
        pytest.param("reviewer_qian", id="reviewer-of-the-co-operating-department"),
        pytest.param("manager_wang", id="manager"),
    ],
)
def test_nobody_else_who_sees_the_entry_may_review(api, request, report_2020, june_entry, person):
    client = api(request.getfixturevalue(person))

    approve = client.post(f"/api/entries/{june_entry.pk}/approve/")
    give_back = client.post(f"/api/entries/{june_entry.pk}/return/", {"reason": "请核实"}, format="json")

    assert approve.status_code == give_back.status_code == 403
    assert approve.data == {"detail": "只有牵头单位的单位负责人可以审核该填报。"}
    assert ProgressEntry.objects.get().review_state == ReviewState.SUBMITTED


def test_a_decided_entry_is_not_decided_again(api, report_2020, june_entry, reviewer_chen):
    client = api(reviewer_chen)
    client.post(f"/api/entries/{june_entry.pk}/approve/")

    response = client.post(f"/api/entries/{june_entry.pk}/return/", {"reason": "请核实"}, format="json")

    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["该填报当前为“已审核”，只能审核待审核的填报。"]}
    assert ProgressEntry.objects.get().review_state == ReviewState.APPROVED


def test_a_reviewer_lists_what_awaits_his_review(api, report_2020, june_entry, reviewer_chen, reviewer_qian):
    mine = api(reviewer_chen).get("/api/entries/", {"awaiting_my_review": "true"}).data
    not_mine = api(reviewer_qian).get("/api/entries/", {"awaiting_my_review": "true"}).data
    everything_qian_sees = api(reviewer_qian).get("/api/entries/").data

    assert [row["id"] for row in mine["results"]] == [june_entry.pk]
    assert not_mine["count"] == 0
    assert everything_qian_sees["count"] == 1
