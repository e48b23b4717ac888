"""A correction through the API (PATCH): only the submitting department corrects, validated like a new
entry; it becomes the next revision, goes back to review, and the old figure stays in the history."""

import datetime as dt
from decimal import Decimal

import pytest

from progress import services
from progress.models import ProgressEntry, ReviewState
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def approved_june_entry(july_3rd_2020, official_zhang, reviewer_chen) -> ProgressEntry:
    """张工信's June figure for 1.1.03 新增规上企业 (7), approved by 陈局长."""
    entry = services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=JUNE_END, value="7", by=official_zhang
    )
    return services.progress_entry_approve(entry=entry, by=reviewer_chen)


def test_the_submitting_department_corrects_and_the_entry_goes_back_to_review(
    api, report_2020, approved_june_entry, official_zhang
):
    client = api(official_zhang)

    response = client.patch(
        f"/api/entries/{approved_june_entry.pk}/", {"value": "8", "note": "补录一户"}, format="json"
    )

    assert response.status_code == 200, response.data
    assert (response.data["value"], response.data["revision"], response.data["review_state"]) == (
        8,
        2,
        "submitted",
    )
    assert (response.data["reviewed_by"], response.data["reviewed_at"]) == (None, None)
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.note, entry.provenance) == (Decimal(8), "补录一户", "estimate")
    history = client.get(f"/api/targets/{entry.target_id}/history/").data["entry_history"]
    assert [(row["revision"], row["value"], row["review_state"]) for row in history] == [
        (1, 7, "submitted"),
        (1, 7, "approved"),
        (2, 8, "submitted"),
    ]


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        pytest.param({"value": "N/A"}, "value", "不是数字", id="not-a-number"),
        pytest.param({"value": "-2"}, "value", "不能为负数", id="negative-count"),
        pytest.param({"note": "只改说明"}, "value", "请填写数值", id="no-figure"),
        pytest.param(
            {"value": "8", "provenance": "guess"}, "provenance", "不是合法选项", id="unknown-provenance"
        ),
    ],
)
def test_a_bad_correction_is_a_400_and_changes_nothing(
    api, report_2020, approved_june_entry, official_zhang, body, field, words
):
    response = api(official_zhang).patch(f"/api/entries/{approved_june_entry.pk}/", body, format="json")

    assert response.status_code == 400
    assert words in " ".join(response.data[field]), response.data
    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.revision, entry.review_state) == (Decimal(7), 1, ReviewState.APPROVED)


@pytest.mark.parametrize(
    "person",
    [
        pytest.param("official_sun", id="co-operating-department"),
        pytest.param("manager_wang", id="manager"),
    ],
)
def test_only_the_submitting_department_may_correct(api, request, report_2020, approved_june_entry, person):
    response = api(request.getfixturevalue(person)).patch(
        f"/api/entries/{approved_june_entry.pk}/", {"value": "9"}, format="json"
    )

    assert response.status_code == 403
    assert response.data == {"detail": "该目标的数值由牵头单位填报，只能由牵头单位更正。"}
    assert ProgressEntry.objects.get().value == Decimal(7)


def test_a_correction_is_a_patch_not_a_put(api, report_2020, approved_june_entry, official_zhang):
    response = api(official_zhang).put(
        f"/api/entries/{approved_june_entry.pk}/", {"value": "8"}, format="json"
    )

    assert response.status_code == 405
