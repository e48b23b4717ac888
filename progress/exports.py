"""The reports as files: the office's 台账 (XLSX and CSV), the department scoreboard and the chapter overview.

Pure functions: they take what the selectors in progress.boards return (rows come with their report,
task, chapter and departments loaded) and run no queries. Each report is first laid out once as a `Table`
(columns with a kind, then rows of plain values); `_xlsx` and `_csv` write any table, so the XLSX and the
CSV of a report always have the same columns.
"""

import csv
import datetime as dt
import io
import unicodedata
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from progress.boards import DepartmentScore, StatusSummary, TargetRow
from progress.rules import PERFORMANCE_LABELS, REPORTING_LABELS, Performance, Reporting
from targets.conventions import chinese_date, format_decimal

# Column kinds: how a column's values are written and shown.
TEXT, WRAP, STATUS, INT, FIGURE, PCT, DATE = "text", "wrap", "status", "int", "figure", "pct", "date"
NUMBER_FORMATS = {INT: "0", PCT: "0.00", DATE: "yyyy-mm-dd"}
MIN_WIDTH, MAX_WIDTH, MAX_WRAP_WIDTH = 6, 40, 30

# Excel's own "good / neutral / bad" fills, so that a printed 台账 reads like the red-amber-green lights.
GOOD, NEUTRAL, BAD = "C6EFCE", "FFEB9C", "FFC7CE"
STATUS_FILLS = {
    PERFORMANCE_LABELS[Performance.ACHIEVED]: GOOD,
    PERFORMANCE_LABELS[Performance.ON_TRACK]: GOOD,
    PERFORMANCE_LABELS[Performance.AT_RISK]: NEUTRAL,
    PERFORMANCE_LABELS[Performance.LAGGING]: BAD,
    PERFORMANCE_LABELS[Performance.OVERDUE]: BAD,
    REPORTING_LABELS[Reporting.LATE]: BAD,
}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
THIN = Side(style="thin", color="808080")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)

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


@dataclass(frozen=True)
class Table:
    sheet: str
    columns: tuple[Column, ...]
    rows: list[tuple[Value, ...]]
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


def ledger_xlsx(
    *, rows: list[TargetRow], monthly: dict[int, dict[dt.date, Decimal]], as_of: dt.date, title: str
) -> bytes:
    """The 台账: one row per target, its figure per month, then its status as of `as_of`."""
    return _xlsx(_ledger(rows, monthly, as_of, title=f"{title}（截至{chinese_date(as_of)}）"))


def ledger_csv(*, rows: list[TargetRow], monthly: dict[int, dict[dt.date, Decimal]], as_of: dt.date) -> str:
    return _csv(_ledger(rows, monthly, as_of))


def _ledger(
    rows: list[TargetRow], monthly: dict[int, dict[dt.date, Decimal]], as_of: dt.date, title: str = ""
) -> Table:
    # One export covers one report, so the month columns are that report's year.
    year = rows[0].target.report.year if rows else as_of.year
    return Table(
        sheet="台账",
        columns=LEDGER_COLUMNS,
        rows=[_ledger_row(row, monthly.get(row.target.pk, {}), year) for row in rows],
        title=title,
        frozen_columns=4,  # through 指标
    )


def _ledger_row(row: TargetRow, figures: dict[dt.date, Decimal], year: int) -> tuple[Value, ...]:
    target, evaluation = row.target, row.evaluation
    lead = target.lead_department
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


def scoreboard_xlsx(*, scores: list[DepartmentScore], as_of: dt.date, rule: str) -> bytes:
    """The ranked departments, with the scoring rule printed under the table."""
    return _xlsx(
        _scoreboard(scores, title=f"责任单位得分排名（截至{chinese_date(as_of)}）", note=f"计分规则：{rule}")
    )


def scoreboard_csv(*, scores: list[DepartmentScore]) -> str:
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


