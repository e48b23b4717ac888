"""Admin lists run a fixed number of queries, however many rows they show."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from targets.models import Chapter

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]


def _queries(client, url: str, params: dict) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(captured)


def test_target_changelist_query_count_does_not_grow_with_rows(manager_client, report_2020):
    url = reverse("admin:targets_target_changelist")
    few = Chapter.objects.get(report=report_2020, number=7)  # 4 targets
    many = Chapter.objects.get(report=report_2020, number=1)  # 46 targets

    queries_for_4 = _queries(manager_client, url, {"task__chapter__id__exact": few.pk})
    queries_for_46 = _queries(manager_client, url, {"task__chapter__id__exact": many.pk})

    # 14: one of them reads the user's role groups, for the department scoping (targets_visible_to), one the
    # reports, for the 报告年度 filter (#17).
    assert queries_for_4 == queries_for_46 == 14


@pytest.mark.parametrize(
    ("model", "expected"), [("report", 7), ("chapter", 8), ("keytask", 9), ("department", 7)]
)
def test_structure_changelists_have_a_pinned_query_count(manager_client, report_2020, model, expected):
    assert _queries(manager_client, reverse(f"admin:targets_{model}_changelist"), {}) == expected
