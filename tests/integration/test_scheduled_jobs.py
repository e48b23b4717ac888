"""On the production stack, beat triggers the scheduled jobs by their django-celery-beat crontabs: the daily
sweep and the weekly digest are both set to the coming minute; the sweep runs once and is recorded, and the
digest reaches a real SMTP receiver once per manager, its figure matching the lagging/overdue report. On a
day that is not a working day in Wuzhong (the test runs on the real clock) the digest job runs and sends
nothing, by the calendar rule (progress.notifications.digest_due)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest

from progress.working_calendar import is_chinese_workday
from tests.integration.stack import settle
from tests.integration.support import wait_until
from tests.smtp import LocalSmtpServer

pytestmark = pytest.mark.integration

WUZHONG = ZoneInfo("Asia/Shanghai")
SCHEDULE_AT = """
from django_celery_beat.models import PeriodicTask
PeriodicTask.objects.exclude(name__in=["每日目标状态巡检", "督查周报摘要"]).update(enabled=False)
for task in PeriodicTask.objects.filter(name__in=["每日目标状态巡检", "督查周报摘要"]):
    task.crontab.minute, task.crontab.hour, task.crontab.day_of_week = "{minute}", "{hour}", "*"
    task.crontab.save()
    task.save()
"""
LAGGING_COUNT = """
from django.utils import timezone
from progress.boards import lagging_board
print(len(lagging_board(user=None, as_of=timezone.localdate())))
"""
MANAGER_ADDRESSES = """
SELECT u.email FROM auth_user u JOIN auth_user_groups ug ON ug.user_id = u.id
JOIN auth_group g ON g.id = ug.group_id AND g.name = '督查室' WHERE u.is_active ORDER BY u.email
"""


@pytest.fixture
def smtp_server():
    with LocalSmtpServer() as server:
        yield server


def test_beat_runs_the_daily_sweep_and_the_digest_at_their_time_once(make_stack, smtp_server):
    stack = make_stack(EMAIL_PORT=str(smtp_server.port), SITE_URL="https://duban.wuzhong.example")
    stack.start("web", "worker", "beat")
    managers = [email for (email,) in stack.sql(MANAGER_ADDRESSES)]
    assert managers
    # The coming minute in Wuzhong, at least 20 s away so that beat has re-read its schedule by then.
    fire_at = (dt.datetime.now(WUZHONG) + dt.timedelta(seconds=80)).replace(second=0, microsecond=0)
    stack.manage("shell", "-c", SCHEDULE_AT.format(minute=fire_at.minute, hour=fire_at.hour))
    expected_attention = int(stack.manage("shell", "-c", LAGGING_COUNT).split()[-1])

    if not is_chinese_workday(fire_at.date()):
        wait_until(lambda: stack.scalar("SELECT count(*) FROM progress_sweeprun") == 2, timeout=240)
        wait_until(lambda: "Sending due task 督查周报摘要" in stack.log("beat"), timeout=120)
        settle(20)
        assert smtp_server.messages == []
        return
    wait_until(lambda: len(smtp_server.messages) >= len(managers), timeout=240)
    wait_until(lambda: stack.scalar("SELECT count(*) FROM progress_sweeprun") == 2, timeout=120)
    settle(20)  # a second run or send, if there were one, would come now

    sweeps = stack.sql("SELECT started_at, evaluated FROM progress_sweeprun ORDER BY started_at")
    assert len(sweeps) == 2  # `make init`'s, then beat's
    assert fire_at <= sweeps[1][0] < fire_at + dt.timedelta(minutes=2)
    assert sweeps[1][1] == 138
    assert re.search(r"Sending due task 每日目标状态巡检 \(progress\.sweep_statuses\)", stack.log("beat"))
    assert sorted(recipient for m in smtp_server.messages for recipient in m.rcpt_tos) == managers
    digest = smtp_server.messages[0].parsed
    assert "督查周报" in smtp_server.messages[0].subject
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert int(re.search(r"需关注的目标共 (\d+) 个", text).group(1)) == expected_attention
    assert "https://duban.wuzhong.example/admin/boards/lagging/" in text
    assert "<h2>督查周报" in digest.get_body(preferencelist=("html",)).get_content()
