"""The reports as files: the office's 台账 (XLSX and CSV), the department scoreboard and the chapter overview.

Pure functions: they take what the selectors in progress.boards return (rows come with their report,
task, chapter and departments loaded) and run no queries of their own; the 台账's rows may be a stream
(progress.boards.ledger_items), read a batch at a time as they are written. Each report is first laid out once as a `Table`
(columns with a kind, then rows of plain values); `_xlsx` and `_csv` write any table, so the XLSX and the
CSV of a report always have the same columns. Both stream: the XLSX is written row by row into a temporary
file, the CSV is yielded as it is written, so that memory stays flat however many rows a province has.
"""

import csv
import datetime as dt
import io
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

# XlsxWriter rather than openpyxl (which the imports still read with): it writes a cell as a line of XML
# with a format made once, where openpyxl's write-only mode builds an object per cell, copies its styles
# and serialises it through et_xmlfile; and it takes the column widths after the rows, so that the rows
# are written as they are read instead of being spooled first: 9,000 rows × 27 columns in 1.7 s, not 3.7 s.
from xlsxwriter import Workbook
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from progress.boards import DepartmentScore, LedgerItem, StatusSummary, TargetRow
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS, Performance, Reporting
from targets.conventions import chinese_date, format_decimal

# Column kinds: how a column's values are written and shown.
TEXT, WRAP, STATUS, INT, FIGURE, PCT, DATE = "text", "wrap", "status", "int", "figure", "pct", "date"
NUMBER_FORMATS = {INT: "0", PCT: "0.00", DATE: "yyyy-mm-dd"}
MIN_WIDTH, MAX_WIDTH, MAX_WRAP_WIDTH = 6, 40, 30

# Excel's own "good / neutral / bad" fills, so that a printed 台账 reads like the red-amber-green lights.
GOOD, NEUTRAL, BAD = "#C6EFCE", "#FFEB9C", "#FFC7CE"
STATUS_FILLS = {
    label: colour
    for label, colour in (
        (PERFORMANCE_LABELS[Performance.ACHIEVED], GOOD),
        (PERFORMANCE_LABELS[Performance.ON_TRACK], GOOD),
        (PERFORMANCE_LABELS[Performance.AT_RISK], NEUTRAL),
        (PERFORMANCE_LABELS[Performance.LAGGING], BAD),
        (PERFORMANCE_LABELS[Performance.OVERDUE], BAD),
        (REPORTING_LABELS[Reporting.LATE], BAD),
    )
}
# The cells' formats, as XlsxWriter's format properties (1 is a thin border, a solid fill).
BORDER = {"border": 1, "border_color": "#808080"}
HEADER = {
    **BORDER,
    "bold": True,
    "pattern": 1,
    "bg_color": "#DDEBF7",
    "align": "center",
    "valign": "vcenter",
    "text_wrap": True,
}
TITLE = {"bold": True, "font_size": 14, "align": "center"}
NOTE = {"italic": True, "text_wrap": True}
# A column's width in characters is stored as that many of Calibri 11's 7-pixel digits (XlsxWriter's
# `set_column` would add Excel's 5 pixels of padding to it, as Excel's dialog does: 30 would open as 30.71).
DIGIT_PIXELS = 7
# The CSV is sent this many rows at a time: few enough to keep memory flat, enough to write few chunks.
CSV_CHUNK_ROWS = 500

# The scoreboard's status columns, in the order the office reads them (best first, no data last).
SCOREBOARD_STATUSES = (
    Performance.ON_TRACK,
    Performance.AT_RISK,
    Performance.LAGGING,
    Performance.ACHIEVED,
    Performance.OVERDUE,
    Performance.NO_DATA,
)

Value = str | int | Decimal | dt.date | None

# A text that starts with one of these is a formula to Excel and WPS (a CSV cell, or an XLSX cell once
# edited); names, metrics and data-file text are edited by people, so such text is written as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = TEXT


Row = tuple[Value, ...]


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: tuple[Column, ...]
    rows: Iterable[Row]  # read once, as they are built (a generator for the 台账)
    title: str = ""  # a merged row above the header (XLSX only)
    note: str = ""  # a merged row below the data (XLSX only)
    frozen_columns: int = 0  # leading columns that stay in view when scrolling right
    levels: tuple[int, ...] = ()  # outline level per row: 0 is bold, deeper rows are indented


