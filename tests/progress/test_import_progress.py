"""`import_progress FILE --user USERNAME`: a department's 台账 (CSV or XLSX) submitted as that user, under
the same department rules as the admin; the whole file is validated first and either every row is saved or
none is, with errors that name the row (the header is row 1) and the column in Chinese. Also the admin's
import button (django-import-export), which shares the same rules."""

import csv
import datetime as dt
from decimal import Decimal
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.contrib import admin
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from progress.models import ProgressEntry, Provenance
from targets import roles
from targets.models import Department
from tests.factories import UserFactory

# Entries are dated by the clock, and "in the future" is judged against it: July 3rd, 2020, 10:00.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
COLUMNS = ("code", "period_end", "value", "note")
ALL_COLUMNS = (*COLUMNS, "final", "provenance")
FROZEN_NOW = dt.datetime(2020, 7, 3, 10, 0, tzinfo=SHANGHAI)


# A row each department may import, to put before a bad row so that the bad one is row 3.
GOOD_ROW = {
    "official_zhang": ("1.1.02", "2020-06-30", "4", "上半年新增4户"),
    "official_liu": ("0.1.07", "2020-06-30", "2.8", "6月CPI"),
    "official_he": ("5.3.09", "2020-06-30", "50", "布展过半"),
}


def write_csv(path: Path, rows, header=COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows, header=COLUMNS) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def import_progress(path: Path, username: str, *options: str) -> str:
    out = StringIO()
    call_command("import_progress", str(path), "--user", username, *options, stdout=out)
    return out.getvalue()


def refusal(path: Path, username: str, *options: str) -> str:
    with pytest.raises(CommandError) as refused:
        import_progress(path, username, *options)
    return str(refused.value)


def entry(code: str, period_end: str) -> ProgressEntry:
    return ProgressEntry.objects.get(target__code=code, period_end=dt.date.fromisoformat(period_end))


# ------------------------------------------------------------------------------------------ valid files


def test_a_valid_csv_saves_every_row_as_the_importing_official(tmp_path, official_zhang):
    path = write_csv(
        tmp_path / "工信局台账.csv",
        [
            ("1.1.03", "2020-05-31", "5", "5月累计", "否", "部门预估"),
            ("1.1.03", "2020-06-30", "7", "6月累计", "否", "部门预估"),
            ("1.1.02", "2020-06-30", "4", "上半年", "是", "统计部门数据"),
        ],
        header=ALL_COLUMNS,
    )

    output = import_progress(path, "zhang_gongxin")

    assert "新增 3 条" in output
    saved = {
        (e.target.code, f"{e.period_end:%Y-%m-%d}"): (
            e.value, e.note, e.is_final, e.provenance, e.department.code, e.submitted_by, e.submitted_at,
            e.revision,
        )
        for e in ProgressEntry.objects.select_related("target", "department", "submitted_by")
    }  # fmt: skip
    assert saved == {
        ("1.1.03", "2020-05-31"): (
            Decimal(5), "5月累计", False, Provenance.ESTIMATE, "industry", official_zhang, FROZEN_NOW, 1,
        ),
        ("1.1.03", "2020-06-30"): (
            Decimal(7), "6月累计", False, Provenance.ESTIMATE, "industry", official_zhang, FROZEN_NOW, 1,
        ),
        ("1.1.02", "2020-06-30"): (
            Decimal(4), "上半年", True, Provenance.OFFICIAL, "industry", official_zhang, FROZEN_NOW, 1,
        ),
    }  # fmt: skip


def test_a_valid_xlsx_with_date_cells_and_numbers_saves_every_row(tmp_path, official_zhang):
    path = write_xlsx(
        tmp_path / "工信局台账.xlsx",
        [
            ("1.1.03", dt.date(2020, 6, 30), 7, "6月累计", "是", "统计部门数据"),
            ("1.1.02", "2020-06-30", 4.5, None, None, None),
        ],
        header=ALL_COLUMNS,
    )

    import_progress(path, "zhang_gongxin")

    enterprises = entry("1.1.03", "2020-06-30")
    assert (enterprises.value, enterprises.is_final, enterprises.provenance, enterprises.department.code) == (
        Decimal(7), True, Provenance.OFFICIAL, "industry",
    )  # fmt: skip
    big_enterprises = entry("1.1.02", "2020-06-30")
    assert (big_enterprises.value, big_enterprises.is_final, big_enterprises.provenance, big_enterprises.note) == (
        Decimal("4.5"), False, Provenance.ESTIMATE, "",
    )  # fmt: skip


