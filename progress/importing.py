"""Importing progress from a 台账 file (CSV or XLSX): `import_progress` and the admin's import button.

The whole file is validated first; either every row is saved or none is. Rows run through the same
services as the admin (department rules included), so an import can do nothing an official could not.

Two layouts, with English or Chinese headers:
- long: one row per figure, columns code/编号, period_end/报告期末, value/数值, note/说明 (required),
  final/是否最终, provenance/数据来源 (optional);
- wide: the office's 台账 as the system exports it (the 滞后/逾期 report's XLSX or CSV): one row per target,
  编号 and a column per month (1月 … 12月), each filled month the figure of the target's period ending in
  that month; the export's other columns (章节, 指标, 完成状态 …) are read-only and ignored.
A row for a period that already has an entry with the same figure is left alone (re-importing the whole
台账 each month is the usual practice); with a different figure it is a correction and needs
`allow_corrections`. The file itself is bounded (`IMPORT_MAX_ROWS`) and read strictly (see
`dataset_read`): what cannot be read with certainty is refused, never guessed.
"""

import contextlib
import csv
import datetime as dt
import io
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import PurePath

import openpyxl
import tablib
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.utils import timezone

from progress.exports import LEDGER_COLUMNS
from progress.judging import target_rule
from progress.models import ProgressEntry, Provenance
from progress.rules import period_ends
from progress.services import (
    EntryCorrection,
    EntryFacts,
    EntrySubmission,
    entry_errors,
    figure_parse,
    leads,
    progress_entries_save,
)
from progress.years import YearLocks
from targets.models import TargetDepartment
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

logger = logging.getLogger(__name__)

# Each column by its English name, then the office's own (the system's exports use the Chinese ones).
COLUMN_ALIASES = {
    "code": ("code", "编号", "目标编号"),
    "period_end": ("period_end", "报告期末"),
    "value": ("value", "数值"),
    "note": ("note", "说明"),
    "final": ("final", "是否最终"),
    "provenance": ("provenance", "数据来源"),
}
REQUIRED_COLUMNS = ("code", "period_end", "value", "note")
OPTIONAL_COLUMNS = ("final", "provenance")
MONTH_HEADER = re.compile(r"(1[0-2]|[1-9])月")
# The wide 台账's columns that the system computes or copies from the definition: read-only on import.
EXPORT_ONLY_COLUMNS = frozenset(
    column.header
    for column in LEDGER_COLUMNS
    if column.header not in COLUMN_ALIASES["code"] and not MONTH_HEADER.fullmatch(column.header)
)
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
# Characters no 台账 cell holds on purpose; PostgreSQL refuses NUL in text outright.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class ImportProblem:
    row: int | None  # as a spreadsheet numbers it: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.row is None:
            return self.message
        return (
            f"第{self.row}行 {self.column}：{self.message}"
            if self.column
            else f"第{self.row}行：{self.message}"
        )


class ImportRefused(Exception):
    """Every problem of a refused file; `listed()` the first ones (`IMPORT_MAX_LISTED_ERRORS`, 200), so
    that a file of 20,000 bad rows gets a page, not 91 MB of HTML."""

    def __init__(self, errors: list[ImportProblem]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors[:10]))

    def listed(self) -> list[ImportProblem]:
        return self.errors[: settings.IMPORT_MAX_LISTED_ERRORS]

    def headline(self) -> str:
        total, listed = len(self.errors), len(self.listed())
        more = f"（以下仅列出前 {listed} 处）" if listed < total else ""
        return f"有 {total:,} 处错误，未导入任何数据{more}："


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


