"""Two outbox flushes racing on PostgreSQL over the same pending rows send each message exactly once (each
row is claimed by a conditional UPDATE before it is sent), to a real SMTP server in the test process."""

import collections
import re
import subprocess
import sys
import time

import psycopg
import pytest

from tests.integration.support import PROJECT_ROOT, manage, project_environment
from tests.smtp import LocalSmtpServer

pytestmark = pytest.mark.integration

ROUNDS = 3
MESSAGES_PER_ROUND = 30
SUMMARY = re.compile(
    r"FlushSummary\(sent=(?P<sent>\d+), retried=(?P<retried>\d+), failed=(?P<failed>\d+), "
    r"interrupted=(?P<interrupted>\d+)\)"
)

# The enqueue step must leave the rows pending for the racers: without a broker the on-commit hook would
# send each message inline, so it is switched off here (the flush is what sends them in production too
# when the broker is down).
ENQUEUE = """
from progress import messaging
messaging.enqueue_after_commit = lambda *args, **kwargs: None
for number in range({count}):
    created = messaging.message_enqueue(draft=messaging.Draft(
        kind="reminder", channel="email", recipient=f"dept{{number:02d}}@example.invalid",
        subject_key=f"race:{round}:{{number:02d}}", subject=f"【催报】第{round}轮 第{{number:02d}}条",
        body_text="贵单位的目标任务进度已逾期，请尽快填报。", body_html="<p>贵单位的目标任务进度已逾期。</p>",
    ))
    assert created is not None
"""

# Both racers start flushing at the same instant (after Django is set up and connected), so they overlap.
FLUSH = """
import time
from django.db import connection
from progress.messaging import outbox_flush
connection.ensure_connection()
time.sleep(max(0.0, {start} - time.time()))
print(outbox_flush())
"""


@pytest.fixture
def outbox_environment(loaded_database):
    return project_environment(DATABASE_URL=loaded_database)


@pytest.fixture
def mail_server():
    """A real SMTP server; each DATA takes 10 ms, so that a send is still going on when the rival looks."""
    with LocalSmtpServer(delay=0.01) as server:
        yield server


def race(environment: dict[str, str], mail_server: LocalSmtpServer) -> list[dict[str, int]]:
    racer_environment = environment | {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": mail_server.host,
        "EMAIL_PORT": str(mail_server.port),
        "EMAIL_TIMEOUT": "10",
    }
    start = time.time() + 4  # time enough for both interpreters to import Django
    racers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "shell", "-c", FLUSH.format(start=start)],
            cwd=PROJECT_ROOT,
            env=racer_environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]
    assert [racer.returncode for racer in racers] == [0, 0], outputs
    summaries = []
    for stdout, _ in outputs:
        match = SUMMARY.search(stdout)
        assert match, stdout
        summaries.append({field: int(value) for field, value in match.groupdict().items()})
    return summaries


def test_two_racing_flushes_send_each_message_once(outbox_environment, mail_server, loaded_database):
    overlapping_rounds = 0
    for round_number in range(1, ROUNDS + 1):
        manage(
            outbox_environment, "shell", "-c", ENQUEUE.format(count=MESSAGES_PER_ROUND, round=round_number)
        )

        summaries = race(outbox_environment, mail_server)

        assert sum(summary["sent"] for summary in summaries) == MESSAGES_PER_ROUND, summaries
        assert all(summary["retried"] == summary["failed"] == 0 for summary in summaries), summaries
        overlapping_rounds += all(summary["sent"] > 0 for summary in summaries)
        received = mail_server.wait_for(round_number * MESSAGES_PER_ROUND)
        subjects = collections.Counter(message.subject for message in received)
        expected = {f"【催报】第{round_number}轮 第{number:02d}条" for number in range(MESSAGES_PER_ROUND)}
        assert {subject: subjects[subject] for subject in expected} == dict.fromkeys(expected, 1)
        assert len(received) == round_number * MESSAGES_PER_ROUND
        assert len({message.parsed["Message-ID"] for message in received}) == len(received)
        with psycopg.connect(loaded_database) as connection:
            states = dict(connection.execute("SELECT state, count(*) FROM progress_message GROUP BY state"))
        assert states == {"sent": round_number * MESSAGES_PER_ROUND}

    # Otherwise the test proved nothing: one sender would have done all the work alone.
    assert overlapping_rounds > 0, "the two senders never ran at the same time"
