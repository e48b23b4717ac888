"""Importing progress from a 台账 file (CSV or XLSX): `import_progress` and the admin's import button.

The whole file is validated first; either every row is saved or none is. Rows run through the same
services as the admin (department rules included), so an import can do nothing an official could not.

Columns: code, period_end, value, note (required); final, provenance (optional). A row for a period that
already has an entry with the same figure is left alone (re-importing the whole 台账 each month is the
usual practice); with a different figure it is a correction and needs `allow_corrections`.
"""

import contextlib
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

import tablib
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone

from progress.models import ProgressEntry, Provenance
from progress.services import (
    figure_parse,
    leads,
    progress_entry_correct,
    progress_entry_submit,
    progress_entry_validate,
)
from targets.models import TargetDepartment
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

REQUIRED_COLUMNS = ("code", "period_end", "value", "note")
OPTIONAL_COLUMNS = ("final", "provenance")
TRUE_WORDS = {"1", "true", "yes", "y", "是", "√", "final", "最终"}
FALSE_WORDS = {"", "0", "false", "no", "n", "否"}
PROVENANCE_WORDS = {
    "": Provenance.ESTIMATE,
    "estimate": Provenance.ESTIMATE,
    "部门预估": Provenance.ESTIMATE,
    "official": Provenance.OFFICIAL,
    "统计部门数据": Provenance.OFFICIAL,
    "统计数据": Provenance.OFFICIAL,
}


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"第{self.row}行 {self.column}：" if self.row is not None else ""
        return where + self.message


