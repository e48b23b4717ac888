"""Who is told what, and when (PRODUCT.md §5): the weekly digest to managers, reminders to departments
before a report is due and after it is late, and an alert per target that turns lagging or overdue.

Builders return `Draft`s (progress.messaging) so that a dry run can print them; the `send_*` services
enqueue them in the outbox, whose unique key makes a rerun harmless. Content comes from the same
selectors as the managers' reports, so a digest's figures match the lagging/overdue report of its date.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from progress.messaging import Draft, message_enqueue
from progress.models import (
    DepartmentWebhook,
    Message,
    MessageChannel,
    MessageKind,
    StatusAxis,
    StatusChange,
)
from progress.reports import TargetRow, attention_rows, summarize_rows, target_rows
from progress.rules import PERFORMANCE_LABELS, Performance, Reporting, period_ends, period_label
from progress.selectors import end_of_day
from progress.services import target_rule
from progress.working_calendar import is_chinese_workday, nth_working_day_after
from targets import roles
from targets.models import Department, Target
from wuzhong_tracker import clock

REMINDER_DAYS_BEFORE_DUE = 2
LATE_REMINDER_COOLDOWN_WORKING_DAYS = 3
ALERT_STATUSES = (Performance.LAGGING, Performance.OVERDUE)


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _render(name: str, context: dict) -> tuple[str, str]:
    return (
        render_to_string(f"progress/email/{name}.txt", context).strip() + "\n",
        render_to_string(f"progress/email/{name}.html", context),
    )


# -------------------------------------------------------------------------------------------- recipients


@dataclass(frozen=True)
class Recipient:
    channel: str
    address: str
    user_id: int | None = None


def managers(*, digest_only: bool = False) -> list:
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.MANAGER)
        .exclude(email="")
        .distinct()
    )
    if digest_only:
        users = users.exclude(notification_settings__receive_digest=False)
    return list(users.order_by("username"))


def department_recipients(department_ids) -> dict[int, list[Recipient]]:
    """Each department's people with an email address, and its active group robots."""
    recipients: dict[int, list[Recipient]] = defaultdict(list)
    people = (
        get_user_model()
        .objects.filter(is_active=True, membership__department_id__in=department_ids)
        .exclude(email="")
        .values_list("membership__department_id", "email", "pk")
        .order_by("username")
    )
    for department_id, email, user_id in people:
        recipients[department_id].append(Recipient(MessageChannel.EMAIL, email, user_id))
    for department_id, url in DepartmentWebhook.objects.filter(
        department_id__in=department_ids, is_active=True
    ).values_list("department_id", "url"):
        recipients[department_id].append(Recipient(MessageChannel.WEBHOOK, url))
    return recipients


# ------------------------------------------------------------------------------------------------ digest


def digest_key(as_of: dt.date) -> str:
    year, week, _ = as_of.isocalendar()
    return f"digest:{year}-W{week:02d}"


def digest_drafts(*, as_of: dt.date) -> list[Draft]:
    """The weekly digest for every manager who receives it: counts by status per chapter, targets that
    turned red or yellow since the previous digest, overdue targets, departments with late reports."""
    recipients = managers(digest_only=True)
    if not recipients:
        return []
    key = digest_key(as_of)
    since = _previous_digest_time(key) or end_of_day(as_of - dt.timedelta(days=8))
    judged = target_rows(user=None, as_of=as_of)  # once, for both the counts and the report
    summary = summarize_rows(judged, as_of=as_of)
    rows = attention_rows(judged)
    turned = (
        StatusChange.objects.filter(
            axis=StatusAxis.PERFORMANCE,
            new__in=[Performance.LAGGING, Performance.AT_RISK],
            created_at__gte=since,
            created_at__lt=end_of_day(as_of),
        )
        .select_related("target")
        .order_by("target__code", "created_at")
    )
    latest_turn = {change.target_id: change for change in turned}  # a target once, with its latest turn
    late_departments: dict[str, int] = defaultdict(int)
    for row in rows:
        if row.evaluation.reporting == Reporting.LATE and row.lead is not None:
            late_departments[row.lead.name] += 1
    context = {
        "as_of": as_of,
        "since": timezone.localtime(since),
        "summary": summary,
        "labels": PERFORMANCE_LABELS,
        "turned": [
            {
                "change": change,
                "label": PERFORMANCE_LABELS[Performance(change.new)],
                "url": _target_url(change.target, as_of),
            }
            for change in latest_turn.values()
        ],
        "overdue": [
            _row_context(row, as_of) for row in rows if row.evaluation.performance == Performance.OVERDUE
        ],
        "late_departments": sorted(late_departments.items(), key=lambda item: (-item[1], item[0])),
        "lagging_url": absolute(reverse("reports-lagging") + f"?as_of={as_of:%Y-%m-%d}"),
        "attention": len(rows),
    }
    context |= _notice_digest_context(as_of)
    subject = f"【督查周报】截至{as_of.month}月{as_of.day}日：{len(rows)}个目标需关注"
    body_text, body_html = _render("digest", context)
    return [
        Draft(
            MessageKind.DIGEST, MessageChannel.EMAIL, user.email, key, subject, body_text, body_html, user.pk
        )
        for user in recipients
    ]