# -------------------------------------------------------------------------------------------------- 台账

LEDGER_COLUMNS = (
    Column("编号"),
    Column("章节", WRAP),
    Column("重点任务", WRAP),
    Column("指标", WRAP),
    Column("目标"),
    Column("单位"),
    Column("牵头单位", WRAP),
    Column("配合单位", WRAP),
    *(Column(f"{month}月", FIGURE) for month in range(1, 13)),
    Column("完成状态", STATUS),
    Column("报送状态", STATUS),
    Column("逾期天数", INT),
    Column("完成进度(%)", PCT),
    Column("序时进度(%)", PCT),
    Column("差距", WRAP),
    Column("最新数据期", DATE),
)


def ledger_xlsx(*, rows: Iterable[LedgerItem], as_of: dt.date, title: str) -> IO[bytes]:
    """The 台账: one row per target, its figure per month, then its status as of `as_of`. `rows` may be a
    stream (progress.boards.ledger_items): each is written as it is read."""
    return _xlsx(_ledger(rows, title=f"{title}（截至{chinese_date(as_of)}）"))


def ledger_csv(*, rows: Iterable[LedgerItem]) -> Iterator[str]:
    return _csv(_ledger(rows))


def _ledger(rows: Iterable[LedgerItem], title: str = "") -> Table:
    return Table(
        sheet="台账",
        columns=LEDGER_COLUMNS,
        rows=(_ledger_row(row, figures) for row, figures in rows),
        title=title,
        frozen_columns=4,  # through 指标
    )


def _ledger_row(row: TargetRow, figures: dict[dt.date, Decimal]) -> Row:
    target, evaluation = row.target, row.evaluation
    lead = target.lead_department
    # The month columns are those of the target's report's year (one export shows one year).
    year = target.report.year
    # A period ends in exactly one month, and no month holds two period ends (a deadline closes the last).
    by_month = {period_end.month: value for period_end, value in figures.items() if period_end.year == year}
    return (
        target.code,
        target.task.chapter.title,
        target.task.title,
        target.metric,
        target.goal_display,
        target.figure_unit,
        lead.name if lead else "",
        "、".join(department.name for department in target.ordered_departments() if department != lead),
        *(by_month.get(month) for month in range(1, 13)),
        PERFORMANCE_LABELS[evaluation.performance],
        REPORTING_LABELS[evaluation.reporting],
        evaluation.days_late if evaluation.reporting == Reporting.LATE else None,
        evaluation.progress_pct,
        evaluation.expected_pct,
        row.gap_text,
        evaluation.judged.period_end if evaluation.judged else None,
    )


# -------------------------------------------------------------------------------------------- scoreboard

SCOREBOARD_COLUMNS = (
    Column("排名", INT),
    Column("责任单位", WRAP),
    Column("牵头目标数", INT),
    *(Column(PERFORMANCE_LABELS[status], INT) for status in SCOREBOARD_STATUSES),
    Column(REPORTING_LABELS[Reporting.LATE], INT),
    Column("按时报送率(%)", FIGURE),
    Column("被退回填报", INT),
    Column("逾期未反馈督办单", INT),
    Column("得分", FIGURE),
    Column("计分说明", WRAP),
)


def scoreboard_xlsx(*, scores: list[DepartmentScore], as_of: dt.date, rule: str) -> IO[bytes]:
    """The ranked departments, with the scoring rule printed under the table."""
    return _xlsx(
        _scoreboard(scores, title=f"责任单位得分排名（截至{chinese_date(as_of)}）", note=f"计分规则：{rule}")
    )


def scoreboard_csv(*, scores: list[DepartmentScore]) -> Iterator[str]:
    return _csv(_scoreboard(scores))


def _scoreboard(scores: list[DepartmentScore], title: str = "", note: str = "") -> Table:
    rows = [
        (
            score.rank,
            score.department.name,
            score.targets,
            *(score.performance[status] for status in SCOREBOARD_STATUSES),
            score.reporting[Reporting.LATE],
            score.on_time_rate,
            score.returned_entries,
            score.overdue_notices,
            score.score,
            score.explanation,
        )
        for score in scores
    ]
    return Table("得分排名", SCOREBOARD_COLUMNS, rows, title=title, note=note, frozen_columns=2)


