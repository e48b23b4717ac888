"""Reminders to the departments (PRODUCT.md §5, issue 5): two working days before a report is due, and
after it is late at most once per cooldown (3 working days) for each recipient; none on holidays, while
make-up workdays count; each reminder lists exactly the department's own targets that need a report.

The data set: 工业和信息化局 has reported every target it leads up to April (Q1 for its quarterly one) on
8 May 2020, and May for 1.1.01 on 2 June. May's report is due on the 5th working day of June, Friday
5 June 2020. Every other department has reported nothing, so its reports are late since February.
"""

import datetime as dt
import json
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO

import chinese_calendar
import pytest
from django.core import mail
from django.core.management import call_command

from progress.models import DepartmentWebhook, Message, MessageKind, NotificationSettings, WebhookKind
from progress.notifications import reminder_drafts
from progress.services import progress_entry_submit
from targets import roles
from targets.models import Department, DepartmentRole, Frequency, Target
from tests.conftest import department_user
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

# The addresses of official_zhang, reviewer_chen and official_liu (tests/conftest.py).
ZHANG = "zhang.gongxin@wuzhong.example"
CHEN = "chen.gongxin@wuzhong.example"
LIU = "liu.fagai@wuzhong.example"
# The monthly targets 工业和信息化局 leads, less 1.1.01 whose May report is in already.
INDUSTRY_MAY_OUTSTANDING = [
    "1.1.02", "1.1.03", "1.1.05", "1.1.06", "1.1.07", "1.1.08", "1.1.09", "1.1.10", "1.1.11", "1.1.12",
    "1.1.13", "1.1.14", "1.1.15", "1.4.01", "2.1.02", "2.1.03", "2.3.03",
]  # fmt: skip


def industry() -> Department:
    return Department.objects.get(code="industry")


def industry_targets():
    return Target.objects.filter(
        report__year=2020, assignments__role=DepartmentRole.LEAD, assignments__department=industry()
    ).order_by("code")


def report_everything_up_to(clock, by, *, submitted: dt.date, month_end: dt.date, quarter_end: dt.date):
    """Zero (nothing achieved, so reports stay due) for every target the department leads."""
    clock(submitted, 10)
    for target in industry_targets():
        period_end = quarter_end if target.frequency == Frequency.QUARTERLY else month_end
        progress_entry_submit(target=target, period_end=period_end, value="0", by=by)


@pytest.fixture
def may_report_due(clock, official_zhang, reviewer_chen, official_liu):
    """April in for every industry target (8 May), May in for 1.1.01 only (2 June)."""
    report_everything_up_to(
        clock,
        official_zhang,
        submitted=dt.date(2020, 5, 8),
        month_end=dt.date(2020, 4, 30),
        quarter_end=dt.date(2020, 3, 31),
    )
    clock(dt.date(2020, 6, 2), 10)
    progress_entry_submit(
        target=Target.objects.get(report__year=2020, code="1.1.01"),
        period_end=dt.date(2020, 5, 31),
        value="0",
        by=official_zhang,
    )
    return clock


def send_reminders(clock, day: dt.date, *options: str) -> str:
    """The 09:00 run of a working day (or of any day, to see that it does nothing)."""
    clock(day, 9)
    out = StringIO()
    call_command("send_reminders", *options, stdout=out)
    return out.getvalue()


def received_by(address: str) -> list:
    return [message for message in mail.outbox if message.to == [address]]


def listed_codes(body: str) -> list[str]:
    return re.findall(r"^- (\d+\.\d+\.\d+) ", body, flags=re.MULTILINE)


class RobotHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, json.loads(body)))
        answer = b'{"errcode": 0, "errmsg": "ok"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def robot_server(monkeypatch):
    """A local stand-in for the DingTalk / WeCom robot API: records each JSON post, answers errcode 0."""
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    server = ThreadingHTTPServer(("127.0.0.1", 0), RobotHandler)
    server.received = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join()


def robot_url(server, token: str) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/robot/send?access_token={token}"


# -------------------------------------------------------------------------------------------- due soon


def test_two_working_days_before_the_due_date_each_person_of_the_department_is_reminded(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 3))

    assert len(received_by(ZHANG)) == len(received_by(CHEN)) == 1
    [message] = received_by(ZHANG)
    assert message.subject == "【催报提醒】工业和信息化局：17项将于6月5日到期"
    assert message.body.startswith("工业和信息化局：\n\n截至2020年6月3日，贵单位牵头的以下目标需要报送进度：")
    assert "一、6月5日到期" in message.body
    assert "- 1.1.03 新增规上企业：2020年5月的报告　" in message.body
    assert "逾期" not in message.body


