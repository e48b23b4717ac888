"""The target list and page: the definition (goal, unit, departments lead first, quote), the stored current
status (null before the first evaluation), filters, ordering and pagination; and a target's history."""

import datetime as dt

import pytest

from progress import services, statuses
from progress.models import TargetStatus
from targets.models import Chapter, KeyTask, Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def evaluated(july_3rd_2020, official_zhang):
    """A June figure of 2 for 1.1.03 (lagging), then every target evaluated as of 3 July."""
    services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=JUNE_END, value="2", by=official_zhang
    )
    statuses.status_sweep()


def _list(client, **params) -> list[dict]:
    response = client.get("/api/targets/", {"page_size": 500, **params})
    assert response.status_code == 200, response.data
    return response.data["results"]


def test_a_target_shows_its_definition_and_no_status_before_the_first_evaluation(
    api, report_2020, official_zhang
):
    target = Target.objects.get(code="1.1.03")

    data = api(official_zhang).get(f"/api/targets/{target.pk}/").data

    assert (data["code"], data["metric"], data["goal"], data["value"], data["unit"]) == (
        "1.1.03",
        target.metric,
        "≥ 15 户",
        15,
        "户",
    )
    assert data["quote"] == target.quote
    assert data["lead_department"] == {"code": "industry", "name": "工业和信息化局"}
    assert [department["code"] for department in data["departments"]] == [
        department.code for department in target.ordered_departments()
    ]
    assert data["departments"][0]["code"] == "industry"
    assert data["chapter"]["number"] == 1
    assert data["status"] is None


def test_a_target_shows_its_stored_status(api, report_2020, evaluated, official_zhang):
    target = Target.objects.get(code="1.1.03")
    stored = TargetStatus.objects.get(target=target)

    status = api(official_zhang).get(f"/api/targets/{target.pk}/").data["status"]

    assert (status["performance"], status["performance_label"]) == ("lagging", "滞后")
    assert (status["reporting"], status["reporting_label"]) == ("on_time", "按时")
    assert status["latest_value"] == 2 and status["latest_period_end"] == "2020-06-30"
    assert status["gap_pp"] == float(stored.gap_pp)
    assert status["as_of"] == "2020-07-03" and status["reasons"] == stored.reasons


def test_a_milestone_has_no_goal_value_and_reports_percent(api, report_2020, manager_wang):
    milestone = _list(api(manager_wang), measure="cumulative")
    done = next(row for row in milestone if row["comparator"] == "done")

    assert (done["goal"], done["value"], done["unit"], done["figure_unit"]) == ("完成", None, "", "%")


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        pytest.param(
            {"department": "industry"},
            lambda: Target.objects.filter(assignments__department__code="industry"),
            id="department-leading-or-co-operating",
        ),
        pytest.param(
            {"chapter": "first"},
            lambda: Target.objects.filter(task__chapter__number=1),
            id="chapter",
        ),
        pytest.param(
            {"task": "first"},
            lambda: Target.objects.filter(task__chapter__number=1, task__number=1),
            id="task",
        ),
        pytest.param({"measure": "level"}, lambda: Target.objects.filter(measure="level"), id="measure"),
        pytest.param(
            {"performance": "lagging"},
            lambda: Target.objects.filter(status__performance="lagging"),
            id="performance",
        ),
        pytest.param(
            {"reporting": "late"}, lambda: Target.objects.filter(status__reporting="late"), id="reporting"
        ),
        pytest.param(
            {"department": "industry", "performance": "lagging"},
            lambda: Target.objects.filter(code="1.1.03"),
            id="combined",
        ),
    ],
)
def test_filters(api, report_2020, evaluated, manager_wang, params, expected):
    chapter = Chapter.objects.get(report=report_2020, number=1)
    ids = {"chapter": chapter.pk, "task": KeyTask.objects.get(chapter=chapter, number=1).pk}
    params = {key: ids[key] if value == "first" else value for key, value in params.items()}

    codes = {row["code"] for row in _list(api(manager_wang), **params)}

    assert codes == set(expected().values_list("code", flat=True))
    assert codes


