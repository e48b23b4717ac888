"""The weekly digest to the managers (PRODUCT.md §5, issue 5): who gets it, what it says for a known data
set and date — the same figures as the lagging/overdue report of that date — and that it is sent once a
week however often the job runs.

The known data set: on Tuesday 2 June 2020 张工信 of 工业和信息化局 reports May's figures for 1.1.03
新增规上企业 (6 of 15 → on track) and 1.1.02 新增亿元企业 (1 of 10 → lagging); on Friday 3 July June's
figures: 1.1.03 at 2 (→ lagging: 恶化), 1.1.02 at 3 (→ at risk: 好转) and 1.1.01 实施重点工业项目
(40 of 70 → on track), and the daily status sweep runs. The digest is the one of Monday 6 July 2020, 08:30:
it describes the end of Sunday 5 July, and compares with the end of Sunday 28 June.
"""

import datetime as dt
import email
import email.policy
import re
import socket
from collections import Counter
from html import unescape
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from progress import notifications, tasks
from progress.boards import lagging_board, target_rows
from progress.models import Message, MessageKind, NotificationSettings
from progress.rules import PERFORMANCE_LABELS, Performance, Reporting
from progress.services import progress_entry_submit
from progress.statuses import status_sweep
from targets import roles
from targets.models import Target
from tests.factories import UserFactory
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
MONDAY = dt.date(2020, 7, 6)
SUNDAY = dt.date(2020, 7, 5)  # what Monday's digest describes
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
    clock(dt.date(2020, 6, 2))
    for code, value in (("1.1.03", "6"), ("1.1.02", "1")):
        progress_entry_submit(
            target=target(code), period_end=dt.date(2020, 5, 31), value=value, by=official_zhang
        )
    clock(dt.date(2020, 7, 3))
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
    send_digest()

    assert sorted(address for m in mail.outbox for address in m.to) == sorted([WANG, ZHOU])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)


def test_a_manager_who_opted_out_gets_no_digest(known_data, manager_wang, zhou):
    NotificationSettings.objects.create(user=zhou, receive_digest=False)

    send_digest()

    assert [m.to for m in mail.outbox] == [[WANG]]


def test_managers_without_an_email_or_inactive_get_no_digest(known_data, manager_wang):
    UserFactory(username="sun_duchashi", email="", role=roles.MANAGER)
    UserFactory(
        username="qian_duchashi", email="qian.ducha@wuzhong.example", role=roles.MANAGER, is_active=False
    )

    send_digest()

    assert [m.to for m in mail.outbox] == [[WANG]]


def test_officials_and_reviewers_never_get_the_digest(
    known_data, manager_wang, official_zhang, reviewer_chen
):
    send_digest()

    assert [m.to for m in mail.outbox] == [[WANG]]


# ---------------------------------------------------------------------------------------------- content


def attention_as_of_sunday() -> int:
    return len(lagging_board(user=None, as_of=SUNDAY))


def test_subject_and_body_state_the_moment_they_describe(known_data, manager_wang):
    send_digest()

    message = digest_to(WANG)
    attention = attention_as_of_sunday()
    assert attention > 100  # most reports are late in the known data
    assert message.subject == f"【督查周报】截至7月5日24时：{attention}个目标需关注"
    assert message.body.startswith("督查周报（截至2020年7月5日24时）")
    assert f"需关注的目标共 {attention} 个" in message.body


def test_its_link_reproduces_its_numbers_after_more_figures_arrive(known_data, manager_wang, official_zhang):
    """The link opens the report as of the moment the digest describes: what is reported on Monday morning
    after the digest (or due on Monday) does not change it."""
    send_digest()
    known_data(MONDAY, 10, 0)
    progress_entry_submit(
        target=target("1.1.05"), period_end=dt.date(2020, 6, 30), value="1", by=official_zhang
    )
    manager = Client()
    manager.force_login(manager_wang)

    [link] = re.findall(r"滞后/逾期报表：(\S+)", digest_to(WANG).body)
    page = manager.get(link.removeprefix(SITE_URL)).content.decode()

    assert f"共 <strong>{attention_as_of_sunday()}</strong> 个目标需要关注" in page
    assert f"需关注的目标共 {attention_as_of_sunday()} 个" in digest_to(WANG).body


