"""A 台账 that cannot be read with certainty is refused whole, with the reason in Chinese, by
`import_progress` and the admin's import alike — never stored garbled, never half-saved, never a traceback:
a quote left open, an encoding that is not certain (a Big5 file is read as Big5 only when it cannot be
GB18030), XLSX formulas without their saved results, NUL bytes, more rows than
IMPORT_MAX_ROWS; a refusal with many problems lists the first IMPORT_MAX_LISTED_ERRORS and the total."""

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from progress.models import ProgressEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020", "report_2020")]

HEADER = "code,period_end,value,note\n"


def refusal(path: Path, username: str = "zhang_gongxin") -> str:
    with pytest.raises(CommandError) as refused:
        call_command("import_progress", str(path), "--user", username, stdout=io.StringIO())
    assert ProgressEntry.objects.count() == 0
    return str(refused.value)


def write_bytes(tmp_path: Path, name: str, content: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(content)
    return path


def xlsx(rows, header=("code", "period_end", "value", "note")) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def with_saved_results(content: bytes, results: dict[str, str]) -> bytes:
    """The workbook as Excel saves it: each formula cell with its computed value (`<v>`) beside it, which
    openpyxl itself never writes."""
    source = zipfile.ZipFile(io.BytesIO(content))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                text = data.decode()
                for cell, value in results.items():
                    text = re.sub(
                        rf'(<c r="{cell}"[^>]*>)(<f>[^<]*</f>)(<v\s*/>|<v></v>)?',
                        rf"\1\2<v>{value}</v>",
                        text,
                    )
                data = text.encode()
            target.writestr(item, data)
    return output.getvalue()


# --------------------------------------------------------------------------------------------- CSV


def test_an_unterminated_quote_is_refused_naming_its_line_instead_of_swallowing_the_next_rows(
    tmp_path, official_zhang
):
    content = HEADER + '1.1.02,2020-06-30,4,"上半年新增4户\n1.1.03,2020-06-30,7,六月累计\n'
    message = refusal(write_bytes(tmp_path, "台账.csv", content.encode()))

    assert "CSV 文件第2行起的英文双引号没有配对" in message
    assert "Error" not in message


def test_a_big5_csv_is_read_as_big5_not_stored_as_garbled_simplified_text(tmp_path, official_zhang):
    content = HEADER + "1.1.03,2020-06-30,7,上半年新增企業七戶，已報統計局\n"
    path = write_bytes(tmp_path, "台账.csv", content.encode("big5"))

    call_command("import_progress", str(path), "--user", "zhang_gongxin", stdout=io.StringIO())

    assert ProgressEntry.objects.get().note == "上半年新增企業七戶，已報統計局"  # was "穝糤穨め厨参璸Ы"


def test_a_file_in_none_of_the_encodings_is_refused_with_what_to_do(tmp_path, official_zhang):
    content = HEADER.encode() + b"1.1.03,2020-06-30,7,\x81\x20\xff\xfe\n"
    message = refusal(write_bytes(tmp_path, "台账.csv", content))

    assert "无法确定 CSV 文件的编码（不是 UTF-8、GB18030 或 Big5）" in message
    assert "另存为“CSV UTF-8（逗号分隔）”或 XLSX" in message


def test_a_file_that_reads_as_chinese_in_both_gb18030_and_big5_is_refused(tmp_path, official_zhang):
    # "半年" in GBK is B0EB C4EA, which Big5 reads as two frequent traditional characters too.
    content = HEADER + "1.1.03,2020-06-30,7,半年\n"
    message = refusal(write_bytes(tmp_path, "台账.csv", content.encode("gbk")))

    assert "按简体 GB18030 和繁体 Big5 都能读通" in message


def test_when_both_read_as_chinese_the_formats_own_words_decide(tmp_path, official_zhang):
    # "否" in GBK is B7F1, a frequent character in Big5 as well; only the GB18030 reading says "否".
    content = "code,period_end,value,note,final\n1.1.03,2020-06-30,7,,否\n"
    path = write_bytes(tmp_path, "台账.csv", content.encode("gbk"))

    call_command("import_progress", str(path), "--user", "zhang_gongxin", stdout=io.StringIO())

    assert ProgressEntry.objects.get().is_final is False


def test_a_gbk_csv_with_ordinary_notes_is_still_read(tmp_path, official_zhang):
    content = HEADER + "1.1.03,2020-06-30,7,上半年新增规上企业7户，已报统计局\n"
    path = write_bytes(tmp_path, "台账.csv", content.encode("gbk"))

    call_command("import_progress", str(path), "--user", "zhang_gongxin", stdout=io.StringIO())

    assert ProgressEntry.objects.get().note == "上半年新增规上企业7户，已报统计局"


def test_a_utf16_file_is_refused_with_what_to_do(tmp_path, official_zhang):
    message = refusal(write_bytes(tmp_path, "台账.csv", (HEADER + "1.1.03,2020-06-30,7,\n").encode("utf-16")))

    assert "UTF-16" in message


@pytest.mark.parametrize("column", ["code", "note"])
def test_a_nul_byte_in_a_cell_is_a_row_error_not_a_database_traceback(tmp_path, official_zhang, column):
    cells = {"code": "1.1.03", "note": "六月"}
    cells[column] = cells[column][:2] + "\x00" + cells[column][2:]
    content = HEADER + f"1.1.02,2020-06-30,4,\n{cells['code']},2020-06-30,7,{cells['note']}\n"

    message = refusal(write_bytes(tmp_path, "台账.csv", content.encode()))

    assert f"第3行 {column}：含有不可见的控制字符（如 NUL 空字符）" in message


def test_more_rows_than_the_limit_are_refused_saying_the_limit(tmp_path, official_zhang):
    rows = "".join(f"1.1.03,2020-06-30,{n},\n" for n in range(20_001))

    message = refusal(write_bytes(tmp_path, "台账.csv", (HEADER + rows).encode()))

    assert "文件的数据行超过 20,000 行，未导入任何数据；一次最多导入 20,000 行" in message


def test_the_row_limit_is_a_setting(tmp_path, official_zhang, settings):
    settings.IMPORT_MAX_ROWS = 2
    rows = "1.1.02,2020-06-30,4,\n1.1.03,2020-06-30,7,\n1.1.03,2020-05-31,6,\n"

    assert "超过 2 行" in refusal(write_bytes(tmp_path, "台账.csv", (HEADER + rows).encode()))


def test_only_the_first_200_problems_are_listed_with_the_total(tmp_path, official_zhang):
    rows = "".join(f"9.9.{n:03d},2020-06-30,1,\n" for n in range(250))

    message = refusal(write_bytes(tmp_path, "台账.csv", (HEADER + rows).encode()))

    assert "有 250 处错误，未导入任何数据（以下仅列出前 200 处）" in message
    assert message.count("没有编号为") == 200
    assert "第201行 code" in message
    assert "第202行" not in message


# -------------------------------------------------------------------------------------------- XLSX


def test_a_formula_without_its_saved_result_is_refused_as_a_formula_not_as_an_empty_value(
    tmp_path, official_zhang
):
    content = xlsx([("1.1.02", "2020-06-30", 4, ""), ("1.1.03", "2020-06-30", "=C2+3", "")])

    message = refusal(write_bytes(tmp_path, "台账.xlsx", content))

    assert "第3行 value：是公式（=C2+3），文件中没有保存它的计算结果" in message
    assert "请填写数值" not in message


def test_a_formula_saved_by_excel_is_read_as_its_result(tmp_path, official_zhang):
    content = with_saved_results(
        xlsx([("1.1.02", "2020-06-30", 4, ""), ("1.1.03", "2020-06-30", "=C2+3", "")]), {"C3": "7"}
    )
    path = write_bytes(tmp_path, "台账.xlsx", content)

    call_command("import_progress", str(path), "--user", "zhang_gongxin", stdout=io.StringIO())

    assert ProgressEntry.objects.get(target__code="1.1.03").value == 7


def test_a_damaged_workbook_is_refused_without_python_exception_text(tmp_path, official_zhang):
    message = refusal(write_bytes(tmp_path, "台账.xlsx", b"PK\x03\x04 not really a zip"))

    assert "无法读取文件“台账.xlsx”：文件已损坏，或不是 Excel 工作簿（.xlsx）。" in message
    assert "zip" not in message.lower()


def test_an_old_xls_workbook_is_refused_with_what_to_do(tmp_path, official_zhang):
    message = refusal(write_bytes(tmp_path, "台账.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100))

    assert "旧版 Excel（.xls）" in message


# ------------------------------------------------------------------------------------------- admin


@pytest.fixture
def official_client(client, official_zhang):
    client.force_login(official_zhang)
    return client


def post_import(client, content: bytes, name: str = "台账.csv", file_format: int = 0):
    return client.post(
        reverse("admin:progress_progressentry_import"),
        {"format": file_format, "resource": 0, "import_file": SimpleUploadedFile(name, content)},
    )


def test_the_admin_offers_only_csv_and_xlsx(official_client):
    response = official_client.get(reverse("admin:progress_progressentry_import"))

    choices = [label for value, label in response.context["form"].fields["format"].choices if value != ""]
    assert choices == ["csv", "xlsx"]


def test_the_admin_lists_row_errors_as_text_on_the_page(official_client):
    content = HEADER + '1.1.02,2020-06-30,4,\n1.1.03,2020-06-30,"1,2",\n'

    response = post_import(official_client, content.encode())

    page = response.content.decode()
    assert "<li>第3行 value：“1,2”中的逗号不能作小数点" in page
    assert "有 1 处错误，未导入任何数据" in page
    assert "validation-error-container" not in page  # the package's hover-only box
    assert ProgressEntry.objects.count() == 0


def test_the_admin_refuses_an_unreadable_file_in_chinese(official_client):
    content = HEADER + '1.1.03,2020-06-30,7,"六月\n'

    response = post_import(official_client, content.encode())

    assert response.status_code == 200
    page = response.content.decode()
    assert "英文双引号没有配对" in page
    assert "encountered while trying to read file" not in page
    assert ProgressEntry.objects.count() == 0


def test_the_admin_refuses_a_nul_byte_on_its_row_without_a_server_error(official_client):
    content = HEADER + "1.1.03\x00,2020-06-30,7,\n"

    response = post_import(official_client, content.encode())

    assert response.status_code == 200
    assert "第2行 code：含有不可见的控制字符" in response.content.decode()


def test_the_admin_lists_only_the_first_200_problems(official_client):
    rows = "".join(f"9.9.{n:03d},2020-06-30,1,\n" for n in range(250))

    response = post_import(official_client, (HEADER + rows).encode())

    page = response.content.decode()
    assert "有 250 处错误，未导入任何数据（以下仅列出前 200 处）" in page
    assert page.count("没有编号为") == 200


def test_the_admin_reads_an_xlsx_uploaded_with_the_csv_format_chosen(official_client):
    content = xlsx([("1.1.03", "2020-06-30", "=1+", "")])

    response = post_import(official_client, content, name="台账.xlsx")

    assert "第2行 value：是公式（=1+）" in response.content.decode()


def test_the_admin_shows_a_file_level_refusal_without_a_traceback(official_client):
    response = post_import(official_client, b"code,period_end,value\n1.1.03,2020-06-30,7\n")

    page = response.content.decode()
    assert "<li>缺少列：note</li>" in page
    assert 'class="traceback"' not in page
    assert ProgressEntry.objects.count() == 0
