from django.core.management.base import BaseCommand

from progress.management.commands._messages import report
from progress.notifications import alerts_run


class Command(BaseCommand):
    help = "处理尚未处理的状态变化：目标转为滞后或逾期未完成时，向牵头单位和督查室发送预警（每次运行每位接收人一条，列出本次所有变化）。"

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="只打印谁将收到什么，不发送、不标记")

    def handle(self, *args, dry_run: bool, **options):
        run = alerts_run(dry_run=dry_run)
        report(self, run.drafts, dry_run=dry_run, queued=run.queued)