def test_a_cooperating_department_may_not_import_a_figure(tmp_path, official_sun):
    path = write_csv(tmp_path / "统计局.csv", [("1.1.03", "2020-06-30", "7", "统计局核实")])

    with pytest.raises(CommandError) as refused:
        import_progress(path, "sun_tongji")

    assert "该目标的数值由牵头单位（工业和信息化局）填报" in str(refused.value)
    assert not ProgressEntry.objects.exists()


def test_a_negative_growth_rate_is_a_valid_figure(tmp_path, official_liu):
    path = write_csv(tmp_path / "发改委.csv", [("0.1.01", "2020-03-31", "-6.8", "一季度GDP增速")])

    import_progress(path, "liu_fagai")

    assert entry("0.1.01", "2020-03-31").value == Decimal("-6.8")


def test_a_superuser_may_import_for_any_department_and_the_entry_belongs_to_the_lead(
    tmp_path, administrator_li
):
    path = write_csv(
        tmp_path / "全市.csv",
        [
            ("1.1.03", "2020-06-30", "7", ""),
            ("0.1.07", "2020-06-30", "2.8", ""),
            ("5.3.09", "2020-06-30", "50", ""),
        ],
    )

    import_progress(path, "li_admin")

    departments = dict(ProgressEntry.objects.values_list("target__code", "department__code"))
    assert departments == {"1.1.03": "industry", "0.1.07": "ndrc", "5.3.09": "science"}


# --------------------------------------------------------------------------------------- all or nothing


@pytest.mark.parametrize("write", [write_csv, write_xlsx], ids=["csv", "xlsx"])
def test_one_bad_row_among_good_ones_saves_nothing(tmp_path, official_zhang, write):
    path = write(
        tmp_path / f"台账.{'csv' if write is write_csv else 'xlsx'}",
        [
            ("1.1.03", "2020-05-31", "5", "5月"),
            ("1.1.02", "2020-06-30", "4", "6月"),
            ("1.1.03", "2020-06-30", "N/A", "见附件"),
        ],
    )

    message = refusal(path, "zhang_gongxin")

    assert "第4行 value：“N/A”不是数字" in message
    assert "未导入任何数据" in message
    assert ProgressEntry.objects.count() == 0


def test_every_bad_row_is_named_in_one_refusal(tmp_path, official_zhang):
    path = write_csv(
        tmp_path / "台账.csv",
        [
            ("1.1.03", "2020-06-30", "", "忘了填"),
            ("1.1.02", "2020-06-30", "4", ""),
            ("1.1.02", "2020-06-15", "5", ""),
        ],
    )

    message = refusal(path, "zhang_gongxin")

    assert "有 2 处错误" in message
    assert "第2行 value：请填写数值。" in message
    assert "第4行 period_end：2020-06-15不是该目标" in message


# ------------------------------------------------------------------------------------- each bad row kind


