"""The admin lists run the same number of queries at 10 and at 200 more targets (each with an entry and a
stored status): the target changelist, 我的目标, the entry changelist and the status changes."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.services import progress_entry_submit, status_sweep
from tests.factories import KeyTaskFactory, TargetFactory

pytestmark = pytest.mark.django_db

LISTS = [
    pytest.param("admin:targets_target_changelist", 12, id="targets"),
    pytest.param("admin:progress_mytarget_changelist", 9, id="my-targets"),
    pytest.param("admin:progress_progressentry_changelist", 12, id="entries"),
    pytest.param("admin:progress_statuschange_changelist", 9, id="status-changes"),
]


@pytest.fixture
def more_targets(time_machine, administrator_li):
    time_machine.move_to(dt.datetime(2020, 7, 3, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)

    def make(count: int) -> None:
        task = KeyTaskFactory()
        for _ in range(count):
            target = TargetFactory(task=task)
            progress_entry_submit(
                target=target, period_end=dt.date(2020, 6, 30), value="2", by=administrator_li
            )
        status_sweep()

    return make


def _queries(client, url_name: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse(url_name))
    assert response.status_code == 200
    assert response.context["cl"].result_count > 0
    return len(captured)


@pytest.mark.parametrize(("url_name", "expected"), LISTS)
def test_admin_list_query_count_is_the_same_at_10_and_200_targets(
    client, manager_wang, more_targets, url_name, expected
):
    client.force_login(manager_wang)
    more_targets(10)
    with_10 = _queries(client, url_name)
    more_targets(190)
    with_200 = _queries(client, url_name)
    assert with_10 == with_200 == expected