def dataset_read(
    content: bytes, filename: str | None = None, *, max_rows: int | None = None
) -> tablib.Dataset:
    """A CSV or XLSX file as a dataset, refused with a plain Chinese reason if it cannot be read with
    certainty: an unknown or ambiguous encoding, a broken quote, more than `max_rows` data rows
    (`IMPORT_MAX_ROWS`, 20,000 by default). The kind is told by the content (an XLSX is a zip); a name
    other than .csv or .xlsx is refused. XLSX formulas are read as the values Excel saved with them."""
    max_rows = max_rows if max_rows is not None else settings.IMPORT_MAX_ROWS
    shown = f"“{PurePath(filename).name}”" if filename else ""
    suffix = PurePath(filename).suffix.lower() if filename else None
    if suffix not in (None, ".csv", ".xlsx"):
        raise _file_refused(f"文件{shown}不是 CSV 或 XLSX。")
    if content.startswith(b"\xd0\xcf\x11\xe0"):
        raise _file_refused(
            f"文件{shown}是旧版 Excel（.xls）格式；请在 Excel 中另存为 .xlsx 或 UTF-8 编码的 CSV。"
        )
    if content.startswith(b"PK\x03\x04") or suffix == ".xlsx":
        rows = _xlsx_rows(content, shown, max_rows)
    else:
        rows = _csv_rows(_decode(content), max_rows)
    return _ledger(rows, max_rows)


class FormulaWithoutValue:
    """An XLSX formula cell saved without its computed value (a file written by a program, not by Excel):
    refused on its row rather than read as empty."""

    def __init__(self, formula: str):
        self.formula = formula

    def __str__(self) -> str:
        return self.formula


def _file_refused(message: str) -> "ImportRefused":
    return ImportRefused([ImportProblem(None, None, message)])


def _too_many_rows(max_rows: int) -> "ImportRefused":
    return _file_refused(
        f"文件的数据行超过 {max_rows:,} 行，未导入任何数据；一次最多导入 {max_rows:,} 行，请分成几个文件导入。"
    )


def _xlsx_rows(content: bytes, shown: str, max_rows: int) -> list[list[object]]:
    """The first sheet's rows. Loaded twice (values as Excel saved them, and formulas) so that a formula
    is read as its saved result, or refused on its row when the file holds none."""
    try:
        values = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        rows, filled = [], 0
        pairs = zip(
            values.worksheets[0].iter_rows(values_only=True),
            formulas.worksheets[0].iter_rows(values_only=True),
            strict=True,
        )
        for value_row, formula_row in pairs:
            filled = _count(filled, value_row, max_rows)
            rows.append(
                [
                    FormulaWithoutValue(formula) if value is None and _is_formula(formula) else value
                    for value, formula in zip(value_row, formula_row, strict=False)
                ]
            )
    except ImportRefused:
        raise
    except Exception:  # openpyxl and zipfile raise many types for a damaged file; none helps an official
        logger.info("Unreadable XLSX upload %s", shown, exc_info=True)
        raise _file_refused(f"无法读取文件{shown}：文件已损坏，或不是 Excel 工作簿（.xlsx）。") from None
    return rows


def _is_formula(cell: object) -> bool:
    return isinstance(cell, str) and cell.startswith("=")