@pytest.mark.parametrize(
    ("user", "bad_row", "expected"),
    [
        pytest.param(
            "official_zhang", ("1.1.03", "2020-06-30", "N/A", ""), "第3行 value：“N/A”不是数字", id="N/A"
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "见说明", ""),
            "第3行 value：“见说明”不是数字",
            id="words instead of a number",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "NaN", ""),
            "第3行 value：数值必须是有限的数字（不能是 NaN 或 Infinity）",
            id="NaN",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "Infinity", ""),
            "第3行 value：数值必须是有限的数字（不能是 NaN 或 Infinity）",
            id="Infinity",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "-inf", ""),
            "第3行 value：数值必须是有限的数字",
            id="-inf",
        ),
        pytest.param(
            "official_zhang", ("1.1.03", "2020-06-30", "", ""), "第3行 value：请填写数值", id="empty value"
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "  ", ""),
            "第3行 value：请填写数值",
            id="blank value",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-30", "-1", ""),
            "第3行 value：“新增规上企业”的数值不能为负数",
            id="negative count",
        ),
        pytest.param(
            "official_he",
            ("5.3.09", "2020-05-31", "120", ""),
            "第3行 value：里程碑类目标填报完成百分比，应在0到100之间",
            id="milestone percent over 100",
        ),
        pytest.param(
            "official_he",
            ("5.3.09", "2020-05-31", "-5", ""),
            "第3行 value：",
            id="milestone percent below 0",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-07-31", "8", ""),
            "第3行 period_end：报告期末2020-07-31尚未到来，不能提前填报",
            id="period end in the future",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-15", "7", ""),
            "第3行 period_end：2020-06-15不是该目标（月报）的报告期末",
            id="mid-month for a monthly target",
        ),
        pytest.param(
            "official_liu",
            ("0.1.01", "2020-05-31", "1.5", ""),
            "第3行 period_end：2020-05-31不是该目标（季报）的报告期末；可选：03-31、06-30、09-30、12-31",
            id="month end for a quarterly target",
        ),
        pytest.param(
            "official_zhang",
            ("1.1.03", "2020-06-31", "7", ""),
            "第3行 period_end：“2020-06-31”不是日期",
            id="not a date",
        ),
        pytest.param(
            "official_zhang",
            ("9.9.99", "2020-06-30", "7", ""),
            "第3行 code：没有编号为“9.9.99”的目标",
            id="unknown code",
        ),
        pytest.param(
            "official_zhang", ("", "2020-06-30", "7", ""), "第3行 code：请填写目标编号", id="empty code"
        ),
        pytest.param(
            "official_zhang",
            ("1.1.02", "2020-06-30", "5", "重复"),
            "第3行 period_end：与第2行重复（同一目标、同一报告期）",
            id="same target and period twice",
        ),
    ],
)
def test_a_bad_row_is_refused_naming_its_row_column_and_reason(request, tmp_path, user, bad_row, expected):
    official = request.getfixturevalue(user)
    path = write_csv(tmp_path / "台账.csv", [GOOD_ROW[user], bad_row])

    message = refusal(path, official.username)

    assert expected in message


@pytest.mark.parametrize(
    ("column", "bad_value", "expected"),
    [
        ("final", "也许", "第2行 final：“也许”无法识别；可填：是 / 否"),
        ("provenance", "网上查的", "第2行 provenance：“网上查的”无法识别"),
    ],
)
def test_an_unreadable_optional_column_is_refused(tmp_path, official_zhang, column, bad_value, expected):
    values = {"final": "否", "provenance": "部门预估", column: bad_value}
    path = write_csv(
        tmp_path / "台账.csv",
        [("1.1.03", "2020-06-30", "7", "", values["final"], values["provenance"])],
        header=ALL_COLUMNS,
    )

    assert expected in refusal(path, "zhang_gongxin")


def test_a_target_of_another_department_is_refused_naming_the_row(tmp_path, official_zhao):
    path = write_csv(tmp_path / "农业局.csv", [("1.1.03", "2020-06-30", "7", "")])

    message = refusal(path, "zhao_nongye")

    assert "第2行 code：没有编号为“1.1.03”的目标，或该目标不属于您所在单位" in message
    assert ProgressEntry.objects.count() == 0


def test_a_period_end_outside_the_report_year_is_refused_naming_the_row(tmp_path, official_zhang):
    path = write_csv(
        tmp_path / "台账.csv", [GOOD_ROW["official_zhang"], ("1.1.03", "2019-12-31", "15", "去年")]
    )

    message = refusal(path, "zhang_gongxin")

    assert "第3行 " in message
    assert ProgressEntry.objects.count() == 0


