import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from targets.drafting import (
    DEFAULT_KEYWORDS_FILE,
    DraftError,
    UndecodableReport,
    comparables_from_draft,
    comparables_from_spec,
    draft_compare,
    draft_yaml,
    keyword_table_load,
    report_draft,
    report_text_decode,
    report_text_normalise,
)
from targets.drafting.departments import KeywordTableInvalid
from targets.loader import ReportFileInvalid, report_file_parse


class Command(BaseCommand):
    help = (
        "从政府工作报告的纯文本（UTF-8 或 GBK）起草数据文件：章节、重点任务、数值目标、里程碑、上年基数和建议的责任单位，"
        "可直接用 load_report 导入；--compare 与手工编制的数据文件对照，给出精确率和召回率。"
    )

    def add_arguments(self, parser):
        parser.add_argument("text_file", help="报告原文（纯文本，UTF-8 或 GBK）")
        parser.add_argument("--year", type=int, required=True, help="报告年度，如 2021")
        parser.add_argument(
            "--out", help="写出的数据文件（YAML）；原文的 UTF-8 副本需要时写在它旁边。不指定则输出到标准输出"
        )
        parser.add_argument("--keywords", default=str(DEFAULT_KEYWORDS_FILE), help="责任单位关键词表（YAML）")
        parser.add_argument(
            "--compare", metavar="HAND_FILE", help="与手工编制的数据文件对照，输出精确率、召回率和差异"
        )

    def handle(
        self, *args, text_file: str, year: int, out: str | None, keywords: str, compare: str | None, **options
    ):
        started = time.perf_counter()
        source = Path(text_file)
        try:
            raw = source.read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取报告原文 {source}：{error.strerror}") from None
        try:
            decoded = report_text_decode(raw)
            table = keyword_table_load(Path(keywords))
        except (UndecodableReport, KeywordTableInvalid) as error:
            raise CommandError(f"{source}：{error}") from None
        text = report_text_normalise(decoded)
        try:
            draft = report_draft(text, year=year, keywords=table)
        except DraftError as error:
            raise CommandError(f"{source}：{error}") from None
        elapsed = time.perf_counter() - started

        # The loader reads the text beside the data file as UTF-8, one paragraph per line: the input itself
        # when it already is exactly that, otherwise a normalised copy written next to the draft.
        usable_as_is = raw.decode("utf-8", errors="replace") == text and not raw.startswith(b"\xef\xbb\xbf")
        summary = self._summary(draft, elapsed)
        if out:
            out_path = Path(out)
            out_path.parent.mkdir(parents=True, exist_ok=True)
            # The draft travels with its text: <name>.txt beside it (the input itself when it is that file
            # and already normalised UTF-8; never overwritten with something else).
            copy = out_path.with_suffix(".txt")
            if copy.resolve() == source.resolve() and not usable_as_is:
                copy = out_path.with_suffix(".utf8.txt")
            if copy.resolve() != source.resolve():
                copy.write_text(text, encoding="utf-8")
            out_path.write_text(draft_yaml(draft, source=copy.name), encoding="utf-8")
            self.stdout.write(self.style.SUCCESS(f"{summary}已写出 {out_path} 和原文 {copy.name}。"))
        elif not compare:
            if not usable_as_is:
                raise CommandError(
                    f"{source} 不是规范的 UTF-8 纯文本，导入时需要它的 UTF-8 副本：请用 --out 指定数据文件，副本写在旁边。"
                )
            self.stdout.write(draft_yaml(draft, source=str(source.resolve())), ending="")
            self.stderr.write(summary)
        else:
            self.stdout.write(summary)
        for warning in draft.warnings:
            self.stderr.write(self.style.WARNING(f"注意：{warning}"))
        if compare:
            self._compare(draft, Path(compare))

    @staticmethod
    def _summary(draft, elapsed: float) -> str:
        targets = draft.targets
        milestones = sum(1 for target in targets if target.is_milestone)
        tasks = sum(len(chapter.tasks) for chapter in draft.chapters)
        return (
            f"已起草 {draft.title}：{len(draft.chapters)} 个章节、{tasks} 个重点任务、{len(targets) - milestones} 个数值目标、"
            f"{milestones} 个里程碑（{sum(1 for target in targets if target.baseline)} 个有上年基数），用时 {elapsed:.2f} 秒。"
        )

    def _compare(self, draft, reference_path: Path) -> None:
        try:
            reference = report_file_parse(reference_path)
        except ReportFileInvalid as error:
            raise CommandError(
                f"对照文件 {reference_path} 有错误：\n" + "\n".join(f"  - {p}" for p in error.problems)
            ) from None
        comparison = draft_compare(comparables_from_draft(draft), comparables_from_spec(reference))
        self.stdout.write(f"对照 {reference_path}：")
        for label, score in (("数值目标", comparison.numeric), ("里程碑", comparison.milestones)):
            self.stdout.write(
                f"  {label}：起草 {score.drafted} 个，手工 {score.reference} 个，一致 {score.matched} 个；"
                f"精确率 {score.precision:.1%}，召回率 {score.recall:.1%}"
            )
        baselines = comparison.baselines
        self.stdout.write(
            f"  上年基数：起草 {baselines.drafted} 个，手工 {baselines.reference} 个，"
            f"在一致的数值目标中基数相同 {baselines.matched} 个"
        )
        for label, score in (("数值目标", comparison.numeric), ("里程碑", comparison.milestones)):
            for title, items in (
                (f"遗漏的{label}（手工有、起草没有）", score.missed),
                (f"多出的{label}（起草有、手工没有）", score.invented),
            ):
                if items:
                    self.stdout.write(f"{title}：")
                    for item in items:
                        self.stdout.write(f"  - {item.describe()}")
