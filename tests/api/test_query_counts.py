"""The API's lists and the lagging report run a fixed number of queries, pinned, the same at 10 and at
200 targets (each with a June entry and a stored status): nothing is fetched row by row."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from progress import services, statuses
from targets.models import Department
from tests.factories import KeyTaskFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

JUNE_END = dt.date(2020, 6, 30)


@pytest.fixture
def add_targets(july_3rd_2020, official_zhang):
    """Targets of a report of their own (the bundled one stays as it is), led by 工业和信息化局 so that
    张工信 sees them too, each with his June figure, then every status stored by the sweep."""
    task = KeyTaskFactory()
    industry = Department.objects.get(code="industry")

    def add(count: int) -> int:
        for _ in range(count):
            target = TargetFactory(task=task, lead=industry)
            services.progress_entry_submit(target=target, period_end=JUNE_END, value="5", by=official_zhang)
        statuses.status_sweep()
        return task.chapter.report_id

    return add


def _count(client, url: str, params: dict) -> tuple[int, int]:
    """(queries, rows) of one request."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200, response.data
    return len(captured), len(response.data["results"])


# person → (target list, entry list, lagging report): the queries of one request, session lookup included.
# The lagging report, asked for no date, also reads the latest report's deadlines (its default date is the
# closing date of a finished year: progress.selectors.boards_default_as_of).
PINNED = {
    "manager_wang": (6, 6, 7),
    "official_zhang": (7, 7, 8),
}


@pytest.mark.parametrize("person", list(PINNED))
def test_query_counts_do_not_grow_with_the_targets(api, request, report_2020, add_targets, person):
    client = api(request.getfixturevalue(person))
    report = add_targets(10)
    lists = [
        ("/api/targets/", {"report": report, "page_size": 500}),
        ("/api/entries/", {"department": "industry", "page_size": 500}),
        ("/api/boards/lagging/", {"department": "industry"}),
    ]

    ten = [_count(client, url, params) for url, params in lists]
    add_targets(190)
    two_hundred = [_count(client, url, params) for url, params in lists]

    assert [rows for _, rows in ten][:2] == [10, 10]
    assert [rows for _, rows in two_hundred][:2] == [200, 200]
    assert two_hundred[2][1] >= 200
    assert [queries for queries, _ in ten] == [queries for queries, _ in two_hundred] == list(PINNED[person])
