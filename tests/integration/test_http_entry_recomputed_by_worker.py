"""On the production stack (gunicorn, a Celery worker and beat as separate processes, PostgreSQL, Redis): an
official signs in over HTTP and submits an entry with evidence; the worker, not the web process, stores the
target's new status, and it equals what the status engine computes from the database."""

import json

import pytest

from tests.integration.stack import PDF, agriculture_milestones, submit_entry
from tests.integration.support import wait_until

pytestmark = pytest.mark.integration


STATUS = "SELECT performance, reporting, evaluated_at FROM progress_targetstatus WHERE target_id = %s"


def test_an_entry_submitted_over_http_is_judged_by_the_worker(make_stack):
    stack = make_stack()
    stack.start("web", "worker", "beat")
    ((target_id, code),) = agriculture_milestones(stack)
    before = stack.sql(STATUS, (target_id,))[0]

    official = stack.session("agri_official")
    response = submit_entry(
        official, stack, target_id=target_id, period_end="2020-12-31", value="100", evidence=PDF
    )

    assert response.status_code == 302, response.text[:3000]
    entry_id, value = stack.sql(
        "SELECT id, value FROM progress_progressentry WHERE target_id = %s", (target_id,)
    )[0]
    assert value == 100
    assert (
        stack.scalar("SELECT original_name FROM progress_evidencefile WHERE entry_id = %s", (entry_id,))
        == "统计快报.pdf"
    )
    after = wait_until(lambda: (row := stack.sql(STATUS, (target_id,))[0]) != before and row, timeout=60)
    assert "progress.recompute_target_status[" in stack.log("worker")
    assert "succeeded" in stack.log("worker")
    expected = next(
        row for line in stack.manage("status_report", "--format", "json").splitlines()
        if (row := json.loads(line))["code"] == code
    )  # fmt: skip
    assert (after[0], after[1]) == (expected["status"], expected["reporting"]) == ("achieved", "on_time")
    assert (before[0], before[1]) == ("overdue", "late")
    assert stack.scalar("SELECT count(*) FROM progress_stalestatus") == 0
    my_targets = official.get(f"{stack.url}/admin/progress/mytarget/?q={code}", timeout=10)
    assert my_targets.status_code == 200 and "已完成" in my_targets.text
