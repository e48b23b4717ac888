"""`status_report --as-of YYYY-MM-DD [--format json|table]`: every target judged as of a date from the
entries that existed at the end of that day (read from their history), and the worked examples of issue 3
reproduced end to end: a department's 台账 through `import_progress`, the verdict through `status_report`."""

import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from progress.models import ProgressEntry
from progress.services import progress_entry_return
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

REQUIRED_KEYS = {
    "code", "status", "reporting", "progress_pct", "expected_pct", "gap_pp", "latest_value",
    "latest_period_end", "next_due",
}  # fmt: skip


@pytest.fixture
def import_rows(tmp_path):
    """Write a CSV 台账 and import it as a user, as an official would from the command line."""
    counter = iter(range(1, 1000))

    def run(username: str, rows, *options: str) -> None:
        path = Path(tmp_path / f"台账{next(counter)}.csv")
        lines = ["code,period_end,value,note", *(",".join(row) for row in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        call_command("import_progress", str(path), "--user", username, *options, stdout=StringIO())

    return run


def status_report(*options: str) -> str:
    out = StringIO()
    call_command("status_report", *options, stdout=out)
    return out.getvalue()


def status_lines(*options: str) -> dict[str, dict]:
    """The JSON lines of `status_report`, by target code."""
    rows = [json.loads(line) for line in status_report(*options).splitlines()]
    by_code = {row["code"]: row for row in rows}
    assert len(by_code) == len(rows), "one line per target"
    return by_code


def status_of(code: str, *options: str) -> dict:
    return status_lines(*options)[code]


# ------------------------------------------------------------------------------------------ JSON lines


def test_json_prints_one_line_per_target_with_the_agreed_keys(clock, report_2020):
    lines = status_lines("--as-of", "2020-07-03")

    assert set(lines) == set(Target.objects.filter(report=report_2020).values_list("code", flat=True))
    assert all(set(row) >= REQUIRED_KEYS for row in lines.values())


def test_a_target_without_entries_has_no_data(clock, report_2020):
    row = status_of("1.1.03", "--as-of", "2020-07-03")

    assert (row["status"], row["latest_value"], row["latest_period_end"]) == ("no_data", None, None)


def test_the_json_line_carries_the_judged_figure_and_the_arithmetic(clock, official_zhang, import_rows):
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "7", "6月累计")])

    row = status_of("1.1.03", "--as-of", "2020-07-03")

    assert {key: row[key] for key in REQUIRED_KEYS} == {
        "code": "1.1.03",
        "status": "on_track",
        "reporting": "on_time",
        "progress_pct": 46.67,  # 7 of 15
        "expected_pct": 49.73,  # 182 of the 366 days of 2020
        "gap_pp": 3.06,
        "latest_value": 7,
        "latest_period_end": "2020-06-30",
        "next_due": "2020-08-07",  # 5th working day after 31 July
    }


# ------------------------------------------------------------------------------------- worked examples


@pytest.mark.parametrize(
    ("value", "status"),
    [("7", "on_track"), ("5", "at_risk"), ("2", "lagging"), ("15", "achieved")],
)
def test_new_enterprises_by_30_june_against_a_goal_of_15(clock, official_zhang, import_rows, value, status):
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", value, "")])

    assert status_of("1.1.03")["status"] == status  # as of today, 3 July 2020


@pytest.mark.parametrize(("value", "status"), [("2.8", "on_track"), ("3.2", "at_risk"), ("3.5", "lagging")])
def test_cpi_against_at_most_3_percent(clock, official_liu, import_rows, value, status):
    import_rows("liu_fagai", [("0.1.07", "2020-06-30", value, "")])

    assert status_of("0.1.07")["status"] == status


@pytest.mark.parametrize(
    ("as_of", "reporting"),
    [
        pytest.param("2020-06-04", "on_time", id="4th working day of June: May's report not yet due"),
        pytest.param("2020-06-05", "late", id="5th working day of June: May's report late"),
        pytest.param("2020-06-30", "late", id="and late from that day on"),
    ],
)
def test_a_missing_may_report_is_late_from_the_5th_working_day_of_june(
    clock, official_zhang, import_rows, as_of, reporting
):
    clock("2020-05-08")
    import_rows("zhang_gongxin", [("1.1.03", "2020-04-30", "5", "4月累计")])
    clock("2020-07-03")

    assert status_of("1.1.03", "--as-of", as_of)["reporting"] == reporting


def test_a_late_report_names_its_due_date(clock, official_zhang, import_rows):
    clock("2020-05-08")
    import_rows("zhang_gongxin", [("1.1.03", "2020-04-30", "5", "4月累计")])

    row = status_of("1.1.03", "--as-of", "2020-06-05")

    assert (row["next_due"], row["days_late"]) == ("2020-06-05", 0)


