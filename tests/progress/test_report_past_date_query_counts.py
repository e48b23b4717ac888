"""A manager's 滞后/逾期 report of a past day whose snapshots stand, its page, the overview, the scoreboard and
the API's summary run the same number of queries at 10 and at 200 more targets — as many as judging every
target from the history did: the snapshots come with the targets (in their query, with the rule that they
stand), and only the targets whose snapshot does not stand are judged from the history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import progress.selectors
from progress.boards import lagging_board
from progress.statuses import status_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

DAY = dt.date(2020, 7, 3)  # july_3rd_2020, the clock of more_targets: the day whose snapshots are read


@pytest.fixture
def judged(monkeypatch):
    calls = []
    original = progress.selectors.evaluate
    monkeypatch.setattr(
        progress.selectors, "evaluate", lambda *args, **kwargs: calls.append(1) or original(*args, **kwargs)
    )
    return calls


@pytest.fixture
def day_swept(more_targets, clock):
    """`day_swept(count)`: `count` more lagging targets on 3 July, that day's sweep after their entries, and
    the clock on the next day."""

    def make(count: int) -> None:
        clock(DAY, hour=10)
        more_targets(count)
        clock(DAY, hour=23)
        status_sweep()
        clock(DAY + dt.timedelta(days=1))

    return make


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_the_lagging_report_rows_of_a_past_day(manager_wang, day_swept, judged, report_2020):
    def manager():  # a fresh instance each time: the user's groups are cached on it
        return type(manager_wang).objects.get(pk=manager_wang.pk)

    day_swept(10)
    user = manager()
    with_10 = _queries(lambda: lagging_board(user=user, as_of=DAY))
    day_swept(190)
    rows, user = [], manager()
    judged.clear()
    with_200 = _queries(lambda: rows.extend(lagging_board(user=user, as_of=DAY)))
    assert len(rows) >= 200
    # The user's groups, the targets with their snapshots, their departments; then the history of the
    # bundled report's targets, loaded at the real present moment (after the snapshots: they do not stand).
    assert with_10 == with_200 == 4
    assert len(judged) == report_2020.targets.count()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        pytest.param("boards-lagging", 12, id="page"),
        pytest.param("boards-overview", 13, id="overview"),
        pytest.param("boards-scoreboard", 11, id="scoreboard"),
        pytest.param("/api/boards/summary/", 7, id="api-summary"),
    ],
)
def test_the_pages_and_the_api_of_a_past_day(client, manager_wang, day_swept, url, expected):
    day_swept(10)
    client.force_login(manager_wang)
    path = url if url.startswith("/") else reverse(url)

    def get():
        response = client.get(path, {"as_of": DAY.isoformat()})
        assert response.status_code == 200

    with_10 = _queries(get)
    day_swept(190)
    with_200 = _queries(get)
    assert with_10 == with_200 == expected
