"""Alerts roll up (issue 13, point 6): one alert message per recipient per channel per run, listing every
change of the run grouped by the status turned to, the first 20 of a group with links and then "另有 N 个"
with a link to the filtered report; a rerun sends nothing. The year-end flip: on Monday 11 January 2021,
after the 2020 report's closing date (8 January), every unfinished target turns overdue at once."""

import datetime as dt
import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from progress.models import Message, MessageKind, StatusAxis, StatusChange
from progress.statuses import status_sweep
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

WANG = "wang.ducha@wuzhong.example"
ZHANG = "zhang.gongxin@wuzhong.example"


@pytest.fixture
def year_end_flip(clock, manager_wang, official_zhang) -> int:
    """The first working day after the closing date, 00:30: the sweep turns every target overdue."""
    clock(dt.date(2021, 1, 11), 0, 30)
    status_sweep()
    clock(dt.date(2021, 1, 11), 0, 45)
    return StatusChange.objects.filter(axis=StatusAxis.PERFORMANCE, new="overdue").count()


def send_alerts() -> str:
    out = StringIO()
    call_command("send_alerts", stdout=out)
    return out.getvalue()


def received_by(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def test_a_year_end_flip_gives_each_recipient_one_message(year_end_flip):
    assert year_end_flip >= 100

    output = send_alerts()

    [to_wang] = received_by(WANG)
    assert len(received_by(ZHANG)) == 1
    assert len(mail.outbox) == 2
    assert to_wang.subject == f"【亮灯预警】{year_end_flip}个目标转为逾期未完成"
    assert "新入发件箱 2 条（其余 0 条此前已入队）；本次发送成功 2 条，待重试 0 条，失败 0 条。" in output


def test_the_first_twenty_are_listed_with_links_then_the_rest_counted(year_end_flip):
    send_alerts()

    [to_wang] = received_by(WANG)
    listed = re.findall(r"^- \d+\.\d+\.\d+ .*　(\S+)$", to_wang.body, flags=re.MULTILINE)
    assert len(listed) == 20
    assert all(link.startswith(f"{SITE_URL}/admin/boards/targets/") for link in listed)
    report = f"{SITE_URL}/admin/boards/lagging/?as_of=2021-01-11&performance=overdue"
    assert f"另有 {year_end_flip - 20} 个，见报表：{report}" in to_wang.body
    assert f'<a href="{report.replace("&", "&amp;")}">' in to_wang.alternatives[0][0]


def test_a_department_hears_only_of_its_own_targets(year_end_flip):
    send_alerts()

    [to_zhang] = received_by(ZHANG)
    lines = re.findall(r"^- (\d+\.\d+\.\d+) .*（(.+?)）：", to_zhang.body, flags=re.MULTILINE)
    assert lines and {department for _, department in lines} == {"工业和信息化局"}
    assert "另有" not in to_zhang.body


def test_a_rerun_sends_nothing(year_end_flip):
    send_alerts()
    mail.outbox.clear()

    output = send_alerts()

    assert mail.outbox == []
    assert Message.objects.filter(kind=MessageKind.ALERT).count() == 2
    assert "新入发件箱 0 条" in output
