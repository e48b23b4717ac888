"""The 督办 notice rules (PRODUCT.md §7) as tables: the response deadline on the Chinese working calendar,
逾期未反馈, the steps each state allows, a notice's standing on a past date from its history, the reminder's
"due soon" window, the number and the prefilled matter."""

import datetime as dt

import pytest

from progress.rules import (
    NoticeEventFact,
    NoticeStanding,
    NoticeStep,
    NoticeTargetFact,
    notice_deadline,
    notice_deadline_errors,
    notice_due_soon,
    notice_matter,
    notice_number_label,
    notice_standing,
    notice_state_as_of,
    notice_step_allowed,
)

ISSUED, ANSWERED, CLOSED, OVERDUE = (
    NoticeStanding.ISSUED,
    NoticeStanding.ANSWERED,
    NoticeStanding.CLOSED,
    NoticeStanding.OVERDUE,
)
ISSUE, ANSWER, CLOSE, PRESS = NoticeStep.ISSUE, NoticeStep.ANSWER, NoticeStep.CLOSE, NoticeStep.PRESS


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


@pytest.mark.parametrize(
    ("issued_on", "deadline", "why"),
    [
        ("2020-07-03", "2020-07-10", "Friday: the next five weekdays"),
        ("2020-09-29", "2020-10-13", "across 国庆/中秋 (1–8 Oct) with Saturday 10 Oct a make-up workday"),
        ("2020-04-30", "2020-05-11", "across 劳动节 (1–5 May) with Saturday 9 May a make-up workday"),
        ("2020-07-04", "2020-07-10", "issued on a Saturday: counted from the next working day"),
    ],
)
def test_default_deadline_is_the_5th_working_day_after_issue(issued_on, deadline, why):
    assert notice_deadline(day(issued_on)) == day(deadline), why


@pytest.mark.parametrize(
    ("state", "deadline", "as_of", "standing"),
    [
        ("issued", "2020-07-10", "2020-07-09", ISSUED),
        ("issued", "2020-07-10", "2020-07-10", ISSUED),  # an answer on the deadline day is in time
        ("issued", "2020-07-10", "2020-07-11", OVERDUE),
        ("answered", "2020-07-10", "2020-08-01", ANSWERED),  # answered: never overdue, however late
        ("closed", "2020-07-10", "2020-08-01", CLOSED),
    ],
)
def test_an_unanswered_notice_is_overdue_the_day_after_its_deadline(state, deadline, as_of, standing):
    assert notice_standing(state=state, deadline=day(deadline), as_of=day(as_of)) == standing


@pytest.mark.parametrize(
    ("state", "step", "allowed"),
    [
        ("issued", ANSWER, True),
        ("issued", CLOSE, False),  # the office closes only what was answered
        ("issued", PRESS, False),
        ("answered", ANSWER, False),
        ("answered", CLOSE, True),
        ("answered", PRESS, True),
        ("closed", ANSWER, False),
        ("closed", CLOSE, False),
        ("closed", PRESS, False),
    ],
)
def test_steps_each_state_allows(state, step, allowed):
    assert notice_step_allowed(state, step) is allowed


HISTORY = [
    NoticeEventFact(ISSUE, day("2020-07-03"), day("2020-07-10")),
    NoticeEventFact(ANSWER, day("2020-07-13")),  # three days late
    NoticeEventFact(PRESS, day("2020-07-15"), day("2020-07-22")),
    NoticeEventFact(ANSWER, day("2020-07-20")),
    NoticeEventFact(CLOSE, day("2020-07-24")),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        ("2020-07-02", None),  # not issued yet
        ("2020-07-03", (ISSUED, "2020-07-10")),
        ("2020-07-11", (OVERDUE, "2020-07-10")),
        ("2020-07-13", (ANSWERED, "2020-07-10")),
        ("2020-07-15", (ISSUED, "2020-07-22")),  # pressed again: a new deadline
        ("2020-07-21", (ANSWERED, "2020-07-22")),
        ("2020-07-24", (CLOSED, "2020-07-22")),
    ],
)
def test_standing_on_a_past_date_is_read_from_the_history(as_of, expected):
    result = notice_state_as_of(list(reversed(HISTORY)), day(as_of))  # any order in, judged in date order
    if expected is None:
        assert result is None
    else:
        assert result == (expected[0], day(expected[1]))


@pytest.mark.parametrize(
    ("state", "deadline", "as_of", "due_soon"),
    [
        ("issued", "2020-07-10", "2020-07-07", False),  # three working days ahead
        ("issued", "2020-07-10", "2020-07-08", True),  # two working days ahead
        ("issued", "2020-07-10", "2020-07-10", True),  # today
        ("issued", "2020-07-10", "2020-07-11", False),  # past due: the late list, not this one
        ("answered", "2020-07-10", "2020-07-09", False),
        (
            "issued",
            "2020-10-09",
            "2020-09-30",
            True,
        ),  # 10/9 is the next working day after 9/30, across the holiday
    ],
)
def test_due_soon_is_within_two_working_days(state, deadline, as_of, due_soon):
    assert notice_due_soon(state=state, deadline=day(deadline), as_of=day(as_of)) is due_soon


@pytest.mark.parametrize(
    ("deadline", "errors"),
    [
        ("2020-07-10", []),
        ("2020-07-03", ["反馈期限2020-07-03必须晚于下发日期2020-07-03。"]),
        ("2020-07-05", ["反馈期限2020-07-05不是工作日（法定节假日或周末）。"]),
        ("2020-10-10", []),  # a make-up Saturday is a working day
    ],
)
def test_a_chosen_deadline_must_be_a_later_working_day(deadline, errors):
    assert notice_deadline_errors(deadline=day(deadline), issued_on=day("2020-07-03")) == errors
    if deadline == "2020-10-10":
        assert notice_deadline_errors(deadline=day(deadline), issued_on=day("2020-09-29")) == []


def test_number_and_prefilled_matter():
    assert notice_number_label(2020, 12) == "吴督〔2020〕12号"
    matter = notice_matter(
        [
            NoticeTargetFact("1.1.03", "新增规上企业", "滞后", ("落后序时进度35个百分点",)),
            NoticeTargetFact("1.1.04", "新增限上企业", "逾期未完成"),
        ]
    )
    assert matter.splitlines() == [
        "1. 1.1.03 新增规上企业：滞后。落后序时进度35个百分点",
        "2. 1.1.04 新增限上企业：逾期未完成。",
        "请对照上述问题认真分析原因，制定整改措施，明确完成时间，于反馈期限前书面反馈。",
    ]
