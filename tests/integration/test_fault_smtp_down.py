"""Fault: the mail server is down when the weekly digest goes out. Each message is tried, kept pending with
the error and a backoff, retried by the outbox flush that beat sends, and delivered exactly once when the
server is back; nothing is lost and nothing arrives twice."""

import collections

import pytest

from tests.integration.stack import settle
from tests.integration.support import wait_until
from tests.smtp import LocalSmtpServer

pytestmark = pytest.mark.integration

MESSAGES = "SELECT recipient, state, attempts, last_error FROM progress_message WHERE kind = 'digest' ORDER BY recipient"


def test_while_smtp_is_down_messages_wait_and_are_delivered_once_when_it_is_back(make_stack):
    smtp_server = LocalSmtpServer()  # its port reserved, nothing listening yet: connections are refused
    stack = make_stack(EMAIL_PORT=str(smtp_server.port))
    stack.sql("UPDATE django_celery_beat_periodictask SET enabled = false")
    stack.schedule_every("发件箱巡检", seconds=5)
    stack.start("worker", "beat")

    stack.manage("send_digest")

    def all_failed_once():
        rows = stack.sql(MESSAGES)
        return rows and all(state == "pending" and attempts == 1 for _, state, attempts, _ in rows) and rows

    failed = wait_until(all_failed_once, timeout=60)
    assert all("Connection refused" in error or "拒绝" in error for *_, error in failed), failed
    settle(10)  # the outbox flush runs every 5 s, but nothing is retried before its backoff (60 s)
    assert stack.sql(MESSAGES) == failed
    assert smtp_server.messages == []
    waits = "SELECT min(next_attempt_at - now()) > interval '30 seconds' FROM progress_message WHERE kind = 'digest'"
    assert stack.scalar(waits)

    smtp_server.start()
    # The backoff has been seen to hold; the rest of its minute would only make the test wait.
    stack.sql("UPDATE progress_message SET next_attempt_at = now() WHERE kind = 'digest'")
    try:
        wait_until(lambda: len(smtp_server.messages) >= len(failed), timeout=150)
        settle(15)  # a second delivery, if there were one, would come now

        assert [(recipient, state, attempts) for recipient, state, attempts, _ in stack.sql(MESSAGES)] == [
            (recipient, "sent", 2) for recipient, *_ in failed
        ]
        delivered = collections.Counter(rcpt for message in smtp_server.messages for rcpt in message.rcpt_tos)
        assert delivered == {recipient: 1 for recipient, *_ in failed}
    finally:
        smtp_server.stop()
