"""A manager's 滞后/逾期 report of a past day whose snapshots stand, its page, the overview, the scoreboard and
the API's summary run the same number of queries at 10 and at 200 more targets, no more than judging every
target from the history did (rows 4, page 12, overview 13, scoreboard 11, API summary 7): the snapshots are
counted, ordered and paged by the database as today's stored statuses are, and read with the page's
targets; no target is judged from the history."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import progress.selectors
from progress.boards import lagging_board
from progress.statuses import status_sweep
from targets.models import Report, Target

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
def day_swept(more_targets, clock, report_2020):
    """`day_swept(count)`: `count` more lagging targets on 3 July, that day's sweep after their entries, and
    the clock on the next day. The bundled report's targets, loaded with the test database at the real
    present moment, are dated back to the report's delivery, when the office would have loaded them: else
    their definitions are newer than any snapshot, and they are judged from the history."""
    Target.history.filter(report_id=report_2020.pk).update(
        history_date=dt.datetime(2020, 1, 10, tzinfo=dt.UTC)
    )
    Report.history.filter(id=report_2020.pk).update(history_date=dt.datetime(2020, 1, 10, tzinfo=dt.UTC))

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


def test_the_lagging_report_rows_of_a_past_day(manager_wang, day_swept, judged):
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
    # The user's groups, the targets with their snapshots, their departments: no history read.
    assert with_10 == with_200 == 3
    assert judged == []


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # The filters' chapters and key tasks in one read; the overview's page of 主要预期目标 without
        # their departments (progress/forms.py, progress.boards.HeadlineRows).
        pytest.param("boards-lagging", 11, id="page"),
        pytest.param("boards-overview", 10, id="overview"),
        pytest.param("boards-scoreboard", 10, id="scoreboard"),
        pytest.param("/api/boards/summary/", 6, id="api-summary"),
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
