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
import pickle
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from progress.boards import DepartmentScore, LedgerItem, StatusSummary, TargetRow
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS, Performance, Reporting
from targets.conventions import chinese_date, format_decimal

# Column kinds: how a column's values are written and shown.
TEXT, WRAP, STATUS, INT, FIGURE, PCT, DATE = "text", "wrap", "status", "int", "figure", "pct", "date"
NUMBER_FORMATS = {INT: "0", PCT: "0.00", DATE: "yyyy-mm-dd"}
MIN_WIDTH, MAX_WIDTH, MAX_WRAP_WIDTH = 6, 40, 30

# Excel's own "good / neutral / bad" fills, so that a printed 台账 reads like the red-amber-green lights.
GOOD, NEUTRAL, BAD = "C6EFCE", "FFEB9C", "FFC7CE"
STATUS_FILLS = {
    label: PatternFill("solid", fgColor=colour)
    for label, colour in (
        (PERFORMANCE_LABELS[Performance.ACHIEVED], GOOD),
        (PERFORMANCE_LABELS[Performance.ON_TRACK], GOOD),
        (PERFORMANCE_LABELS[Performance.AT_RISK], NEUTRAL),
        (PERFORMANCE_LABELS[Performance.LAGGING], BAD),
        (PERFORMANCE_LABELS[Performance.OVERDUE], BAD),
        (REPORTING_LABELS[Reporting.LATE], BAD),
    )
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_ALIGNMENT = Alignment(horizontal="center", vertical="center", wrap_text=True)
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
TITLE_FONT = Font(bold=True, size=14)
# The CSV is sent, and the XLSX's rows spooled, this many rows at a time: few enough to keep memory flat,
# enough to write few chunks.
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
    temporary file (openpyxl's write-only mode: no cell stays in memory, however many rows), returned
    rewound for the download to send in blocks.

    Steps: the column widths from the longest text (CJK characters count double; the rows read once and
    spooled meanwhile, since a sheet holds its widths before its cells), the panes frozen with the leading columns and
    the landscape page fitted to one page wide; then the title row (merged), the header (bold, filled,
    filtered), the data with a number format per column kind, and the note row (merged).
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(table.sheet)
    width = len(table.columns)
    last_column = get_column_letter(width)
    header_row = 2 if table.title else 1
    widths, rows = _spooled(table)
    for index, column_width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column_width
    sheet.freeze_panes = f"{get_column_letter(table.frozen_columns + 1)}{header_row + 1}"
    sheet.print_title_rows = f"1:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    if table.title:
        sheet.row_dimensions[1].height = 24
        _merged_row(sheet, 1, last_column, table.title, TITLE_FONT, Alignment(horizontal="center"))
    sheet.append([_header_cell(sheet, column.header) for column in table.columns])
    cells, last_row = _DataCells(sheet), header_row
    for offset, values in enumerate(rows):
        level = table.levels[offset] if table.levels else 0
        sheet.append(
            [
                cells.cell(
                    column,
                    value,
                    indent=2 * level if index < 2 else 0,
                    bold=bool(table.levels) and level == 0,
                )
                for index, (column, value) in enumerate(zip(table.columns, values, strict=True))
            ]
        )
        last_row += 1
    if table.note:
        sheet.row_dimensions[last_row + 1].height = 30
        _merged_row(
            sheet, last_row + 1, last_column, table.note, Font(italic=True), Alignment(wrap_text=True)
        )
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"

    output = tempfile.TemporaryFile()  # noqa: SIM115 (the download closes it once sent)
    workbook.save(output)
    output.seek(0)
    return output


def _spooled(table: Table) -> tuple[list[float], Iterator[Row]]:
    """The column widths from the longest text of each column, and the rows again: read once (a stream
    cannot be read twice, and reading the board twice would cost twice), kept meanwhile in a temporary
    file, pickled a batch at a time, so that memory holds one batch whatever the number of rows."""
    longest = [_display_width(column.header) for column in table.columns]
    spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed once the rows are read back)
    batch: list[Row] = []
    for values in table.rows:
        longest = [
            max(known, _display_width(_text(value))) for known, value in zip(longest, values, strict=True)
        ]
        batch.append(values)
        if len(batch) == CSV_CHUNK_ROWS:
            pickle.dump(batch, spool)
            batch = []
    pickle.dump(batch, spool)
    spool.seek(0)
    widths = [
        min(max(length + 2, MIN_WIDTH), MAX_WRAP_WIDTH if column.kind == WRAP else MAX_WIDTH)
        for column, length in zip(table.columns, longest, strict=True)
    ]
    return widths, _unspooled(spool)


def _unspooled(spool: IO[bytes]) -> Iterator[Row]:
    with spool:
        while True:
            try:
                yield from pickle.load(spool)  # our own file, written by `_spooled`
            except EOFError:
                return


def _header_cell(sheet, header: str) -> WriteOnlyCell:
    cell = _text_cell(WriteOnlyCell(sheet, header))
    cell.font = BOLD
    cell.fill = HEADER_FILL
    cell.border = BORDER
    cell.alignment = HEADER_ALIGNMENT
    return cell


class _DataCells:
    """The data cells of one workbook, each style looked up once per kind of cell: openpyxl hashes every
    style object (border, alignment, font …) on every assignment, which costs more than writing the cell,
    so a cell of a kind already seen takes a copy of that kind's style array instead."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.styles: dict[tuple, StyleArray] = {}

    def cell(self, column: Column, value: Value, *, indent: int, bold: bool) -> WriteOnlyCell:
        # Every cell is written, an empty one too, so that it keeps its border.
        cell = _text_cell(WriteOnlyCell(self.sheet, value))
        number_format = (
            _number_format(column.kind, value)
            if isinstance(value, Decimal) or column.kind in NUMBER_FORMATS
            else None
        )
        status = value if column.kind == STATUS and value in STATUS_FILLS else None
        kind = (column.kind == WRAP, indent, bold, number_format, status, cell.quotePrefix)
        if kind in self.styles:
            cell._style = copy(self.styles[kind])
            return cell
        cell.border = BORDER
        cell.alignment = Alignment(vertical="center", wrap_text=column.kind == WRAP, indent=indent)
        if bold:
            cell.font = BOLD
        if number_format:
            cell.number_format = number_format
        if status:
            cell.fill = STATUS_FILLS[status]
        self.styles[kind] = copy(cell._style)
        return cell


def _text_cell(cell: WriteOnlyCell) -> WriteOnlyCell:
    """Text stays text: openpyxl stores a string starting with "=" as a live formula, and Excel turns any
    text cell starting with = + - @ into one when it is edited; a string cell with Excel's quote prefix
    (the "'" typed before such text) is neither."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _merged_row(sheet, row: int, last_column: str, text: str, font: Font, alignment: Alignment) -> None:
    cell = _text_cell(WriteOnlyCell(sheet, text))
    cell.font = font
    cell.alignment = alignment
    sheet.append([cell])
    sheet.merged_cells.add(f"A{row}:{last_column}{row}")


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
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)