def test_a_period_end_outside_the_report_year_names_the_period_end_column(tmp_path, official_zhang):
    path = write_csv(
        tmp_path / "台账.csv", [GOOD_ROW["official_zhang"], ("1.1.03", "2019-12-31", "15", "去年")]
    )

    assert "第3行 period_end：报告期末必须在2020年内" in refusal(path, "zhang_gongxin")


def test_an_unknown_column_is_refused(tmp_path, official_zhang):
    path = write_csv(
        tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7", "", "张三")], header=(*COLUMNS, "填报人")
    )

    message = refusal(path, "zhang_gongxin")

    assert "未知的列：填报人" in message
    assert ProgressEntry.objects.count() == 0


def test_a_missing_column_is_refused(tmp_path, official_zhang):
    path = write_csv(tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7")], header=COLUMNS[:3])

    message = refusal(path, "zhang_gongxin")

    assert "缺少列：note" in message
    assert ProgressEntry.objects.count() == 0


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(tmp_path, official_zhang):
    path = tmp_path / "台账.txt"
    path.write_text("code,period_end,value,note\n1.1.03,2020-06-30,7,\n", encoding="utf-8")

    assert "不是 CSV 或 XLSX" in refusal(path, "zhang_gongxin")


def test_a_csv_saved_by_chinese_excel_in_gbk_is_read(tmp_path, official_zhang):
    path = tmp_path / "台账.csv"
    path.write_bytes("code,period_end,value,note\n1.1.03,2020-06-30,7,六月累计\n".encode("gbk"))

    import_progress(path, "zhang_gongxin")

    assert entry("1.1.03", "2020-06-30").note == "六月累计"


def test_a_damaged_xlsx_gives_an_error_message_not_a_traceback(tmp_path, official_zhang):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(b"this is not a workbook")

    with pytest.raises(CommandError, match=r"无法读取文件“台账\.xlsx”"):
        import_progress(path, "zhang_gongxin")
    assert ProgressEntry.objects.count() == 0


# ------------------------------------------------------------------------------------------------ users


def test_an_unknown_user_is_refused(tmp_path, report_2020):
    path = write_csv(tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7", "")])

    assert "没有用户名为“nobody”的有效用户" in refusal(path, "nobody")


def test_an_inactive_user_is_refused(tmp_path, report_2020):
    UserFactory(
        username="qian_lizhi",
        role=roles.OFFICIAL,
        department=Department.objects.get(code="industry"),
        is_active=False,
    )
    path = write_csv(tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7", "")])

    assert "没有用户名为“qian_lizhi”的有效用户" in refusal(path, "qian_lizhi")


def test_a_user_without_a_department_imports_nothing(tmp_path, report_2020):
    UserFactory(username="zhou_wudanwei", role=roles.OFFICIAL)
    path = write_csv(tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7", "")])

    assert "第2行 code：" in refusal(path, "zhou_wudanwei")


# ------------------------------------------------------------------------------- re-imports, corrections


def test_reimporting_the_same_file_changes_nothing(tmp_path, official_zhang, time_machine):
    path = write_csv(tmp_path / "台账.csv", [("1.1.03", "2020-06-30", "7", "6月累计")])
    import_progress(path, "zhang_gongxin")
    time_machine.move_to(dt.datetime(2020, 7, 10, 9, 0, tzinfo=SHANGHAI), tick=False)

    output = import_progress(path, "zhang_gongxin")

    assert "新增 0 条，更正 0 条，未变 1 条" in output
    saved = entry("1.1.03", "2020-06-30")
    assert (saved.revision, saved.submitted_at, saved.history.count()) == (1, FROZEN_NOW, 1)


def test_a_changed_figure_for_a_reported_period_is_refused_without_allow_corrections(
    tmp_path, official_zhang
):
    import_progress(write_csv(tmp_path / "6月.csv", [("1.1.03", "2020-06-30", "7", "")]), "zhang_gongxin")
    changed = write_csv(tmp_path / "6月更正.csv", [("1.1.03", "2020-06-30", "8", "")])

    message = refusal(changed, "zhang_gongxin")

    assert "第2行 value：该期已有填报（数值7）" in message
    assert "--allow-corrections" in message
    assert (entry("1.1.03", "2020-06-30").value, entry("1.1.03", "2020-06-30").revision) == (Decimal(7), 1)


def test_a_correction_becomes_revision_2_and_keeps_the_old_figure_in_the_history(
    tmp_path, official_zhang, time_machine
):
    import_progress(write_csv(tmp_path / "6月.csv", [("1.1.03", "2020-06-30", "7", "")]), "zhang_gongxin")
    time_machine.move_to(dt.datetime(2020, 7, 10, 9, 0, tzinfo=SHANGHAI), tick=False)
    changed = write_csv(tmp_path / "6月更正.csv", [("1.1.03", "2020-06-30", "8", "统计局核实后更正")])

    output = import_progress(changed, "zhang_gongxin", "--allow-corrections")

    assert "更正 1 条" in output
    corrected = entry("1.1.03", "2020-06-30")
    assert (corrected.value, corrected.revision, corrected.note) == (Decimal(8), 2, "统计局核实后更正")
    history = corrected.history.order_by("history_date", "history_id").values_list("value", "revision")
    assert list(history) == [(Decimal(7), 1), (Decimal(8), 2)]
    assert ProgressEntry.objects.filter(target__code="1.1.03").count() == 1


# ----------------------------------------------------------------------------------- admin import button


def _csv_format_index() -> int:
    formats = admin.site._registry[ProgressEntry].get_import_formats()
    return next(index for index, format_class in enumerate(formats) if format_class().get_title() == "csv")


def _upload(rows) -> SimpleUploadedFile:
    buffer = StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows(rows)
    return SimpleUploadedFile("台账.csv", buffer.getvalue().encode("utf-8"), content_type="text/csv")


@pytest.fixture
def official_client(client, official_zhang):
    client.force_login(official_zhang)
    return client


def _post_import(client, rows):
    return client.post(
        reverse("admin:progress_progressentry_import"),
        {"format": _csv_format_index(), "resource": 0, "import_file": _upload(rows)},
    )


def test_the_admin_import_preview_shows_the_errors_of_a_bad_file_and_saves_nothing(official_client):
    response = _post_import(
        official_client, [("1.1.02", "2020-06-30", "4", ""), ("1.1.03", "2020-06-30", "见说明", "")]
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert [row.number for row in result.invalid_rows] == [3]
    assert "confirm_form" not in response.context
    assert "“见说明”不是数字" in response.content.decode()
    assert ProgressEntry.objects.count() == 0


def test_the_admin_import_refuses_another_departments_target(client, official_zhao):
    client.force_login(official_zhao)

    response = _post_import(client, [("1.1.03", "2020-06-30", "7", "")])

    assert response.context["result"].has_validation_errors()
    assert "该目标不属于您所在单位" in response.content.decode()
    assert ProgressEntry.objects.count() == 0


def test_the_admin_import_preview_of_a_good_file_saves_nothing_until_confirmed(official_client):
    response = _post_import(
        official_client, [("1.1.03", "2020-06-30", "7", "6月累计"), ("1.1.02", "2020-06-30", "4", "")]
    )

    assert response.status_code == 200
    assert not response.context["result"].has_errors()
    assert not response.context["result"].has_validation_errors()
    assert "confirm_form" in response.context
    assert ProgressEntry.objects.count() == 0


def test_confirming_the_admin_import_saves_every_row_as_the_official(official_client, official_zhang):
    preview = _post_import(
        official_client, [("1.1.03", "2020-06-30", "7", "6月累计"), ("1.1.02", "2020-06-30", "4", "")]
    )
    confirm = preview.context["confirm_form"]

    response = official_client.post(
        reverse("admin:progress_progressentry_process_import"),
        {
            name: confirm.initial[name]
            for name in ("import_file_name", "original_file_name", "format", "resource")
        },
    )

    assert response.status_code == 302
    saved = dict(ProgressEntry.objects.values_list("target__code", "value"))
    assert saved == {"1.1.03": Decimal(7), "1.1.02": Decimal(4)}
    assert set(ProgressEntry.objects.values_list("submitted_by", "department__code")) == {
        (official_zhang.pk, "industry")
    }
