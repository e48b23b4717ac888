"""`draft_report` as a command: GBK input gets a UTF-8 copy beside the draft (the loader reads UTF-8), the
draft goes to standard output when no file is named, and every refusal is a clear error."""

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from targets.loader import report_file_parse

REPORT = """2021年青禾县政府工作报告
——2021年1月12日在青禾县第十七届人民代表大会第六次会议上
过去一年工作回顾
新增规上工业企业6家。
2021年主要目标和重点任务
一、坚持产业强县
做强绿色工业。新增规上工业企业8家，建成县工业园区污水处理厂二期。
"""


def draft(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("draft_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_gbk_report_is_drafted_with_a_utf8_copy_beside_the_draft(tmp_path):
    source = tmp_path / "report.txt"
    source.write_bytes(REPORT.replace("\n", "\r\n").encode("gbk"))

    output, _ = draft(str(source), "--year", "2021", "--out", str(source.with_suffix(".yaml")))

    # The copy may not overwrite the GBK original, which has the name the draft would give it.
    copy = tmp_path / "report.utf8.txt"
    assert copy.read_text(encoding="utf-8") == REPORT
    assert source.read_bytes() == REPORT.replace("\n", "\r\n").encode("gbk")
    spec = report_file_parse(tmp_path / "report.yaml")
    assert [(target.quote, target.comparator) for target in spec.targets] == [
        ("新增规上工业企业8家", "at_least"),
        ("建成县工业园区污水处理厂二期", "done"),
    ]
    assert spec.targets[0].baseline.value == 6
    assert "1 个数值目标、1 个里程碑（1 个有上年基数）" in output and "report.utf8.txt" in output


def test_a_utf8_report_drafts_to_standard_output_naming_its_text(tmp_path):
    source = tmp_path / "report.txt"
    source.write_text(REPORT, encoding="utf-8")

    output, summary = draft(str(source), "--year", "2021")

    data = yaml.safe_load(output)
    assert data["report"]["source"] == str(source.resolve())
    assert data["chapters"][0]["tasks"][0]["title"] == "做强绿色工业"
    assert "已起草 2021年青禾县政府工作报告" in summary


def test_a_gbk_report_needs_a_file_to_draft_into(tmp_path):
    source = tmp_path / "report.txt"
    source.write_bytes(REPORT.encode("gbk"))
    with pytest.raises(CommandError, match="--out"):
        draft(str(source), "--year", "2021")


@pytest.mark.parametrize(
    ("content", "year", "message"),
    [
        (REPORT.encode("utf-16"), "2021", "UTF-16"),
        (bytes(range(128, 256)) * 8, "2021", "无法识别文件编码"),
        (REPORT.encode(), "2022", "与指定的年度2022不一致"),
        (
            REPORT.replace("2021年主要目标和重点任务", "下一步工作").encode(),
            "2021",
            "找不到2021年的目标任务部分",
        ),
    ],
    ids=["utf-16", "binary", "another year", "no plan"],
)
def test_refusals_name_the_file_and_the_reason(tmp_path, content, year, message):
    source = tmp_path / "report.txt"
    source.write_bytes(content)
    with pytest.raises(CommandError, match=message) as refusal:
        draft(str(source), "--year", year, "--out", str(tmp_path / "draft.yaml"))
    assert str(source) in str(refusal.value)
    assert not (tmp_path / "draft.yaml").exists()


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="无法读取报告原文"):
        draft(str(tmp_path / "absent.txt"), "--year", "2021")
