"""The weekly digest to the managers (PRODUCT.md §5, issue 5): who gets it, what it says for a known data
set and date — the same figures as the lagging/overdue report of that date — and that it is sent once a
week however often the job runs.

The known data set: on Friday 3 July 2020 张工信 of 工业和信息化局 reports June's figures for 1.1.03
新增规上企业 (2 of 15 → lagging), 1.1.02 新增亿元企业 (3 of 10 → at risk) and 1.1.01 实施重点工业项目
(40 of 70 → on track), and the daily status sweep runs. The digest is the one of Monday 6 July 2020.
"""

import datetime as dt
import email
import email.policy
import re
import socket
from collections import Counter
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from progress.models import Message, MessageKind, NotificationSettings, StatusAxis, StatusChange
from progress.reports import lagging_report, target_rows
from progress.rules import PERFORMANCE_LABELS, Performance, Reporting
from progress.services import progress_entry_submit, status_sweep
from targets import roles
from targets.models import Target
from tests.factories import UserFactory
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2020, 7, 6)
NEXT_MONDAY = dt.date(2020, 7, 13)
WANG = "wang.ducha@wuzhong.example"  # manager_wang's (tests/conftest.py)
ZHOU = "zhou.ducha@wuzhong.example"


def shanghai(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=SHANGHAI)


@pytest.fixture
def zhou(report_2020):
    """周督查, a second manager."""
    return UserFactory(username="zhou_duchashi", email=ZHOU, role=roles.MANAGER)


def target(code: str) -> Target:
    return Target.objects.get(report__year=2020, code=code)


@pytest.fixture
def known_data(clock, official_zhang):
    """June's figures reported on Friday 3 July 2020 and that day's status sweep; the clock is then set to
    the digest's time, Monday 6 July 2020 08:30."""
    for code, value in (("1.1.03", "2"), ("1.1.02", "3"), ("1.1.01", "40")):
        progress_entry_submit(
            target=target(code), period_end=dt.date(2020, 6, 30), value=value, by=official_zhang
        )
    status_sweep()
    clock(MONDAY, 8, 30)
    return clock


def send_digest(*options: str) -> str:
    out = StringIO()
    call_command("send_digest", *options, stdout=out)
    return out.getvalue()


def digest_to(address: str) -> mail.EmailMultiAlternatives:
    [message] = [m for m in mail.outbox if m.to == [address]]
    return message


def section(body: str, heading: str) -> list[str]:
    """The lines of the plain-text part under the heading that starts with `heading` ("一、" …)."""
    lines = body.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(heading))
    block = []
    for line in lines[start + 1 :]:
        if not line.strip():
            break
        block.append(line)
    return block


def listed_codes(lines: list[str]) -> list[str]:
    return [re.match(r"- (\d+\.\d+\.\d+) ", line).group(1) for line in lines if line.startswith("- ")]


# ------------------------------------------------------------------------------------------- recipients


def test_each_manager_with_an_email_gets_a_digest_of_their_own(known_data, manager_wang, zhou):
    send_digest("--as-of", "2020-07-06")

    assert sorted(address for m in mail.outbox for address in m.to) == sorted([WANG, ZHOU])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_a_manager_who_opted_out_gets_no_digest(known_data, manager_wang, zhou):
    NotificationSettings.objects.create(user=zhou, receive_digest=False)

    send_digest("--as-of", "2020-07-06")

    assert [m.to for m in mail.outbox] == [[WANG]]


def test_managers_without_an_email_or_inactive_get_no_digest(known_data, manager_wang):
    UserFactory(username="sun_duchashi", email="", role=roles.MANAGER)
    UserFactory(
        username="qian_duchashi", email="qian.ducha@wuzhong.example", role=roles.MANAGER, is_active=False
    )

    send_digest("--as-of", "2020-07-06")

    assert [m.to for m in mail.outbox] == [[WANG]]


def test_officials_and_reviewers_never_get_the_digest(
    known_data, manager_wang, official_zhang, reviewer_chen
):
    send_digest("--as-of", "2020-07-06")

    assert [m.to for m in mail.outbox] == [[WANG]]


# ---------------------------------------------------------------------------------------------- content


