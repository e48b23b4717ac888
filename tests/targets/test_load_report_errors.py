"""Every kind of bad data file is refused with a message naming the item and the field, and the
database is left exactly as it was."""

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from targets.loader import DEFAULT_DATA_FILE
from targets.models import Baseline, Department, Target, TargetDepartment

pytestmark = pytest.mark.django_db


def _target(data: dict, code: str) -> dict:
    for chapter in data["chapters"]:
        for task in chapter["tasks"]:
            for target in task.get("targets") or []:
                if target["code"] == code:
                    return target
    raise KeyError(code)


def _set(target_code: str, /, **changes) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        _target(data, target_code).update(changes)

    return mutate


def _drop(code: str, key: str) -> Callable[[dict], None]:
    def mutate(data: dict) -> None:
        del _target(data, code)[key]

    return mutate


def _duplicate_code(data: dict) -> None:
    _target(data, "1.1.03")["code"] = "1.1.02"


def _bad_task_title(data: dict) -> None:
    data["chapters"][1]["tasks"][0]["title"] = "加快工业转型升级计划"


def _duplicate_department_code(data: dict) -> None:
    data["departments"][1]["code"] = data["departments"][0]["code"]


def _department_name_taken_by_another_code(data: dict) -> None:
    data["departments"][1]["code"] = "stats-bureau"  # 统计局 is loaded with the code "stats"


def _missing_source(data: dict) -> None:
    data["report"]["source"] = "no_such_report.txt"


def _baseline_not_in_review(data: dict) -> None:
    _target(data, "1.2.01")["baseline"]["quote"] = "粮食总产量103万吨"


# (mutation, item named, field named, words of the message)
CASES = [
    pytest.param(_set("1.1.02", colour="red"), "目标 1.1.02", "colour", "未知字段", id="unknown-key"),
    pytest.param(
        _set("1.1.02", quote="新增亿元企业12户"),
        "目标 1.1.02",
        "quote",
        "找不到这段原文",
        id="quote-not-verbatim",
    ),
    pytest.param(_duplicate_code, "目标 1.1.02", "code", "编号重复", id="duplicate-code"),
    pytest.param(_set("1.1.02", code="1-1-02"), "目标 1-1-02", "code", "编号格式", id="code-pattern"),
    pytest.param(_set("1.1.02", code="1.2.99"), "目标 1.2.99", "code", "1.1.", id="code-outside-its-task"),
    pytest.param(
        _set("1.1.02", comparator="greater"),
        "目标 1.1.02",
        "comparator",
        "选择一个有效的选项",
        id="unknown-comparator",
    ),
    pytest.param(
        _set("1.1.02", measure="total"), "目标 1.1.02", "measure", "选择一个有效的选项", id="unknown-measure"
    ),
    pytest.param(
        _set("1.1.02", curve="sigmoid"), "目标 1.1.02", "curve", "选择一个有效的选项", id="unknown-curve"
    ),
    pytest.param(
        _set("1.1.02", frequency="weekly"),
        "目标 1.1.02",
        "frequency",
        "选择一个有效的选项",
        id="unknown-frequency",
    ),
    pytest.param(_set("1.1.02", value="N/A"), "目标 1.1.02", "value", "数字", id="value-not-a-number"),
    pytest.param(_drop("1.1.02", "value"), "目标 1.1.02", "value", "必须有目标值", id="value-missing"),
    pytest.param(_drop("1.1.02", "unit"), "目标 1.1.02", "unit", "必须有单位", id="unit-missing"),
    pytest.param(
        _set("2.3.05", value=1, unit="家"), "目标 2.3.05", "value", "里程碑", id="milestone-with-value"
    ),
    pytest.param(
        _set("2.3.05", measure="level"), "目标 2.3.05", "measure", "cumulative", id="milestone-as-level"
    ),
    pytest.param(
        _set("1.1.02", deadline="2021-03-31"),
        "目标 1.1.02",
        "deadline",
        "报告年度",
        id="deadline-outside-year",
    ),
    pytest.param(
        _set("1.1.02", deadline="2020-02-30"), "目标 1.1.02", "deadline", "日期", id="deadline-not-a-date"
    ),
    pytest.param(
        _set("1.1.02", tolerance_pct=5), "目标 1.1.02", "tolerance_pct", "左右", id="tolerance-not-about"
    ),
    pytest.param(
        _set("1.1.02", curve="custom", custom_curve=[10, 20]),
        "目标 1.1.02",
        "custom_curve",
        "12",
        id="custom-curve-length",
    ),
    pytest.param(
        _set("1.1.02", curve="custom", custom_curve=[10, 20, 30, 40, 50, 40, 70, 80, 90, 95, 98, 100]),
        "目标 1.1.02",
        "custom_curve",
        "不能下降",
        id="custom-curve-decreasing",
    ),
    pytest.param(
        _set("1.1.02", custom_curve=[8] * 12),
        "目标 1.1.02",
        "custom_curve",
        "custom",
        id="custom-curve-without-custom",
    ),
    pytest.param(
        _set("1.1.02", departments=["招商局"]),
        "目标 1.1.02",
        "departments",
        "未知的责任单位",
        id="unknown-department",
    ),
    pytest.param(
        _set("1.1.02", departments=[]), "目标 1.1.02", "departments", "至少需要一个", id="no-department"
    ),
    pytest.param(
        _set("1.1.02", departments=["统计局", "统计局"]),
        "目标 1.1.02",
        "departments",
        "重复",
        id="repeated-department",
    ),
    pytest.param(
        _baseline_not_in_review, "目标 1.2.01", "baseline.quote", "找不到这段原文", id="baseline-quote"
    ),
    pytest.param(_bad_task_title, "重点任务 1.1", "title", "恰好有1个", id="task-paragraph-not-found"),
    pytest.param(_duplicate_department_code, "责任单位", "code", "代码重复", id="duplicate-department-code"),
    pytest.param(
        _department_name_taken_by_another_code,
        "责任单位 统计局",
        "name",
        "已存在。（代码 stats）",
        id="department-name-taken",
    ),
    pytest.param(_missing_source, "report", "source", "找不到报告原文文件", id="missing-source-text"),
]