def test_a_late_report_does_not_change_the_performance_status(clock, official_zhang, import_rows):
    clock("2020-05-08")
    import_rows("zhang_gongxin", [("1.1.03", "2020-04-30", "5", "4月累计")])

    row = status_of("1.1.03", "--as-of", "2020-06-05")

    assert (row["status"], row["reporting"]) == ("on_track", "late")  # 33.33% done of 33.06% expected


# ---------------------------------------------------------------------------------------------- as of


@pytest.mark.parametrize(
    ("submitted_at", "as_of", "latest_value"),
    [
        pytest.param(("2020-07-03", 10, 0), "2020-07-02", None, id="the day before the submission"),
        pytest.param(("2020-07-03", 10, 0), "2020-07-03", 7, id="the day of the submission"),
        pytest.param(("2020-07-03", 23, 30), "2020-07-03", 7, id="late that evening, Beijing time"),
        pytest.param(("2020-07-04", 0, 30), "2020-07-03", None, id="just after midnight, Beijing time"),
    ],
)
def test_as_of_ignores_entries_submitted_after_that_day(
    clock, official_zhang, import_rows, submitted_at, as_of, latest_value
):
    clock(*submitted_at)
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "7", "")])

    assert status_of("1.1.03", "--as-of", as_of)["latest_value"] == latest_value


@pytest.mark.parametrize(
    ("as_of", "latest_value", "status"),
    [
        pytest.param("2020-07-05", 7, "on_track", id="before the correction: the old figure"),
        pytest.param("2020-07-10", 2, "lagging", id="from the day of the correction: the new figure"),
    ],
)
def test_as_of_ignores_corrections_made_later(
    clock, official_zhang, import_rows, as_of, latest_value, status
):
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "7", "")])
    clock("2020-07-10")
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "2", "统计局核实后更正")], "--allow-corrections")

    row = status_of("1.1.03", "--as-of", as_of)

    assert (row["latest_value"], row["status"]) == (latest_value, status)


@pytest.mark.parametrize(
    ("as_of", "latest_value", "status"),
    [
        pytest.param("2020-07-07", 7, "on_track", id="before the return: it counted"),
        pytest.param("2020-07-08", None, "no_data", id="from the day of the return: it does not count"),
    ],
)
def test_a_returned_entry_counts_only_until_it_was_returned(
    clock, official_zhang, reviewer_chen, import_rows, as_of, latest_value, status
):
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "7", "")])
    clock("2020-07-08")
    progress_entry_return(
        entry=ProgressEntry.objects.get(target__code="1.1.03"), by=reviewer_chen, reason="缺少佐证材料"
    )

    row = status_of("1.1.03", "--as-of", as_of)

    assert (row["latest_value"], row["status"]) == (latest_value, status)


def test_a_returned_months_figure_leaves_the_previous_month_judged(
    clock, official_zhang, reviewer_chen, import_rows
):
    import_rows("zhang_gongxin", [("1.1.03", "2020-05-31", "6", ""), ("1.1.03", "2020-06-30", "7", "")])
    progress_entry_return(
        entry=ProgressEntry.objects.get(target__code="1.1.03", period_end=dt.date(2020, 6, 30)),
        by=reviewer_chen,
        reason="数据未经统计局核实",
    )

    row = status_of("1.1.03", "--as-of", "2020-07-03")

    assert (row["latest_value"], row["latest_period_end"]) == (6, "2020-05-31")


# ---------------------------------------------------------------------------------------------- table


def test_table_prints_a_chinese_header(clock, report_2020):
    lines = status_report("--as-of", "2020-07-03", "--format", "table").splitlines()

    assert lines[0].startswith("截至 2020年07月03日 的目标状态")
    assert all(word in lines[1] for word in ("编号", "完成状态", "报送状态", "完成进度", "序时进度", "差距"))


def test_table_prints_a_row_per_target(clock, report_2020):
    rows = status_report("--as-of", "2020-07-03", "--format", "table").splitlines()[2:]

    codes = [row.split()[0] for row in rows]
    assert sorted(codes) == sorted(Target.objects.filter(report=report_2020).values_list("code", flat=True))


def test_table_row_shows_the_status_in_chinese(clock, official_zhang, import_rows):
    import_rows("zhang_gongxin", [("1.1.03", "2020-06-30", "5", "")])

    table = status_report("--as-of", "2020-07-03", "--format", "table")

    row = next(line for line in table.splitlines() if line.startswith("1.1.03"))
    assert "预警" in row
    assert "按时" in row
    assert "新增规上企业" in row


# ------------------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("as_of", ["2020-13-01", "2020/07/03", "昨天", ""])
def test_a_bad_as_of_is_refused(report_2020, as_of):
    with pytest.raises(CommandError, match="不是日期"):
        status_report("--as-of", as_of)


def test_an_unknown_format_is_refused(report_2020):
    with pytest.raises(CommandError, match="format"):
        status_report("--as-of", "2020-07-03", "--format", "xml")