def test_subject_and_body_are_in_chinese_and_count_what_needs_attention(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    message = digest_to(WANG)
    attention = len(lagging_report(user=None, as_of=MONDAY))
    # The known data set: 2 overdue, 1 lagging, 1 at risk, the rest reports late (the milestones judged at
    # year end among them: their percent complete is reported quarterly).
    assert attention == 123
    assert message.subject == f"【督查周报】截至7月6日：{attention}个目标需关注"
    assert message.body.startswith("督查周报（截至2020年7月6日）")
    assert f"需关注的目标共 {attention} 个" in message.body


def test_counts_by_status_per_chapter_match_the_evaluation_of_that_date(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    lines = section(digest_to(WANG).body, "一、")
    shown = {}
    for line in lines:
        chapter, counts, total = re.fullmatch(r"(\d+)\. .+?：(.+)（共(\d+)）", line).groups()
        shown[int(chapter)] = (
            {label: int(n) for label, n in re.findall(r"(\D+?)(\d+)(?:，|$)", counts)},
            int(total),
        )
    expected: dict[int, Counter] = {}
    for row in target_rows(user=None, as_of=MONDAY):
        expected.setdefault(row.target.task.chapter.number, Counter())[row.evaluation.performance] += 1
    assert shown == {
        number: ({PERFORMANCE_LABELS[p]: counts[p] for p in Performance}, sum(counts.values()))
        for number, counts in expected.items()
    }
    chapter_one = shown[1][0]
    assert (chapter_one["正常"], chapter_one["预警"], chapter_one["滞后"], chapter_one["逾期未完成"]) == (
        1,
        1,
        1,
        2,
    )


def test_turned_red_or_yellow_lists_exactly_the_changes_of_the_week(known_data, manager_wang):
    # Before the window (the week before): not this digest's news.
    StatusChange.objects.create(
        target=target("1.1.05"), axis=StatusAxis.PERFORMANCE, old="no_data", new="lagging", reason="上周",
        as_of=dt.date(2020, 6, 26), created_at=shanghai(dt.date(2020, 6, 26)),
    )  # fmt: skip
    # In the window, but to a colour that is neither red nor yellow, or on the reporting axis.
    StatusChange.objects.create(
        target=target("1.1.07"), axis=StatusAxis.PERFORMANCE, old="no_data", new="achieved", reason="已完成",
        as_of=dt.date(2020, 7, 4), created_at=shanghai(dt.date(2020, 7, 4)),
    )  # fmt: skip
    # Monday morning, before the digest: in the window.
    StatusChange.objects.create(
        target=target("1.1.09"), axis=StatusAxis.PERFORMANCE, old="on_track", new="at_risk", reason="本周",
        as_of=MONDAY, created_at=shanghai(MONDAY, 7, 0),
    )  # fmt: skip

    send_digest("--as-of", "2020-07-06")

    lines = section(digest_to(WANG).body, "二、")
    assert [line.split("　")[0] for line in lines] == [
        "- 1.1.02 新增亿元企业：预警",
        "- 1.1.03 新增规上企业：滞后",
        "- 1.1.09 淘汰落后产能：预警",
    ]


def test_turned_red_or_yellow_starts_at_the_previous_digest(known_data, manager_wang):
    known_data(dt.date(2020, 6, 29), 8, 30)
    send_digest("--as-of", "2020-06-29")
    StatusChange.objects.create(
        target=target("1.1.09"), axis=StatusAxis.PERFORMANCE, old="on_track", new="lagging",
        reason="上周一摘要之前", as_of=dt.date(2020, 6, 29), created_at=shanghai(dt.date(2020, 6, 29), 8, 0),
    )  # fmt: skip
    StatusChange.objects.create(
        target=target("1.1.10"), axis=StatusAxis.PERFORMANCE, old="on_track", new="lagging",
        reason="上周一摘要之后", as_of=dt.date(2020, 6, 29), created_at=shanghai(dt.date(2020, 6, 29), 9, 0),
    )  # fmt: skip
    known_data(MONDAY, 8, 30)

    send_digest("--as-of", "2020-07-06")

    body = mail.outbox[-1].body
    assert "自6月29日 08:30以来转为黄灯、红灯的目标" in body
    assert listed_codes(section(body, "二、")) == ["1.1.02", "1.1.03", "1.1.10"]


def test_a_mid_week_rerun_for_a_new_manager_does_not_shorten_the_next_window(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")  # Monday 08:30, to 王督查
    StatusChange.objects.create(
        target=target("1.1.09"), axis=StatusAxis.PERFORMANCE, old="on_track", new="lagging",
        reason="周一上午摘要之后", as_of=MONDAY, created_at=shanghai(MONDAY, 10, 0),
    )  # fmt: skip
    known_data(dt.date(2020, 7, 7), 9, 0)
    UserFactory(username="zhou_duchashi", email=ZHOU, role=roles.MANAGER)
    send_digest("--as-of", "2020-07-06")  # Tuesday: this week's digest for 周督查, who joined
    known_data(NEXT_MONDAY, 8, 30)
    mail.outbox.clear()

    send_digest("--as-of", "2020-07-13")

    assert "1.1.09" in listed_codes(section(digest_to(WANG).body, "二、"))


def test_overdue_targets_are_those_of_the_lagging_report(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    overdue = [
        row.target.code
        for row in lagging_report(user=None, as_of=MONDAY)
        if row.evaluation.performance == Performance.OVERDUE
    ]
    lines = section(digest_to(WANG).body, "三、")
    assert listed_codes(lines) == overdue == ["1.5.02", "1.5.03"]
    assert lines[0].startswith("- 1.5.02 339个新建项目开工率（发展和改革委员会）")


def test_departments_with_late_reports_are_those_of_the_lagging_report(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    shown = {}
    for line in section(digest_to(WANG).body, "四、"):
        name, count = re.fullmatch(r"- (.+)：(\d+)项", line).groups()
        shown[name] = int(count)
    expected = Counter(
        row.lead.name
        for row in lagging_report(user=None, as_of=MONDAY)
        if row.evaluation.reporting == Reporting.LATE
    )
    assert shown == dict(expected)
    # 19 targets led by 工业和信息化局; June is in for three, and 1.1.04 (quarterly) still lacks Q1.
    assert shown["工业和信息化局"] == 16
    assert list(shown.values()) == sorted(shown.values(), reverse=True)


def test_every_link_is_absolute_and_points_into_the_admin_reports(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    message = digest_to(WANG)
    html = message.alternatives[0][0]
    text_links = re.findall(r"https?://\S+", message.body)
    html_links = re.findall(r'href="([^"]+)"', html)
    assert text_links and html_links
    notices = f"{SITE_URL}{reverse('admin:progress_notice_changelist')}"  # the 督办 section's list
    assert all(
        link.startswith(f"{SITE_URL}/admin/reports/") or link == notices for link in text_links + html_links
    )
    lagging = f"{SITE_URL}{reverse('reports-lagging')}?as_of=2020-07-06"
    enterprises = f"{SITE_URL}{reverse('reports-target', args=[target('1.1.03').pk])}?as_of=2020-07-06"
    assert lagging in text_links and lagging in html_links
    assert enterprises in text_links and enterprises in html_links


def test_html_and_plain_text_parts_carry_the_same_news(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")

    message = digest_to(WANG)
    assert message.content_subtype == "plain"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="zh-hans">' in html and "<table" in html
    for news in (
        "1.1.03 新增规上企业</a>：滞后",
        "1.5.03 续建项目复工</a>（发展和改革委员会）",
        "工业和信息化局：16项",
    ):
        assert news in html
    assert "<" not in message.body  # the plain-text part is not HTML


# -------------------------------------------------------------------------------------------- once a week


def test_running_the_digest_twice_sends_one_message_per_manager(known_data, manager_wang, zhou):
    send_digest("--as-of", "2020-07-06")
    known_data(MONDAY, 8, 45)
    output = send_digest("--as-of", "2020-07-06")

    assert sorted(m.to[0] for m in mail.outbox) == sorted([WANG, ZHOU])
    assert Message.objects.filter(kind=MessageKind.DIGEST).count() == 2
    assert "新入发件箱 0 条（其余 2 条此前已入队）" in output


def test_the_next_monday_brings_a_new_digest(known_data, manager_wang):
    send_digest("--as-of", "2020-07-06")
    known_data(NEXT_MONDAY, 8, 30)

    send_digest("--as-of", "2020-07-13")

    assert [m.subject for m in mail.outbox] == [
        "【督查周报】截至7月6日：123个目标需关注",
        "【督查周报】截至7月13日：123个目标需关注",
    ]
    assert sorted(Message.objects.values_list("subject_key", flat=True)) == [
        "digest:2020-W28",
        "digest:2020-W29",
    ]
    # What turned red or yellow before the previous digest is not news any more.
    assert section(mail.outbox[1].body, "二、") == ["无"]


def test_dry_run_prints_the_recipients_and_sends_nothing(known_data, manager_wang, zhou):
    output = send_digest("--as-of", "2020-07-06", "--dry-run")

    assert f"[邮件] {WANG}：【督查周报】截至7月6日：123个目标需关注" in output
    assert f"[邮件] {ZHOU}：【督查周报】截至7月6日：123个目标需关注" in output
    assert mail.outbox == []
    assert not Message.objects.exists()


# ----------------------------------------------------------------------------------------- a real server


class Inbox:
    def __init__(self):
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """An SMTP server on localhost (aiosmtpd) that keeps what it receives."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield inbox
    controller.stop()


def test_a_real_smtp_server_receives_a_readable_digest(known_data, manager_wang, smtp_server):
    send_digest("--as-of", "2020-07-06")

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [WANG]
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    # Django folds the encoded subject onto a continuation line; the parser keeps the folding space.
    assert parsed["Subject"].strip() == "【督查周报】截至7月6日：123个目标需关注"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "- 1.1.03 新增规上企业：滞后" in text
    assert "1.1.03 新增规上企业</a>：滞后" in html
    assert Message.objects.get(recipient=WANG).state == "sent"