def test_the_reminder_lists_exactly_the_departments_targets_still_due(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 3))

    [message] = received_by(ZHANG)
    assert listed_codes(message.body) == INDUSTRY_MAY_OUTSTANDING
    assert "1.1.01" not in message.body  # May reported already
    assert "1.1.04" not in message.body  # quarterly: Q2 is due in July
    [ndrc] = received_by(LIU)
    assert not set(listed_codes(ndrc.body)) & set(INDUSTRY_MAY_OUTSTANDING)
    assert "1.5.02" in listed_codes(ndrc.body)


def test_the_reminder_has_an_html_part_with_absolute_links(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 3))

    [message] = received_by(ZHANG)
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    links = re.findall(r'href="([^"]+)"', html)
    assert len(links) == len(INDUSTRY_MAY_OUTSTANDING)
    assert all(link.startswith(f"{SITE_URL}/admin/boards/targets/") for link in links)
    assert all(link.endswith("?as_of=2020-06-03") for link in links)


def test_the_departments_active_robot_gets_the_same_reminder(may_report_due, robot_server):
    DepartmentWebhook.objects.create(
        department=industry(), kind=WebhookKind.DINGTALK, url=robot_url(robot_server, "industry")
    )
    DepartmentWebhook.objects.create(
        department=industry(), kind=WebhookKind.WECOM, url=robot_url(robot_server, "old"), is_active=False
    )

    send_reminders(may_report_due, dt.date(2020, 6, 3))

    posts = [payload for path, payload in robot_server.received if path.endswith("=industry")]
    assert [path for path, _ in robot_server.received if path.endswith("=old")] == []
    [payload] = posts
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == "【催报提醒】工业和信息化局：17项将于6月5日到期"
    assert listed_codes(payload["markdown"]["text"]) == INDUSTRY_MAY_OUTSTANDING


def test_another_departments_robot_gets_only_its_own_targets(may_report_due, robot_server):
    DepartmentWebhook.objects.create(
        department=Department.objects.get(code="ndrc"),
        kind=WebhookKind.WECOM,
        url=robot_url(robot_server, "ndrc"),
    )

    send_reminders(may_report_due, dt.date(2020, 6, 3))

    [(path, payload)] = robot_server.received
    assert path.endswith("=ndrc")
    assert payload["markdown"]["title"].startswith("【催报提醒】发展和改革委员会：")
    codes = listed_codes(payload["markdown"]["text"])
    assert codes and not set(codes) & {target.code for target in industry_targets()}


def test_a_day_later_nothing_is_due_soon(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 4))

    assert received_by(ZHANG) == []
    assert received_by(LIU)  # the late departments are still reminded


def test_the_due_soon_reminder_counts_working_days_across_the_national_day_holiday(clock, official_zhang):
    """September's report is due on the 5th working day after 30 September: 9, 10 (a make-up Saturday),
    12, 13, 14 October. Two working days before is Monday 12 October, not a day of the holiday."""
    report_everything_up_to(
        clock,
        official_zhang,
        submitted=dt.date(2020, 9, 4),
        month_end=dt.date(2020, 8, 31),
        quarter_end=dt.date(2020, 6, 30),
    )
    for day in (dt.date(2020, 9, 30), dt.date(2020, 10, 9), dt.date(2020, 10, 10)):
        send_reminders(clock, day)
        assert received_by(ZHANG) == [], day

    send_reminders(clock, dt.date(2020, 10, 12))

    [message] = received_by(ZHANG)
    assert "10月14日到期" in message.body
    assert "- 1.1.03 新增规上企业：2020年9月的报告　" in message.body
    assert "- 1.1.04 规模以上工业增加值增速：2020年第3季度的报告　" in message.body


# ------------------------------------------------------------------------------------------------- late


def test_after_the_due_date_the_department_gets_a_late_reminder(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 8))

    [message] = received_by(ZHANG)
    assert message.subject == "【催报提醒】工业和信息化局：17项逾期未报"
    assert "一、已逾期未报（请尽快报送）" in message.body
    assert "- 1.1.03 新增规上企业：2020年5月的报告应于6月5日前报送，已逾期3天　" in message.body
    assert listed_codes(message.body) == INDUSTRY_MAY_OUTSTANDING


def test_on_the_due_date_itself_the_report_is_not_called_late(may_report_due):
    """Friday 5 June, 09:00: May's report is due today, not late; nor is anything due in two working days."""
    send_reminders(may_report_due, dt.date(2020, 6, 5))

    assert [message.subject for message in received_by(ZHANG)] == []
    assert not Message.objects.filter(recipient=ZHANG, subject_key__startswith="reminder:late:").exists()


