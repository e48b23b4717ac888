"""The office's own 台账 in, not only out (issue #12, point 7): the import accepts a long sheet with the
Chinese headers (编号, 报告期末, 数值, 说明, 是否最终, 数据来源) and the system's own export, the wide 台账
(one row per target, a column per month) as XLSX and as CSV — a round trip export → edit a month → import.

The data: 张工信 (工业和信息化局) has reported 新增规上企业 (1.1.03, monthly) for March and June and
规上工业增加值增速 (1.1.04, quarterly) for the first quarter; as of 3 July 2020."""

import csv
import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from progress import exports
from progress.boards import ledger_items, target_rows
from progress.importing import dataset_read, progress_import
from progress.models import ProgressEntry, Provenance
from progress.services import progress_entry_submit
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def reported(clock, report_2020, official_zhang):
    def submit(day: str, code: str, period_end: str, value: str, note: str = ""):
        clock(day)
        return progress_entry_submit(
            target=Target.objects.get(report=report_2020, code=code),
            period_end=dt.date.fromisoformat(period_end),
            value=value,
            by=official_zhang,
            note=note,
            provenance=Provenance.OFFICIAL,
        )

    submit("2020-04-03", "1.1.03", "2020-03-31", "3", note="一季度新增3户")
    submit("2020-04-03", "1.1.04", "2020-03-31", "-6.5")
    submit("2020-07-03", "1.1.03", "2020-06-30", "7")


def export_xlsx(user) -> bytes:
    as_of = dt.date(2020, 7, 3)
    rows = target_rows(user=user, as_of=as_of)
    items = ledger_items(rows, as_of=as_of)
    return exports.ledger_xlsx(rows=items, as_of=as_of, title="工业和信息化局台账").read()


def export_csv(user) -> str:
    as_of = dt.date(2020, 7, 3)
    rows = target_rows(user=user, as_of=as_of)
    return "".join(exports.ledger_csv(rows=ledger_items(rows, as_of=as_of)))


def import_file(tmp_path, name: str, content: bytes, *options: str) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    out = io.StringIO()
    call_command("import_progress", str(path), "--user", "zhang_gongxin", *options, stdout=out)
    return out.getvalue()


def current(code: str, period_end: str) -> ProgressEntry:
    return ProgressEntry.objects.get(target__code=code, period_end=dt.date.fromisoformat(period_end))


def edit_xlsx(content: bytes, edits: dict[tuple[str, str], object]) -> bytes:
    """The exported workbook with cells changed as an official would in Excel: (编号, header) → value."""
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    sheet = workbook.active
    header = [cell.value for cell in sheet[2]]
    for row in sheet.iter_rows(min_row=3):
        for (code, column), value in edits.items():
            if row[0].value == code:
                row[header.index(column)].value = value
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


# ------------------------------------------------------------------------------ long, Chinese headers


def test_a_long_sheet_with_the_offices_chinese_headers_is_imported(tmp_path, july_3rd_2020, official_zhang):
    content = "编号,报告期末,数值,说明,是否最终,数据来源\n1.1.03,2020-06-30,7,上半年新增7户,否,统计部门数据\n"

    import_file(tmp_path, "台账.csv", content.encode())

    entry = current("1.1.03", "2020-06-30")
    assert (entry.value, entry.note, entry.is_final, entry.provenance) == (
        Decimal(7), "上半年新增7户", False, Provenance.OFFICIAL,
    )  # fmt: skip


def test_problems_of_a_chinese_sheet_name_its_columns_in_chinese(tmp_path, july_3rd_2020, official_zhang):
    content = "编号,报告期末,数值,说明\n1.1.03,2020-06-30,见说明,\n"

    with pytest.raises(CommandError, match="第2行 数值：“见说明”不是数字"):
        import_file(tmp_path, "台账.csv", content.encode())


def test_a_missing_chinese_column_is_named_in_chinese(tmp_path, july_3rd_2020, official_zhang):
    with pytest.raises(CommandError, match="缺少列：说明"):
        import_file(tmp_path, "台账.csv", "编号,报告期末,数值\n1.1.03,2020-06-30,7\n".encode())


# --------------------------------------------------------------------------- wide: the system's export


