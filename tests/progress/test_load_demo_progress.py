"""`load_demo_progress`, run as `make run` runs it (the real command in its own process, a SQLite file,
the demo clock, recomputations inline on commit): a year that looks lived, reproduced by `status_report`,
the same on a second run, continued by a later date and never rewound. The demo clock stands at 10 April
2020 here, to keep the test short; the mix of lights on `make run`'s 3 July is checked by the browser
suite (tests/browser/test_demo_year_walkthrough.py), which loads that date anyway."""

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STATS = """
import json
from progress.models import EvidenceFile, Message, ProgressEntry, StatusChange, StatusSnapshot, TargetStatus
from django.db.models import Max, Min
history = ProgressEntry.history.aggregate(first=Min("history_date"), last=Max("history_date"))
print(json.dumps({
    "entries": ProgressEntry.objects.count(),
    "history": ProgressEntry.history.count(),
    "first_record": history["first"].isoformat(),
    "last_record": history["last"].isoformat(),
    "changes": StatusChange.objects.count(),
    "unprocessed_changes": StatusChange.objects.filter(processed_at__isnull=True).count(),
    "snapshots": StatusSnapshot.objects.count(),
    "corrected": ProgressEntry.objects.filter(revision__gt=1).count(),
    "returned_now": ProgressEntry.objects.filter(review_state="returned").count(),
    "awaiting_review": ProgressEntry.objects.filter(review_state="submitted").count(),
    "provenances": sorted(set(ProgressEntry.objects.values_list("provenance", flat=True))),
    "evidence": [e.file.path for e in EvidenceFile.objects.all()],
    "messages": Message.objects.count(),
    "stored": {s.target.code: [s.performance, s.reporting] for s in TargetStatus.objects.select_related("target")},
    "late_departments": sorted({
        s.target.lead_department.code for s in TargetStatus.objects.filter(reporting="late").select_related("target")
    }),
}))
"""


def _environment(tmp_path, **overrides: str) -> dict[str, str]:
    inherited = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DEMO_TODAY"}
    }
    return (
        inherited
        | {
            "DEBUG": "true",
            "DEMO_TODAY": "2020-04-10",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        | overrides
    )


def _manage(environment: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.fixture
def demo_site(tmp_path):
    """`manage(*args)` runs a command of a fresh site on a SQLite file, as `make run` does."""
    environment = _environment(tmp_path)

    def manage(*args: str, check: bool = True, **overrides: str) -> subprocess.CompletedProcess:
        result = _manage(environment | overrides, *args)
        if check:
            assert result.returncode == 0, result.stderr
        return result

    manage("migrate", "--noinput", "--verbosity", "0")
    manage("load_report")
    manage("create_demo_accounts")
    return manage


def _stats(manage) -> dict:
    # The last line: the shell announces its automatic imports first.
    return json.loads(manage("shell", "-c", STATS).stdout.splitlines()[-1])


def test_the_demo_year_looks_lived_and_status_report_agrees(demo_site):
    output = demo_site("load_demo_progress").stdout
    assert "演示历史（种子 2020）已载入至 2020-04-10 前一天" in output
    stats = _stats(demo_site)

    performance = Counter(status for status, _ in stats["stored"].values())
    assert sum(performance.values()) == 138
    assert {"on_track", "at_risk", "lagging", "no_data"} <= set(performance)
    assert performance["on_track"] > 138 // 3

    # Lived in 2020: every history record is dated before the demo date, and the as-of view reproduces
    # what is stored.
    assert "2020-01-01" <= stats["first_record"] < stats["last_record"] < "2020-04-09T16:00:00+00:00"
    report = demo_site("status_report", "--as-of", "2020-04-10").stdout.splitlines()
    assert {row["code"]: [row["status"], row["reporting"]] for row in map(json.loads, report)} == stats[
        "stored"
    ]

    assert stats["corrected"] >= 3 and stats["awaiting_review"] >= 1
    assert stats["provenances"] == ["estimate", "official"]
    assert stats["evidence"] and all(Path(path).is_file() for path in stats["evidence"])
    assert stats["snapshots"] >= 138 * 6  # the sweeps of the due dates (and the day after) since January
    assert stats["messages"] == 0  # the past sends nothing; the last day's changes wait for the alert run
    assert stats["unprocessed_changes"] < stats["changes"] // 10

    # A second run changes nothing; a later date continues the same year; an earlier one is refused.
    again = demo_site("load_demo_progress").stdout
    assert "新填报 0 条、审核通过 0 次、退回 0 次、更正 0 次，每日巡检 0 次" in again
    assert _stats(demo_site) == stats
    later = demo_site("load_demo_progress", "--until", "2020-04-17", DEMO_TODAY="2020-04-17").stdout
    assert "每日巡检 1 次" in later and "新填报 0 条" not in later
    rewound = demo_site("load_demo_progress", "--until", "2020-03-01", check=False)
    assert rewound.returncode == 1
    assert "晚于演示日期2020-03-01；演示历史只能向后推进" in rewound.stderr


def test_refused_when_debug_is_off(tmp_path):
    """Before it touches the database: the demo figures are invented, never for a real one."""
    production = _environment(
        tmp_path, DEBUG="false", DEMO_TODAY="", SECRET_KEY="k" * 30 + "0123456789abcdefghij"
    )
    refused = _manage(production, "load_demo_progress")
    assert refused.returncode == 1
    assert "只能在 DEBUG 环境中载入（或加 --force）" in refused.stderr


def test_a_later_years_report_published_in_the_demo_waits_for_its_year(demo_site):
    """`make run` again after 2021 was published on 报告草稿: the demo date (2020) lives 2020's report."""
    demo_site("load_report", "targets/data/examples/qinghe_2021.yaml")

    loaded = demo_site("load_demo_progress", "--until", "2020-01-20")

    assert "演示历史（种子 2020）已载入至 2020-01-20 前一天" in loaded.stdout
    refused = demo_site("load_demo_progress", "--until", "2020-01-20", "--year", "2021", check=False)
    assert refused.returncode == 1
    assert "演示日期2020-01-20早于2021年，没有可载入的历史。" in refused.stderr
