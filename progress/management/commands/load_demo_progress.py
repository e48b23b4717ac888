import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from progress.demo_history import DemoHistoryRefused, demo_history_load
from progress.management.arguments import date_argument
from progress.rules import PERFORMANCE_LABELS, Performance
from targets.models import Report
from wuzhong_tracker import clock
from wuzhong_tracker.celery import app as celery_app


class Command(BaseCommand):
    help = (
        "为随项目附带的报告载入一年的演示填报历史（按2020年的时间逐日重现：填报、审核、退回更正、每日评估），"
        "截至演示日期前一天。可重复运行；同一种子结果相同。仅限 DEBUG 环境。"
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--until", type=date_argument("--until"), help="演示日期（默认：系统今天，即 DEMO_TODAY）"
        )
        parser.add_argument("--seed", type=int, default=2020, help="随机种子（默认2020）")
        parser.add_argument("--year", type=int, help="报告年度（默认：演示日期所在年度或之前最近一年的报告）")
        parser.add_argument(
            "--force", action="store_true", help="在 DEBUG 关闭时也载入（切勿用于生产数据库）"
        )

    def handle(self, *args, until: dt.date | None, seed: int, year: int | None, force: bool, **options):
        if not settings.DEBUG and not force:
            raise CommandError("演示历史会写入大量虚构的填报，只能在 DEBUG 环境中载入（或加 --force）。")
        until = until or clock.today()
        # By default the latest year the demo date has reached: a later year's report published in the demo
        # (报告草稿) waits for its year.
        reports = Report.objects.filter(year=year) if year else Report.objects.filter(year__lte=until.year)
        report = reports.order_by("-year", "pk").first()
        if report is None:
            wanted = f"{year}年的报告" if year else f"{until.year}年或更早的报告"
            raise CommandError(f"没有{wanted}；请先运行 load_report。")
        if until.year < report.year:
            raise CommandError(f"演示日期{until:%Y-%m-%d}早于{report.year}年，没有可载入的历史。")
        # The year is lived in this process, one moment at a time: the recomputations that each entry
        # triggers must run at that moment too, never later on a worker with the real clock.
        celery_app.conf.task_always_eager = True
        try:
            summary = demo_history_load(report=report, until=until, seed=seed)
        except DemoHistoryRefused as refusal:
            raise CommandError(str(refusal)) from None
        distribution = "、".join(
            f"{PERFORMANCE_LABELS[Performance(status)]} {count}"
            for status, count in summary.performance.items()
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"演示历史（种子 {seed}）已载入至 {until:%Y-%m-%d} 前一天：新填报 {summary.submitted} 条、"
                f"审核通过 {summary.approved} 次、退回 {summary.returned} 次、更正 {summary.corrected} 次，"
                f"每日巡检 {summary.sweeps} 次；新建演示人员 {summary.staff_created} 名。"
            )
        )
        self.stdout.write(f"截至 {until:%Y-%m-%d} 的完成状态：{distribution}。")
