"""Fault: the worker is killed with SIGKILL in the middle of the daily sweep (a target's row is held locked so
that the sweep stands still inside its fourth batch). After a restart the sweep's message is delivered again
(acknowledged late; visibility timeout), every stored status equals a fresh evaluation, each status change is
stored once, and the alerts that follow reach the SMTP receiver once each."""

import collections
import json
import signal
import time

import psycopg
import pytest

from tests.integration.stack import settle
from tests.integration.support import wait_until
from tests.smtp import LocalSmtpServer

pytestmark = pytest.mark.integration

BATCH = 20
VISIBILITY_TIMEOUT = 10  # seconds: the stack's default (an hour, longer than any task) made short
LOCKED_INDEX = 3 * BATCH + 9  # inside the fourth batch: three batches (60 targets) are committed before it
BEFORE_THE_FIRST_SWEEP = """
DELETE FROM progress_statuschange; DELETE FROM progress_statussnapshot; DELETE FROM progress_targetstatus;
DELETE FROM progress_sweeprun;
UPDATE django_celery_beat_periodictask SET enabled = false WHERE name <> '发件箱巡检';
"""
WAITING_ON_A_LOCK = """
SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'
"""


@pytest.fixture
def smtp_server():
    with LocalSmtpServer() as server:
        yield server


def test_a_sweep_killed_midway_is_finished_after_restart_and_nothing_is_sent_twice(make_stack, smtp_server):
    stack = make_stack(
        EMAIL_PORT=str(smtp_server.port),
        STATUS_SWEEP_BATCH_SIZE=str(BATCH),
        CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT),
    )
    stack.sql(BEFORE_THE_FIRST_SWEEP)  # as a fresh deployment before its first sweep: nothing judged yet
    stack.start("worker", "beat")

    with psycopg.connect(stack.database_url) as lock:
        # By id: FOR UPDATE under an OFFSET would lock every row the OFFSET skips as well.
        locked_id = stack.scalar(f"SELECT id FROM targets_target ORDER BY id OFFSET {LOCKED_INDEX} LIMIT 1")
        lock.execute("SELECT id FROM targets_target WHERE id = %s FOR UPDATE", (locked_id,))
        stack.manage("shell", "-c", "from progress.tasks import sweep_statuses; sweep_statuses.delay()")
        wait_until(lambda: stack.scalar(WAITING_ON_A_LOCK) >= 1, timeout=60)
        assert stack.scalar("SELECT count(*) FROM progress_targetstatus") == 3 * BATCH  # midway

        stack.kill("worker", signal.SIGKILL)
        killed_at = time.monotonic()
        lock.rollback()

    settle(3)
    # The fourth batch was waiting in its COMMIT (foreign keys are checked at commit): PostgreSQL either
    # finishes that commit for the dead client or rolls it back, but never keeps part of a batch.
    assert stack.scalar("SELECT count(*) FROM progress_targetstatus") in {3 * BATCH, 4 * BATCH}
    assert stack.scalar("SELECT count(*) FROM progress_sweeprun") == 0

    # kombu gives back a message unacknowledged for longer than the visibility timeout when a worker starts
    # (and then only about every 100 s, its restore interval × throttle): start it once the timeout is over.
    time.sleep(max(0.0, killed_at + VISIBILITY_TIMEOUT + 1 - time.monotonic()))
    stack.start("worker")
    wait_until(lambda: stack.scalar("SELECT count(*) FROM progress_sweeprun") == 1, timeout=300)

    expected = [json.loads(line) for line in stack.manage("status_report", "--format", "json").splitlines()]
    stored = dict(
        stack.sql(
            "SELECT t.code, (s.performance, s.reporting) FROM progress_targetstatus s "
            "JOIN targets_target t ON t.id = s.target_id"
        )
    )
    assert stored == {row["code"]: (row["status"], row["reporting"]) for row in expected}
    changes = stack.sql("SELECT target_id, axis FROM progress_statuschange")
    assert len(changes) == 2 * len(expected)  # from "not judged" to the first judgement, on both axes
    assert not [key for key, count in collections.Counter(changes).items() if count > 1]

    stack.schedule_every("亮灯预警巡检", seconds=5)
    unprocessed = "SELECT count(*) FROM progress_statuschange WHERE processed_at IS NULL"
    wait_until(lambda: stack.scalar(unprocessed) == 0, timeout=90)
    alerts = stack.scalar("SELECT count(*) FROM progress_message WHERE kind = 'alert'")
    assert alerts > 0
    wait_until(lambda: len(smtp_server.messages) >= alerts, timeout=120)
    settle(15)  # a duplicate, if there were one, would arrive now

    assert stack.scalar("SELECT count(*) FROM progress_message WHERE kind = 'alert'") == alerts
    assert stack.scalar("SELECT count(*) FROM progress_message WHERE state <> 'sent'") == 0
    received = collections.Counter((m.rcpt_tos, m.subject) for m in smtp_server.messages)
    assert len(smtp_server.messages) == alerts
    assert max(received.values()) == 1
