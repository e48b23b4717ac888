"""Loading a report asks the database a fixed number of questions however many rows the file has: each
model's rows are read in one query, validated in Python and written in bulk (targets.services.report_load).
Before, every row cost a query to find it and one per constraint to check it: 6,500 queries for the 2020
report."""

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection

from targets.loader import DEFAULT_DATA_FILE, report_file_parse
from targets.models import Baseline, Report, Target, TargetDepartment

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

QINGHE_2021 = DEFAULT_DATA_FILE.parent / "examples" / "qinghe_2021.yaml"


def _first_chapters(tmp_path: Path, count: int) -> Path:
    """The 2021 example cut to its first `count` chapters."""
    shutil.copy(QINGHE_2021.parent / "qinghe_2021_government_work_report.txt", tmp_path)
    data = yaml.safe_load(QINGHE_2021.read_text(encoding="utf-8"))
    data["chapters"] = data["chapters"][:count]
    path = tmp_path / "qinghe.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("chapters", [1, None], ids=["one-chapter", "whole-report"])
def test_a_new_report_is_loaded_in_the_same_queries_whatever_its_size(
    tmp_path, django_assert_max_num_queries, chapters
):
    path = _first_chapters(tmp_path, chapters) if chapters else QINGHE_2021
    spec = report_file_parse(path)

    # SQLite splits the whole report's history inserts (999 parameters a statement): one more there.
    with django_assert_max_num_queries(21 if connection.vendor == "postgresql" else 22):
        call_command("load_report", str(path), verbosity=0)

    report = Report.objects.get(year=2021)
    assert Target.objects.filter(report=report).count() == len(spec.targets) == (10 if chapters else 48)
    assert TargetDepartment.objects.filter(target__report=report).count() == sum(
        len(target.departments) for target in spec.targets
    )
    assert Baseline.objects.filter(target__report=report).count() == sum(
        1 for target in spec.targets if target.baseline
    )
    # Each new target and baseline has its "+" record in the history, as when they were saved one by one.
    assert Target.history.filter(report_id=report.pk, history_type="+").count() == len(spec.targets)
    assert Baseline.history.filter(target__report=report, history_type="+").count() == sum(
        1 for target in spec.targets if target.baseline
    )


def test_reloading_an_unchanged_report_reads_without_writing(report_2020, django_assert_num_queries):
    with django_assert_num_queries(12):
        call_command("load_report", verbosity=0)