# ------------------------------------------------------------------------------------- chapter overview

SUMMARY_COLUMNS = (
    Column("编号"),
    Column("章节/重点任务", WRAP),
    *(Column(label, INT) for label in PERFORMANCE_LABELS.values()),
    Column("合计", INT),
)


def summary_xlsx(*, summary: StatusSummary) -> IO[bytes]:
    """Status counts per chapter, each followed by its key tasks (indented), and a grand total."""
    return _xlsx(_summary(summary, title=f"章节目标完成情况（截至{chinese_date(summary.as_of)}）"))


def summary_csv(*, summary: StatusSummary) -> Iterator[str]:
    return _csv(_summary(summary))


def _summary(summary: StatusSummary, title: str = "") -> Table:
    rows: list[Row] = []
    levels: list[int] = []

    def add(level: int, code: str, name: str, counts, total: int) -> None:
        rows.append((code, name, *(counts[status] for status in PERFORMANCE_LABELS), total))
        levels.append(level)

    for chapter in summary.by_chapter:
        number = chapter["chapter"].number
        add(0, str(number), chapter["chapter"].title, chapter["performance"], chapter["total"])
        for task in chapter["tasks"]:
            add(1, f"{number}.{task['task'].number}", task["task"].title, task["performance"], task["total"])
    add(0, "", "合计", summary.performance, summary.total)
    return Table("章节概览", SUMMARY_COLUMNS, rows, title=title, frozen_columns=2, levels=tuple(levels))


# ----------------------------------------------------------------------------------------------- writers


def _xlsx(table: Table) -> IO[bytes]:
    """Write a table to a one-sheet workbook that reads and prints well as it is opened, row by row into a
    temporary file (XlsxWriter's constant-memory mode: each row goes to disk once the next is begun, however
    many rows), returned rewound for the download to send in blocks.

    Steps: the title row (merged), the header (bold, filled), the data with a number format per column kind,
    the longest text of each column measured meanwhile (CJK characters count double), and the note row
    (merged); then the column widths from those lengths (XlsxWriter writes the sheet's columns when the
    workbook is closed, so they may come after the rows), the filter over header and data, the panes frozen
    with the leading columns and the landscape A4 page fitted to one page wide.
    """
    output = tempfile.TemporaryFile()  # noqa: SIM115 (the download closes it once sent)
    workbook = Workbook(output, {"constant_memory": True})
    sheet = workbook.add_worksheet(table.sheet)
    last_column = len(table.columns) - 1
    cells = _Cells(workbook, sheet)
    header_row = 1 if table.title else 0  # XlsxWriter counts rows and columns from 0

    if table.title:
        sheet.set_row(0, 24)
        cells.merged_row(0, last_column, table.title, TITLE)
    longest = []
    for index, column in enumerate(table.columns):
        cells.text(header_row, index, column.header, HEADER)
        longest.append(_display_width(column.header))
    last_row = header_row
    for offset, values in enumerate(table.rows):
        last_row += 1
        level = table.levels[offset] if table.levels else 0
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True)):
            cells.data(
                last_row,
                index,
                column,
                value,
                indent=2 * level if index < 2 else 0,
                bold=bool(table.levels) and level == 0,
            )
            longest[index] = max(longest[index], _display_width(_text(value)))
    if table.note:
        sheet.set_row(last_row + 1, 30)
        cells.merged_row(last_row + 1, last_column, table.note, NOTE)

    for index, (column, length) in enumerate(zip(table.columns, longest, strict=True)):
        width = min(max(length + 2, MIN_WIDTH), MAX_WRAP_WIDTH if column.kind == WRAP else MAX_WIDTH)
        sheet.set_column_pixels(index, index, width * DIGIT_PIXELS)
    sheet.autofilter(header_row, 0, last_row, last_column)
    sheet.freeze_panes(header_row + 1, table.frozen_columns)
    sheet.repeat_rows(0, header_row)
    sheet.set_landscape()
    sheet.set_paper(9)  # A4
    sheet.fit_to_pages(1, 0)  # one page wide, as many pages down as needed
    workbook.close()
    output.seek(0)
    return output