def _csv_rows(text: str, max_rows: int) -> list[list[object]]:
    """Strict CSV: a quote left open would otherwise swallow every following line into one cell."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    rows: list[list[object]] = []
    line, filled = 1, 0
    try:
        for row in reader:
            filled = _count(filled, row, max_rows)
            rows.append(row)
            line = reader.line_num + 1
    except csv.Error:
        raise _file_refused(
            f"CSV 文件第{line}行起的英文双引号没有配对：一个单元格以引号开头却没有结束引号（或结束引号后还有字符），"
            "其后的行会被并进这个单元格。请检查该行，删除或补全引号后再导入；未导入任何数据。"
        ) from None
    return rows


# How far down the header is looked for: the system's own XLSX has a title row above it.
_HEADER_SEARCH_ROWS = 5
# The column `_ledger` adds to every row: its number as the spreadsheet shows it (blank rows are skipped).
ROW_NUMBER = "__row__"


def _count(filled: int, row: list[object], max_rows: int) -> int:
    """The filled rows read so far; stops reading as soon as the file is known to be too long, before it
    is all in memory (exactly, once the header is found, in `_ledger`)."""
    filled += _any_filled(row)
    if filled > max_rows + _HEADER_SEARCH_ROWS:
        raise _too_many_rows(max_rows)
    return filled


def _ledger(rows: list[list[object]], max_rows: int) -> tablib.Dataset:
    """The header (the first of the top rows that names a code column) and the filled rows under it,
    each with its spreadsheet row number in ROW_NUMBER."""
    header_index = next(
        (
            index
            for index, row in enumerate(rows[:_HEADER_SEARCH_ROWS])
            if any(_header_text(cell) in COLUMN_ALIASES["code"] for cell in row)
        ),
        0,
    )
    header = [_header_text(cell) for cell in rows[header_index]] if rows else []
    while header and header[-1] == "":  # trailing empty cells Excel keeps after a deleted column
        header.pop()
    numbered = [
        (number, row)
        for number, row in enumerate(rows[header_index + 1 :], start=header_index + 2)
        if _any_filled(row)
    ]
    if len(numbered) > max_rows:
        raise _too_many_rows(max_rows)
    dataset = tablib.Dataset(headers=[*header, ROW_NUMBER])
    for number, row in numbered:
        if any(_filled(cell) for cell in row[len(header) :]):
            raise ImportRefused(
                [
                    ImportProblem(
                        number,
                        None,
                        f"有 {len(row)} 列数据，多于表头的 {len(header)} 列；请删除多余的单元格或补全表头。",
                    )
                ]
            )
        dataset.append([*row[: len(header)], *[None] * (len(header) - len(row)), number])
    return dataset


def _header_text(cell: object) -> str:
    return str(cell if cell is not None else "").strip()


def _filled(cell: object) -> bool:
    return cell is not None and str(cell).strip() != ""


def _any_filled(row: list[object]) -> bool:
    return any(_filled(cell) for cell in row)


def _decode(content: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes), else GB18030 or Big5 — but only when the text reads
    as Chinese in exactly one of them. GB18030 decodes almost any bytes, so a Big5 file used to be stored
    as garbled simplified characters; a file that could be either (or neither) is refused instead."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _file_refused(
            "CSV 文件是 UTF-16（Excel 的“Unicode 文本”）；请另存为“CSV UTF-8（逗号分隔）”或 XLSX。"
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    readings = {}
    for encoding in ("gb18030", "big5"):
        try:
            text = content.decode(encoding)
        except UnicodeDecodeError:
            continue
        if _reads_as_chinese(text, encoding):
            readings[encoding] = text
    if len(readings) == 2:
        # Both read as Chinese (a few common characters, e.g. a lone "否"): the format's own words decide,
        # when only one reading has any.
        readings = {
            encoding: text
            for encoding, text in readings.items()
            if any(word in text for word in _KNOWN_WORDS)
        } or readings
    if len(readings) == 1:
        return next(iter(readings.values()))
    raise _file_refused(
        "无法确定 CSV 文件的编码"
        + ("（按简体 GB18030 和繁体 Big5 都能读通）" if readings else "（不是 UTF-8、GB18030 或 Big5）")
        + "，为免存入乱码，未导入任何数据；请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或 XLSX。"
    )


def _reads_as_chinese(text: str, encoding: str) -> bool:
    """Every non-ASCII character is a symbol or a common ideograph of that encoding's script, judged by
    where it sits in the national standard: GB2312's punctuation, numbers and full-width rows (lead byte
    A1–A3) and its 6,763 hanzi (B0–F7) for GB18030 (simplified text); Big5's symbols (A1–A3) and its 5,401
    frequent characters (A4–C6) for Big5 (traditional). Bytes of one read in the other land on kana,
    Cyrillic, box drawing, rare or unassigned characters."""
    standard, rows = ("gb2312", _GB2312_ROWS) if encoding == "gb18030" else ("big5", _BIG5_ROWS)
    for char in set(text):
        if char.isascii() or _unit_symbol(char):
            continue
        try:
            lead = char.encode(standard)[0]
        except UnicodeEncodeError:
            return False
        if not any(low <= lead <= high for low, high in rows):
            return False
    return True


def _unit_symbol(char: str) -> bool:
    """Signs a 台账 writes beyond GB2312 (㎡, ㎏, ℉): symbols, never box drawing, which is what Big5's
    frequent characters become when read as GB18030."""
    return unicodedata.category(char) in ("So", "Sm", "Sc") and not "\u2500" <= char <= "\u259f"


_GB2312_ROWS = ((0xA1, 0xA3), (0xB0, 0xF7))
_BIG5_ROWS = ((0xA1, 0xA3), (0xA4, 0xC6))
# Words of the import format itself (Chinese headers, yes/no, provenance), the tie-break above.
_KNOWN_WORDS = tuple(
    word
    for word in (
        *(alias for aliases in COLUMN_ALIASES.values() for alias in aliases),
        *TRUE_WORDS,
        *FALSE_WORDS,
        *PROVENANCE_WORDS,
    )
    if word and not word.isascii()
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


@dataclass(frozen=True)
class _Layout:
    """Which columns the file has: each used column by its name here and its header in the file (so that
    problems name the column as the file does), and the month columns of a wide 台账."""

    columns: dict[str, str]
    months: dict[int, str]

    @property
    def wide(self) -> bool:
        return bool(self.months)

    def shown(self, column: str) -> str:
        return self.columns.get(column, column)


def _layout(headers: list[str]) -> _Layout:
    by_alias = {alias: column for column, aliases in COLUMN_ALIASES.items() for alias in aliases}
    columns = {by_alias[header]: header for header in headers if header in by_alias}
    months = {int(match[1]): header for header in headers if (match := MONTH_HEADER.fullmatch(header))}
    chinese = any(header != column for column, header in columns.items()) or bool(months)
    if months and "period_end" not in columns and "value" not in columns:
        allowed = {columns.get("code"), *months.values(), *EXPORT_ONLY_COLUMNS}
        missing = [] if "code" in columns else ["编号"]
        unknown = [header for header in headers if header not in allowed]
        hint = "每月一列的台账允许：编号、1月…12月及系统导出的其他列"
    else:
        allowed = set(columns.values())
        missing = [
            COLUMN_ALIASES[column][1] if chinese else column
            for column in REQUIRED_COLUMNS
            if column not in columns
        ]
        unknown = [header for header in headers if header not in allowed]
        names = [
            COLUMN_ALIASES[column][1 if chinese else 0] for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS
        ]
        hint = f"允许的列：{'、'.join(names)}；或系统导出的每月一列的台账"
    problems = []
    if missing:
        problems.append(ImportProblem(None, None, f"缺少列：{'、'.join(missing)}"))
    if unknown:
        shown = "、".join(_cell_shown(header) or "（空表头）" for header in unknown)
        problems.append(ImportProblem(None, None, f"未知的列：{shown}（{hint}）"))
    if problems:
        raise ImportRefused(problems)
    return _Layout(columns=columns, months=months if "period_end" not in columns else {})


def _cell_shown(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)[:40]


@dataclass(frozen=True)
class _Record:
    """One spreadsheet row: its number as the spreadsheet shows it and its cells by header."""

    number: int
    cells: dict[str, object]


def _records(dataset: tablib.Dataset) -> list[_Record]:
    headers = [str(header or "").strip() for header in (dataset.headers or [])]
    numbered = ROW_NUMBER in headers
    records = []
    for index, values in enumerate(dataset, start=2):
        cells = dict(zip(headers, values, strict=True))
        number = cells.pop(ROW_NUMBER) if numbered else index
        records.append(_Record(number, cells))
    return records


def progress_import(
    *, dataset: tablib.Dataset, by, allow_corrections: bool = False, now: dt.datetime | None = None
) -> ImportSummary:
    """Validate every row, then save all of them in one transaction. Raises ImportRefused listing every
    problem as "第N行 列名：原因" (N as the spreadsheet numbers the row; the column as the file names it)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    headers = [str(header or "").strip() for header in (dataset.headers or []) if header != ROW_NUMBER]
    layout = _layout(headers)
    records = _records(dataset)
    if not records:
        raise ImportRefused([ImportProblem(None, None, "文件中没有数据行。")])

    lookups = _Lookups.load(records, layout, by)
    errors: list[ImportProblem] = []
    rows: list[_Row] = []
    seen: dict[tuple, int] = {}
    for record in records:
        try:
            _check_cells(record, layout)
            if layout.wide:
                rows.extend(
                    _validate_wide_record(record, layout, lookups, by, today, allow_corrections, seen)
                )
            else:
                rows.append(_validate_row(record, layout, lookups, by, today, allow_corrections, seen))
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                errors.extend(
                    ImportProblem(record.number, layout.shown(column), message) for message in messages
                )
    if errors:
        raise ImportRefused(errors)

    summary = ImportSummary()
    submissions, corrections = [], []
    for row in rows:
        if row.existing is None:
            submissions.append(
                EntrySubmission(
                    row.target, row.period_end, row.value, by, row.is_final, row.provenance, row.note, (), now
                )
            )
        elif _same(row.existing, row):
            summary.unchanged += 1
        else:
            corrections.append(
                EntryCorrection(row.existing, row.value, by, row.is_final, row.provenance, row.note, (), now)
            )
    summary.entries = progress_entries_save(submissions=submissions, corrections=corrections)
    summary.created, summary.corrected = len(submissions), len(corrections)
    return summary