def test_first_every_target_at_risk_lagging_or_overdue_worst_first(known_data, manager_wang):
    send_digest()

    lines = section(digest_to(WANG).body, "一、")
    expected = [
        row.target.code
        for row in lagging_board(user=None, as_of=SUNDAY)
        if row.evaluation.performance in (Performance.OVERDUE, Performance.LAGGING, Performance.AT_RISK)
    ]
    assert listed_codes(lines) == expected == ["1.5.02", "1.5.03", "1.1.03", "1.1.02"]
    # Never reported: no gap to state. First judged by the sweep of 3 July: this week's news.
    assert lines[0].startswith("- 1.5.02 339个新建项目开工率：逾期未完成，本周转入（发展和改革委员会）　")
    assert lines[2].startswith("- 1.1.03 新增规上企业：滞后，本周转入（工业和信息化局）；落后序时进度")


def test_a_target_lagging_for_five_weeks_is_named_with_its_weeks(clock, official_zhang, manager_wang):
    """1.1.03 reported at 0 of 15 for April on 6 May (lagging from then on); nothing else changes.
    Five weeks and more later, on Monday 15 June, the digest still names it, with how long."""
    clock(dt.date(2020, 5, 6))
    progress_entry_submit(
        target=target("1.1.03"), period_end=dt.date(2020, 4, 30), value="0", by=official_zhang
    )
    status_sweep()  # what the recomputation after the commit stores (on-commit work does not run here)
    for monday in (dt.date(2020, 5, 11), dt.date(2020, 5, 18), dt.date(2020, 6, 8), dt.date(2020, 6, 15)):
        clock(monday, 0, 30)
        status_sweep()
        clock(monday, 8, 30)
        send_digest()

    last = mail.outbox[-1].body
    [line] = [line for line in section(last, "一、") if line.startswith("- 1.1.03 ")]
    assert line.startswith("- 1.1.03 新增规上企业：滞后，已持续5周（工业和信息化局）")


def test_what_changed_is_split_into_worse_and_better(known_data, manager_wang):
    send_digest()

    body = digest_to(WANG).body
    assert "二、自6月28日以来的变化" in body
    lines = section(body, "二、")
    better_at = lines.index("好转：")
    worse, better = lines[1:better_at], lines[better_at + 1 :]
    assert [line.split("　")[0] for line in worse] == ["- 1.1.03 新增规上企业：正常→滞后"]
    assert [line.split("　")[0] for line in better] == ["- 1.1.02 新增亿元企业：滞后→预警"]


def test_due_this_week_and_late_departments_are_those_of_the_report(known_data, manager_wang):
    send_digest()
    body = digest_to(WANG).body

    def counts(heading: str) -> dict[str, int]:
        shown = {}
        for line in section(body, heading):
            if line != "无":
                name, count = re.fullmatch(r"- (.+)：(\d+)项", line).groups()
                shown[name] = int(count)
        return shown

    rows = target_rows(user=None, as_of=SUNDAY)
    late = Counter(row.lead.name for row in rows if row.lead and row.evaluation.reporting == Reporting.LATE)
    due = Counter(
        row.lead.name
        for row in rows
        if row.lead
        and row.evaluation.reporting != Reporting.LATE
        and row.evaluation.next_due
        and MONDAY <= row.evaluation.next_due <= dt.date(2020, 7, 12)
    )
    assert "三、本周（7月6日—7月12日）到期的报告" in body
    assert counts("三、") == dict(due)
    assert counts("四、") == dict(late)
    assert late["工业和信息化局"] == 16


def test_a_line_per_lead_department(known_data, manager_wang):
    send_digest()

    lines = section(digest_to(WANG).body, "六、")
    assert "- 工业和信息化局：牵头19项，预警1、滞后1、逾期未完成0，逾期未报16项" in lines
    assert any(line.startswith("- 发展和改革委员会：") and "逾期未完成2" in line for line in lines)


