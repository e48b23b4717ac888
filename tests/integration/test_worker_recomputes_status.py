"""With real Redis and a real Celery worker process: an entry committed by one process is picked up by
the worker, which recomputes and stores the target's status in PostgreSQL."""

import psycopg
import pytest

from tests.integration.support import manage, project_environment, wait_until

pytestmark = pytest.mark.integration

SUBMIT_ENTRY = """
import datetime as dt
from progress.services import progress_entry_submit
from targets import roles
from targets.models import Department, Target
from tests.factories import UserFactory
official = UserFactory(username="zhang_gxj", role=roles.OFFICIAL, department=Department.objects.get(code="industry"))
target = Target.objects.get(report__year=2020, code="1.1.03")
progress_entry_submit(target=target, period_end=dt.date(2020, 6, 30), value="2", by=official)
print("submitted")
"""


def _stored_status(database_url: str):
    with psycopg.connect(database_url) as connection:
        return connection.execute(
            "SELECT s.performance, s.latest_value FROM progress_targetstatus s "
            "JOIN targets_target t ON t.id = s.target_id WHERE t.code = '1.1.03'"
        ).fetchone()


def test_a_committed_entry_changes_the_stored_status_through_the_worker(
    postgres_database, redis_broker_url, celery_worker_process, tmp_path
):
    environment = project_environment(
        DATABASE_URL=postgres_database,
        CELERY_BROKER_URL=redis_broker_url,
        WORKER_LOG=str(tmp_path / "worker.log"),
    )
    manage(environment, "migrate", "--noinput")
    manage(environment, "load_report")
    worker = celery_worker_process(environment)

    assert "submitted" in manage(environment, "shell", "-c", SUBMIT_ENTRY)
    # The submitting process does not compute (a broker is configured): only the worker can store this.
    performance, latest_value = wait_until(lambda: _stored_status(postgres_database), timeout=60)

    assert worker.poll() is None, (tmp_path / "worker.log").read_text()
    # Judged as of today (long after 2020): the deadline has passed and 2 of 15 is not the goal.
    assert (performance, float(latest_value)) == ("overdue", 2.0)
    assert "progress.recompute_target_status" in (tmp_path / "worker.log").read_text()