class _Cells:
    """The cells of one workbook, each value written by its type's own method (`write` would make a
    formula of a text starting with "=", a link of one that looks like an address), and each distinct
    format made once: a workbook holds a format per distinct style, and a data cell's is found again by its
    kind, cheaper than comparing its properties."""

    def __init__(self, workbook: Workbook, sheet: Worksheet):
        self.workbook = workbook
        self.sheet = sheet
        self.formats: dict[tuple, Format] = {}

    def data(self, row: int, col: int, column: Column, value: Value, *, indent: int, bold: bool) -> None:
        number_format = (
            _number_format(column.kind, value)
            if isinstance(value, Decimal) or column.kind in NUMBER_FORMATS
            else None
        )
        status = value if column.kind == STATUS and value in STATUS_FILLS else None
        kind = (column.kind == WRAP, indent, bold, number_format, status, _formula_like(value))
        cell_format = self.formats.get(kind)
        if cell_format is None:
            properties: dict[str, Any] = {**BORDER, "valign": "vcenter"}
            if column.kind == WRAP:
                properties["text_wrap"] = True
            if indent:
                properties["indent"] = indent
            if bold:
                properties["bold"] = True
            if number_format:
                properties["num_format"] = number_format
            if status:
                properties |= {"pattern": 1, "bg_color": STATUS_FILLS[status]}
            cell_format = self.formats[kind] = self._format(properties, value)
        # Every cell is written, an empty one too (blank, as openpyxl wrote an empty text), so that it
        # keeps its border.
        if value is None or value == "":
            self.sheet.write_blank(row, col, None, cell_format)
        elif isinstance(value, str):
            self.sheet.write_string(row, col, value, cell_format)
        elif isinstance(value, dt.date):
            self.sheet.write_datetime(row, col, value, cell_format)
        else:
            self.sheet.write_number(
                row, col, float(value) if isinstance(value, Decimal) else value, cell_format
            )

    def text(self, row: int, col: int, text: str, properties: dict[str, Any]) -> None:
        key = (tuple(properties.items()), _formula_like(text))
        cell_format = self.formats.get(key)
        if cell_format is None:
            cell_format = self.formats[key] = self._format(properties, text)
        self.sheet.write_string(row, col, text, cell_format)

    def merged_row(self, row: int, last_column: int, text: str, properties: dict[str, Any]) -> None:
        """A text across the table's width: merged blank, then the text written into the first cell
        (`merge_range` writes its text with `write`)."""
        cell_format = self._format(properties, text)
        self.sheet.merge_range(row, 0, row, last_column, "", cell_format)
        self.sheet.write_string(row, 0, text, cell_format)

    def _format(self, properties: dict[str, Any], value: Value) -> Format:
        if _formula_like(value):
            properties = {**properties, "quote_prefix": True}
        return self.workbook.add_format(properties)


def _formula_like(value: Value) -> bool:
    """Text stays text: XlsxWriter's `write_string` never writes a formula, but Excel turns a text cell
    starting with = + - @ into one when it is edited; a cell with Excel's quote prefix (the "'" typed
    before such text) is not."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def _csv(table: Table) -> Iterator[str]:
    """The header and the rows (text escaped, see `_csv_text`), sent a few hundred lines at a time as they
    are written; a BOM first, or Excel opens UTF-8 Chinese as mojibake."""
    output = io.StringIO()
    writer = csv.writer(output)
    output.write("\ufeff")
    writer.writerow(column.header for column in table.columns)
    for number, values in enumerate(table.rows, start=1):
        writer.writerow([_csv_text(value) for value in values])
        if number % CSV_CHUNK_ROWS == 0:
            yield output.getvalue()
            output.seek(0)
            output.truncate()
    yield output.getvalue()


def _csv_text(value: Value) -> str:
    """A text starting with = + - @ gets Excel's quote prefix ("'"), so that it opens as the text it is
    (OWASP's CSV injection advice); figures are numbers, so a negative one stays "-6.8"."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return _text(value)


def _number_format(kind: str, value: Value) -> str:
    if kind in NUMBER_FORMATS:
        return NUMBER_FORMATS[kind]
    # Per cell: "#,##0.####" would show a whole number as "15." in Excel.
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return "#,##0.####"
    return "#,##0"


def _text(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: wide (CJK) characters count double."""
    if text.isascii():  # codes, figures and dates: no character to look up
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
