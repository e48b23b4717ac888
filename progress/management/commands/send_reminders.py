from django.core.management.base import BaseCommand

from progress.management.arguments import as_of_date
from progress.management.commands._messages import enqueue_and_report
from progress.notice_messages import notice_reminder_drafts
from progress.notifications import reminder_drafts
from progress.working_calendar import is_chinese_workday
from wuzhong_tracker import clock


class Command(BaseCommand):
    help = "生成并发送催报提醒与督办单催办（到期前2个工作日；逾期后每3个工作日至多一次；节假日不发送）。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=as_of_date, help="提醒日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--dry-run", action="store_true", help="只打印谁将收到什么，不发送")

    def handle(self, *args, as_of, dry_run: bool, **options):
        as_of = as_of or clock.today()
        if not is_chinese_workday(as_of):
            self.stdout.write(f"{as_of} 不是工作日，不发送催报提醒。")
            return
        # Reports first, then 督办 notices due or past due (messages of their own).
        drafts = reminder_drafts(as_of=as_of) + notice_reminder_drafts(as_of=as_of)
        enqueue_and_report(self, drafts, dry_run=dry_run)