def _notice_digest_context(as_of: dt.date) -> dict:
    # 督办 notices have a section of their own (progress.notice_messages), in a template of its own.
    from progress.notice_messages import notice_digest_context

    return notice_digest_context(as_of=as_of)


def _previous_digest_time(key: str) -> dt.datetime | None:
    """When the previous week's digest was first queued: the start of this digest's window. A rerun later
    in that week (for a manager added since) does not move it."""
    previous_key = (
        Message.objects.filter(kind=MessageKind.DIGEST, subject_key__lt=key)
        .order_by("-subject_key")
        .values_list("subject_key", flat=True)
        .first()
    )
    if previous_key is None:
        return None
    return (
        Message.objects.filter(kind=MessageKind.DIGEST, subject_key=previous_key)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )


def _target_url(target: Target, as_of: dt.date) -> str:
    return absolute(reverse("reports-target", args=[target.pk]) + f"?as_of={as_of:%Y-%m-%d}")


def _row_context(row: TargetRow, as_of: dt.date) -> dict:
    return {"row": row, "url": _target_url(row.target, as_of)}


# --------------------------------------------------------------------------------------------- reminders


def reminder_drafts(*, as_of: dt.date) -> list[Draft]:
    """Reminders for the lead departments' people and robots, on working days only: reports due in two
    working days, and reports already late (at most once per cooldown for each recipient)."""
    if not is_chinese_workday(as_of):
        return []
    due_on = nth_working_day_after(as_of, REMINDER_DAYS_BEFORE_DUE)
    due_soon: dict[int, list[dict]] = defaultdict(list)
    late: dict[int, list[dict]] = defaultdict(list)
    for row in target_rows(user=None, as_of=as_of):
        lead, evaluation = row.lead, row.evaluation
        if lead is None or evaluation.next_due is None:
            continue
        item = {"row": row, "url": _target_url(row.target, as_of), "period": _outstanding_period(row)}
        # A report due today is not late yet when the 09:00 reminders go out: late means due before today.
        if evaluation.reporting == Reporting.LATE and evaluation.next_due < as_of:
            late[lead.pk].append(item)
        elif evaluation.next_due == due_on:
            due_soon[lead.pk].append(item)
    departments = Department.objects.in_bulk(set(due_soon) | set(late))
    recipients = department_recipients(list(departments))
    cooled_down = _late_reminder_allowed(as_of, [r.address for rs in recipients.values() for r in rs])
    drafts = []
    for department_id, department in sorted(departments.items(), key=lambda item: item[1].name):
        for recipient in recipients.get(department_id, []):
            late_items = late.get(department_id, []) if cooled_down.get(recipient.address, True) else []
            soon_items = due_soon.get(department_id, [])
            if not late_items and not soon_items:
                continue
            context = {
                "department": department,
                "as_of": as_of,
                "due_on": due_on,
                "soon": soon_items,
                "late": late_items,
            }
            body_text, body_html = _render("reminder", context)
            # "late" in the key marks the reminders that start a recipient's cooldown.
            key = f"reminder:{'late' if late_items else 'due'}:{department_id}:{as_of:%Y-%m-%d}"
            subject = (
                f"【催报提醒】{department.name}：{len(late_items)}项逾期未报，{len(soon_items)}项即将到期"
            )
            drafts.append(
                Draft(
                    MessageKind.REMINDER,
                    recipient.channel,
                    recipient.address,
                    key,
                    subject,
                    body_text,
                    body_html,
                    recipient.user_id,
                    department_id,
                )
            )
    return drafts


