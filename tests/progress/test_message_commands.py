"""The scheduled jobs as management commands (issue 5 §4): `send_digest [--as-of DATE] [--dry-run]`,
`send_reminders [--as-of DATE] [--dry-run]`, `send_alerts [--dry-run]`. A dry run prints who would get
what ("[邮件] address：subject") and writes nothing; a real run queues and sends, and says how many.
"""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command

from progress.models import Message, StatusChange
from progress.services import progress_entry_submit
from progress.statuses import target_status_refresh
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

# The addresses of manager_wang, official_zhang and official_liu (tests/conftest.py).
WANG = "wang.ducha@wuzhong.example"
ZHANG = "zhang.gongxin@wuzhong.example"
LIU = "liu.fagai@wuzhong.example"


@pytest.fixture
def people(report_2020, manager_wang, official_zhang, official_liu):
    """王督查 (manager), 张工信 of 工业和信息化局, 刘发改 of 发展和改革委员会."""


@pytest.fixture
def enterprises_lagging(clock, people, official_zhang) -> Target:
    """1.1.03 新增规上企业 reported at 2 of 15 for June on 3 July 2020 (lagging), status recomputed."""
    enterprises = Target.objects.get(report__year=2020, code="1.1.03")
    progress_entry_submit(target=enterprises, period_end=dt.date(2020, 6, 30), value="2", by=official_zhang)
    target_status_refresh(target_id=enterprises.pk)
    return enterprises


def run(command: str, *options: str) -> str:
    out = StringIO()
    call_command(command, *options, stdout=out)
    return out.getvalue()


# ---------------------------------------------------------------------------------------------- dry runs


def test_send_digest_dry_run_prints_who_would_get_what_and_writes_nothing(clock, people):
    output = run("send_digest", "--as-of", "2020-07-06", "--dry-run")

    assert f"  [邮件] {WANG}：【督查周报】截至7月6日24时：" in output
    assert ZHANG not in output
    assert "试运行：将发送 1 条，未写入发件箱。" in output
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_send_reminders_dry_run_prints_who_would_get_what_and_writes_nothing(clock, people):
    output = run("send_reminders", "--as-of", "2020-07-08", "--dry-run")

    assert f"  [邮件] {ZHANG}：【催报提醒】工业和信息化局：" in output
    assert f"  [邮件] {LIU}：【催报提醒】发展和改革委员会：" in output
    assert WANG not in output
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_send_alerts_dry_run_prints_who_would_get_what_and_marks_nothing(enterprises_lagging):
    output = run("send_alerts", "--dry-run")

    assert f"  [邮件] {WANG}：【亮灯预警】1.1.03 新增规上企业：滞后" in output
    assert f"  [邮件] {ZHANG}：【亮灯预警】1.1.03 新增规上企业：滞后" in output
    assert LIU not in output
    assert not Message.objects.exists()
    assert mail.outbox == []
    assert StatusChange.objects.filter(target=enterprises_lagging, processed_at__isnull=False).count() == 0


def test_send_alerts_after_a_dry_run_still_sends_the_alerts(enterprises_lagging):
    run("send_alerts", "--dry-run")

    output = run("send_alerts")

    assert sorted(message.to[0] for message in mail.outbox) == sorted([WANG, ZHANG])
    assert "新入发件箱 2 条（其余 0 条此前已入队）；本次发送成功 2 条，待重试 0 条，失败 0 条。" in output
    assert not StatusChange.objects.filter(target=enterprises_lagging, processed_at__isnull=True).exists()


# ------------------------------------------------------------------------------------------- real runs


def test_send_digest_reports_what_it_queued_and_sent(clock, people):
    output = run("send_digest", "--as-of", "2020-07-06")

    assert "新入发件箱 1 条（其余 0 条此前已入队）；本次发送成功 1 条，待重试 0 条，失败 0 条。" in output
    assert [message.to for message in mail.outbox] == [[WANG]]


def test_without_as_of_the_digest_describes_yesterday_in_wuzhong(clock, people):
    clock(dt.date(2020, 7, 7), 7, 30)  # still Monday 6 July in UTC: yesterday in Wuzhong is Monday

    run("send_digest")

    assert [message.subject.split("：")[0] for message in mail.outbox] == ["【督查周报】截至7月6日24时"]


# ---------------------------------------------------------------------------------------------- --as-of


@pytest.mark.parametrize("command", ["send_digest", "send_reminders"])
@pytest.mark.parametrize("text", ["2020-13-01", "7月6日", "2020/07/06"])
def test_an_invalid_as_of_is_refused_in_chinese(clock, people, command, text):
    with pytest.raises(CommandError) as refused:
        run(command, "--as-of", text)

    assert str(refused.value) == f"--as-of “{text}” 不是日期（格式：YYYY-MM-DD）。"
    assert not Message.objects.exists()


# --------------------------------------------------------------------------------------- non-working day


def test_send_reminders_on_a_holiday_says_so_and_sends_nothing(clock, people):
    output = run("send_reminders", "--as-of", "2020-10-01")

    assert output.strip() == "2020-10-01 不是工作日，不发送催报提醒。"
    assert not Message.objects.exists()
    assert mail.outbox == []


def test_send_reminders_on_a_weekend_by_default_says_so_and_sends_nothing(clock, people):
    clock(dt.date(2020, 7, 5), 9)  # a Sunday

    output = run("send_reminders")

    assert output.strip() == "2020-07-05 不是工作日，不发送催报提醒。"
    assert not Message.objects.exists()
