"""Celery tasks: thin interfaces to the services (statuses, the outbox, the messages). They take IDs, are idempotent (they recompute
from the entries and store only what changed, under a row lock), and run late-acknowledged so that a
worker killed mid-task leaves the message to be redelivered."""

import datetime as dt

from celery import shared_task
from django.conf import settings

from progress import messaging, notice_messages, notifications, statuses
from wuzhong_tracker import clock


@shared_task(name="progress.recompute_target_status", acks_late=True, time_limit=60, soft_time_limit=50)
def recompute_target_status(target_id: int) -> int:
    """Recompute one target after an entry was committed; returns the number of status changes."""
    return len(statuses.target_status_refresh(target_id=target_id))


@shared_task(name="progress.sweep_statuses", acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def sweep_statuses() -> dict:
    """Daily (and on demand): evaluate every target as of today, store changes and snapshots."""
    run = statuses.status_sweep_recorded(batch_size=settings.STATUS_SWEEP_BATCH_SIZE)
    return {"evaluated": run.evaluated, "changed_targets": run.changed_targets, "changes": run.changes}


@shared_task(name="progress.recompute_stale_statuses", time_limit=10 * 60, soft_time_limit=9 * 60)
def recompute_stale_statuses() -> int:
    """Every few minutes: recompute targets whose entry committed while the broker was unreachable."""
    return statuses.stale_statuses_refresh()


@shared_task(name="progress.send_message", acks_late=True, time_limit=120, soft_time_limit=100)
def send_message(message_id: int) -> str:
    """Send one outbox message (claimed first: a redelivered task finds it sent or sending and stops)."""
    return messaging.message_send(message_id=message_id)


@shared_task(name="progress.flush_outbox", time_limit=10 * 60, soft_time_limit=9 * 60)
def flush_outbox() -> dict:
    """Every minute: send due messages and retries; mark interrupted sends failed for an administrator."""
    summary = messaging.outbox_flush()
    return {
        "sent": summary.sent,
        "retried": summary.retried,
        "failed": summary.failed,
        "interrupted": summary.interrupted,
    }


@shared_task(name="progress.send_digest", time_limit=10 * 60, soft_time_limit=9 * 60)
def send_digest() -> int:
    """Daily 08:30; sends on the week's first working day (Monday, or the next working day after a Monday
    holiday): the weekly digest to managers, describing the end of yesterday (one per manager per ISO
    week, however often run)."""
    today = clock.today()
    if not notifications.digest_due(today):
        return 0
    return notifications.enqueue_all(notifications.digest_drafts(as_of=today - dt.timedelta(days=1)))


@shared_task(name="progress.send_reminders", time_limit=10 * 60, soft_time_limit=9 * 60)
def send_reminders() -> int:
    """Daily 09:00; nothing on holidays, make-up workdays included (the calendar decides, not cron): late
    and due reports, then 督办 notices due or past due (a message of their own)."""
    today = clock.today()
    return notifications.enqueue_all(notifications.reminder_drafts(as_of=today)) + notifications.enqueue_all(
        notice_messages.notice_reminder_drafts(as_of=today)
    )


@shared_task(name="progress.sweep_alerts", time_limit=10 * 60, soft_time_limit=9 * 60)
def sweep_alerts() -> int:
    """Every 15 minutes: the status changes to lagging or overdue since the last run, one message per
    recipient and channel listing them all."""
    return len(notifications.alerts_sweep())
