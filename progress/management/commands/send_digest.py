import datetime as dt

from django.core.management.base import BaseCommand

from progress.management.arguments import as_of_date
from progress.management.commands._messages import enqueue_and_report
from progress.notifications import digest_drafts
from wuzhong_tracker import clock


class Command(BaseCommand):
    help = "生成并发送督查周报摘要（每位督查室人员每周一封，重复运行不会重复发送）；不论当天是否为工作日都会运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", type=as_of_date, help="摘要所描述的日期 YYYY-MM-DD，按当日24时评估（默认昨天）"
        )
        parser.add_argument("--dry-run", action="store_true", help="只打印谁将收到什么，不发送")

    def handle(self, *args, as_of, dry_run: bool, **options):
        enqueue_and_report(
            self, digest_drafts(as_of=as_of or clock.today() - dt.timedelta(days=1)), dry_run=dry_run
        )