def test_an_unknown_filter_value_is_a_400_naming_the_filter(api, report_2020, manager_wang):
    response = api(manager_wang).get("/api/targets/", {"performance": "red", "measure": "total"})

    assert response.status_code == 400
    assert set(response.data) == {"performance", "measure"}


def test_the_list_is_in_reading_order_by_default(api, report_2020, manager_wang):
    codes = [row["code"] for row in _list(api(manager_wang))]

    assert codes == list(Target.objects.in_reading_order().values_list("code", flat=True))
    assert codes[0].startswith("0.")


@pytest.mark.sqlite  # empty values last: SQLite and PostgreSQL put NULLs at opposite ends by default
def test_ordering_by_gap_puts_the_worst_first_and_the_unknown_last(api, report_2020, evaluated, manager_wang):
    rows = _list(api(manager_wang), ordering="-gap_pp,code")

    gaps = [row["status"]["gap_pp"] for row in rows]
    known = [gap for gap in gaps if gap is not None]
    assert known == sorted(known, reverse=True)
    assert gaps == known + [None] * (len(gaps) - len(known))
    assert rows[0]["status"]["performance"] in {"lagging", "overdue"}


@pytest.mark.sqlite  # empty values last: SQLite and PostgreSQL put NULLs at opposite ends by default
def test_ordering_by_days_late_and_code(api, report_2020, evaluated, manager_wang):
    rows = _list(api(manager_wang), ordering="-days_late,code")

    keys = [(-row["status"]["days_late"], row["code"]) for row in rows]
    assert keys == sorted(keys)


def test_an_unknown_ordering_is_a_400_naming_it(api, report_2020, manager_wang):
    response = api(manager_wang).get("/api/targets/", {"ordering": "-colour"})

    assert response.status_code == 400
    assert "-colour" in response.data["ordering"][0]


def test_pages_of_50_by_default_and_at_most_500(api, report_2020, manager_wang):
    client = api(manager_wang)

    first = client.get("/api/targets/").data
    third = client.get("/api/targets/", {"page": 3}).data
    capped = client.get("/api/targets/", {"page_size": 500}).data
    beyond = client.get("/api/targets/", {"page": 4})

    assert (first["count"], len(first["results"]), len(third["results"]), third["next"]) == (
        138,
        50,
        38,
        None,
    )
    assert first["next"].endswith("/api/targets/?page=2")
    assert len(capped["results"]) == 138
    assert beyond.status_code == 404 and beyond.data == {"detail": "无效页面。"}


def test_the_history_shows_entries_changes_and_snapshots(
    api, report_2020, evaluated, official_zhang, reviewer_chen
):
    target = Target.objects.get(code="1.1.03")
    entry = target.entries.get()
    services.progress_entry_return(entry=entry, by=reviewer_chen, reason="请附台账")

    history = api(official_zhang).get(f"/api/targets/{target.pk}/history/").data

    assert history["target"] == {"id": target.pk, "code": "1.1.03", "metric": target.metric}
    [current] = history["entries"]
    assert (current["value"], current["provenance"], current["review_state"], current["revision"]) == (
        2,
        "estimate",
        "returned",
        1,
    )
    assert current["return_reason"] == "请附台账"
    assert [(row["change"], row["review_state"]) for row in history["entry_history"]] == [
        ("+", "submitted"),
        ("~", "returned"),
    ]
    assert {(change["axis"], change["new"], change["new_label"]) for change in history["status_changes"]} >= {
        ("performance", "lagging", "滞后")
    }
    assert [(snapshot["date"], snapshot["performance"]) for snapshot in history["snapshots"]] == [
        ("2020-07-03", "lagging")
    ]
