"""A manager's 滞后/逾期 report of a past day whose snapshots stand, its page, the overview, the scoreboard and
the API's summary run the same number of queries at 10 and at 200 more targets, no more than judging every
target from the history did (rows 4, page 12, overview 13, scoreboard 11, API summary 7): the snapshots are
counted, ordered and paged by the database as today's stored statuses are, and read with the page's
targets; no target is judged from the history."""

import pytest
from django.urls import reverse

from progress.boards import lagging_board
from tests.progress.conftest import SNAPSHOT_DAY as DAY
from tests.progress.conftest import queries_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]


def test_the_lagging_report_rows_of_a_past_day(manager_wang, day_swept, judged):
    def manager():  # a fresh instance each time: the user's groups are cached on it
        return type(manager_wang).objects.get(pk=manager_wang.pk)

    day_swept(10)
    user = manager()
    with_10 = queries_of(lambda: lagging_board(user=user, as_of=DAY))
    day_swept(190)
    rows, user = [], manager()
    judged.clear()
    with_200 = queries_of(lambda: rows.extend(lagging_board(user=user, as_of=DAY)))
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

    with_10 = queries_of(get)
    day_swept(190)
    with_200 = queries_of(get)
    assert with_10 == with_200 == expected