def _same(entry: ProgressEntry, row: _Row) -> bool:
    return (entry.value, entry.is_final, entry.provenance, entry.note) == (
        row.value, row.is_final, row.provenance, row.note,
    )  # fmt: skip


def _check_cells(record: _Record, layout: _Layout) -> None:
    """The cells this import reads hold what a person could have typed: no formula without its result
    (it would read as empty), no control characters (NUL would fail in PostgreSQL, not on its row)."""
    used = {*layout.columns.values(), *layout.months.values()}
    problems = {}
    for header, cell in record.cells.items():
        if header not in used:
            continue
        if isinstance(cell, FormulaWithoutValue):
            problems[header] = (
                f"是公式（{_cell_shown(cell.formula)}），文件中没有保存它的计算结果；"
                "请在 Excel 中打开并保存该文件，或复制后“选择性粘贴→数值”，再导入。"
            )
        elif isinstance(cell, str) and CONTROL_CHARACTERS.search(cell):
            problems[header] = "含有不可见的控制字符（如 NUL 空字符）或无效字符；请删除后再导入。"
    if problems:
        raise ValidationError(problems)


@dataclass
class _Lookups:
    """What validating the rows looks up, read for the whole file at once: the user's targets by code and
    their existing entries by period (two queries, however many rows)."""

    targets_by_code: dict[str, list]
    entries: dict[tuple[int, dt.date], ProgressEntry]
    # Why a target's year refuses entries today (progress.years), read once per report, however many rows.
    year_locks: YearLocks = field(default_factory=YearLocks)

    @classmethod
    def load(cls, records: list[_Record], layout: _Layout, by) -> "_Lookups":
        codes, periods = set(), set()
        for record in records:
            code = _code(record, layout)
            if not CONTROL_CHARACTERS.search(code):  # refused on its row; PostgreSQL cannot even compare NUL
                codes.add(code)
            with contextlib.suppress(ValidationError):  # reported with its row below
                periods.add(_date(record.cells.get(layout.columns.get("period_end"))))
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
        entries = ProgressEntry.objects.filter(target_id__in=target_ids).select_related("department")
        if not layout.wide:  # a wide 台账's periods are known only per target
            entries = entries.filter(period_end__in=periods)
        return cls(targets_by_code, {(entry.target_id, entry.period_end): entry for entry in entries})


