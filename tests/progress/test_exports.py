"""Exports of the managers' reports: the 台账 (one row per target, its figure per month, its status), the
department scoreboard and the chapter overview, as XLSX (read back with openpyxl) and as CSV.

The data: the bundled 2020 report and a few real entries. 张工信 (工业和信息化局) reports 新增规上企业
(1.1.03, monthly, cumulative) and 规上工业增加值增速 (1.1.04, quarterly); 刘发改 (发展和改革委员会)
reports 339个新建项目开工率 (1.5.02, due 30 April); 陈局长 returns one of his department's entries.
Everything is judged as of 3 July 2020.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable
from typing import IO

import openpyxl
import pytest
from openpyxl.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from progress import exports
from progress.boards import (
    SCORE_RULE,
    department_scoreboard,
    lagging_board,
    ledger_items,
    status_summary,
    target_rows,
)
from progress.services import progress_entry_return, progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2020, 7, 3)
MONTHS = [f"{month}月" for month in range(1, 13)]
LEDGER_HEADER = [
    "编号", "章节", "重点任务", "指标", "目标", "单位", "牵头单位", "配合单位", *MONTHS,
    "完成状态", "报送状态", "逾期天数", "完成进度(%)", "序时进度(%)", "差距", "最新数据期",
]  # fmt: skip
SCOREBOARD_HEADER = [
    "排名", "责任单位", "牵头目标数", "正常", "预警", "滞后", "已完成", "逾期未完成", "无数据", "逾期未报",
    "按时报送率(%)", "被退回填报", "逾期未反馈督办单", "得分", "计分说明",
]  # fmt: skip
SUMMARY_HEADER = ["编号", "章节/重点任务", "无数据", "正常", "预警", "滞后", "已完成", "逾期未完成", "合计"]


@pytest.fixture
def entries(clock, report_2020, official_zhang, reviewer_chen, official_liu):
    """The entries, each submitted on the day an official would have: the March figures in early April,
    the April deadline's figure in early May, the June figures (and a returned one) on 3 July."""

    def submit(day: str, code: str, period_end: str, value: str, by):
        clock(day)
        return progress_entry_submit(
            target=Target.objects.get(report=report_2020, code=code),
            period_end=dt.date.fromisoformat(period_end),
            value=value,
            by=by,
        )

    submit("2020-04-03", "1.1.03", "2020-03-31", "3", official_zhang)
    submit("2020-04-03", "1.1.04", "2020-03-31", "-6.5", official_zhang)
    submit("2020-05-08", "1.5.02", "2020-04-30", "65", official_liu)
    submit("2020-07-03", "1.1.03", "2020-06-30", "7.5", official_zhang)
    submit("2020-07-03", "1.1.04", "2020-06-30", "2.4", official_zhang)
    wrong = submit("2020-07-03", "1.1.05", "2020-06-30", "12", official_zhang)
    progress_entry_return(entry=wrong, by=reviewer_chen, reason="口径不符，请按统计局口径重报。")


def ledger_inputs(manager, as_of: dt.date = AS_OF, rows=None):
    rows = target_rows(user=manager, as_of=as_of) if rows is None else rows
    return {"rows": list(ledger_items(rows, as_of=as_of)), "as_of": as_of}


def sheet_of(workbook: IO[bytes]) -> Worksheet:
    return openpyxl.load_workbook(workbook).active


def values(sheet: Worksheet, row: int) -> list:
    return [cell.value for cell in sheet[row]]


def rows_by_key(sheet: Worksheet, header_row: int, key: str = "编号") -> dict[str, dict[str, Cell]]:
    """The data rows under the header, each as {header: cell}, keyed by the `key` column's value."""
    header = values(sheet, header_row)
    rows = {}
    for cells in sheet.iter_rows(min_row=header_row + 1):
        row = dict(zip(header, cells, strict=True))
        if row[key].value is not None:
            rows[row[key].value] = row
    return rows


