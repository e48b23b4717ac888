"""A reload that changes a report marks its targets' stored statuses stale (the reports as of today then
judge them afresh until recomputed); a reload that changes nothing marks nothing."""

import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from progress.models import StaleStatus
from progress.statuses import status_sweep
from targets.loader import DEFAULT_DATA_FILE

pytestmark = pytest.mark.django_db


def test_a_reload_that_changes_a_goal_marks_the_report_s_targets_stale(report_2020, tmp_path):
    status_sweep()
    call_command("load_report", stdout=StringIO())
    assert not StaleStatus.objects.exists()

    shutil.copy(DEFAULT_DATA_FILE.parent / "wuzhong_2020_government_work_report.txt", tmp_path)
    data = yaml.safe_load(DEFAULT_DATA_FILE.read_text(encoding="utf-8"))
    chapter = next(c for c in data["chapters"] if c["number"] == 1)
    chapter["tasks"][1]["targets"][0]["value"] = 95  # 1.2.01, grain
    path = tmp_path / "report.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    call_command("load_report", str(path), stdout=StringIO())

    assert StaleStatus.objects.count() == report_2020.targets.count()