def _code(record: _Record, layout: _Layout) -> str:
    return str(record.cells.get(layout.columns["code"]) or "").strip()


def _target(code: str, lookups: _Lookups, year: int | None, period_end: dt.date | None = None):
    if not code:
        raise ValidationError({"code": "请填写目标编号。"})
    candidates = list(lookups.targets_by_code.get(code, []))
    if len(candidates) > 1 and year is not None:
        # The same code in several reports (several years or issuers): the period's year decides.
        candidates = [target for target in candidates if target.report.year == year]
        if len(candidates) != 1:
            raise ValidationError(
                {"code": f"编号“{code}”在多个报告中都存在，无法按报告期末{period_end}确定是哪一个。"}
            )
    if len(candidates) > 1:
        raise ValidationError(
            {"code": f"编号“{code}”在多个报告中都存在；请改用每行一期的台账（含报告期末）。"}
        )
    if not candidates:
        raise ValidationError({"code": f"没有编号为“{_cell_shown(code)}”的目标，或该目标不属于您所在单位。"})
    return candidates[0]


def _validate_row(
    record: _Record, layout: _Layout, lookups: _Lookups, by, today, allow_corrections, seen
) -> _Row:
    cells, columns = record.cells, layout.columns
    code = _code(record, layout)
    if not code:
        raise ValidationError({"code": "请填写目标编号。"})
    period_end = _date(cells.get(columns["period_end"]))
    target = _target(code, lookups, period_end.year, period_end)
    key = (target.pk, period_end)
    if key in seen:
        raise ValidationError({"period_end": f"与第{seen[key]}行重复（同一目标、同一报告期）。"})
    seen[key] = record.number
    value = figure_parse(cells.get(columns["value"]))
    is_final = _final(cells.get(columns.get("final")))
    provenance = _provenance(cells.get(columns.get("provenance")))
    note = str(cells.get(columns["note"]) or "").strip()
    existing = lookups.entries.get((target.pk, period_end))
    row = _Row(record.number, target, period_end, value, note, is_final, provenance, existing)
    _validate_entry(row, lookups, by, today, allow_corrections)
    return row


