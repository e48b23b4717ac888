"""The review rules, enforced by the service whichever way in (admin page and action, API, import):
nobody approves or returns an entry they submitted or last corrected (四眼原则); a target's figures are
submitted and corrected by its lead department only, and reviewed by the lead's reviewer."""

import datetime as dt

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.urls import reverse

from progress.models import ProgressEntry, ReviewState
from progress.services import (
    progress_entry_approve,
    progress_entry_correct,
    progress_entry_return,
    progress_entry_submit,
)
from targets.models import Target

pytestmark = pytest.mark.django_db

FOUR_EYES = "四眼原则：不能审核自己提交或更正的填报，请由本单位另一位单位负责人审核。"
JUNE_END = dt.date(2020, 6, 30)


def enterprises() -> Target:
    return Target.objects.get(report__year=2020, code="1.1.03")  # led by 工业和信息化局, 统计局 co-operating


@pytest.fixture
def own_entry(july_3rd_2020, reviewer_chen) -> ProgressEntry:
    """陈局长, a reviewer, submits a figure himself."""
    return progress_entry_submit(target=enterprises(), period_end=JUNE_END, value="7", by=reviewer_chen)


@pytest.mark.parametrize("review", ["approve", "return"])
def test_the_service_refuses_a_review_of_ones_own_entry(own_entry, reviewer_chen, review):
    with pytest.raises(ValidationError) as refused:
        if review == "approve":
            progress_entry_approve(entry=own_entry, by=reviewer_chen)
        else:
            progress_entry_return(entry=own_entry, by=reviewer_chen, reason="自查")
    assert refused.value.messages == [FOUR_EYES]
    own_entry.refresh_from_db()
    assert own_entry.review_state == ReviewState.SUBMITTED


def test_correcting_an_entry_makes_it_ones_own(july_3rd_2020, official_zhang, reviewer_chen):
    entry = progress_entry_submit(target=enterprises(), period_end=JUNE_END, value="7", by=official_zhang)
    corrected = progress_entry_correct(entry=entry, value="8", by=reviewer_chen)
    with pytest.raises(ValidationError, match="四眼原则"):
        progress_entry_approve(entry=corrected, by=reviewer_chen)


def test_not_even_a_superuser_approves_his_own_entry(july_3rd_2020, administrator_li):
    entry = progress_entry_submit(target=enterprises(), period_end=JUNE_END, value="7", by=administrator_li)
    with pytest.raises(ValidationError, match="四眼原则"):
        progress_entry_approve(entry=entry, by=administrator_li)


def test_the_entry_page_says_why_instead_of_offering_the_buttons(own_entry, login):
    page = login("reviewer_chen").get(reverse("admin:progress_progressentry_change", args=[own_entry.pk]))
    content = page.content.decode()
    assert FOUR_EYES in content
    assert 'id="wz-approve"' not in content


def test_the_entry_page_refuses_a_crafted_post(own_entry, login):
    client = login("reviewer_chen")
    response = client.post(
        reverse("admin:progress_progressentry_review", args=[own_entry.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    assert [m.message for m in get_messages(response.wsgi_request)] == [FOUR_EYES]
    own_entry.refresh_from_db()
    assert own_entry.review_state == ReviewState.SUBMITTED


def test_the_changelist_action_refuses_it(own_entry, login):
    client = login("reviewer_chen")
    response = client.post(
        reverse("admin:progress_progressentry_changelist") + "?review_state__exact=all",  # 待我审核 hides it
        {"action": "approve_entries", ACTION_CHECKBOX_NAME: [own_entry.pk], "index": "0"},
    )
    assert f"1.1.03 · 2020-06-30：{FOUR_EYES}" in [m.message for m in get_messages(response.wsgi_request)]
    own_entry.refresh_from_db()
    assert own_entry.review_state == ReviewState.SUBMITTED


def test_the_api_refuses_it_with_the_same_words(own_entry, login):
    response = login("reviewer_chen").post(f"/api/entries/{own_entry.pk}/approve/")
    assert (response.status_code, response.json()) == (403, {"detail": FOUR_EYES})


def test_another_reviewer_approves_from_the_entry_page(july_3rd_2020, official_zhang, reviewer_chen, login):
    entry = progress_entry_submit(target=enterprises(), period_end=JUNE_END, value="7", by=official_zhang)
    client = login("reviewer_chen")
    page = client.get(reverse("admin:progress_progressentry_change", args=[entry.pk])).content.decode()
    assert 'id="wz-approve"' in page and 'id="wz-return"' in page

    response = client.post(
        reverse("admin:progress_progressentry_review", args=[entry.pk]), {"decision": "approve"}
    )

    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.review_state, entry.reviewed_by) == (ReviewState.APPROVED, reviewer_chen)


def test_returning_from_the_entry_page_needs_a_reason(july_3rd_2020, official_zhang, login):
    entry = progress_entry_submit(target=enterprises(), period_end=JUNE_END, value="7", by=official_zhang)
    client = login("reviewer_chen")
    url = reverse("admin:progress_progressentry_review", args=[entry.pk])

    refused = client.post(url, {"decision": "return", "reason": " "})
    assert [m.message for m in get_messages(refused.wsgi_request)] == ["退回时必须填写原因。"]
    client.post(url, {"decision": "return", "reason": "请附入库名单"})

    entry.refresh_from_db()
    assert (entry.review_state, entry.return_reason) == (ReviewState.RETURNED, "请附入库名单")


def test_a_cooperating_department_cannot_submit_through_the_api(july_3rd_2020, login):
    response = login("official_sun").post(
        "/api/entries/",
        {"target": enterprises().pk, "period_end": "2020-06-30", "value": 7},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["target"] == [
        "该目标的数值由牵头单位（工业和信息化局）填报；配合单位请在目标工作台添加“配合情况”。"
    ]
    assert not ProgressEntry.objects.exists()


def test_a_cooperating_department_cannot_submit_in_the_admin(july_3rd_2020, login):
    response = login("official_sun").post(
        reverse("admin:progress_progressentry_add"),
        {"target": enterprises().pk, "period_end": "2020-06-30", "value": "7", "provenance": "estimate"},
    )
    assert response.status_code == 200
    assert "该目标的数值由牵头单位（工业和信息化局）填报" in response.content.decode()
    assert not ProgressEntry.objects.exists()


def test_the_lead_reviewer_reviews_an_entry_a_cooperating_department_submitted_before_the_rule(
    july_3rd_2020, official_sun, reviewer_chen
):
    """An entry left from before the rule (written directly: the service no longer takes it)."""
    entry = ProgressEntry.objects.create(
        target=enterprises(), period_end=JUNE_END, value=7, department=official_sun.membership.department,
        submitted_by=official_sun, submitted_at=dt.datetime(2020, 7, 3, 2, 0, tzinfo=dt.UTC),
    )  # fmt: skip
    progress_entry_return(entry=entry, by=reviewer_chen, reason="由牵头单位填报")
    entry.refresh_from_db()
    assert entry.review_state == ReviewState.RETURNED