def test_chapters_are_numbered_as_the_report_numbers_them(known_data, manager_wang):
    send_digest()

    lines = section(digest_to(WANG).body, "七、")
    assert lines[0].startswith("- 主要预期目标：")
    assert lines[1].startswith("- 一、狠抓调转升级，推动经济高质量发展：")
    assert not any(re.match(r"- \d\. ", line) for line in lines)


def test_counts_by_status_per_chapter_match_the_evaluation_of_that_moment(known_data, manager_wang):
    send_digest()

    shown = {}
    for line in section(digest_to(WANG).body, "七、"):
        chapter, counts, total = re.fullmatch(r"- (.+?)：(.+)（共(\d+)）", line).groups()
        shown[chapter] = (
            {label: int(n) for label, n in re.findall(r"(\D+?)(\d+)(?:，|$)", counts)},
            int(total),
        )
    expected: dict[str, Counter] = {}
    for row in target_rows(user=None, as_of=SUNDAY):
        expected.setdefault(str(row.target.task.chapter), Counter())[row.evaluation.performance] += 1
    assert shown == {
        chapter: ({PERFORMANCE_LABELS[p]: counts[p] for p in Performance}, sum(counts.values()))
        for chapter, counts in expected.items()
    }


def test_every_link_is_absolute_and_points_into_the_admin_reports(known_data, manager_wang):
    send_digest()

    message = digest_to(WANG)
    html = message.alternatives[0][0]
    text_links = re.findall(r"https?://\S+", message.body)
    html_links = [unescape(link) for link in re.findall(r'href="([^"]+)"', html)]  # &amp; in an href
    assert text_links and html_links
    notices = f"{SITE_URL}{reverse('admin:progress_notice_changelist')}"  # the 督办 section's list
    assert all(
        link.startswith(f"{SITE_URL}/admin/boards/") or link == notices for link in text_links + html_links
    )
    lagging = f"{SITE_URL}{reverse('boards-lagging')}?as_of=2020-07-05&report=2020"  # the digest's year
    enterprises = f"{SITE_URL}{reverse('boards-target', args=[target('1.1.03').pk])}?as_of=2020-07-05"
    assert lagging in text_links and lagging in html_links
    assert enterprises in text_links and enterprises in html_links


def test_html_and_plain_text_parts_carry_the_same_news(known_data, manager_wang):
    send_digest()

    message = digest_to(WANG)
    assert message.content_subtype == "plain"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert '<html lang="zh-hans">' in html and "<table" in html
    for news in (
        "1.1.03 新增规上企业</a>：<strong>滞后</strong>",
        "（发展和改革委员会）",
        "工业和信息化局：16项",
    ):
        assert news in html
    assert "<" not in message.body  # the plain-text part is not HTML


def test_departments_nobody_would_hear_from_are_listed(known_data, manager_wang):
    """Only 工业和信息化局 has people (张, 陈) in the known data: every other lead department is listed."""
    send_digest()

    body = digest_to(WANG).body
    assert "八、未设接收人的牵头单位" in body
    listed = [line[2:] for line in section(body, "八、")]
    assert "发展和改革委员会" in listed and "工业和信息化局" not in listed


# ------------------------------------------------------------------------------------------- the day


def test_on_a_public_holiday_monday_it_goes_out_on_the_next_working_day(clock, manager_wang):
    """National Day 2020: Monday 5 to Thursday 8 October off, Friday 9 and Saturday 10 (made up) working."""
    sent_on = []
    for day in range(5, 12):
        clock(dt.date(2020, 10, day), 8, 30)
        if tasks.send_digest():
            sent_on.append(day)

    assert sent_on == [9]
    [subject] = Message.objects.filter(kind=MessageKind.DIGEST).values_list("subject", flat=True)
    assert subject.startswith("【督查周报】截至10月8日24时：")


def test_an_ordinary_week_sends_on_monday_only(clock, manager_wang):
    sent_on = []
    for day in range(6, 13):
        clock(dt.date(2020, 7, day), 8, 30)
        if tasks.send_digest():
            sent_on.append(day)

    assert sent_on == [6]


