"""The admin lists run the same number of queries at 10 and at 200 more targets (each with an entry and a
stored status): the target changelist, 我的目标, the entry changelist and the status changes."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from progress.statuses import status_sweep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]

# Each reads the reports once, for the 报告年度 filter (#17: years side by side).
LISTS = [
    pytest.param("admin:targets_target_changelist", 14, id="targets"),  # the role groups, for the scoping
    pytest.param("admin:progress_mytarget_changelist", 11, id="my-targets"),  # + the work queue (#12)
    pytest.param("admin:progress_progressentry_changelist", 14, id="entries"),  # + the page's evidence
    pytest.param("admin:progress_statuschange_changelist", 9, id="status-changes"),  # after the desk (#12)
]


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
    status_sweep()
    with_10 = _queries(client, url_name)
    more_targets(190)
    status_sweep()
    with_200 = _queries(client, url_name)
    assert with_10 == with_200 == expected
