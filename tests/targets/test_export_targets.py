"""`export_targets` prints one JSON object per target per line, in reading order."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

REQUIRED_KEYS = {
    "code", "chapter", "task", "metric", "comparator", "value", "unit", "measure", "curve", "frequency",
    "deadline", "baseline", "departments", "quote",
}  # fmt: skip


def _export() -> list[dict]:
    out = StringIO()
    call_command("export_targets", stdout=out)
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_one_line_per_target_with_every_required_key(report_2020):
    rows = _export()
    assert len(rows) == 138
    assert all(set(row) >= REQUIRED_KEYS for row in rows)
    assert [row["code"] for row in rows[:3]] == ["0.1.01", "0.1.02", "0.1.03"]
    assert len({row["code"] for row in rows}) == 138


def test_a_numeric_target_with_its_baseline(report_2020):
    grain = next(row for row in _export() if row["code"] == "1.2.01")
    assert grain == grain | {
        "chapter": "狠抓调转升级，推动经济高质量发展",
        "task": "提升农业发展效益",
        "metric": "粮食产量",
        "comparator": "at_least",
        "value": 90,
        "unit": "万吨",
        "measure": "level",
        "curve": "year_end",
        "frequency": "annual",
        "deadline": "2020-12-31",
        "baseline": {"value": 102, "unit": "万吨", "year": 2019, "quote": "粮食总产量102万吨"},
        "quote": "粮食产量稳定在90万吨以上",
    }
    assert grain["departments"][0] == "农业农村局"


def test_a_milestone_and_an_early_deadline(report_2020):
    rows = {row["code"]: row for row in _export()}
    listing = rows["2.3.05"]
    assert (listing["comparator"], listing["value"], listing["unit"], listing["baseline"]) == (
        "done",
        None,
        None,
        None,
    )
    assert rows["1.5.02"]["deadline"] == "2020-04-30"
    assert rows["0.1.04"]["value"] == 7.5
