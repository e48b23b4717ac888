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
# Each reads the reports once, for the 报告年度 selector and its default (#17: years side by side).
# As of today the lagging page, the overview and the scoreboard count the stored statuses in one grouped query
# of their own and judge in Python only the targets whose stored status does not stand for today — here all
# of them (no sweep has run). The grouped query is paid for elsewhere: the lagging page reads its filters'
# chapters and key tasks in one query (not two), the scoreboard and the overview's downloads read the judged
# targets without their departments (their lead as columns, their key task only). The overview page reads
# its page of 主要预期目标 by itself (the targets, and their figures to judge them): two more than when it
# judged every target once for both, with no status stored. The 台账 downloads read their rows in the stored
# order a batch at a time; a streamed CSV's reads are counted as it is sent. With the statuses stored and
# fresh, tests/progress/test_report_today_query_counts.py pins them lower.
PAGES = [
    pytest.param("boards-lagging", {}, 12, id="lagging"),
    pytest.param("boards-lagging", {"format": "xlsx"}, 10, id="lagging-xlsx"),
    pytest.param("boards-lagging", {"format": "csv"}, 10, id="lagging-csv"),
    pytest.param("boards-bulletin", {}, 10, id="bulletin"),
    pytest.param("boards-scoreboard", {}, 11, id="scoreboard"),
    # The downloads one less: city-wide, nobody's department is looked up to mark their row.
    pytest.param("boards-scoreboard", {"format": "xlsx"}, 10, id="scoreboard-xlsx"),
    pytest.param("boards-scoreboard", {"format": "csv"}, 10, id="scoreboard-csv"),
    pytest.param("boards-overview", {}, 12, id="overview"),
    pytest.param("boards-overview", {"format": "xlsx"}, 9, id="overview-xlsx"),
    pytest.param("boards-overview", {"format": "csv"}, 9, id="overview-csv"),
]


def _queries(client, name: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(name), {"as_of": "2020-07-03", **params})
        # A streamed CSV reads its rows as it is sent: every query counts, the sent ones too.
        if response.streaming:
            b"".join(response.streaming_content)
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