def _validate_wide_record(
    record: _Record, layout: _Layout, lookups: _Lookups, by, today, allow_corrections, seen
) -> list[_Row]:
    """A target's row of the wide 台账: each filled month is the figure of the period ending in it. An
    existing entry keeps its note, provenance and "final" mark: the wide sheet has no columns for them."""
    months = {month: record.cells.get(header) for month, header in layout.months.items()}
    months = {month: cell for month, cell in months.items() if _filled(cell)}
    if not months:
        return []  # a target without figures yet, as the export lists it
    target = _target(_code(record, layout), lookups, year=None)
    ends = {end.month: end for end in period_ends(target_rule(target)) if end.year == target.report.year}
    rows, problems = [], {}
    for month, cell in sorted(months.items()):
        header = layout.months[month]
        if month not in ends:
            problems[header] = (
                f"该目标为{target.get_frequency_display()}，{month}月没有报告期；请清空该单元格。"
            )
            continue
        try:
            value = figure_parse(cell)
            existing = lookups.entries.get((target.pk, ends[month]))
            kept = (
                (existing.note, existing.is_final, existing.provenance)
                if existing
                else ("", False, Provenance.ESTIMATE)
            )
            row = _Row(record.number, target, ends[month], value, *kept, existing)
            key = (target.pk, ends[month])
            if key in seen:
                raise ValidationError({"value": f"与第{seen[key]}行重复（同一目标、同一报告期）。"})
            seen[key] = record.number
            _validate_entry(row, lookups, by, today, allow_corrections)
            rows.append(row)
        except ValidationError as error:
            problems[header] = [message for messages in error.message_dict.values() for message in messages]
    if problems:
        raise ValidationError(problems)
    return rows


def _validate_entry(row: _Row, lookups: _Lookups, by, today, allow_corrections) -> None:
    existing = row.existing
    # The facts, read for the whole file (_Lookups): the target is among the user's, and the period's entry
    # (if any) is the row's own, which the row corrects or repeats.
    facts = EntryFacts(
        visible=True, other_entry=None, year_closed=lookups.year_locks.refusal(row.target, today)
    )
    errors = entry_errors(
        target=row.target, period_end=row.period_end, value=row.value, provenance=row.provenance, by=by,
        today=today, facts=facts,
    )  # fmt: skip
    if errors:
        raise ValidationError(errors)
    if existing is not None and not _same(existing, row) and not leads(by, row.target):
        raise ValidationError({"value": f"该期已有{existing.department}的填报，只能由牵头单位更正。"})
    if existing is not None and not _same(existing, row) and not allow_corrections:
        raise ValidationError(
            {
                "value": f"该期已有填报（数值{existing.value.normalize():f}）；如确需更正，请使用“允许更正”（--allow-corrections）。"
            }
        )
