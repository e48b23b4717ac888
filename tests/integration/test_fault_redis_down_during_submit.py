"""Fault: Redis is stopped while an official submits. The entry is saved with its evidence, the pages keep
working, and once Redis is back the target's status catches up (the stale-status job, sent by beat, finds
the mark the entry committed with). Nothing is lost and nothing is judged twice."""

import json

import pytest

from tests.integration.stack import PDF, agriculture_milestones, submit_entry
from tests.integration.support import wait_until

pytestmark = pytest.mark.integration

STATUS = "SELECT performance, reporting FROM progress_targetstatus WHERE target_id = %s"


def test_an_entry_submitted_while_redis_is_down_is_kept_and_judged_once_redis_is_back(
    make_stack, redis_server
):
    stack = make_stack(broker_url=redis_server.url)
    stack.schedule_every("待重算状态巡检", seconds=5)
    stack.start("web", "worker", "beat")
    ((target_id, code),) = agriculture_milestones(stack)
    official = stack.session("agri_official")
    assert stack.sql(STATUS, (target_id,))[0] == ("overdue", "late")

    redis_server.stop()
    response = submit_entry(
        official, stack, target_id=target_id, period_end="2020-12-31", value="100", evidence=PDF
    )

    assert response.status_code == 302, response.text[:3000]
    assert stack.scalar("SELECT count(*) FROM progress_progressentry WHERE target_id = %s", (target_id,)) == 1
    assert stack.scalar("SELECT count(*) FROM progress_evidencefile") == 1
    assert stack.scalar("SELECT count(*) FROM progress_stalestatus WHERE target_id = %s", (target_id,)) == 1
    my_targets = official.get(f"{stack.url}/admin/progress/mytarget/?q={code}", timeout=10)
    assert my_targets.status_code == 200 and code in my_targets.text
    entries = official.get(f"{stack.url}/admin/progress/progressentry/", timeout=10)
    assert entries.status_code == 200 and code in entries.text
    assert "状态重算任务未能入队" in stack.log("web")
    assert stack.sql(STATUS, (target_id,))[0] == ("overdue", "late")  # not judged yet: no broker

    redis_server.start()  # same port and data directory, as after a restart

    wait_until(lambda: stack.sql(STATUS, (target_id,))[0] == ("achieved", "on_time"), timeout=120)
    wait_until(lambda: stack.scalar("SELECT count(*) FROM progress_stalestatus") == 0, timeout=30)
    assert "progress.recompute_stale_statuses" in stack.log("worker")
    expected = {
        row["code"]: row
        for row in map(json.loads, stack.manage("status_report", "--format", "json").splitlines())
    }
    stored = dict(
        stack.sql(
            "SELECT t.code, s.performance FROM progress_targetstatus s JOIN targets_target t ON t.id = s.target_id"
        )
    )
    assert stored == {code: row["status"] for code, row in expected.items()}
    assert (
        stack.scalar(
            "SELECT count(*) FROM progress_statuschange WHERE target_id = %s AND axis = 'performance' AND new = 'achieved'",
            (target_id,),
        )
        == 1
    )
