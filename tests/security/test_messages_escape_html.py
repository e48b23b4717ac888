"""Digests, reminders, alerts and 督办 notices carry HTML typed into names and metrics as text: escaped in the email's HTML
part, as typed in its plain-text part, and made inert in a group robot's markdown (no tag, no link)."""

import datetime as dt
import email
import re

import pytest
from django.core import mail

from progress import notice_messages, notices, notifications
from progress.channels import CHANNELS
from progress.models import NoticeEvent
from tests.security.conftest import ESCAPED, LINK, RAW, SCRIPT

pytestmark = pytest.mark.django_db

MONDAY_JULY_6 = dt.date(2020, 7, 6)  # the digest after the target turned lagging on 3 July
MONDAY_AUGUST_10 = dt.date(2020, 8, 10)  # the July report, due 7 August, is late
MONDAY_JULY_13 = dt.date(2020, 7, 13)  # a notice issued on 3 July is 逾期未反馈


@pytest.fixture
def drafts(hostile, manager_wang, settings):
    settings.SITE_URL = "https://duban.wuzhong.example"
    digest = [
        d for d in notifications.digest_drafts(as_of=MONDAY_JULY_6) if d.recipient == manager_wang.email
    ]
    reminders = [
        d
        for d in notifications.reminder_drafts(as_of=MONDAY_AUGUST_10)
        if d.department_id == hostile.department.pk
    ]
    alerts = notifications.alert_drafts([hostile.change])
    notice = notices.notice_issue(
        targets=[hostile.target], level="supervise", matter=f"事项{SCRIPT}", by=manager_wang
    )
    notice_drafts = notice_messages.notice_drafts(notice=notice, event=NoticeEvent.objects.get(notice=notice))
    notice_reminders = notice_messages.notice_reminder_drafts(as_of=MONDAY_JULY_13)
    assert digest and reminders and alerts and notice_drafts and notice_reminders
    return {
        "digest": digest[0],
        "reminder": reminders[0],
        "alert": alerts[0],
        "notice": notice_drafts[0],
        "notice_reminder": notice_reminders[0],
    }


@pytest.mark.parametrize("kind", ["digest", "reminder", "alert", "notice", "notice_reminder"])
def test_the_html_part_shows_typed_in_html_as_text(drafts, kind):
    html = drafts[kind].body_html

    assert [tag for tag in RAW if tag in html] == []
    assert any(text in html for text in ESCAPED)


@pytest.mark.parametrize("kind", ["digest", "reminder", "alert", "notice", "notice_reminder"])
def test_the_plain_text_part_shows_it_as_typed(drafts, kind):
    assert SCRIPT in drafts[kind].body_text


def test_the_sent_email_keeps_its_html_part_escaped(drafts, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    alert = drafts["alert"]

    CHANNELS["email"].send(
        recipient=alert.recipient, subject=alert.subject, body_text=alert.body_text, body_html=alert.body_html
    )

    sent = email.message_from_bytes(mail.outbox[0].message().as_bytes())
    parts = {
        part.get_content_type(): part.get_payload(decode=True).decode()
        for part in sent.walk()
        if not part.is_multipart()
    }
    assert [tag for tag in RAW if tag in parts["text/html"]] == []
    assert SCRIPT in parts["text/plain"]


def test_a_robot_gets_markdown_without_tags_or_links(drafts, robot):
    alert = drafts["alert"]
    assert SCRIPT in alert.subject + alert.body_text and LINK in alert.subject + alert.body_text

    CHANNELS["webhook"].send(
        recipient=robot.url, subject=alert.subject, body_text=alert.body_text, body_html=""
    )

    text = robot.payloads()[0]["markdown"]["text"]
    assert "<" not in text and ">" not in text
    # The only link is the office's own, made by the channel after the typed text was made inert.
    assert re.findall(r"\]\(", text) == ["]("]
    assert re.search(
        r"\[查看详情\]\(https://duban\.wuzhong\.example/admin/boards/targets/\d+/\?as_of=[\d-]+\)", text
    )
    assert "＜script＞alert(1)＜/script＞" in text  # still readable
