import datetime as dt
import json

from django.core.management.base import BaseCommand

from progress.judging import target_rule
from progress.management.arguments import as_of_date
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS, gap_text
from progress.selectors import targets_evaluated_as_of
from targets.conventions import format_decimal
from targets.models import Target
from targets.selectors import decimal_to_json
from wuzhong_tracker import clock


class Command(BaseCommand):
    help = "按指定日期（默认今天）评估每个目标，只使用当时已存在的填报；输出 JSON Lines 或中文表格。"

    def add_arguments(self, parser):
        parser.add_argument("--as-of", type=as_of_date, help="评估日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--format", choices=["json", "table"], default="json")
        parser.add_argument("--year", type=int, help="只评估该年度报告的目标")

    def handle(self, *args, as_of: dt.date | None, format: str, year: int | None, **options):
        as_of = as_of or clock.today()
        targets = Target.objects.select_related("report").order_by("report__year", "report_id", "code")
        if year is not None:
            targets = targets.filter(report__year=year)
        results = targets_evaluated_as_of(targets=targets, as_of=as_of)
        if format == "json":
            for target, evaluation in results:
                self.stdout.write(json.dumps(_row(target, evaluation), ensure_ascii=False))
            return
        self.stdout.write(f"截至 {as_of:%Y年%m月%d日} 的目标状态（共 {len(results)} 个）")
        self.stdout.write(
            f"{'编号':<8}{'完成状态':<8}{'报送状态':<8}{'完成进度':>9}{'序时进度':>9}  最新数据  指标  差距"
        )
        for target, evaluation in results:
            row = _row(target, evaluation)
            self.stdout.write(
                f"{row['code']:<10}{PERFORMANCE_LABELS[evaluation.performance]:<8}"
                f"{REPORTING_LABELS[evaluation.reporting]:<8}"
                f"{_pct(evaluation.progress_pct):>11}{_pct(evaluation.expected_pct):>11}"
                f"  {format_decimal(evaluation.judged.value) + target.figure_unit if evaluation.judged else '—'}"
                f"（{row['latest_period_end'] or '—'}）  {target.metric}  {row['gap_text'] or '—'}"
            )


def _pct(value) -> str:
    return "—" if value is None else f"{format_decimal(value)}%"


def _row(target: Target, evaluation) -> dict:
    judged = evaluation.judged
    return {
        "code": target.code,
        "metric": target.metric,
        "status": evaluation.performance.value,
        "reporting": evaluation.reporting.value,
        "progress_pct": decimal_to_json(evaluation.progress_pct),
        "expected_pct": decimal_to_json(evaluation.expected_pct),
        "gap_pp": decimal_to_json(evaluation.gap_pp),
        "gap_text": gap_text(target_rule(target), evaluation),
        "latest_value": decimal_to_json(judged.value) if judged else None,
        "latest_period_end": judged.period_end.isoformat() if judged else None,
        "next_due": evaluation.next_due.isoformat() if evaluation.next_due else None,
        "days_late": evaluation.days_late,
        "reasons": list(evaluation.reasons),
    }
