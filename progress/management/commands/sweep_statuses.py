from django.conf import settings
from django.core.management.base import BaseCommand

from progress.statuses import status_sweep_recorded


class Command(BaseCommand):
    help = "立即评估全部目标并保存状态、状态变化和当日快照（与每日定时巡检相同）。"

    def handle(self, *args, **options):
        summary = status_sweep_recorded(batch_size=settings.STATUS_SWEEP_BATCH_SIZE)
        self.stdout.write(
            self.style.SUCCESS(
                f"已评估 {summary.evaluated} 个目标，{summary.changed_targets} 个目标的状态发生变化（共 {summary.changes} 处）。"
            )
        )
