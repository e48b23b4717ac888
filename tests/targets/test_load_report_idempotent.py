"""Loading is idempotent: a second run changes nothing, an edited file updates in place, a target that
left the file is deleted only when nothing protects it, and departments edited in the admin survive."""

import shutil
from decimal import Decimal
from io import StringIO
from pathlib import Path
from unittest import mock

import pytest
import yaml
from django.core.management import call_command
from django.db.models import ProtectedError

from targets.loader import DEFAULT_DATA_FILE
from targets.models import Department, DepartmentRole, Target, TargetDepartment

pytestmark = pytest.mark.django_db


def _load(path: Path | None = None, *args: str) -> str:
    out = StringIO()
    call_command("load_report", *([str(path)] if path else []), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def edited_copy(tmp_path):
    """Returns a function that writes the bundled file, edited by a callback, to a temporary folder."""

    def write(edit) -> Path:
        shutil.copy(DEFAULT_DATA_FILE.parent / "wuzhong_2020_government_work_report.txt", tmp_path)
        data = yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
        edit(data)
        path = tmp_path / "report.yaml"
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
        return path

    return write


def _tasks_of(data: dict, chapter: int, task: int) -> list[dict]:
    return next(c for c in data["chapters"] if c["number"] == chapter)["tasks"][task - 1]["targets"]


def test_loading_the_same_file_again_changes_nothing(report_2020):
    history_before = Target.history.count()
    rows_before = list(Target.objects.order_by("code").values())

    output = _load()

    assert "新增 0、更新 0、删除 0" in output
    assert Target.history.count() == history_before
    assert list(Target.objects.order_by("code").values()) == rows_before


def test_an_edited_target_is_updated_in_place_with_its_history(report_2020, edited_copy):
    grain = Target.objects.get(report=report_2020, code="1.2.01")

    def raise_grain_goal(data):
        _tasks_of(data, 1, 2)[0]["value"] = 95

    output = _load(edited_copy(raise_grain_goal))

    assert "更新 1" in output
    updated = Target.objects.get(report=report_2020, code="1.2.01")
    assert (updated.pk, updated.value) == (grain.pk, Decimal("95"))
    assert [record.value for record in updated.history.order_by("history_date")][-2:] == [
        Decimal("90"),
        Decimal("95"),
    ]


def test_a_target_that_left_the_file_is_deleted_when_nothing_protects_it(report_2020, edited_copy):
    def drop_technology_museum(data):
        targets = _tasks_of(data, 5, 3)
        targets[:] = [target for target in targets if target["code"] != "5.3.09"]

    output = _load(edited_copy(drop_technology_museum))

    assert "删除 1" in output
    assert not Target.objects.filter(report=report_2020, code="5.3.09").exists()


def test_a_target_that_left_the_file_but_has_progress_is_kept_and_reported(report_2020, edited_copy):
    def drop_technology_museum(data):
        targets = _tasks_of(data, 5, 3)
        targets[:] = [target for target in targets if target["code"] != "5.3.09"]

    # Progress entries protect their target (on_delete=PROTECT); the delete the loader attempts fails so.
    protected = ProtectedError("有进度记录", set())
    with mock.patch.object(Target, "delete", side_effect=protected):
        output = _load(edited_copy(drop_technology_museum))

    assert "目标 5.3.09 开放吴忠科技馆 已不在数据文件中，但已有进度记录，未删除" in output
    assert Target.objects.filter(report=report_2020, code="5.3.09").exists()


def test_departments_reassigned_in_the_admin_survive_a_reload_unless_reset(report_2020):
    cpi = Target.objects.get(report=report_2020, code="0.1.07")
    market = Department.objects.get(code="market-regulation")
    cpi.assignments.all().delete()
    TargetDepartment.objects.create(target=cpi, department=market, role=DepartmentRole.LEAD, order=0)

    output = _load()

    assert "目标 0.1.07：系统中为 市场监督管理局" in output
    assert [d.code for d in Target.objects.get(pk=cpi.pk).ordered_departments()] == ["market-regulation"]

    _load(None, "--reset-departments")

    assert [d.name for d in Target.objects.get(pk=cpi.pk).ordered_departments()] == [
        "发展和改革委员会",
        "统计局",
        "市场监督管理局",
    ]
