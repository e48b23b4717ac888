"""Judged at the present moment (issue 18, point 1): a report due on D and still missing is not late at
00:30 or 09:00 of D, and is late from the start of D+1 — for the stored statuses (the sweep), the alerts,
the reminders and the digest; a page "as of D" for a day that is over still means the end of D.

工业和信息化局's 1.1.03 新增规上企业 is reported up to April; May's report is due on Friday 5 June 2020.
发展和改革委员会's 1.5.02 (339个新建项目4月份开工70%以上) is due on 30 April; its last report is due on
the 5th working day after it, and it is never reported: overdue from the start of the next day.
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from progress import tasks
from progress.boards import target_rows
from progress.judging import target_rule
from progress.models import Message, MessageKind, TargetStatus
from progress.notifications import digest_drafts
from progress.rules import due_date
from progress.services import progress_entry_submit
from progress.statuses import status_sweep
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

ZHANG = "zhang.gongxin@wuzhong.example"
WANG = "wang.ducha@wuzhong.example"
MAY_DUE = dt.date(2020, 6, 5)


def target(code: str) -> Target:
    return Target.objects.get(report__year=2020, code=code)


@pytest.fixture
def april_reported(clock, official_zhang, manager_wang):
    clock(dt.date(2020, 5, 8))
    progress_entry_submit(
        target=target("1.1.03"), period_end=dt.date(2020, 4, 30), value="5", by=official_zhang
    )
    return clock


def sweep_at(clock, day: dt.date) -> TargetStatus:
    clock(day, 0, 30)
    status_sweep()
    return TargetStatus.objects.get(target=target("1.1.03"))


def test_the_sweep_after_midnight_of_the_due_day_does_not_call_it_late(april_reported):
    assert sweep_at(april_reported, MAY_DUE).reporting == "on_time"
    assert sweep_at(april_reported, MAY_DUE + dt.timedelta(days=1)).reporting == "late"


def test_the_pages_of_today_judge_the_present_and_a_past_day_its_end(april_reported, manager_client):
    april_reported(MAY_DUE, 9, 0)
    today = {row.target.code: row for row in target_rows(user=None, as_of=MAY_DUE)}
    assert today["1.1.03"].evaluation.reporting == "on_time"

    april_reported(MAY_DUE + dt.timedelta(days=3), 9, 0)
    that_day = {row.target.code: row for row in target_rows(user=None, as_of=MAY_DUE)}
    assert that_day["1.1.03"].evaluation.reporting == "late"  # at the end of 5 June it was missing


def test_reminders_at_nine_on_the_due_day_do_not_call_it_late(april_reported):
    april_reported(MAY_DUE, 9, 0)
    call_command("send_reminders", stdout=StringIO())
    assert not [m for m in mail.outbox if m.to == [ZHANG] and "1.1.03" in m.body and "逾期" in m.body]

    mail.outbox.clear()

    april_reported(dt.date(2020, 6, 10), 9, 0)  # the first late reminder after the cooldown of 5 June's
    call_command("send_reminders", stdout=StringIO())
    [late] = [m for m in mail.outbox if m.to == [ZHANG]]
    assert "- 1.1.03 新增规上企业：2020年5月的报告应于6月5日前报送，已逾期5天" in late.body


def test_an_overdue_alert_waits_for_the_end_of_the_last_due_day(clock, manager_wang):
    overdue_from = due_date(dt.date(2020, 4, 30), target_rule(target("1.5.02")))
    clock(overdue_from, 0, 30)
    status_sweep()
    clock(overdue_from, 0, 45)
    call_command("send_alerts", stdout=StringIO())
    assert not [m for m in mail.outbox if "1.5.02" in m.body]
    assert TargetStatus.objects.get(target=target("1.5.02")).performance != "overdue"

    next_day = overdue_from + dt.timedelta(days=1)
    clock(next_day, 0, 30)
    status_sweep()
    clock(next_day, 0, 45)
    call_command("send_alerts", stdout=StringIO())
    assert [m for m in mail.outbox if m.to == [WANG] and "1.5.02" in m.body]


def industry_late_in_digest(body: str) -> int:
    return int(re.search(r"^- 工业和信息化局：(\d+)项$", body.split("四、")[1], flags=re.MULTILINE).group(1))


def test_the_digest_on_a_due_monday_does_not_count_it_late(clock, official_zhang, manager_wang):
    """August's report is due on Monday 7 September 2020. The digest of that morning describes the end of
    Sunday 6 September: 1.1.03, reported up to July, is not late in it; described at the end of Monday
    (as the digest of a Tuesday would be), it is."""
    clock(dt.date(2020, 8, 5))
    progress_entry_submit(
        target=target("1.1.03"), period_end=dt.date(2020, 7, 31), value="5", by=official_zhang
    )
    monday = dt.date(2020, 9, 7)
    assert due_date(dt.date(2020, 8, 31), target_rule(target("1.1.03"))) == monday
    clock(monday, 0, 30)
    status_sweep()
    clock(monday, 8, 30)

    assert tasks.send_digest() == 1
    [sunday_digest] = Message.objects.filter(kind=MessageKind.DIGEST)
    assert sunday_digest.subject.startswith("【督查周报】截至9月6日24时：")

    clock(monday + dt.timedelta(days=1), 8, 30)
    [monday_digest] = digest_drafts(as_of=monday)
    assert (
        industry_late_in_digest(monday_digest.body_text)
        == industry_late_in_digest(sunday_digest.body_text) + 1
    )
