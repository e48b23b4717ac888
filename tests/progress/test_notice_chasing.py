"""Chasing 督办 notices (PRODUCT.md §7), time frozen across the deadline: 王督查 issues a notice to
工业和信息化局 on Friday 3 July 2020 (answer due Friday 10 July). The daily reminder job reminds the
department two working days before, then daily-with-cooldown once it is 逾期未反馈; the weekly digest lists
it; the bulletin has a section for it; the scoreboard deducts 5 points while it stays overdue — and none of
it once the department has answered."""

import datetime as dt

import pytest
from django.urls import reverse

from progress import notices, tasks
from progress.boards import department_scoreboard
from progress.models import Message, MessageKind
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def notice(july_3rd_2020, report_2020, manager_wang, reviewer_chen, official_zhang, outbound_email):
    target = Target.objects.get(report=report_2020, code="1.1.03")
    return notices.notice_issue(
        targets=[target], level="supervise", matter="请加快企业培育。", by=manager_wang
    )


def notice_reminders(day: str) -> list[Message]:
    return list(
        Message.objects.filter(kind=MessageKind.REMINDER, subject_key__startswith="reminder:notice-")
        .filter(subject_key__endswith=day)
        .order_by("recipient")
    )


def test_reminders_before_and_after_the_deadline_with_a_cooldown(notice, clock):
    schedule = {
        "2020-07-07": [],  # three working days ahead: not yet
        "2020-07-08": ["due"],  # two working days ahead
        "2020-07-10": ["due"],  # the deadline itself
        "2020-07-11": [],  # Saturday: no reminders at all
        "2020-07-13": ["late"],  # 逾期未反馈
        "2020-07-14": [],  # within the cooldown (3 working days)
        "2020-07-15": [],
        "2020-07-16": ["late"],  # the cooldown is over
    }
    for day, expected in schedule.items():
        clock(day, hour=9)
        tasks.send_reminders()
        sent = notice_reminders(day)
        kinds = sorted({message.subject_key.split(":")[1].removeprefix("notice-") for message in sent})
        assert kinds == expected, day
        if expected:
            assert [m.recipient for m in sent] == [
                "chen.gongxin@wuzhong.example",
                "zhang.gongxin@wuzhong.example",
            ]
        assert tasks.send_reminders() == 0, f"{day}: a rerun queues nothing new"
    late = notice_reminders("2020-07-13")[0]
    assert "1份督办单逾期未反馈" in late.subject
    assert "吴督〔2020〕1号（督办）：反馈期限7月10日，已逾期3天" in late.body_text


def test_an_answered_notice_is_no_longer_chased(notice, reviewer_chen, clock):
    clock("2020-07-09")
    notices.notice_answer(
        notice=notice, by=reviewer_chen, measures="走访企业", expected_completion=dt.date(2020, 9, 30)
    )
    for day in ("2020-07-10", "2020-07-13"):
        clock(day, hour=9)
        tasks.send_reminders()
        assert notice_reminders(day) == []


def test_the_weekly_digest_lists_open_and_overdue_notices(notice, manager_wang, clock):
    clock("2020-07-13", hour=8, minute=30)  # Monday
    tasks.send_digest()
    digest = Message.objects.get(kind=MessageKind.DIGEST, recipient=manager_wang.email)
    assert "五、督办单（未办结 1 份，其中逾期未反馈 1 份）" in digest.body_text
    assert "吴督〔2020〕1号 工业和信息化局：逾期未反馈（反馈期限7月10日）" in digest.body_text
    assert "逾期未反馈" in digest.body_html and "吴督〔2020〕1号" in digest.body_html


def test_the_bulletin_has_a_section_for_notices(notice, manager_client, clock):
    clock("2020-07-13")
    page = manager_client.get(reverse("boards-bulletin")).content.decode()
    assert "督办单办理情况" in page and "未办结的督办单 1 份，其中逾期未反馈 1 份" in page
    assert "吴督〔2020〕1号" in page
    # Reproduced as of a date before it was issued: none.
    earlier = manager_client.get(reverse("boards-bulletin"), {"as_of": "2020-07-02"}).content.decode()
    assert "未办结的督办单 0 份" in earlier


def test_the_scoreboard_deducts_per_overdue_notice_and_says_so(notice, manager_wang, manager_client, clock):
    def industry(as_of):
        return next(s for s in department_scoreboard(as_of=as_of) if s.department.code == "industry")

    clock("2020-07-13")
    on_time, overdue = industry(dt.date(2020, 7, 10)), industry(dt.date(2020, 7, 13))
    assert (on_time.overdue_notices, overdue.overdue_notices) == (0, 1)
    assert "5×1（逾期未反馈督办单）" in overdue.explanation
    page = manager_client.get(reverse("boards-scoreboard")).content.decode()
    assert "5×逾期未反馈督办单" in page and "5×1（逾期未反馈督办单）" in page
