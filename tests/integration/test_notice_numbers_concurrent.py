"""Two managers issuing a 督办 notice at the same moment get different numbers (PostgreSQL): the number
comes from the report's counter row, locked until the notice commits. The test holds that row locked while
both issue, so that both are certainly waiting on it at once, then lets go."""

import subprocess
import sys
import time

import psycopg
import pytest

from tests.integration.support import PROJECT_ROOT, manage, project_environment

pytestmark = pytest.mark.integration

ISSUE = """
from django.contrib.auth import get_user_model
from progress import notices
from targets.models import Target
manager = get_user_model().objects.get(username="{username}")
target = Target.objects.get(code="{code}")
print(notices.notice_issue(targets=[target], level="supervise", matter="请整改。", by=manager).number_label)
"""

SETUP = """
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from progress.models import NoticeCounter
from targets.models import Report
for username in ("wang_duchashi", "li_duchashi"):
    get_user_model().objects.create_user(username=username).groups.add(Group.objects.get(name="督查室"))
report = Report.objects.get(year=2020)
print(NoticeCounter.objects.create(report=report, year=timezone.localdate().year).pk)
"""


def test_two_managers_issuing_at_once_get_different_numbers(postgres_database):
    environment = project_environment(DATABASE_URL=postgres_database)
    manage(environment, "migrate", "--noinput")
    manage(environment, "load_report")
    counter_id = int(manage(environment, "shell", "--no-imports", "-c", SETUP).strip())

    # Statistics views are a snapshot within a transaction: the watcher polls from a connection of its own.
    with (
        psycopg.connect(postgres_database) as holder,
        psycopg.connect(postgres_database, autocommit=True) as watcher,
    ):
        holder.execute(
            "SELECT last_number FROM progress_noticecounter WHERE id = %s FOR UPDATE", [counter_id]
        )
        issuing = [
            subprocess.Popen(
                [
                    sys.executable,
                    "manage.py",
                    "shell",
                    "--no-imports",
                    "-c",
                    ISSUE.format(username=username, code=code),
                ],
                cwd=PROJECT_ROOT,
                env=environment,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for username, code in (("wang_duchashi", "1.1.03"), ("li_duchashi", "1.2.10"))
        ]
        # Both wait on the lock: each is blocked in PostgreSQL, neither has finished.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            waiting = watcher.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            ).fetchone()[0]
            if waiting == 2 or any(process.poll() is not None for process in issuing):
                break
            time.sleep(0.2)
        assert waiting == 2 and all(process.poll() is None for process in issuing)
        holder.rollback()  # let go

    outputs = [process.communicate(timeout=120) for process in issuing]
    assert [process.returncode for process in issuing] == [0, 0], outputs
    numbers = sorted(stdout.strip() for stdout, _ in outputs)
    year = numbers[0][3:7]
    assert numbers == [f"吴督〔{year}〕1号", f"吴督〔{year}〕2号"]
    with psycopg.connect(postgres_database) as connection:
        assert connection.execute("SELECT last_number FROM progress_noticecounter").fetchone()[0] == 2
        assert connection.execute("SELECT count(DISTINCT number) FROM progress_notice").fetchone()[0] == 2