def test_late_reminders_wait_for_the_cooldown_of_three_working_days(may_report_due):
    for day in (8, 9, 10, 11):
        send_reminders(may_report_due, dt.date(2020, 6, day))

    assert list(
        Message.objects.filter(recipient=ZHANG).order_by("created_at").values_list("subject_key", flat=True)
    ) == [f"reminder:late:{industry().pk}:2020-06-08", f"reminder:late:{industry().pk}:2020-06-11"]
    assert [message.subject for message in received_by(ZHANG)] == [
        "【催报提醒】工业和信息化局：17项逾期未报"
    ] * 2


def test_the_cooldown_counts_working_days_not_calendar_days(may_report_due):
    """Late since 5 June; reminded on Thursday 11 June, the next is due three working days later:
    Monday 15 June, Tuesday 16 June — not on Sunday 14 June."""
    send_reminders(may_report_due, dt.date(2020, 6, 11))
    for day in (12, 13, 14, 15):
        send_reminders(may_report_due, dt.date(2020, 6, day))

    send_reminders(may_report_due, dt.date(2020, 6, 16))

    days = [
        key.rsplit(":", 1)[1]
        for key in Message.objects.filter(recipient=ZHANG).values_list("subject_key", flat=True)
    ]
    assert sorted(days) == ["2020-06-11", "2020-06-16"]


def test_the_cooldown_is_per_recipient(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 8))
    department_user("industry", roles.OFFICIAL, "ma_xinren", email="ma.xinren@wuzhong.example")
    mail.outbox.clear()

    send_reminders(may_report_due, dt.date(2020, 6, 9))

    assert [message.to for message in mail.outbox if "工业和信息化局" in message.subject] == [
        ["ma.xinren@wuzhong.example"]
    ]


def test_a_late_report_once_in_is_no_longer_reminded(may_report_due, official_zhang):
    send_reminders(may_report_due, dt.date(2020, 6, 8))
    may_report_due(dt.date(2020, 6, 9), 15)
    for code in INDUSTRY_MAY_OUTSTANDING[1:]:
        target = Target.objects.get(report__year=2020, code=code)
        progress_entry_submit(target=target, period_end=dt.date(2020, 5, 31), value="0", by=official_zhang)
    mail.outbox.clear()

    send_reminders(may_report_due, dt.date(2020, 6, 11))

    [message] = received_by(ZHANG)
    assert listed_codes(message.body) == ["1.1.02"]


# ------------------------------------------------------------------------------------- working calendar


@pytest.mark.parametrize(
    "day",
    [dt.date(2020, 10, 1), dt.date(2020, 10, 5), dt.date(2020, 9, 20), dt.date(2020, 6, 25)],
    ids=["national-day", "national-day-monday", "sunday", "dragon-boat-thursday"],
)
def test_no_reminders_on_a_day_off(clock, official_zhang, official_liu, day):
    assert not chinese_calendar.is_workday(day)

    output = send_reminders(clock, day)

    assert reminder_drafts(as_of=day) == []
    assert mail.outbox == []
    assert not Message.objects.exists()
    assert f"{day:%Y-%m-%d} 不是工作日，不发送催报提醒。" in output


def test_a_make_up_sunday_is_a_working_day_for_reminders(clock, official_zhang, official_liu):
    sunday = dt.date(2020, 9, 27)
    assert sunday.weekday() == 6 and chinese_calendar.is_workday(sunday)

    send_reminders(clock, sunday)

    assert received_by(ZHANG) and received_by(LIU)
    assert Message.objects.filter(subject_key=f"reminder:late:{industry().pk}:2020-09-27").exists()


# -------------------------------------------------------------------------------------------- once only


def test_running_twice_on_the_same_day_sends_once(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 3))
    sent = len(mail.outbox)
    output = send_reminders(may_report_due, dt.date(2020, 6, 3))

    assert len(mail.outbox) == sent
    assert len(received_by(ZHANG)) == 1
    assert "新入发件箱 0 条" in output
    assert Message.objects.filter(kind=MessageKind.REMINDER).count() == sent


def test_running_twice_on_a_late_day_sends_once(may_report_due):
    send_reminders(may_report_due, dt.date(2020, 6, 8))
    send_reminders(may_report_due, dt.date(2020, 6, 8))

    assert len(received_by(ZHANG)) == 1


def test_opting_out_of_the_digest_does_not_stop_reminders(may_report_due, official_zhang):
    NotificationSettings.objects.create(user=official_zhang, receive_digest=False)

    send_reminders(may_report_due, dt.date(2020, 6, 3))

    assert len(received_by(ZHANG)) == 1
