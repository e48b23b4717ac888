"""The lagging/overdue report and the status summary, evaluated as of a date from the entries as they stood
at the end of that day: an entry submitted later is ignored for an earlier date, so a bulletin can be
reproduced exactly. The API returns what progress.boards computes, for the user's visible targets."""

import datetime as dt

import pytest

from progress import services
from progress.boards import BoardFilters, lagging_board
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def june_figure_of_2(july_3rd_2020, official_zhang):
    """On 3 July, 张工信 reports 2 of 15 新增规上企业 (1.1.03) for June: far behind 序时进度 (about 50%)."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=JUNE_END, value="2", by=official_zhang
    )


def _row(report: dict, code: str) -> dict:
    return next(row for row in report["results"] if row["code"] == code)


def test_the_entry_counts_from_the_day_it_was_submitted(api, report_2020, june_figure_of_2, manager_wang):
    client = api(manager_wang)

    before = client.get("/api/boards/lagging/", {"as_of": "2020-07-02", "department": "industry"}).data
    after = client.get("/api/boards/lagging/", {"as_of": "2020-07-03", "department": "industry"}).data

    assert before["as_of"] == "2020-07-02" and after["as_of"] == "2020-07-03"
    earlier = _row(before, "1.1.03")["evaluation"]
    assert (earlier["performance"], earlier["reporting"], earlier["latest_value"]) == (
        "no_data",
        "late",
        None,
    )
    assert earlier["reporting_label"] == "逾期未报" and earlier["days_late"] > 0
    later = _row(after, "1.1.03")["evaluation"]
    assert (later["performance"], later["performance_label"], later["reporting"]) == (
        "lagging",
        "滞后",
        "on_time",
    )
    assert (later["latest_value"], later["latest_period_end"]) == (2, "2020-06-30")
    assert later["gap_pp"] > 30
    assert later["expected_pct"] == pytest.approx(49.7, abs=0.5)


def test_a_row_says_whose_target_it_is_and_what_the_goal_is(api, report_2020, june_figure_of_2, manager_wang):
    row = _row(api(manager_wang).get("/api/boards/lagging/", {"as_of": "2020-07-03"}).data, "1.1.03")

    assert row["goal"] == "≥ 15 户"
    assert row["lead_department"] == {"code": "industry", "name": "工业和信息化局"}
    assert row["departments"][0] == row["lead_department"]
    assert row["chapter"]["number"] == 1


def test_the_api_lists_exactly_what_the_report_selector_computes(
    api, report_2020, june_figure_of_2, manager_wang
):
    as_of = dt.date(2020, 7, 3)
    expected = lagging_board(user=manager_wang, as_of=as_of, filters=BoardFilters(performance="lagging"))

    report = (
        api(manager_wang).get("/api/boards/lagging/", {"as_of": "2020-07-03", "performance": "lagging"}).data
    )

    assert [row["code"] for row in report["results"]] == [row.target.code for row in expected]
    assert report["count"] == len(expected) >= 1
    assert {row["evaluation"]["performance"] for row in report["results"]} == {"lagging"}


def test_the_summary_counts_change_with_the_date(api, report_2020, june_figure_of_2, manager_wang):
    client = api(manager_wang)

    before = client.get("/api/boards/summary/", {"as_of": "2020-07-02", "department": "industry"}).data
    after = client.get("/api/boards/summary/", {"as_of": "2020-07-03", "department": "industry"}).data

    assert before["total"] == after["total"] == 25
    assert after["performance"]["lagging"] == before["performance"]["lagging"] + 1
    assert after["performance"]["no_data"] == before["performance"]["no_data"] - 1
    assert sum(after["performance"].values()) == sum(after["reporting"].values()) == 25
    assert sum(chapter["total"] for chapter in after["by_chapter"]) == 25
    chapter_one = next(chapter for chapter in after["by_chapter"] if chapter["number"] == 1)
    assert sum(task["total"] for task in chapter_one["tasks"]) == chapter_one["total"]


def test_the_summary_puts_the_headline_targets_first(api, report_2020, manager_wang):
    summary = api(manager_wang).get("/api/boards/summary/").data

    assert summary["total"] == 138
    assert [chapter["number"] for chapter in summary["by_chapter"]][:2] == [0, 1]
    assert summary["by_chapter"][0]["title"] == "主要预期目标"


def test_as_of_defaults_to_today(api, report_2020, manager_wang):
    client = api(manager_wang)

    assert client.get("/api/boards/lagging/").data["as_of"] == "2020-07-03"
    assert client.get("/api/boards/summary/").data["as_of"] == "2020-07-03"


@pytest.mark.parametrize("url", ["/api/boards/lagging/", "/api/boards/summary/"])
@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        pytest.param("2020-13-01", "as_of 必须是 YYYY-MM-DD 格式的日期，如 2020-07-03。", id="no-such-month"),
        pytest.param("3 July 2020", "as_of 必须是 YYYY-MM-DD 格式的日期，如 2020-07-03。", id="words"),
        pytest.param("2020-07-04", "as_of 不能晚于今天（2020-07-03）。", id="tomorrow"),
    ],
)
def test_a_bad_as_of_is_a_400_naming_it(api, report_2020, manager_wang, url, as_of, message):
    response = api(manager_wang).get(url, {"as_of": as_of})

    assert response.status_code == 400
    assert response.data == {"as_of": [message]}


def test_an_unknown_status_filter_is_a_400_naming_it(api, report_2020, manager_wang):
    response = api(manager_wang).get("/api/boards/lagging/", {"performance": "red"})

    assert response.status_code == 400
    assert list(response.data) == ["performance"]
