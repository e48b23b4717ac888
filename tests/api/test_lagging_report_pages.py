"""/api/boards/lagging/ a page at a time when `page` or `page_size` is asked for (as of today ordered and
paged by the database over the stored statuses), and every row as before when neither is: the pages, put
end to end, are the whole report in its order, whether the statuses are stored, stale or never evaluated."""

import datetime as dt

import pytest

from progress import services
from progress.statuses import status_sweep
from targets.models import Target

pytestmark = pytest.mark.django_db

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def mixed_statuses(july_3rd_2020, report_2020, official_zhang):
    """The day's sweep has stored every status; then 张工信 reports 1.1.03 for June (its status now stale)."""
    status_sweep()
    services.progress_entry_submit(
        target=Target.objects.get(code="1.1.03"), period_end=JUNE_END, value="2", by=official_zhang
    )


def _codes(response) -> list[str]:
    return [row["code"] for row in response.data["results"]]


def test_the_pages_end_to_end_are_the_whole_report(api, mixed_statuses, manager_wang):
    client = api(manager_wang)
    whole = client.get("/api/boards/lagging/")
    assert whole.status_code == 200 and (whole.data["next"], whole.data["previous"]) == (None, None)
    assert whole.data["count"] == len(whole.data["results"]) > 6

    codes, url, params = [], "/api/boards/lagging/", {"page_size": 4}
    while url:
        page = client.get(url, params)
        assert page.status_code == 200 and page.data["count"] == whole.data["count"]
        assert len(page.data["results"]) <= 4
        codes += _codes(page)
        url, params = page.data["next"], {}
    assert codes == _codes(whole)
    assert "1.1.03" in codes


def test_a_page_past_the_last_is_not_found_and_a_bad_size_is_refused(api, mixed_statuses, manager_wang):
    client = api(manager_wang)
    assert client.get("/api/boards/lagging/", {"page": 999}).status_code == 404
    refused = client.get("/api/boards/lagging/", {"page_size": 0})
    assert refused.status_code == 400 and "page_size" in refused.data
