from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets.loader import DEFAULT_DATA_FILE, ReportFileInvalid, report_file_parse
from targets.services import report_load


class Command(BaseCommand):
    help = "校验并导入政府工作报告数据文件（默认：随项目附带的2020年报告）。先校验全部内容，有错误则不改动数据库。"

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_DATA_FILE), help="YAML 数据文件路径")
        parser.add_argument(
            "--reset-departments",
            action="store_true",
            help="按数据文件重设已有目标的责任单位（默认保留在后台修改过的分工）",
        )

    def handle(self, *args, path: str, reset_departments: bool, verbosity: int, **options):
        try:
            spec = report_file_parse(Path(path))
            summary = report_load(spec=spec, reset_departments=reset_departments)
        except ReportFileInvalid as error:
            raise CommandError(
                f"数据文件 {path} 有 {len(error.problems)} 处错误，未做任何改动：\n"
                + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from None
        if verbosity >= 2:
            for line in summary.changes:
                self.stdout.write(f"  {line}")
        for line in summary.department_differences:
            self.stdout.write(self.style.WARNING(f"  {line}"))
        for line in summary.kept:
            self.stdout.write(self.style.WARNING(f"  目标 {line} 已不在数据文件中，但已有进度记录，未删除。"))
        targets = spec.targets
        milestones = sum(1 for target in targets if target.comparator == "done")
        self.stdout.write(
            self.style.SUCCESS(
                f"{spec.title}：{len(spec.chapters)} 个章节、"
                f"{sum(len(chapter.tasks) for chapter in spec.chapters)} 项重点任务、{len(targets)} 个目标"
                f"（数值目标 {len(targets) - milestones} 个、里程碑 {milestones} 个，"
                f"其中 {sum(1 for target in targets if target.baseline)} 个有上年基期值），"
                f"{len(spec.departments)} 个责任单位。"
            )
        )
        self.stdout.write(
            f"  本次写入的记录（报告、章节、重点任务、目标、基期值、责任单位及分工，每项一条）：新增 {summary.created}、"
            f"更新 {summary.updated}、删除 {summary.deleted}、未变 {summary.unchanged}。"
        )
