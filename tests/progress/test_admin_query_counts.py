"""The officials' lists run a fixed number of queries, however many rows they show and whatever those rows
carry: "我的目标" with or without stored statuses, the entry changelist with no entries or forty."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress import services, statuses
from progress.models import ProgressEntry, TargetStatus
from progress.rules import period_ends
from targets.models import Frequency, Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

JUNE_END = dt.date(2020, 6, 30)


def _queries(client, url: str) -> tuple[int, int]:
    """(queries, rows shown) for one page of a changelist."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured), len(response.context["cl"].result_list)


def _forty_june_entries(report, by) -> None:
    """Forty entries across forty monthly targets, each for its latest period end by June (a target due in
    April has none after April), through the service as everyone else does."""
    monthly = Target.objects.filter(report=report, frequency=Frequency.MONTHLY).order_by("code")[:40]
    for target in monthly:
        period_end = max(end for end in period_ends(services.target_rule(target)) if end <= JUNE_END)
        services.progress_entry_submit(target=target, period_end=period_end, value="1", by=by)
    assert ProgressEntry.objects.count() == 40


@pytest.mark.parametrize(
    ("person", "rows", "expected"),
    [
        pytest.param("manager_wang", 50, 10, id="manager"),  # 138 targets, one page of 50
        # + the work queue: returned entries, and the lead targets with their entries for 本期待报
        pytest.param("official_zhang", 25, 13, id="official-industry"),
    ],
)
def test_my_targets_query_count_does_not_depend_on_stored_statuses(
    login, report_2020, person, rows, expected
):
    client = login(person)
    url = reverse("admin:progress_mytarget_changelist")

    without_statuses = _queries(client, url)
    statuses.status_sweep()
    assert TargetStatus.objects.count() == 138
    with_statuses = _queries(client, url)

    assert without_statuses == with_statuses == (expected, rows)


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        pytest.param("manager_wang", 13, id="manager"),  # with the evidence of the page's entries
        pytest.param("official_zhang", 12, id="official-industry"),
    ],
)
def test_entry_changelist_query_count_does_not_depend_on_the_number_of_entries(
    login, report_2020, administrator_li, person, expected
):
    client = login(person)
    url = reverse("admin:progress_progressentry_changelist")

    none = _queries(client, url)
    _forty_june_entries(report_2020, administrator_li)
    forty = _queries(client, url)

    assert none[1] == 0 and forty[1] > 0
    assert none[0] + 1 == forty[0] == expected  # an empty page has no evidence to fetch