def _write(tmp_path: Path, data: dict | str) -> Path:
    shutil.copy(DEFAULT_DATA_FILE.parent / "wuzhong_2020_government_work_report.txt", tmp_path)
    path = tmp_path / "report.yaml"
    text = data if isinstance(data, str) else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def _database_state() -> list:
    """Everything the loader could change, as comparable values."""
    return [
        list(Target.objects.order_by("code").values_list(*[f.attname for f in Target._meta.concrete_fields])),
        list(
            TargetDepartment.objects.order_by("pk").values_list("target_id", "department_id", "role", "order")
        ),
        list(Baseline.objects.order_by("pk").values_list("target_id", "value", "quote")),
        list(Department.objects.order_by("pk").values_list("code", "name")),
        Target.history.count(),
    ]


@pytest.fixture
def bundled_data() -> dict:
    return yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("mutate", "item", "field", "words"), CASES)
def test_bad_file_is_refused_naming_item_and_field_and_changes_nothing(
    tmp_path, bundled_data, mutate, item, field, words
):
    # A valid edit rides along with the bad one: it must not be applied either.
    _target(bundled_data, "1.2.01")["metric"] = "粮食总产量（改）"
    mutate(bundled_data)
    before = _database_state()

    with pytest.raises(CommandError) as refused:
        call_command("load_report", str(_write(tmp_path, bundled_data)))

    message = str(refused.value)
    assert "未做任何改动" in message
    problem_lines = [line for line in message.splitlines() if line.strip().startswith("- ")]
    assert any(item in line and f"· {field}：" in line and words in line for line in problem_lines), message
    assert _database_state() == before


def test_yaml_syntax_error_is_refused(tmp_path):
    before = _database_state()
    with pytest.raises(CommandError, match="YAML 格式错误"):
        call_command("load_report", str(_write(tmp_path, "report: [unclosed\n")))
    assert _database_state() == before


def test_every_problem_of_a_file_is_listed_in_one_run(tmp_path, bundled_data):
    _set("1.1.02", value="N/A")(bundled_data)
    _set("5.3.09", departments=["招商局"])(bundled_data)
    with pytest.raises(CommandError) as refused:
        call_command("load_report", str(_write(tmp_path, bundled_data)))
    assert "2 处错误" in str(refused.value)


def test_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="无法读取文件"):
        call_command("load_report", str(tmp_path / "absent.yaml"))


def test_a_gbk_encoded_file_is_refused_in_chinese_not_with_a_traceback(tmp_path):
    path = tmp_path / "report.yaml"
    path.write_bytes(DEFAULT_DATA_FILE.read_text(encoding="utf-8").encode("gb18030"))
    before = _database_state()

    with pytest.raises(CommandError) as refused:
        call_command("load_report", str(path))

    message = str(refused.value)
    assert "文件不是 UTF-8 编码" in message
    assert "可能是 GBK/GB18030" in message
    assert "请用 UTF-8 编码另存后再导入" in message
    assert _database_state() == before


def test_a_gbk_encoded_report_text_is_refused_in_chinese(tmp_path, bundled_data):
    source = DEFAULT_DATA_FILE.parent / bundled_data["report"]["source"]
    path = _write(tmp_path, bundled_data)
    (path.parent / bundled_data["report"]["source"]).write_bytes(
        source.read_text(encoding="utf-8").encode("gbk")
    )

    with pytest.raises(CommandError, match="文件不是 UTF-8 编码"):
        call_command("load_report", str(path))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("report: " + "[" * 5000 + "]" * 5000 + "\n", id="flow"),
        pytest.param(
            "".join(f"{'  ' * level}k{level}:\n" for level in range(2000)) + "  " * 2000 + "x\n", id="block"
        ),
    ],
)
def test_very_deep_nesting_is_refused_in_chinese_not_with_a_recursion_error(tmp_path, text):
    path = tmp_path / "report.yaml"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(CommandError) as refused:
        call_command("load_report", str(path))

    assert "嵌套超过 32 层，不是报告数据文件的结构" in str(refused.value)
