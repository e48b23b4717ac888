"""A 督办 notice through the production stack: the manager issues it over HTTP (the API, signed in through
the login form), the Celery worker delivers it through a real SMTP receiver (aiosmtpd) to each of the
department's people exactly once; the department's reviewer answers over HTTP and the manager's copy
arrives exactly once. Nothing arrives twice, whatever the outbox flush does meanwhile."""

import collections

import pytest

from tests.integration.stack import settle
from tests.integration.support import wait_until
from tests.smtp import LocalSmtpServer

pytestmark = pytest.mark.integration


def _post(session, stack, path: str, body: dict):
    return session.post(
        f"{stack.url}{path}", json=body, headers={"X-CSRFToken": session.cookies["csrftoken"]}, timeout=30
    )


def test_the_notice_and_its_answer_arrive_once_each(make_stack):
    with LocalSmtpServer() as smtp_server:
        stack = make_stack(EMAIL_PORT=str(smtp_server.port))
        stack.init()
        stack.sql("UPDATE django_celery_beat_periodictask SET enabled = false")
        stack.start("web", "worker")
        target_id = stack.scalar(
            "SELECT id FROM targets_target WHERE code = '0.1.01'"
        )  # GDP: 发展和改革委员会

        manager = stack.session("manager")
        issued = _post(manager, stack, "/api/notices/", {"targets": [target_id], "level": "supervise"})
        assert issued.status_code == 201, issued.text
        notice = issued.json()
        wait_until(lambda: len(smtp_server.messages) >= 2, timeout=60)
        settle(5)
        delivered = collections.Counter(rcpt for message in smtp_server.messages for rcpt in message.rcpt_tos)
        assert delivered == {"ndrc_official@example.invalid": 1, "ndrc_reviewer@example.invalid": 1}
        assert {message.subject for message in smtp_server.messages} == {
            f"【督办】{notice['number_label']}：请于{int(notice['deadline'][5:7])}月{int(notice['deadline'][8:])}日前反馈"
        }

        reviewer = stack.session("ndrc_reviewer")
        answer = {"measures": "加强经济运行调度，逐月分析", "expected_completion": "2099-12-31"}
        answered = _post(reviewer, stack, f"/api/notices/{notice['id']}/answer/", answer)
        assert answered.status_code == 200, answered.text
        wait_until(lambda: len(smtp_server.messages) >= 3, timeout=60)
        stack.manage(
            "shell", "--no-imports", "-c", "from progress.messaging import outbox_flush; outbox_flush()"
        )
        settle(5)
        assert len(smtp_server.messages) == 3
        assert smtp_server.messages[2].rcpt_tos == ("manager@example.invalid",)
        states = stack.sql(
            "SELECT state, count(*) FROM progress_message WHERE kind = 'notice' GROUP BY state"
        )
        assert states == [("sent", 3)]
