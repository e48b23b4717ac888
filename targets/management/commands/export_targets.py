import json

from django.core.management.base import BaseCommand, CommandError

from targets.models import Report, Target
from targets.selectors import target_export_rows


class Command(BaseCommand):
    help = "以 JSON Lines 输出每个目标（每行一个 JSON 对象）。"

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="报告年度（默认：最新的报告）")

    def handle(self, *args, year: int | None, **options):
        reports = Report.objects.all()
        if year is not None:
            reports = reports.filter(year=year)
        report = reports.order_by("-year").first()
        if report is None:
            raise CommandError("没有可导出的报告；请先运行 load_report。")
        targets = Target.objects.filter(report=report).with_structure().in_reading_order()
        for row in target_export_rows(targets):
            self.stdout.write(json.dumps(row, ensure_ascii=False))