def test_reimporting_the_unchanged_export_changes_nothing(tmp_path, reported, official_zhang):
    output = import_file(tmp_path, "台账.xlsx", export_xlsx(official_zhang))

    assert "新增 0 条，更正 0 条，未变 3 条" in output
    assert ProgressEntry.objects.filter(revision__gt=1).count() == 0


def test_round_trip_an_edited_month_becomes_a_correction_and_a_new_month_an_entry(
    tmp_path, reported, official_zhang
):
    edited = edit_xlsx(export_xlsx(official_zhang), {("1.1.03", "6月"): 8, ("1.1.04", "6月"): 2.4})

    output = import_file(tmp_path, "台账.xlsx", edited, "--allow-corrections")

    assert "新增 1 条，更正 1 条，未变 2 条" in output
    june = current("1.1.03", "2020-06-30")
    assert (june.value, june.revision) == (Decimal(8), 2)
    assert june.history.count() == 2
    assert current("1.1.04", "2020-06-30").value == Decimal("2.4")
    # The wide sheet has no note or provenance column: an existing entry keeps its own.
    march = current("1.1.03", "2020-03-31")
    assert (march.note, march.provenance, march.revision) == ("一季度新增3户", Provenance.OFFICIAL, 1)


def test_an_edited_month_is_refused_without_allow_corrections_naming_the_month(
    tmp_path, reported, official_zhang
):
    edited = edit_xlsx(export_xlsx(official_zhang), {("1.1.03", "6月"): 8})

    with pytest.raises(CommandError) as refused:
        import_file(tmp_path, "台账.xlsx", edited)

    row = next(
        number
        for number, cells in enumerate(openpyxl.load_workbook(io.BytesIO(edited)).active.iter_rows(), 1)
        if cells[0].value == "1.1.03"
    )
    assert f"第{row}行 6月：该期已有填报（数值7）" in str(refused.value)
    assert current("1.1.03", "2020-06-30").value == 7


def test_a_figure_in_a_month_without_a_period_is_refused(tmp_path, reported, official_zhang):
    edited = edit_xlsx(export_xlsx(official_zhang), {("1.1.04", "5月"): 1.5})

    with pytest.raises(CommandError, match="5月：该目标为季报，5月没有报告期；请清空该单元格。"):
        import_file(tmp_path, "台账.xlsx", edited)


def test_the_exported_csv_round_trips_too(tmp_path, reported, official_zhang):
    lines = list(csv.reader(io.StringIO(export_csv(official_zhang).removeprefix("\ufeff"))))
    june = lines[0].index("6月")
    for line in lines[1:]:
        if line[0] == "1.1.03":
            line[june] = "1,008"
    buffer = io.StringIO()
    csv.writer(buffer).writerows(lines)

    import_file(tmp_path, "台账.csv", ("\ufeff" + buffer.getvalue()).encode(), "--allow-corrections")

    assert current("1.1.03", "2020-06-30").value == Decimal(1008)


def test_the_export_read_back_has_its_header_on_row_2_and_a_column_per_month(reported, official_zhang):
    dataset = dataset_read(export_xlsx(official_zhang), "台账.xlsx")

    assert dataset.headers[0] == "编号"
    assert [header for header in dataset.headers if header.endswith("月")] == [f"{m}月" for m in range(1, 13)]
    summary = progress_import(dataset=dataset, by=official_zhang)
    assert (summary.created, summary.corrected, summary.unchanged) == (0, 0, 3)


def test_the_admin_import_previews_the_edited_export(client, reported, official_zhang):
    client.force_login(official_zhang)
    edited = edit_xlsx(export_xlsx(official_zhang), {("1.1.03", "6月"): 8})

    response = client.post(
        reverse("admin:progress_progressentry_import"),
        {"format": 1, "resource": 0, "import_file": SimpleUploadedFile("台账.xlsx", edited)},
    )

    result = response.context["result"]
    assert not result.has_errors() and not result.has_validation_errors()
    assert [row.diff for row in result.valid_rows()] == [["1.1.03", "2020-06-30", "8", ""]]
    assert "confirm_form" in response.context
    assert current("1.1.03", "2020-06-30").value == 7  # nothing saved until confirmed