class ImportRefused(Exception):
    def __init__(self, errors: list[ImportProblem]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class ImportSummary:
    created: int = 0
    corrected: int = 0
    unchanged: int = 0
    entries: list[ProgressEntry] = field(default_factory=list)


@dataclass(frozen=True)
class _Row:
    number: int
    target: object
    period_end: dt.date
    value: Decimal
    note: str
    is_final: bool
    provenance: str
    existing: ProgressEntry | None


def dataset_read(content: bytes, filename: str) -> tablib.Dataset:
    """A CSV (UTF-8, or GB18030/GBK as Chinese Excel saves it) or an XLSX file as a dataset."""
    suffix = PurePath(filename).suffix.lower()
    try:
        if suffix == ".xlsx":
            return tablib.Dataset().load(content, format="xlsx")
        if suffix == ".csv":
            return tablib.Dataset().load(_decode(content), format="csv")
    except ImportRefused:
        raise
    except Exception as error:  # openpyxl and csv raise many types for a damaged file
        raise ImportRefused([ImportProblem(None, None, f"无法读取文件“{filename}”：{error}")]) from None
    raise ImportRefused([ImportProblem(None, None, f"文件“{filename}”不是 CSV 或 XLSX。")])


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRefused(
        [ImportProblem(None, None, "CSV 文件的编码无法识别；请另存为 UTF-8 编码的 CSV 或 XLSX。")]
    )


def _date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    text = str(raw or "").strip().replace("/", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError({"period_end": f"“{raw}”不是日期（格式：2020-06-30）。"}) from None


def _text(raw: object) -> str:
    return str(raw if raw is not None else "").strip().lower()


def _final(raw: object) -> bool:
    if _text(raw) in TRUE_WORDS:
        return True
    if _text(raw) in FALSE_WORDS:
        return False
    raise ValidationError({"final": f"“{raw}”无法识别；可填：是 / 否（或 1 / 0、true / false）。"})


def _provenance(raw: object) -> str:
    if _text(raw) in PROVENANCE_WORDS:
        return PROVENANCE_WORDS[_text(raw)]
    choices = "、".join(word for word in PROVENANCE_WORDS if word)
    raise ValidationError({"provenance": f"“{raw}”无法识别；可填：{choices}（留空为部门预估）。"})


def progress_import(
    *, dataset: tablib.Dataset, by, allow_corrections: bool = False, now: dt.datetime | None = None
) -> ImportSummary:
    """Validate every row, then save all of them in one transaction. Raises ImportRefused listing every
    problem as "第N行 列名：原因" (N counts the header as row 1, as a spreadsheet shows it)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    headers = [str(header or "").strip() for header in (dataset.headers or [])]
    missing = [column for column in REQUIRED_COLUMNS if column not in headers]
    unknown = [column for column in headers if column not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    problems = []
    if missing:
        problems.append(ImportProblem(None, None, f"缺少列：{'、'.join(missing)}"))
    if unknown:
        allowed = "、".join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
        problems.append(ImportProblem(None, None, f"未知的列：{'、'.join(unknown)}（允许的列：{allowed}）"))
    if problems:
        raise ImportRefused(problems)
    if dataset.height == 0:
        raise ImportRefused([ImportProblem(None, None, "文件中没有数据行。")])

    lookups = _Lookups.load(dataset, by)
    errors: list[ImportProblem] = []
    rows: list[_Row] = []
    seen: dict[tuple, int] = {}
    for index, values in enumerate(dataset.dict, start=2):
        try:
            rows.append(_validate_row(index, values, lookups, by, today, allow_corrections, seen))
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                errors.extend(ImportProblem(index, column, message) for message in messages)
    if errors:
        raise ImportRefused(errors)

    summary = ImportSummary()
    with transaction.atomic():
        for row in rows:
            if row.existing is None:
                entry = progress_entry_submit(
                    target=row.target, period_end=row.period_end, value=row.value, by=by, is_final=row.is_final,
                    provenance=row.provenance, note=row.note, now=now,
                )  # fmt: skip
                summary.created += 1
            elif _same(row.existing, row):
                summary.unchanged += 1
                continue
            else:
                entry = progress_entry_correct(
                    entry=row.existing, value=row.value, by=by, is_final=row.is_final, provenance=row.provenance,
                    note=row.note, now=now,
                )  # fmt: skip
                summary.corrected += 1
            summary.entries.append(entry)
    return summary


def _same(entry: ProgressEntry, row: _Row) -> bool:
    return (entry.value, entry.is_final, entry.provenance, entry.note) == (
        row.value, row.is_final, row.provenance, row.note,
    )  # fmt: skip


@dataclass
class _Lookups:
    """What validating the rows looks up, read for the whole file at once: the user's targets by code and
    their existing entries by period (two queries, however many rows)."""

    targets_by_code: dict[str, list]
    entries: dict[tuple[int, dt.date], ProgressEntry]

    @classmethod
    def load(cls, dataset: tablib.Dataset, by) -> "_Lookups":
        codes, periods = set(), set()
        for values in dataset.dict:
            codes.add(str(values.get("code") or "").strip())
            with contextlib.suppress(ValidationError):  # reported with its row below
                periods.add(_date(values.get("period_end")))
        targets_by_code: dict[str, list] = {}
        for target in (
            targets_visible_to(by)
            .filter(code__in=codes - {""})
            .select_related("report")
            .prefetch_related(  # the lead department decides who may submit (progress.services.leads)
                Prefetch("assignments", queryset=TargetDepartment.objects.select_related("department"))
            )
            .order_by("pk")
        ):
            targets_by_code.setdefault(target.code, []).append(target)
        target_ids = [target.pk for targets in targets_by_code.values() for target in targets]
        entries = {
            (entry.target_id, entry.period_end): entry
            for entry in ProgressEntry.objects.filter(
                target_id__in=target_ids, period_end__in=periods
            ).select_related("department")
        }
        return cls(targets_by_code, entries)


def _validate_row(index, values, lookups: _Lookups, by, today, allow_corrections, seen) -> _Row:
    code = str(values.get("code") or "").strip()
    if not code:
        raise ValidationError({"code": "请填写目标编号。"})
    period_end = _date(values.get("period_end"))
    candidates = list(lookups.targets_by_code.get(code, []))
    if len(candidates) > 1:
        # The same code in several reports (several years or issuers): the period's year decides.
        candidates = [target for target in candidates if target.report.year == period_end.year]
        if len(candidates) != 1:
            raise ValidationError(
                {"code": f"编号“{code}”在多个报告中都存在，无法按报告期末{period_end}确定是哪一个。"}
            )
    if not candidates:
        raise ValidationError({"code": f"没有编号为“{code}”的目标，或该目标不属于您所在单位。"})
    target = candidates[0]
    key = (target.pk, period_end)
    if key in seen:
        raise ValidationError({"period_end": f"与第{seen[key]}行重复（同一目标、同一报告期）。"})
    seen[key] = index
    value = figure_parse(values.get("value"))
    is_final = _final(values.get("final"))
    provenance = _provenance(values.get("provenance"))
    note = str(values.get("note") or "").strip()
    existing = lookups.entries.get((target.pk, period_end))
    progress_entry_validate(
        target=target, period_end=period_end, value=value, by=by, today=today, entry=existing, visible=True,
        entry_is_existing=True,
    )  # fmt: skip
    row = _Row(index, target, period_end, value, note, is_final, provenance, existing)
    if existing is not None and not _same(existing, row) and not leads(by, target):
        raise ValidationError({"value": f"该期已有{existing.department}的填报，只能由牵头单位更正。"})
    if existing is not None and not _same(existing, row) and not allow_corrections:
        raise ValidationError(
            {
                "value": f"该期已有填报（数值{existing.value.normalize():f}）；如确需更正，请使用“允许更正”（--allow-corrections）。"
            }
        )
    return row
