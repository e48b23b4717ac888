"""Celery tasks: thin interfaces to the status services. They take IDs, are idempotent (they recompute
from the entries and store only what changed, under a row lock), and run late-acknowledged so that a
worker killed mid-task leaves the message to be redelivered."""

from celery import shared_task

from progress import services


@shared_task(name="progress.recompute_target_status", acks_late=True, time_limit=60, soft_time_limit=50)
def recompute_target_status(target_id: int) -> int:
    """Recompute one target after an entry was committed; returns the number of status changes."""
    return len(services.target_status_refresh(target_id=target_id))


@shared_task(name="progress.sweep_statuses", acks_late=True, time_limit=30 * 60, soft_time_limit=28 * 60)
def sweep_statuses() -> dict:
    """Daily (and on demand): evaluate every target as of today, store changes and snapshots."""
    summary = services.status_sweep()
    return {
        "evaluated": summary.evaluated,
        "changed_targets": summary.changed_targets,
        "changes": summary.changes,
    }
