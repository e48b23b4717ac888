"""A manager's 滞后/逾期 report as of today, its page, its XLSX and the API's report and summary run the same
number of queries at 10 and at 200 more targets whose statuses are stored and fresh: the stored statuses
come with the targets (one query), and no history is read for them."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.boards import lagging_board
from progress.statuses import stale_statuses_refresh, status_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

TODAY = dt.date(2020, 7, 3)  # july_3rd_2020, the clock of more_targets


def _fresh(more_targets, count: int) -> None:
    """`count` more lagging targets, then the day's sweep and the recomputations of the entries' targets."""
    more_targets(count)
    status_sweep()
    stale_statuses_refresh()


def _queries(action) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured), [query["sql"] for query in captured.captured_queries]


def test_the_lagging_report_rows_as_of_today(manager_wang, more_targets):
    def manager():  # a fresh instance each time: the user's groups are cached on it
        return type(manager_wang).objects.get(pk=manager_wang.pk)

    _fresh(more_targets, 10)
    user = manager()
    with_10, _ = _queries(lambda: lagging_board(user=user, as_of=TODAY))
    _fresh(more_targets, 190)
    rows, user = [], manager()
    with_200, sql = _queries(lambda: rows.extend(lagging_board(user=user, as_of=TODAY)))
    assert len(rows) >= 200
    assert with_10 == with_200 == 3  # the user's groups, the targets with their statuses, their departments
    assert not any("historical" in statement for statement in sql)


@pytest.mark.parametrize(
    ("url", "params", "expected"),
    # session, user, permissions (pages) or token/session and groups (API), the latest report's deadlines
    # (no date is asked for: the default is today, or the closing date of a finished year), then the
    # report's own reads; the XLSX adds the current entries of its rows (the month columns) and renders no
    # template. Each reads the reports once, for the year shown by default (#17: years side by side).
    [
        # The page: the stored rows counted (one grouped query), then the page's rows and their departments.
        pytest.param("boards-lagging", {}, 12, id="page"),
        pytest.param("boards-lagging", {"format": "xlsx"}, 10, id="xlsx"),
        pytest.param("boards-overview", {}, 11, id="overview"),
        pytest.param("boards-scoreboard", {}, 10, id="scoreboard"),
        pytest.param("/api/boards/lagging/", {}, 7, id="api-lagging"),
        pytest.param("/api/boards/summary/", {}, 7, id="api-summary"),
    ],
)
def test_the_pages_and_the_api_as_of_today(client, manager_wang, more_targets, url, params, expected):
    client.force_login(manager_wang)
    path = url if url.startswith("/") else reverse(url)

    def get():
        response = client.get(path, params)
        assert response.status_code == 200

    _fresh(more_targets, 10)
    with_10, _ = _queries(get)
    _fresh(more_targets, 190)
    with_200, sql = _queries(get)
    assert with_10 == with_200 == expected
    assert not any("historical" in statement for statement in sql)
