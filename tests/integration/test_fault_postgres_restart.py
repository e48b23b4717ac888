"""Fault: PostgreSQL restarts under a running stack. gunicorn's workers and the Celery worker hold persistent
connections that the restart breaks; each notices on its next request or task (CONN_HEALTH_CHECKS) and
reconnects, so pages keep working and entries keep being judged without restarting any process."""

import psycopg
import pytest

from tests.integration.stack import agriculture_milestones, submit_entry
from tests.integration.support import wait_until

pytestmark = pytest.mark.integration

STATUS = "SELECT performance FROM progress_targetstatus WHERE target_id = %s"


def test_the_stack_survives_a_postgres_restart_without_restarting_itself(make_stack, postgres_cluster):
    with psycopg.connect(postgres_cluster.url, autocommit=True) as admin:
        admin.execute("CREATE DATABASE wuzhong")
    stack = make_stack(database_url=postgres_cluster.url.rsplit("/", 1)[0] + "/wuzhong")
    stack.init()
    stack.start("web", "worker")
    (first, first_code), (second, _) = agriculture_milestones(stack, 2)
    official = stack.session("agri_official")
    assert (
        submit_entry(official, stack, target_id=first, period_end="2020-12-31", value="100").status_code
        == 302
    )
    wait_until(lambda: stack.scalar(STATUS, (first,)) == "achieved", timeout=60)
    web_pids = set(_gunicorn_workers(stack))

    postgres_cluster.restart()

    pages = [official.get(f"{stack.url}/admin/progress/mytarget/", timeout=15) for _ in range(8)]
    assert [page.status_code for page in pages] == [200] * 8
    assert all(first_code in page.text for page in pages)
    response = submit_entry(official, stack, target_id=second, period_end="2020-12-31", value="100")
    assert response.status_code == 302, response.text[:3000]
    wait_until(lambda: stack.scalar(STATUS, (second,)) == "achieved", timeout=60)
    assert stack.scalar("SELECT count(*) FROM progress_progressentry") == 2
    assert set(_gunicorn_workers(stack)) == web_pids  # recovered in place, not by restarting workers
    assert stack.processes["worker"].poll() is None


def _gunicorn_workers(stack) -> list[str]:
    return [
        line.split("pid: ")[1].rstrip(")")
        for line in stack.log("web").splitlines()
        if "Booting worker with pid" in line
    ]
