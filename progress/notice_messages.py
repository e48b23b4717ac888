"""What people are told about 督办 notices: the notice itself (issued or pressed again) to the department's
people and group robots, the answer to the manager who issued it, the daily reminder of notices due within
2 working days or past due (cooldown as for late reports), and the digest's section on open and overdue
notices. Kept apart from progress.notifications so that its reminder and digest wording can change
independently; the jobs call both.
"""

import datetime as dt
from collections import defaultdict

from django.urls import reverse

from progress.messaging import Draft, message_enqueue
from progress.models import MessageChannel, MessageKind, Notice, NoticeEvent, NoticeState
from progress.recipients import (
    Recipient,
    absolute,
    department_recipients,
    department_reminders,
    render_message,
)
from progress.rules import (
    NOTICE_STANDING_LABELS,
    NoticeStanding,
    notice_due_soon,
    notice_standing,
)
from progress.selectors import end_of_day
from progress.working_calendar import is_chinese_workday
from targets.models import Department


def notice_url(notice: Notice) -> str:
    return absolute(reverse("notice-detail", args=[notice.pk]))


# ---------------------------------------------------------------------------- a notice's own messages


def notice_drafts(*, notice: Notice, event: NoticeEvent) -> list[Draft]:
    """The messages of one step: issued or pressed again → the department's people and robots; answered
    → the manager who issued the notice. Keyed by the step, so each is queued once."""
    context = {
        "notice": notice,
        "event": event,
        "targets": list(notice.targets.order_by("code")),
        "url": notice_url(notice),
        "print_url": absolute(reverse("notice-print", args=[notice.pk])),
    }
    if event.step == NoticeEvent.Step.ANSWER:
        issuer = notice.issued_by
        recipients = [Recipient(MessageChannel.EMAIL, issuer.email, issuer.pk)] if issuer.email else []
        subject = f"【督办反馈】{notice.department.name}已反馈{notice.number_label}"
    else:
        recipients = department_recipients([notice.department_id]).get(notice.department_id, [])
        pressed = "继续督办" if event.step == NoticeEvent.Step.PRESS else notice.get_level_display()
        subject = (
            f"【{pressed}】{notice.number_label}：请于{notice.deadline.month}月{notice.deadline.day}日前反馈"
        )
    body_text, body_html = render_message("notice", context)
    return [
        Draft(
            MessageKind.NOTICE,
            recipient.channel,
            recipient.address,
            f"notice:{notice.pk}:{event.step}:{event.pk}",
            subject,
            body_text,
            body_html,
            recipient.user_id,
            notice.department_id,
        )
        for recipient in recipients
    ]


def notice_enqueue_messages(*, notice: Notice, event: NoticeEvent, now: dt.datetime) -> int:
    """Queue a step's messages (inside the step's transaction: committed with it or not at all)."""
    return sum(
        message_enqueue(draft=draft, now=now) is not None
        for draft in notice_drafts(notice=notice, event=event)
    )


# ------------------------------------------------------------------------------------------ reminders

NOTICE_LATE_KEY = "reminder:notice-late:"
NOTICE_DUE_KEY = "reminder:notice-due:"


def notice_reminder_drafts(*, as_of: dt.date) -> list[Draft]:
    """The daily reminder's notices, on working days only: unanswered notices due within 2 working days,
    and those past their deadline (逾期未反馈: at most once per cooldown for each recipient)."""
    if not is_chinese_workday(as_of):
        return []
    soon: dict[int, list[Notice]] = defaultdict(list)
    late: dict[int, list[Notice]] = defaultdict(list)
    for notice in (
        Notice.objects.filter(state=NoticeState.ISSUED)
        .select_related("department")
        .order_by("deadline", "number")
    ):
        if (
            notice_standing(state=notice.state, deadline=notice.deadline, as_of=as_of)
            == NoticeStanding.OVERDUE
        ):
            late[notice.department_id].append(notice)
        elif notice_due_soon(state=notice.state, deadline=notice.deadline, as_of=as_of):
            soon[notice.department_id].append(notice)

    def compose(
        department: Department, recipient: Recipient, late_notices: list, soon_notices: list
    ) -> Draft:
        context = {
            "department": department,
            "as_of": as_of,
            "late": [
                {"notice": n, "url": notice_url(n), "days": (as_of - n.deadline).days} for n in late_notices
            ],
            "soon": [{"notice": n, "url": notice_url(n)} for n in soon_notices],
        }
        body_text, body_html = render_message("notice_reminder", context)
        key = f"{NOTICE_LATE_KEY if late_notices else NOTICE_DUE_KEY}{department.pk}:{as_of:%Y-%m-%d}"
        subject = f"【督办催办】{department.name}：{len(late_notices)}份督办单逾期未反馈，{len(soon_notices)}份即将到期"
        return Draft(
            MessageKind.REMINDER, recipient.channel, recipient.address, key, subject, body_text, body_html,
            recipient.user_id, department.pk,
        )  # fmt: skip

    return department_reminders(as_of=as_of, late=late, soon=soon, late_key=NOTICE_LATE_KEY, compose=compose)


# --------------------------------------------------------------------------------------------- digest


def notice_digest_context(*, as_of: dt.date) -> dict:
    """The digest's section: every notice not closed, overdue ones first (their standing on `as_of`)."""
    items = []
    for notice in (
        Notice.objects.open()
        .filter(issued_at__lt=end_of_day(as_of))
        .select_related("department")
        .order_by("deadline", "number")
    ):
        standing = notice_standing(state=notice.state, deadline=notice.deadline, as_of=as_of)
        items.append(
            {
                "notice": notice,
                "standing": standing,
                "label": NOTICE_STANDING_LABELS[standing],
                "url": notice_url(notice),
            }
        )
    overdue = [item for item in items if item["standing"] == NoticeStanding.OVERDUE]
    return {
        "notices_total": len(items),
        "notices_open": [item for item in items if item["standing"] != NoticeStanding.OVERDUE],
        "notices_overdue": overdue,
        "notices_url": absolute(reverse("admin:progress_notice_changelist")),
    }