def summary_xlsx(*, summary: StatusSummary) -> bytes:
    """Status counts per chapter, each followed by its key tasks (indented), and a grand total."""
    return _xlsx(_summary(summary, title=f"章节目标完成情况（截至{chinese_date(summary.as_of)}）"))


def summary_csv(*, summary: StatusSummary) -> str:
    return _csv(_summary(summary))


def _summary(summary: StatusSummary, title: str = "") -> Table:
    rows: list[tuple[Value, ...]] = []
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


def _xlsx(table: Table) -> bytes:
    """Write a table to a one-sheet workbook that reads and prints well as it is opened.

    Steps: the title row (merged), the header (bold, filled, filtered, frozen with the leading columns),
    the data with a number format per column kind, the note row (merged), then column widths from the
    longest text (CJK characters count double) and a landscape page fitted to one page wide.
    """
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = table.sheet
    width = len(table.columns)
    header_row = 2 if table.title else 1
    if table.title:
        _merged_row(sheet, 1, width, table.title, Font(bold=True, size=14), Alignment(horizontal="center"))
        sheet.row_dimensions[1].height = 24

    for index, column in enumerate(table.columns, start=1):
        cell = sheet.cell(header_row, index, column.header)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.border = BORDER
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    for offset, values in enumerate(table.rows, start=1):
        level = table.levels[offset - 1] if table.levels else 0
        for index, (column, value) in enumerate(zip(table.columns, values, strict=True), start=1):
            cell = _text_cell(sheet.cell(header_row + offset, index, value))
            cell.border = BORDER
            cell.alignment = Alignment(
                vertical="center", wrap_text=column.kind == WRAP, indent=2 * level if index <= 2 else 0
            )
            if table.levels and level == 0:
                cell.font = Font(bold=True)
            if isinstance(value, Decimal) or column.kind in NUMBER_FORMATS:
                cell.number_format = _number_format(column.kind, value)
            if column.kind == STATUS and value in STATUS_FILLS:
                cell.fill = PatternFill("solid", fgColor=STATUS_FILLS[value])

    last_row = header_row + len(table.rows)
    if table.note:
        note_row = last_row + 1
        _merged_row(sheet, note_row, width, table.note, Font(italic=True), Alignment(wrap_text=True))
        sheet.row_dimensions[note_row].height = 30

    for index, column in enumerate(table.columns, start=1):
        texts = [column.header, *(_text(values[index - 1]) for values in table.rows)]
        longest = max(_display_width(text) for text in texts) + 2
        limit = MAX_WRAP_WIDTH if column.kind == WRAP else MAX_WIDTH
        sheet.column_dimensions[get_column_letter(index)].width = min(max(longest, MIN_WIDTH), limit)

    last_column = get_column_letter(width)
    sheet.freeze_panes = sheet.cell(header_row + 1, table.frozen_columns + 1).coordinate
    sheet.auto_filter.ref = f"A{header_row}:{last_column}{last_row}"
    sheet.print_title_rows = f"1:{header_row}"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages down as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def _text_cell(cell):
    """Text stays text: openpyxl stores a string starting with "=" as a live formula, and Excel turns any
    text cell starting with = + - @ into one when it is edited; a string cell with Excel's quote prefix
    (the "'" typed before such text) is neither."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
        cell.data_type = "s"
        cell.quotePrefix = True
    return cell


def _merged_row(sheet, row: int, width: int, text: str, font: Font, alignment: Alignment) -> None:
    cell = _text_cell(sheet.cell(row, 1, text))
    cell.font = font
    cell.alignment = alignment
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)


def _csv(table: Table) -> str:
    """The header and the rows (text escaped, see `_csv_text`); a BOM first, or Excel opens UTF-8 Chinese
    as mojibake."""
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(column.header for column in table.columns)
    writer.writerows([_csv_text(value) for value in values] for values in table.rows)
    return "\ufeff" + output.getvalue()


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