def _outstanding_period(row: TargetRow) -> str:
    """The period whose report is awaited: the first one after the latest reported."""
    rule = target_rule(row.target)
    judged = row.evaluation.judged
    for end in period_ends(rule):
        if judged is None or end > judged.period_end:
            return period_label(end, rule)
    return ""


def _late_reminder_allowed(as_of: dt.date, addresses: list[str]) -> dict[str, bool]:
    """False for a recipient whose last late reminder is less than the cooldown (working days) ago.

    Reminders of `as_of` itself are left out, so that a rerun on the same day builds the same messages
    (which the outbox then recognises as already queued)."""
    last_sent: dict[str, dt.date] = {}
    for address, created_at in (
        Message.objects.filter(
            kind=MessageKind.REMINDER, recipient__in=addresses, subject_key__startswith="reminder:late:"
        )
        .filter(created_at__lt=end_of_day(as_of - dt.timedelta(days=1)))
        .values_list("recipient", "created_at")
        .order_by("created_at")
    ):
        last_sent[address] = timezone.localdate(created_at)
    return {
        address: nth_working_day_after(day, LATE_REMINDER_COOLDOWN_WORKING_DAYS) <= as_of
        for address, day in last_sent.items()
    }


# ------------------------------------------------------------------------------------------------ alerts


def alert_drafts(change: StatusChange) -> list[Draft]:
    """One alert per change to lagging or overdue: to the lead department's people and robots and to every
    manager."""
    target = change.target
    lead = target.lead_department
    as_of = change.as_of
    context = {
        "change": change,
        "target": target,
        "label": PERFORMANCE_LABELS[Performance(change.new)],
        "old_label": PERFORMANCE_LABELS.get(change.old, change.old),
        "lead": lead,
        "url": _target_url(target, as_of),
    }
    body_text, body_html = _render("alert", context)
    subject = f"【亮灯预警】{target.code} {target.metric}：{context['label']}"
    recipients = [Recipient(MessageChannel.EMAIL, user.email, user.pk) for user in managers()]
    if lead is not None:
        recipients += department_recipients([lead.pk]).get(lead.pk, [])
    return [
        Draft(
            MessageKind.ALERT,
            r.channel,
            r.address,
            f"alert:{change.pk}",
            subject,
            body_text,
            body_html,
            r.user_id,
            lead.pk if lead else None,
        )
        for r in dict.fromkeys(recipients)
    ]


def pending_alert_changes(limit: int = 500):
    return (
        StatusChange.objects.filter(processed_at__isnull=True)
        .select_related("target")
        .prefetch_related("target__assignments__department")
        .order_by("id")[:limit]
    )


def alerts_sweep(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[Draft]:
    """Claim each unprocessed status change (conditional UPDATE) and queue its alerts in the same
    transaction: a change is alerted once, whichever sweep claims it, and a crash before the commit leaves
    it unclaimed for the next sweep."""
    now = now or clock.now()
    drafts: list[Draft] = []
    for change in pending_alert_changes():
        wanted = change.axis == StatusAxis.PERFORMANCE and change.new in ALERT_STATUSES
        change_drafts = alert_drafts(change) if wanted else []
        if dry_run:
            drafts += change_drafts
            continue
        with transaction.atomic():
            claimed = StatusChange.objects.filter(pk=change.pk, processed_at__isnull=True).update(
                processed_at=now
            )
            if not claimed:
                continue  # another sweep got there first
            for draft in change_drafts:
                message_enqueue(draft=draft, now=now)
        drafts += change_drafts
    return drafts


def enqueue_all(drafts: list[Draft], *, now: dt.datetime | None = None) -> int:
    """Queue drafts; returns how many were new (a rerun finds them all queued already)."""
    with transaction.atomic():
        return sum(message_enqueue(draft=draft, now=now) is not None for draft in drafts)
