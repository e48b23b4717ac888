"""Reminders that are true (issue 18, point 3): the subject counts what the body lists, a late target is
asked once for its latest past-due period (figures are year-to-date: that report answers the earlier ones)
with how many periods are missing, and nothing is asked once a target's year is over.

The bundled report; 工业和信息化局 (张) has reported nothing in 2020, so every monthly report it leads
is late since February. May's is due on Friday 5 June 2020, December's on Friday 8 January 2021 (the
report's closing date).
"""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from progress.services import progress_entry_submit
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

ZHANG = "zhang.gongxin@wuzhong.example"


def reminders_at_nine(clock, day: dt.date) -> list:
    clock(day, 9)
    mail.outbox.clear()
    call_command("send_reminders", stdout=StringIO())
    return [message for message in mail.outbox if message.to == [ZHANG]]


def late_lines(body: str) -> list[str]:
    return re.findall(r"^- \d+\.\d+\.\d+ .*$", body, flags=re.MULTILINE)


def test_a_late_target_is_asked_once_for_its_latest_period_with_the_number_missing(clock, official_zhang):
    [message] = reminders_at_nine(clock, dt.date(2020, 6, 8))

    assert "- 1.1.03 新增规上企业：2020年5月的报告应于6月5日前报送，已逾期3天；自2020年1月起共缺报5期，" \
        "报送2020年5月的累计数据即可一并补齐　" in message.body  # fmt: skip
    assert "2020年1月的报告" not in message.body
    assert len([line for line in late_lines(message.body) if line.startswith("- 1.1.03 ")]) == 1


def test_the_subject_counts_what_the_body_lists(clock, official_zhang):
    [message] = reminders_at_nine(clock, dt.date(2020, 6, 8))

    [count] = re.findall(r"：(\d+)项逾期未报$", message.subject)
    assert int(count) == len(late_lines(message.body)) > 0


def test_during_the_cooldown_the_subject_does_not_say_none_is_late(clock, official_zhang):
    """1.1.01 is reported up to May; the others are late. Reminded of them on Wednesday 1 July, the
    department is not reminded again before the cooldown ends; on Friday 3 July June's report of 1.1.01 is
    due in two working days (Tuesday 7 July): the subject names only what the body lists."""
    clock(dt.date(2020, 6, 2))
    progress_entry_submit(
        target=Target.objects.get(report__year=2020, code="1.1.01"),
        period_end=dt.date(2020, 5, 31),
        value="0",
        by=official_zhang,
    )
    reminders_at_nine(clock, dt.date(2020, 7, 1))

    [message] = reminders_at_nine(clock, dt.date(2020, 7, 3))

    assert message.subject == "【催报提醒】工业和信息化局：1项将于7月7日到期"
    assert "逾期" not in message.body
    assert "- 1.1.01 " in message.body


def test_no_reminder_for_a_target_whose_final_report_is_in(clock, official_zhang):
    clock(dt.date(2020, 6, 1))
    progress_entry_submit(
        target=Target.objects.get(report__year=2020, code="1.1.03"),
        period_end=dt.date(2020, 5, 31),
        value="3",
        is_final=True,
        by=official_zhang,
    )

    [message] = reminders_at_nine(clock, dt.date(2020, 6, 8))

    assert "1.1.03" not in message.body
    assert "1.1.02" in message.body


def test_none_once_the_year_is_closed(clock, official_zhang):
    """Monday 4 January 2021: December's reports are due on Friday 8 January, still asked for. From the
    next working day after the closing date the year's reporting is over: no more reminders."""
    [message] = reminders_at_nine(clock, dt.date(2021, 1, 4))
    assert "2020年11月的报告" in message.body

    for day in (dt.date(2021, 1, 11), dt.date(2021, 2, 1), dt.date(2021, 6, 1)):
        assert reminders_at_nine(clock, day) == [], day
