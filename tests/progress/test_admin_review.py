"""Review in the admin: a department's reviewer approves or returns (with a reason) its entries from the
changelist; nobody else can; a returned entry shows its reason to the official and stops counting."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib import messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from progress import services, statuses
from progress.models import ProgressEntry, ReviewState
from progress.rules import Performance
from targets.models import Target

pytestmark = pytest.mark.django_db

WUZHONG = ZoneInfo("Asia/Shanghai")
JUNE_END = dt.date(2020, 6, 30)
CHANGELIST = "admin:progress_progressentry_changelist"
REASON = "6月新增规上企业应以统计局入库名单为准，请附名单后重报。"


@pytest.fixture
def june_entry(report_2020, july_3rd_2020, official_zhang) -> ProgressEntry:
    """新增规上企业: 7 of 15 by the end of June, submitted by 张工信 and awaiting review."""
    return services.progress_entry_submit(
        target=Target.objects.get(report=report_2020, code="1.1.03"),
        period_end=JUNE_END,
        value="7",
        by=official_zhang,
    )


def _act(client, action: str, entry: ProgressEntry, **extra):
    # On the whole list: a reviewer's list opens on 待我审核, which leaves out what they may not review.
    return client.post(
        reverse(CHANGELIST) + "?review_state__exact=all",
        {"action": action, ACTION_CHECKBOX_NAME: [entry.pk], **extra},
    )


def _messages(response) -> list[tuple[int, str]]:
    return [(message.level, message.message) for message in get_messages(response.wsgi_request)]


def test_reviewer_approves_an_entry_from_the_changelist(login, june_entry, reviewer_chen):
    response = _act(login("reviewer_chen"), "approve_entries", june_entry, index="0")

    assert response.status_code == 302
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.reviewed_by) == (ReviewState.APPROVED, reviewer_chen)
    assert june_entry.reviewed_at == dt.datetime(2020, 7, 3, 10, 0, tzinfo=WUZHONG)
    assert _messages(response) == [(messages.INFO, "已批准 1 条填报。")]


def test_returning_without_a_reason_asks_for_one(login, june_entry):
    response = _act(login("reviewer_chen"), "return_entries", june_entry, index="0")

    assert response.status_code == 200
    assert response.templates[0].name == "admin/progress/return_entries.html"
    page = response.content.decode()
    assert "退回原因" in page
    assert f'name="{ACTION_CHECKBOX_NAME}" value="{june_entry.pk}"' in page
    june_entry.refresh_from_db()
    assert june_entry.review_state == ReviewState.SUBMITTED


def test_returning_with_a_blank_reason_asks_again(login, june_entry):
    response = _act(login("reviewer_chen"), "return_entries", june_entry, reason="   ")

    assert response.status_code == 200
    assert "该字段是必填项。" in response.content.decode()
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.return_reason) == (ReviewState.SUBMITTED, "")


def test_returning_with_a_reason_returns_the_entry_and_stores_the_reason(login, june_entry, reviewer_chen):
    # As the reason page posts it back: no "index", the reason beside the selected entries.
    response = _act(login("reviewer_chen"), "return_entries", june_entry, reason=REASON)

    assert response.status_code == 302
    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.return_reason, june_entry.reviewed_by) == (
        ReviewState.RETURNED,
        REASON,
        reviewer_chen,
    )
    assert _messages(response) == [(messages.INFO, "已退回 1 条填报。")]


def test_reviewer_of_a_cooperating_department_cannot_approve(login, june_entry):
    response = _act(login("reviewer_qian"), "approve_entries", june_entry, index="0")

    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.reviewed_by) == (ReviewState.SUBMITTED, None)
    assert _messages(response) == [
        (messages.WARNING, "1.1.03 · 2020-06-30：只有牵头单位的单位负责人可以审核该填报。"),
        (messages.INFO, "已批准 0 条填报。1 条未处理（见上）。"),
    ]


def test_reviewer_of_an_unrelated_department_cannot_approve(login, june_entry):
    _act(login("reviewer_zhou"), "approve_entries", june_entry, index="0")

    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.reviewed_by) == (ReviewState.SUBMITTED, None)


def test_official_is_not_offered_the_review_actions(login, june_entry):
    response = login("official_zhang").get(reverse(CHANGELIST))

    assert response.status_code == 200
    assert response.context["action_form"] is None
    assert "approve_entries" not in response.content.decode()


def test_official_posting_the_approve_action_changes_nothing(login, june_entry):
    _act(login("official_zhang"), "approve_entries", june_entry, index="0")

    june_entry.refresh_from_db()
    assert (june_entry.review_state, june_entry.reviewed_by) == (ReviewState.SUBMITTED, None)


def test_reviewer_is_offered_both_review_actions(login, june_entry):
    response = login("reviewer_chen").get(reverse(CHANGELIST))

    choices = dict(response.context["action_form"].fields["action"].choices)
    assert {"approve_entries", "return_entries"} <= set(choices)


def test_official_sees_the_return_reason_on_the_entry_page(login, june_entry, reviewer_chen):
    services.progress_entry_return(entry=june_entry, by=reviewer_chen, reason=REASON)

    response = login("official_zhang").get(
        reverse("admin:progress_progressentry_change", args=[june_entry.pk])
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "本条填报已被退回" in page
    # The reason heads the page, above the figure the official is to correct.
    assert page.index("本条填报已被退回") < page.index(REASON) < page.index('name="value"')


def test_a_returned_entry_no_longer_counts_for_the_status(login, june_entry):
    assert statuses.target_status_refresh(target_id=june_entry.target_id)  # counted: no longer no_data
    assert june_entry.target.status.performance == Performance.ON_TRACK

    _act(login("reviewer_chen"), "return_entries", june_entry, reason=REASON)
    statuses.target_status_refresh(target_id=june_entry.target_id)

    june_entry.target.status.refresh_from_db()
    assert june_entry.target.status.performance == Performance.NO_DATA
