"""Shared by send_digest, send_reminders and send_alerts: print a dry run, or queue and send."""

from collections import Counter

from django.core.management.base import BaseCommand

from progress.messaging import Draft, outbox_flush
from progress.models import Message, MessageChannel, MessageState
from progress.notifications import enqueue_drafts


def report(
    command: BaseCommand, drafts: list[Draft], *, dry_run: bool, queued: list[int] | None = None
) -> None:
    """Print the drafts, then (unless a dry run) flush the outbox and say what became of the messages
    queued now: they may have been sent already after their commit (inline tasks) or by this flush, so
    their states are counted, not the flush's own sends."""
    for draft in drafts:
        command.stdout.write(f"  [{MessageChannel(draft.channel).label}] {draft.recipient}：{draft.subject}")
    if dry_run:
        command.stdout.write(command.style.WARNING(f"试运行：将发送 {len(drafts)} 条，未写入发件箱。"))
        return
    queued = queued or []
    outbox_flush()
    states = Counter(Message.objects.filter(pk__in=queued).values_list("state", flat=True))
    command.stdout.write(
        command.style.SUCCESS(
            f"新入发件箱 {len(queued)} 条（其余 {len(drafts) - len(queued)} 条此前已入队）；"
            f"本次发送成功 {states[MessageState.SENT]} 条，待重试 {states[MessageState.PENDING]} 条，"
            f"失败 {states[MessageState.FAILED]} 条。"
        )
    )


def enqueue_and_report(command: BaseCommand, drafts: list[Draft], *, dry_run: bool) -> None:
    report(command, drafts, dry_run=dry_run, queued=None if dry_run else enqueue_drafts(drafts))
