"""Shared by send_digest, send_reminders and send_alerts: print a dry run, or queue and send."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from progress.messaging import Draft, outbox_flush
from progress.models import MessageChannel
from progress.notifications import enqueue_all


def as_of_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"--as-of “{text}” 不是日期（格式：YYYY-MM-DD）。") from None


def report(command: BaseCommand, drafts: list[Draft], *, dry_run: bool, queued: int | None = None) -> None:
    for draft in drafts:
        command.stdout.write(f"  [{MessageChannel(draft.channel).label}] {draft.recipient}：{draft.subject}")
    if dry_run:
        command.stdout.write(command.style.WARNING(f"试运行：将发送 {len(drafts)} 条，未写入发件箱。"))
        return
    summary = outbox_flush()
    command.stdout.write(
        command.style.SUCCESS(
            f"新入发件箱 {queued} 条（其余 {len(drafts) - queued} 条此前已入队）；"
            f"本次发送成功 {summary.sent} 条，待重试 {summary.retried} 条，失败 {summary.failed} 条。"
        )
    )


def enqueue_and_report(command: BaseCommand, drafts: list[Draft], *, dry_run: bool) -> None:
    report(command, drafts, dry_run=dry_run, queued=None if dry_run else enqueue_all(drafts))