# -------------------------------------------------------------------------------------------- once a week


def test_running_the_digest_twice_sends_one_message_per_manager(known_data, manager_wang, zhou):
    send_digest()
    known_data(MONDAY, 8, 45)
    output = send_digest()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([WANG, ZHOU])
    assert Message.objects.filter(kind=MessageKind.DIGEST).count() == 2
    assert "新入发件箱 0 条（其余 2 条此前已入队）" in output


def test_the_next_monday_brings_a_new_digest(known_data, manager_wang):
    send_digest()
    known_data(NEXT_MONDAY, 8, 30)

    send_digest()

    assert [m.subject.split("：")[0] for m in mail.outbox] == [
        "【督查周报】截至7月5日24时",
        "【督查周报】截至7月12日24时",
    ]
    assert sorted(Message.objects.values_list("subject_key", flat=True)) == [
        "digest:2020-W28",
        "digest:2020-W29",
    ]
    # What changed before the previous digest is not news any more.
    assert section(mail.outbox[1].body, "二、") == ["恶化：", "无", "好转：", "无"]


def test_dry_run_prints_the_recipients_and_sends_nothing(known_data, manager_wang, zhou):
    output = send_digest("--dry-run")

    subject = f"【督查周报】截至7月5日24时：{attention_as_of_sunday()}个目标需关注"
    assert f"[邮件] {WANG}：{subject}" in output and f"[邮件] {ZHOU}：{subject}" in output
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
    send_digest()

    [envelope] = smtp_server.envelopes
    assert envelope.rcpt_tos == [WANG]
    parsed = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
    # Django folds the encoded subject onto a continuation line; the parser keeps the folding space.
    assert parsed["Subject"].strip() == f"【督查周报】截至7月5日24时：{attention_as_of_sunday()}个目标需关注"
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(preferencelist=("plain",)).get_content()
    html = parsed.get_body(preferencelist=("html",)).get_content()
    assert "- 1.1.03 新增规上企业：滞后，" in text
    assert "1.1.03 新增规上企业</a>：<strong>滞后</strong>" in html
    assert Message.objects.get(recipient=WANG).state == "sent"


def test_long_lists_name_the_first_ones_and_count_the_rest(known_data, manager_wang, monkeypatch):
    """At the scale of a province thousands of targets can be red at once: each list names the first
    DIGEST_LISTED (worst first) and counts the rest, with the link to the report that lists them all."""
    monkeypatch.setattr(notifications, "DIGEST_LISTED", 3)
    send_digest()

    message = digest_to(WANG)
    lines = section(message.body, "一、")
    assert listed_codes(lines) == ["1.5.02", "1.5.03", "1.1.03"]  # of the four, worst first
    assert lines[-1].startswith("另有 1 个，见滞后/逾期报表：http")
    html = message.alternatives[0][0]
    assert "另有 1 个，<a href=" in html
    assert f"需关注的目标共 {attention_as_of_sunday()} 个" in message.body  # counted whole, as before


def test_on_track_to_achieved_is_neither_worse_nor_better(clock, official_zhang, manager_wang):
    """1.1.03 新增规上企业 on track at the end of 28 June (6 of 15 for May), achieved at the end of 5 July
    (15 of 15 for June): 正常 and 已完成 rank alike, so it is in neither list."""
    clock(dt.date(2020, 6, 2))
    progress_entry_submit(
        target=target("1.1.03"), period_end=dt.date(2020, 5, 31), value="6", by=official_zhang
    )
    clock(dt.date(2020, 7, 3))
    progress_entry_submit(
        target=target("1.1.03"), period_end=dt.date(2020, 6, 30), value="15", by=official_zhang
    )
    status_sweep()
    clock(MONDAY, 8, 30)
    send_digest()

    lines = section(digest_to(WANG).body, "二、")
    assert lines == ["恶化：", "无", "好转：", "无"]
    board = {row.target.code: row.evaluation.performance for row in target_rows(user=None, as_of=SUNDAY)}
    assert board["1.1.03"] == Performance.ACHIEVED
