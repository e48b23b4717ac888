"""The email channel against a real SMTP server on localhost (aiosmtpd): a message arrives once, in Chinese,
with a plain-text and an HTML part; a server that refuses connections means a retry after the backoff and,
once it accepts, exactly one delivery."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from progress.messaging import Draft, message_enqueue, message_send, outbox_flush
from progress.models import Message, MessageChannel, MessageKind, MessageState
from tests.smtp import LocalSmtpServer, smtp_settings

pytestmark = pytest.mark.django_db

WUZHONG = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = dt.datetime(2020, 7, 13, 8, 30, tzinfo=WUZHONG)
SUBJECT = "【周报】吴忠市目标任务进展（2020年第29周）"


def digest_draft() -> Draft:
    """The weekly digest to 王督查 of the supervision office."""
    return Draft(
        kind=MessageKind.DIGEST,
        channel=MessageChannel.EMAIL,
        recipient="wang.duchashi@example.invalid",
        subject_key="digest:2020-W29",
        subject=SUBJECT,
        body_text="王督查：本周滞后目标3项，逾期目标1项。\n详见 http://localhost:8000/admin/",
        body_html="<p>王督查：本周<strong>滞后</strong>目标3项，逾期目标1项。</p>",
    )


@pytest.fixture
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return MONDAY_MORNING


@pytest.fixture
def mail_server(settings):
    """A running SMTP server that Django's SMTP backend sends to."""
    with LocalSmtpServer() as server:
        smtp_settings(settings, server)
        yield server


@pytest.fixture
def mail_server_down(settings):
    """The mail server's port, with nothing listening yet (connections are refused); `.start()` it later."""
    server = LocalSmtpServer()
    smtp_settings(settings, server)
    yield server
    server.stop()


@pytest.fixture
def digest(monday_morning) -> Message:
    return message_enqueue(draft=digest_draft())


def test_an_enqueued_message_is_delivered_once(mail_server, digest):
    assert message_send(message_id=digest.pk) == "sent"
    assert message_send(message_id=digest.pk) == "not-claimed"
    assert outbox_flush().sent == 0

    received = mail_server.wait_for(1)
    assert len(received) == 1
    assert received[0].rcpt_tos == ("wang.duchashi@example.invalid",)
    assert Message.objects.get(pk=digest.pk).state == MessageState.SENT


def test_the_email_is_chinese_with_a_text_and_an_html_part(mail_server, digest):
    message_send(message_id=digest.pk)

    parsed = mail_server.wait_for(1)[0].parsed
    assert mail_server.messages[0].subject == SUBJECT
    assert parsed["To"] == "wang.duchashi@example.invalid"
    assert "吴忠市目标任务督查系统" in parsed["From"]
    assert parsed.get_content_type() == "multipart/alternative"
    parts = {part.get_content_type(): part for part in parsed.iter_parts()}
    assert set(parts) == {"text/plain", "text/html"}
    assert parts["text/plain"].get_content_charset() == "utf-8"
    assert parts["text/plain"].get_content().splitlines() == [
        "王督查：本周滞后目标3项，逾期目标1项。",
        "详见 http://localhost:8000/admin/",
    ]
    assert "<strong>滞后</strong>" in parts["text/html"].get_content()


def test_a_refused_connection_is_retried_and_delivered_once_the_server_accepts(
    mail_server_down, digest, time_machine
):
    assert message_send(message_id=digest.pk) == "retry"
    waiting = Message.objects.get(pk=digest.pk)
    assert waiting.state == MessageState.PENDING
    assert waiting.attempts == 1
    assert "Connection refused" in waiting.last_error
    assert waiting.next_attempt_at == MONDAY_MORNING + dt.timedelta(seconds=60)

    mail_server_down.start()
    assert outbox_flush().sent == 0  # not due yet: the backoff is respected even though the server is up
    assert mail_server_down.messages == []

    time_machine.move_to(MONDAY_MORNING + dt.timedelta(seconds=61), tick=False)
    first = outbox_flush()
    second = outbox_flush()

    assert (first.sent, second.sent) == (1, 0)
    assert [message.subject for message in mail_server_down.wait_for(1)] == [SUBJECT]
    delivered = Message.objects.get(pk=digest.pk)
    assert (delivered.state, delivered.attempts) == (MessageState.SENT, 2)
    assert mail_server_down.subjects == [SUBJECT]


def test_an_unknown_mailbox_fails_at_once(settings, digest):
    with LocalSmtpServer(
        rcpt_reply="550 5.1.1 <wang.duchashi@example.invalid>: mailbox unavailable"
    ) as server:
        smtp_settings(settings, server)

        assert message_send(message_id=digest.pk) == "failed"

    failed = Message.objects.get(pk=digest.pk)
    assert failed.state == MessageState.FAILED
    assert "550" in failed.last_error
    assert server.messages == []


def test_a_temporary_refusal_of_the_recipient_is_retried(settings, digest):
    with LocalSmtpServer(rcpt_reply="451 4.7.1 Greylisted, please try again later") as server:
        smtp_settings(settings, server)

        outcome = message_send(message_id=digest.pk)

    assert outcome == "retry"
    assert Message.objects.get(pk=digest.pk).state == MessageState.PENDING
