"""A returned entry reaches its submitter: an email with the reason and a link to correct it, and the lead
department's robot, both through the outbox, once per returned revision; a 被退回 badge on 我的目标 until
the entry is corrected."""

import datetime as dt

import pytest
from django.core import mail
from django.urls import reverse

from progress.models import DepartmentWebhook, Message, MessageKind, WebhookKind
from progress.services import progress_entry_correct, progress_entry_return, progress_entry_submit
from targets.models import Department, Target
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

ROBOT = "https://oapi.dingtalk.example/robot/send?access_token=industry"
REASON = "6月新增规上企业应以统计局入库名单为准，请附名单后重报。"


@pytest.fixture
def returned(july_3rd_2020, official_zhang, reviewer_chen, django_capture_on_commit_callbacks):
    DepartmentWebhook.objects.create(
        department=Department.objects.get(code="industry"), kind=WebhookKind.DINGTALK, url=ROBOT
    )
    entry = progress_entry_submit(
        target=Target.objects.get(report__year=2020, code="1.1.03"),
        period_end=dt.date(2020, 6, 30),
        value="7",
        by=official_zhang,
    )
    with django_capture_on_commit_callbacks(execute=True):
        return progress_entry_return(entry=entry, by=reviewer_chen, reason=REASON)


def test_the_submitter_and_the_lead_departments_robot_are_told(returned):
    notices = Message.objects.filter(kind=MessageKind.RETURNED).order_by("channel")
    assert list(notices.values_list("channel", "recipient", "subject_key")) == [
        ("email", "zhang.gongxin@wuzhong.example", f"returned:{returned.pk}:1"),
        ("webhook", ROBOT, f"returned:{returned.pk}:1"),
    ]
    assert notices[0].subject == f"【退回通知】1.1.03 新增规上企业（2020年6月）：{REASON}"


def test_the_email_says_why_and_links_to_the_entry(returned):
    (email,) = [message for message in mail.outbox if message.to == ["zhang.gongxin@wuzhong.example"]]
    body = email.body
    assert "您填报的2020年6月数值 7 户已被陈局长退回（2020年7月3日 10:00）。" in body
    assert f"退回原因：{REASON}" in body
    assert f"{SITE_URL}{reverse('admin:progress_progressentry_change', args=[returned.pk])}" in body
    assert "退回原因：</strong>" in email.alternatives[0][0]


def test_a_second_return_of_the_corrected_entry_is_a_new_notice(returned, official_zhang, reviewer_chen):
    corrected = progress_entry_correct(entry=returned, value="8", by=official_zhang)
    progress_entry_return(entry=corrected, by=reviewer_chen, reason="仍缺名单")

    keys = set(Message.objects.filter(kind=MessageKind.RETURNED).values_list("subject_key", flat=True))
    assert keys == {f"returned:{returned.pk}:1", f"returned:{returned.pk}:2"}


def test_my_targets_shows_the_returned_badge_until_the_entry_is_corrected(returned, login, official_zhang):
    client = login("official_zhang")
    mine = reverse("admin:progress_mytarget_changelist")
    badge = f'class="wz-returned" href="{reverse("admin:progress_progressentry_change", args=[returned.pk])}"'

    page = client.get(mine).content.decode()
    assert badge in page
    assert "被退回 <strong>1</strong>" in page  # the work queue
    assert [t.code for t in client.get(mine, {"todo": "returned"}).context["cl"].result_list] == ["1.1.03"]

    progress_entry_correct(entry=returned, value="8", by=official_zhang)
    page = client.get(mine).content.decode()
    assert badge not in page and "被退回 <strong>0</strong>" in page
