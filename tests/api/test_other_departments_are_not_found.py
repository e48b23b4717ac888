"""An official or reviewer gets 404 for another department's target and entry on every endpoint, whatever
ID is guessed, and nothing changes: the API does not even confirm that the ID exists."""

import datetime as dt

import pytest

from progress import services
from progress.models import ProgressEntry, ReviewState
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def agriculture_entry(july_3rd_2020, official_zhao) -> ProgressEntry:
    """赵农业's June figure for 1.2.10 新增奶牛, led by 农业农村局 alone."""
    return services.progress_entry_submit(
        target=Target.objects.get(code="1.2.10"), period_end=JUNE_END, value="0.5", by=official_zhao
    )


def _endpoints(entry: ProgressEntry) -> list[tuple[str, str, dict]]:
    target = entry.target_id
    return [
        ("get", f"/api/targets/{target}/", {}),
        ("get", f"/api/targets/{target}/history/", {}),
        ("get", f"/api/entries/{entry.pk}/", {}),
        ("patch", f"/api/entries/{entry.pk}/", {"value": "0.6"}),
        ("post", f"/api/entries/{entry.pk}/approve/", {}),
        ("post", f"/api/entries/{entry.pk}/return/", {"reason": "请核实"}),
    ]


@pytest.mark.parametrize("person", ["official_zhang", "reviewer_chen"])
def test_another_departments_target_and_entry_are_not_found_on_every_endpoint(
    api, request, report_2020, agriculture_entry, person
):
    client = api(request.getfixturevalue(person))

    for method, url, data in _endpoints(agriculture_entry):
        response = getattr(client, method)(url, data, format="json")
        assert response.status_code == 404, (method, url, response.data)
        assert response.data == {"detail": "未找到。"}

    entry = ProgressEntry.objects.get()
    assert (entry.value, entry.revision, entry.review_state) == (
        agriculture_entry.value,
        1,
        ReviewState.SUBMITTED,
    )


def test_a_foreign_id_answers_exactly_like_a_missing_one(api, report_2020, agriculture_entry, official_zhang):
    client = api(official_zhang)
    missing = max(ProgressEntry.objects.values_list("pk", flat=True)) + 1000

    foreign = client.get(f"/api/entries/{agriculture_entry.pk}/")
    absent = client.get(f"/api/entries/{missing}/")

    assert (foreign.status_code, foreign.data) == (absent.status_code, absent.data)


def test_filtering_by_a_foreign_target_lists_nothing(api, report_2020, agriculture_entry, official_zhang):
    response = api(official_zhang).get("/api/entries/", {"target": agriculture_entry.target_id})

    assert response.status_code == 200
    assert response.data["count"] == 0


def test_the_owning_department_reaches_every_endpoint(api, report_2020, agriculture_entry, official_zhao):
    client = api(official_zhao)

    assert client.get(f"/api/targets/{agriculture_entry.target_id}/").status_code == 200
    assert client.get(f"/api/targets/{agriculture_entry.target_id}/history/").status_code == 200
    assert client.get(f"/api/entries/{agriculture_entry.pk}/").status_code == 200
