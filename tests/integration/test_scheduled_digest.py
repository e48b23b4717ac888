"""The full stack for real: Redis, a Celery worker and Celery beat as separate processes, PostgreSQL and an
SMTP receiver. The digest's schedule (a django-celery-beat row) is set to the coming minute; the digest
arrives once per manager, and its figure matches the lagging/overdue report of the same date."""

import datetime as dt
import email
import email.policy
import re
import socket
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller

from tests.integration.support import PROJECT_ROOT, manage, project_environment, wait_until

pytestmark = pytest.mark.integration

SETUP = """
from django_celery_beat.models import PeriodicTask
from targets import roles
from tests.factories import UserFactory
UserFactory(username="wang_dcs", email="wang@duban.example", role=roles.MANAGER)
UserFactory(username="zhao_dcs", email="zhao@duban.example", role=roles.MANAGER)
PeriodicTask.objects.exclude(name="督查周报摘要").update(enabled=False)
digest = PeriodicTask.objects.get(name="督查周报摘要")
digest.crontab.minute, digest.crontab.hour, digest.crontab.day_of_week = "{minute}", "{hour}", "*"
digest.crontab.save()
digest.save()
print("ready")
"""
LAGGING_COUNT = """
from django.utils import timezone
from progress.reports import lagging_report
print(len(lagging_report(user=None, as_of=timezone.localdate())))
"""


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield inbox, controller.port
    controller.stop()


@pytest.fixture
def beat_process(tmp_path):
    processes = []

    def start(environment):
        log = open(tmp_path / "beat.log", "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wuzhong_tracker", "beat", "--loglevel", "INFO",
             "--schedule", str(tmp_path / "beat-schedule")],
            cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        process.terminate()
        process.wait(timeout=20)
        log.close()


def test_the_digest_arrives_at_its_scheduled_time_once(
    postgres_database, redis_broker_url, celery_worker_process, beat_process, smtp_inbox, tmp_path
):
    inbox, smtp_port = smtp_inbox
    environment = project_environment(
        DATABASE_URL=postgres_database,
        CELERY_BROKER_URL=redis_broker_url,
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
        SITE_URL="https://duban.wuzhong.example",
        WORKER_LOG=str(tmp_path / "worker.log"),
    )
    manage(environment, "migrate", "--noinput")
    manage(environment, "load_report")
    # The coming minute in Asia/Shanghai, leaving the processes ≥ 20 s to start.
    fire_at = (dt.datetime.now(ZoneInfo("Asia/Shanghai")) + dt.timedelta(seconds=80)).replace(second=0)
    assert "ready" in manage(
        environment, "shell", "-c", SETUP.format(minute=fire_at.minute, hour=fire_at.hour)
    )
    expected_attention = int(manage(environment, "shell", "-c", LAGGING_COUNT).strip().splitlines()[-1])

    celery_worker_process(environment)
    beat = beat_process(environment)

    digests = wait_until(lambda: len(inbox.messages) >= 2 and inbox.messages, timeout=240)
    time.sleep(20)  # a second send, if there were one, would come now

    assert beat.poll() is None, (tmp_path / "beat.log").read_text()
    assert sorted(message["To"] for message in inbox.messages) == ["wang@duban.example", "zhao@duban.example"]
    received_at = dt.datetime.now(ZoneInfo("Asia/Shanghai"))
    assert fire_at <= received_at < fire_at + dt.timedelta(minutes=3)
    message = digests[0]
    assert "督查周报" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert int(re.search(r"需关注的目标共 (\d+) 个", text).group(1)) == expected_attention
    assert "https://duban.wuzhong.example/admin/reports/lagging/" in text
    assert "<h2>督查周报" in html
