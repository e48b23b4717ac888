"""The outbox: enqueue a message once, claim it before sending, retry transient failures with
exponential backoff, and never send the same message twice (healthchecks' claimed sends, pretix's outbox).

- `message_enqueue` inserts the row unless the same message (kind, channel, recipient, subject key)
  exists already, and schedules its sending after the commit.
- `message_send` claims a due pending row with a conditional UPDATE; only the process whose UPDATE changed
  the row sends it. Success → sent; a transient error → pending again after a backoff (60 s, doubling,
  at most an hour) until the attempts run out → failed; a permanent error → failed at once.
- A group robot takes at most 20 messages a minute: a 21st waits (still pending, no attempt counted)
  until the robot's minute has room; a robot's own "too fast" answer is a transient error.
- `outbox_flush` sends what is due and turns rows left "sending" by a killed worker into failed ones:
  the server may or may not have taken them, so an administrator checks and resends (never a blind
  duplicate).
"""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q

from progress.channels import CHANNELS, PermanentSendError, TransientSendError
from progress.enqueueing import enqueue_after_commit
from progress.models import Message, MessageChannel, MessageState
from wuzhong_tracker import clock

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BACKOFF_FIRST = dt.timedelta(seconds=60)
BACKOFF_CAP = dt.timedelta(hours=1)
STALE_CLAIM = dt.timedelta(minutes=15)
# DingTalk and WeCom robots take at most 20 messages a minute each; more are refused (130101 / 45009).
ROBOT_PER_MINUTE = 20
ROBOT_WINDOW = dt.timedelta(minutes=1)


def backoff(attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: 60 s, 120 s, 240 s … capped at an hour."""
    return min(BACKOFF_CAP, BACKOFF_FIRST * 2 ** max(0, attempts - 1))


@dataclass(frozen=True)
class Draft:
    """A message before it is a row: what `message_enqueue` needs, and what a dry run prints."""

    kind: str
    channel: str
    recipient: str
    subject_key: str
    subject: str
    body_text: str
    body_html: str = ""
    recipient_user_id: int | None = None
    department_id: int | None = None


def message_enqueue(*, draft: Draft, now: dt.datetime | None = None) -> Message | None:
    """Insert the message unless it exists already; returns the new row, or None for a duplicate."""
    now = now or clock.now()
    try:
        with transaction.atomic():
            message = Message.objects.create(
                kind=draft.kind, channel=draft.channel, recipient=draft.recipient, subject_key=draft.subject_key,
                subject=draft.subject, body_text=draft.body_text, body_html=draft.body_html,
                recipient_user_id=draft.recipient_user_id, department_id=draft.department_id,
                created_at=now, next_attempt_at=now,
            )  # fmt: skip
    except IntegrityError:
        return None  # the same message was queued before (a rerun, or another worker)
    enqueue_after_commit(
        "progress.send_message", message.pk, failure="发送任务未能入队（消息 %s）；将由发件箱巡检发送。"
    )
    return message


def message_send(*, message_id: int, now: dt.datetime | None = None) -> str:
    """Claim and send one message; returns what happened ("sent", "retry", "failed", "paced" or
    "not-claimed")."""
    now = now or clock.now()
    paced_until = _robot_paced_until(message_id, now)
    if paced_until is not None:
        # Not an attempt: the message waits, still pending, until the robot's minute has room again.
        Message.objects.filter(pk=message_id, state=MessageState.PENDING).update(next_attempt_at=paced_until)
        return "paced"
    claimed = Message.objects.filter(
        pk=message_id, state=MessageState.PENDING, next_attempt_at__lte=now
    ).update(state=MessageState.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    if not claimed:
        return "not-claimed"  # sent, failed, not due yet, or another process got there first
    message = Message.objects.get(pk=message_id)
    channel = CHANNELS[message.channel]
    try:
        channel.send(
            recipient=message.recipient,
            subject=message.subject,
            body_text=message.body_text,
            body_html=message.body_html,
        )
    except TransientSendError as error:
        if message.attempts >= MAX_ATTEMPTS:
            _finish(message, MessageState.FAILED, error=f"已尝试{message.attempts}次，放弃：{error}")
            return "failed"
        _finish(
            message, MessageState.PENDING, error=str(error), next_attempt_at=now + backoff(message.attempts)
        )
        return "retry"
    except PermanentSendError as error:
        _finish(message, MessageState.FAILED, error=str(error))
        return "failed"
    _finish(message, MessageState.SENT, sent_at=clock.now())
    return "sent"


def _robot_paced_until(message_id: int, now: dt.datetime) -> dt.datetime | None:
    """For a robot message: when the robot's last minute already holds its 20 messages (sent or being
    sent), the moment the oldest of them leaves the window; else None. Two senders checking at once may
    let a 21st through: the robot then answers "too fast", which is retried like any transient error."""
    robot = (
        Message.objects.filter(pk=message_id, channel=MessageChannel.WEBHOOK, state=MessageState.PENDING)
        .values_list("recipient", flat=True)
        .first()
    )
    if robot is None:
        return None
    recent = sorted(
        moment
        for sent_at, claimed_at, state in Message.objects.filter(
            channel=MessageChannel.WEBHOOK, recipient=robot
        )
        .filter(
            Q(sent_at__gt=now - ROBOT_WINDOW)
            | Q(state=MessageState.SENDING, claimed_at__gt=now - ROBOT_WINDOW)
        )
        .values_list("sent_at", "claimed_at", "state")
        for moment in [sent_at if state == MessageState.SENT else claimed_at]
    )
    if len(recent) < ROBOT_PER_MINUTE:
        return None
    return recent[-ROBOT_PER_MINUTE] + ROBOT_WINDOW


def _finish(message: Message, state: str, *, error: str = "", **fields) -> None:
    # Only the claimer moves a row out of "sending"; the filter keeps a late writer from undoing a resend.
    Message.objects.filter(pk=message.pk, state=MessageState.SENDING).update(
        state=state, last_error=error, **fields
    )


@dataclass
class FlushSummary:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    interrupted: int = 0


def outbox_flush(*, now: dt.datetime | None = None, limit: int = 500) -> FlushSummary:
    """Send every due pending message; mark stale claims failed (see the module docstring)."""
    now = now or clock.now()
    summary = FlushSummary()
    summary.interrupted = Message.objects.filter(
        state=MessageState.SENDING, claimed_at__lt=now - STALE_CLAIM
    ).update(
        state=MessageState.FAILED,
        last_error="发送中断（进程退出），无法确认对方是否已收到；请核实后在后台重发。",
    )
    due = Message.objects.filter(state=MessageState.PENDING, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "id"
    )
    for message_id in list(due.values_list("pk", flat=True)[:limit]):
        outcome = message_send(message_id=message_id, now=now)
        summary.sent += outcome == "sent"
        summary.retried += outcome == "retry"
        summary.failed += outcome == "failed"
    return summary


def message_resend(*, message: Message, now: dt.datetime | None = None) -> bool:
    """An administrator's "resend" of a failed message: back to pending, due now, attempts counted anew."""
    now = now or clock.now()
    updated = Message.objects.filter(pk=message.pk, state=MessageState.FAILED).update(
        state=MessageState.PENDING, next_attempt_at=now, attempts=0, claimed_at=None
    )
    if updated:
        enqueue_after_commit(
            "progress.send_message", message.pk, failure="发送任务未能入队（消息 %s）；将由发件箱巡检发送。"
        )
    return bool(updated)
