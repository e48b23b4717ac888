"""Who a message goes to and how it is written, shared by every kind of message (progress.notifications for
reports, progress.notice_messages for 督办): the recipients of a department (people and group robots) and
of the office, the rendering of a message's text and HTML, absolute links, and the cooldown of reminders
about what is already late (a recipient is not pressed about it every day)."""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.template.loader import render_to_string
from django.utils import timezone

from progress.messaging import Draft
from progress.models import DepartmentWebhook, Message, MessageChannel, MessageKind
from progress.selectors import end_of_day
from progress.working_calendar import nth_working_day_after
from targets import roles
from targets.models import Department

LATE_REMINDER_COOLDOWN_WORKING_DAYS = 3


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def render_message(name: str, context: dict) -> tuple[str, str]:
    """A message's plain text and HTML, from progress/email/NAME.txt and .html."""
    return (
        render_to_string(f"progress/email/{name}.txt", context).strip() + "\n",
        render_to_string(f"progress/email/{name}.html", context),
    )


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


# What a reminder builder makes of one recipient's late and due-soon items of one department.
Compose = Callable[[Department, Recipient, list, list], Draft]


def department_reminders(
    *, as_of: dt.date, late: dict[int, list], soon: dict[int, list], late_key: str, compose: Compose
) -> list[Draft]:
    """A reminder per recipient of each department with late or due-soon items (departments by name). The
    late items are left out for a recipient reminded of late ones (a message whose key starts with
    `late_key`) less than the cooldown ago; a recipient left with nothing gets no message."""
    departments = Department.objects.in_bulk(set(soon) | set(late))
    recipients = department_recipients(list(departments))
    cooled_down = _late_reminder_allowed(
        as_of, [r.address for rs in recipients.values() for r in rs], late_key
    )
    drafts = []
    for department_id, department in sorted(departments.items(), key=lambda item: item[1].name):
        for recipient in recipients.get(department_id, []):
            late_items = late.get(department_id, []) if cooled_down.get(recipient.address, True) else []
            soon_items = soon.get(department_id, [])
            if late_items or soon_items:
                drafts.append(compose(department, recipient, late_items, soon_items))
    return drafts


def _late_reminder_allowed(as_of: dt.date, addresses: list[str], late_key: str) -> dict[str, bool]:
    """False for a recipient whose last late reminder of this kind is less than the cooldown (working days)
    ago. Reminders of `as_of` itself are left out, so that a rerun on the same day builds the same messages
    (which the outbox then recognises as already queued)."""
    last_sent: dict[str, dt.date] = {}
    for address, created_at in (
        Message.objects.filter(
            kind=MessageKind.REMINDER, recipient__in=addresses, subject_key__startswith=late_key
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
