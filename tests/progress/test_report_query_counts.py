"""Every report page and export runs a number of queries that does not grow with the number of targets
or entries: pinned at 10 and at 200 extra targets (each with an entry), beside the bundled report."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

# (url name, query, queries): session, user, permissions, then the report's own few reads (the bulletin and the
# scoreboard: one more, for the 督办 notices as of the date; tests/progress/test_notice_query_counts.py pins
# that it stays one-plus-prefetches however many notices there are).
PAGES = [
    pytest.param("boards-lagging", {}, 11, id="lagging"),
    pytest.param("boards-lagging", {"format": "xlsx"}, 9, id="lagging-xlsx"),
    pytest.param("boards-lagging", {"format": "csv"}, 9, id="lagging-csv"),
    pytest.param("boards-bulletin", {}, 9, id="bulletin"),
    pytest.param("boards-scoreboard", {}, 10, id="scoreboard"),
    # The downloads one less: city-wide, nobody's department is looked up to mark their row.
    pytest.param("boards-scoreboard", {"format": "xlsx"}, 9, id="scoreboard-xlsx"),
    pytest.param("boards-scoreboard", {"format": "csv"}, 9, id="scoreboard-csv"),
    pytest.param("boards-overview", {}, 9, id="overview"),
    pytest.param("boards-overview", {"format": "xlsx"}, 8, id="overview-xlsx"),
    pytest.param("boards-overview", {"format": "csv"}, 8, id="overview-csv"),
]


def _queries(client, name: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), {"as_of": "2020-07-03", **params})
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(("name", "params", "expected"), PAGES)
def test_report_query_count_is_the_same_at_10_and_200_targets(
    client, manager_wang, more_targets, name, params, expected
):
    client.force_login(manager_wang)
    more_targets(10)
    with_10 = _queries(client, name, params)
    more_targets(190)
    with_200 = _queries(client, name, params)
    assert with_10 == with_200 == expected