def column_widths(sheet: Worksheet) -> dict[str, float]:
    """The width of every column given one: a `<col>` element may set a range of columns (XlsxWriter
    writes one for adjacent columns of the same width), which openpyxl files under its first column."""
    return {
        get_column_letter(index): dimension.width
        for dimension in sheet.column_dimensions.values()
        for index in range(dimension.min, dimension.max + 1)
    }


def fitted_pages(sheet: Worksheet) -> tuple[int, int]:
    """Pages wide and down when fitted to pages: an absent fitToWidth or fitToHeight is 1 (ECMA-376's
    default), which XlsxWriter leaves out and openpyxl reads as None."""
    setup = sheet.page_setup
    return (
        1 if setup.fitToWidth is None else setup.fitToWidth,
        1 if setup.fitToHeight is None else setup.fitToHeight,
    )


def csv_lines(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def csv_text(chunks: Iterable[str]) -> str:
    return "".join(chunks)


@pytest.fixture
def ledger(entries, manager_wang):
    inputs = ledger_inputs(manager_wang)
    rows = [row for row, _ in inputs["rows"]]
    return rows, sheet_of(exports.ledger_xlsx(**inputs, title="2020年政府工作报告目标任务台账"))


# ------------------------------------------------------------------------------------------------- 台账


def test_the_ledger_sheet_has_a_title_row_and_the_office_header(ledger):
    _, sheet = ledger

    assert sheet.title == "台账"
    assert sheet["A1"].value == "2020年政府工作报告目标任务台账（截至2020年7月3日）"
    assert "A1:AA1" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert values(sheet, 2) == LEDGER_HEADER


def test_the_ledger_has_one_row_per_target_in_reading_order(ledger, report_2020):
    rows, sheet = ledger

    codes = [cell.value for cell in sheet["A"][2:]]

    assert codes == [row.target.code for row in rows]
    assert len(codes) == Target.objects.filter(report=report_2020).count()
    assert codes[codes.index("1.1.03") + 1] == "1.1.04"


def test_a_monthly_targets_figures_sit_in_their_month_columns_as_numbers(ledger):
    row = rows_by_key(ledger[1], 2)["1.1.03"]

    assert (row["3月"].value, row["3月"].data_type, row["3月"].number_format) == (3, "n", "#,##0")
    assert (row["6月"].value, row["6月"].data_type, row["6月"].number_format) == (7.5, "n", "#,##0.####")
    assert [row[month].value for month in MONTHS if month not in ("3月", "6月")] == [None] * 10


def test_a_quarterly_target_has_figures_in_quarter_months_only(ledger):
    row = rows_by_key(ledger[1], 2)["1.1.04"]

    assert {month: row[month].value for month in MONTHS if row[month].value is not None} == {
        "3月": -6.5,
        "6月": 2.4,
    }


def test_a_target_due_in_april_has_its_figure_in_april(ledger):
    row = rows_by_key(ledger[1], 2)["1.5.02"]

    assert {month: row[month].value for month in MONTHS if row[month].value is not None} == {"4月": 65}


def test_the_ledger_describes_each_target_and_its_departments(ledger):
    row = rows_by_key(ledger[1], 2)["1.1.03"]

    assert {header: row[header].value for header in LEDGER_HEADER[1:8]} == {
        "章节": "狠抓调转升级，推动经济高质量发展",
        "重点任务": "加快工业转型升级",
        "指标": "新增规上企业",
        "目标": "≥ 15 户",
        "单位": "户",
        "牵头单位": "工业和信息化局",
        "配合单位": "统计局、各县（市、区）人民政府",
    }


def test_the_status_columns_are_in_chinese_with_the_arithmetic_as_numbers(ledger):
    rows = rows_by_key(ledger[1], 2)
    status = [
        "完成状态",
        "报送状态",
        "逾期天数",
        "完成进度(%)",
        "序时进度(%)",
        "差距",
        "最新数据期",
    ]

    def cells(code: str) -> list:
        return [rows[code][header].value for header in status]

    # 7.5 of 15 is 50% on 30 June, when 182 of 366 days (49.73%) had passed.
    # The gap is said in the target's own terms (7.5 reported, 7.46 expected).
    assert cells("1.1.03") == [
        "正常", "按时", None, 50, 49.73, "超前序时进度0.27个百分点（多0.04户）", dt.datetime(2020, 6, 30)
    ]  # fmt: skip
    # A level target has no progress %: 2.4% against at least 9.5% is 7.1 points short (74.74% of the goal,
    # which judged it lagging).
    assert cells("1.1.04") == ["滞后", "按时", None, None, None, "差7.1个百分点", dt.datetime(2020, 6, 30)]
    # Due on 30 April: 65% of the 70% when its report fell due, so overdue; every report is in.
    assert cells("1.5.02") == [
        "逾期未完成", "按时", None, 92.86, 100, "差5个百分点，完成目标的92.86%", dt.datetime(2020, 4, 30)
    ]  # fmt: skip
    # Its only entry was returned, so no figure counts; the January report (due 7 February) is missing,
    # and the expected progress is that of 3 July (185 of 366 days).
    assert cells("1.1.05") == ["无数据", "逾期未报", 147, None, 50.55, None, None]
    assert [rows["1.1.03"][header].number_format for header in (*status[3:5], status[6])] == [
        "0.00", "0.00", "yyyy-mm-dd",
    ]  # fmt: skip


def test_status_cells_are_filled_like_warning_lights(ledger):
    rows = rows_by_key(ledger[1], 2)

    def fill(code: str, header: str) -> str:
        return rows[code][header].fill.fgColor.rgb[-6:]

    assert fill("1.1.03", "完成状态") == "C6EFCE"
    assert fill("1.1.04", "完成状态") == "FFC7CE"
    assert fill("1.1.05", "报送状态") == "FFC7CE"
    assert rows["1.1.05"]["完成状态"].fill.fill_type is None


def test_the_ledger_reads_well_when_opened(ledger):
    _, sheet = ledger
    widths = column_widths(sheet)
    width = {header: widths[cell.column_letter] for header, cell in zip(LEDGER_HEADER, sheet[2], strict=True)}

    assert width["指标"] > width["编号"] >= 6
    assert width["章节"] == 30  # wrapped at the cap, not as wide as its longest title
    assert all(6 <= value <= 40 for value in width.values())
    assert sheet["D3"].alignment.wrap_text and not sheet["A3"].alignment.wrap_text
    assert all(cell.font.bold and cell.fill.fgColor.rgb[-6:] == "DDEBF7" for cell in sheet[2])
    assert sheet.freeze_panes == "E3"
    assert sheet.auto_filter.ref == f"A2:AA{sheet.max_row}"
    assert sheet.page_setup.orientation == "landscape"
    assert fitted_pages(sheet) == (1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$1:$2"


def test_the_column_widths_follow_the_longest_text_with_cjk_counting_double(db):
    table = exports.Table(
        sheet="宽度",
        columns=(exports.Column("编号"), exports.Column("name"), exports.Column("名称", exports.WRAP)),
        rows=[("1", "a" * 12, "短"), ("1.1.03", "b" * 50, "长" * 20)],
    )
    widths = column_widths(sheet_of(exports._xlsx(table)))

    # Two more than the longest text (header included), at least 6, at most 40 (30 for wrapped text).
    assert widths == {"A": 8, "B": 40, "C": 30}
    table = exports.Table("宽度", table.columns, [("1", "中文字", "长" * 5)])
    assert column_widths(sheet_of(exports._xlsx(table))) == {"A": 6, "B": 8, "C": 12}


def test_the_ledger_as_of_a_past_date_shows_only_what_was_reported_then(entries, manager_wang):
    inputs = ledger_inputs(manager_wang, as_of=dt.date(2020, 4, 10))
    sheet = sheet_of(exports.ledger_xlsx(**inputs, title="台账"))
    rows = rows_by_key(sheet, 2)

    assert sheet["A1"].value == "台账（截至2020年4月10日）"
    assert [rows["1.1.03"][month].value for month in MONTHS] == [None, None, 3, *[None] * 9]
    assert rows["1.5.02"]["4月"].value is None


def test_the_lagging_report_exports_only_the_targets_that_need_attention(entries, manager_wang):
    lagging = lagging_board(user=manager_wang, as_of=AS_OF)
    sheet = sheet_of(exports.ledger_xlsx(**ledger_inputs(manager_wang, rows=lagging), title="滞后/逾期目标"))
    codes = [cell.value for cell in sheet["A"][2:]]

    assert codes == [row.target.code for row in lagging]
    # Overdue first (1.5.03 has no figure at all and is also late), then lagging.
    assert codes[:3] == ["1.5.03", "1.5.02", "1.1.04"]
    assert "1.1.03" not in codes


def test_an_empty_ledger_still_has_its_header_and_months(db):
    sheet = sheet_of(exports.ledger_xlsx(rows=[], as_of=AS_OF, title="台账"))

    assert values(sheet, 2) == LEDGER_HEADER
    assert sheet.max_row == 2
    assert sheet.auto_filter.ref == "A2:AA2"


def test_exports_run_no_queries(entries, manager_wang, django_assert_num_queries):
    inputs = ledger_inputs(manager_wang)
    scores = department_scoreboard(as_of=AS_OF)
    summary = status_summary(user=manager_wang, as_of=AS_OF)

    with django_assert_num_queries(0):
        exports.ledger_xlsx(**inputs, title="台账")
        csv_text(exports.ledger_csv(rows=inputs["rows"]))
        exports.scoreboard_xlsx(scores=scores, as_of=AS_OF, rule=SCORE_RULE)
        exports.summary_xlsx(summary=summary)


def test_the_ledger_csv_has_the_same_columns_with_a_bom(entries, manager_wang):
    inputs = ledger_inputs(manager_wang)
    text = csv_text(exports.ledger_csv(rows=inputs["rows"]))
    lines = csv_lines(text)
    by_code = {line[0]: dict(zip(LEDGER_HEADER, line, strict=True)) for line in lines[1:]}

    assert text.startswith("\ufeff编号,章节,")
    assert lines[0] == LEDGER_HEADER
    assert len(lines) == 1 + len(inputs["rows"])
    assert list(by_code["1.1.03"].values()) == [
        "1.1.03", "狠抓调转升级，推动经济高质量发展", "加快工业转型升级", "新增规上企业", "≥ 15 户", "户",
        "工业和信息化局", "统计局、各县（市、区）人民政府", "", "", "3", "", "", "7.5", "", "", "", "", "", "",
        "正常", "按时", "", "50", "49.73", "超前序时进度0.27个百分点（多0.04户）", "2020-06-30",
    ]  # fmt: skip
    assert by_code["1.1.05"]["逾期天数"] == "147"


# -------------------------------------------------------------------------------------------- scoreboard


@pytest.fixture
def scores(entries, manager_wang):
    return department_scoreboard(as_of=AS_OF)


def test_the_scoreboard_sheet_ranks_departments_with_their_counts_and_score(scores):
    sheet = sheet_of(exports.scoreboard_xlsx(scores=scores, as_of=AS_OF, rule=SCORE_RULE))
    rows = rows_by_key(sheet, 2, key="责任单位")
    industry = {header: cell.value for header, cell in rows["工业和信息化局"].items()}

    # 工业和信息化局 leads 19 targets: 1.1.03 on track, 1.1.04 lagging, 17 without a counted figure (1.1.05's
    # was returned), each of them late. On time: 2 of 19. Score: 100 − 6 − 2×17 − 1 = 59.

    assert sheet.title == "得分排名"
    assert sheet["A1"].value == "责任单位得分排名（截至2020年7月3日）"
    assert values(sheet, 2) == SCOREBOARD_HEADER
    assert len(rows) == len(scores)
    assert [row["排名"].value for row in rows.values()] == [score.rank for score in scores]
    assert industry == {
        "排名": next(score.rank for score in scores if score.department.code == "industry"),
        "责任单位": "工业和信息化局",
        "牵头目标数": 19,
        "正常": 1,
        "预警": 0,
        "滞后": 1,
        "已完成": 0,
        "逾期未完成": 0,
        "无数据": 17,
        "逾期未报": 17,
        "按时报送率(%)": 10.5,
        "被退回填报": 1,
        "逾期未反馈督办单": 0,
        "得分": 78.4,
        "计分说明": "扣分 6×1（滞后） + 2×17（逾期未报） + 1×1（被退回填报） = 41；100 − 10 × 41 ÷ 19个牵头目标 = 78.4",
    }


def test_the_scoreboard_prints_the_scoring_rule_under_the_table(scores):
    sheet = sheet_of(exports.scoreboard_xlsx(scores=scores, as_of=AS_OF, rule=SCORE_RULE))
    note_row = 2 + len(scores) + 1

    assert sheet.cell(note_row, 1).value == f"计分规则：{SCORE_RULE}"
    assert f"A{note_row}:O{note_row}" in {str(merged) for merged in sheet.merged_cells.ranges}
    assert sheet.auto_filter.ref == f"A2:O{note_row - 1}"
    assert sheet.freeze_panes == "C3"
    assert sheet["O3"].alignment.wrap_text


def test_the_scoreboard_csv(scores):
    text = csv_text(exports.scoreboard_csv(scores=scores))
    lines = csv_lines(text)
    industry = next(line for line in lines if line[1] == "工业和信息化局")

    assert text.startswith("\ufeff排名,")
    assert lines[0] == SCOREBOARD_HEADER
    assert len(lines) == 1 + len(scores)
    assert industry[2:] == [
        "19", "1", "0", "1", "0", "0", "17", "17", "10.5", "1", "0", "78.4",
        "扣分 6×1（滞后） + 2×17（逾期未报） + 1×1（被退回填报） = 41；100 − 10 × 41 ÷ 19个牵头目标 = 78.4",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------- chapter overview


@pytest.fixture
def summary(entries, manager_wang):
    return status_summary(user=manager_wang, as_of=AS_OF)


def test_the_overview_lists_each_chapter_then_its_key_tasks_indented(summary):
    sheet = sheet_of(exports.summary_xlsx(summary=summary))
    rows = rows_by_key(sheet, 2)
    chapter, task = rows["1"], rows["1.1"]

    def counts(row) -> list:
        return [row[header].value for header in SUMMARY_HEADER[1:]]

    assert sheet.title == "章节概览"
    assert sheet["A1"].value == "章节目标完成情况（截至2020年7月3日）"
    assert values(sheet, 2) == SUMMARY_HEADER
    assert [cell.value for cell in sheet["A"][2:5]] == ["0", "0.1", "1"]  # 主要预期目标 first
    assert counts(task) == ["加快工业转型升级", 13, 1, 0, 1, 0, 0, 15]
    assert counts(chapter)[0] == "狠抓调转升级，推动经济高质量发展"
    assert counts(chapter)[-2:] == [2, 46]  # 1.5.02 and 1.5.03, due 30 April
    assert chapter["章节/重点任务"].font.bold and chapter["章节/重点任务"].alignment.indent == 0
    assert not task["章节/重点任务"].font.bold and task["章节/重点任务"].alignment.indent == 2


def test_the_overview_ends_with_the_totals(summary):
    sheet = sheet_of(exports.summary_xlsx(summary=summary))
    last = values(sheet, sheet.max_row)

    assert last[1] == "合计"
    assert last[-1] == summary.total
    assert sum(last[2:-1]) == summary.total
    assert last[SUMMARY_HEADER.index("逾期未完成")] == summary.performance["overdue"]


def test_the_overview_csv(summary):
    lines = csv_lines(csv_text(exports.summary_csv(summary=summary)))
    by_code = {line[0]: line for line in lines[1:]}

    assert lines[0] == SUMMARY_HEADER
    assert len(lines) == 1 + len(summary.by_chapter) + sum(len(c["tasks"]) for c in summary.by_chapter) + 1
    assert by_code["1.1"] == ["1.1", "加快工业转型升级", "13", "1", "0", "1", "0", "0", "15"]
    assert lines[-1][:2] == ["", "合计"]
    assert int(lines[-1][-1]) == summary.total
