from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from progress.importing import ImportRefused, dataset_read, progress_import


class Command(BaseCommand):
    help = (
        "从 CSV 或 XLSX 台账导入进度（列：code/编号, period_end/报告期末, value/数值, note/说明，可选 final/是否最终, "
        "provenance/数据来源；或系统导出的每月一列的台账）。先校验全部行，全部成功才保存。"
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV 或 XLSX 文件")
        parser.add_argument("--user", required=True, help="以该用户的身份和单位权限填报")
        parser.add_argument(
            "--allow-corrections", action="store_true", help="已有填报且数值不同的行作为更正（新修订）保存"
        )

    def handle(self, *args, file: str, user: str, allow_corrections: bool, **options):
        try:
            submitter = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"没有用户名为“{user}”的有效用户。") from None
        path = Path(file)
        try:
            dataset = dataset_read(path.read_bytes(), path.name)
            summary = progress_import(dataset=dataset, by=submitter, allow_corrections=allow_corrections)
        except OSError as error:
            raise CommandError(f"无法读取文件 {path}：{error.strerror or error}") from None
        except ImportRefused as refused:
            raise CommandError(
                f"{path.name} {refused.headline()}\n"
                + "\n".join(f"  - {error}" for error in refused.listed())
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"已导入 {path.name}：新增 {summary.created} 条，更正 {summary.corrected} 条，未变 {summary.unchanged} 条。"
            )
        )
