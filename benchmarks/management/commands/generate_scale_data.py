from django.core.management.base import BaseCommand, CommandError

from benchmarks.scale_data import scale_data_generate


class Command(BaseCommand):
    help = (
        "生成规模测试数据（多份报告、责任单位、用户、目标和逐月填报），用于性能基准；同一种子生成的数据相同。"
    )

    def add_arguments(self, parser):
        parser.add_argument("--targets", type=int, required=True, help="目标数")
        parser.add_argument("--months", type=int, default=12, help="逐月填报的月数（1–12）")
        parser.add_argument("--seed", type=int, default=2020, help="随机种子")
        parser.add_argument("--year", type=int, default=2020, help="报告年度")
        parser.add_argument("--managers", type=int, default=200, help="督查室用户数（每周摘要的收件人）")
        parser.add_argument("--replace", action="store_true", help="先删除已有的规模测试数据")

    def handle(self, *args, **options):
        try:
            summary = scale_data_generate(
                targets=options["targets"],
                months=options["months"],
                seed=options["seed"],
                year=options["year"],
                managers=options["managers"],
                replace=options["replace"],
            )
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {summary.reports} 份报告、{summary.departments} 个责任单位、{summary.users} 个用户、"
                f"{summary.targets} 个目标、{summary.entries} 条填报（{summary.history_records} 条历史记录）；"
                f"建议评估日期 {summary.as_of:%Y-%m-%d}。"
            )
        )
