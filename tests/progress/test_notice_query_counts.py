"""The notice lists run a fixed number of queries, the same at 3 and at 30 notices (each with two targets
and a history of two steps): the admin's 督办单 list, /api/notices/, the bulletin and the scoreboard."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from progress import notices
from targets.models import Department
from tests.factories import KeyTaskFactory, TargetFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("warm_caches")]


@pytest.fixture
def add_notices(july_3rd_2020, manager_wang, reviewer_chen):
    industry = Department.objects.get(code="industry")
    task = KeyTaskFactory()

    def add(count: int) -> None:
        for _ in range(count):
            targets = [TargetFactory(task=task, lead=industry), TargetFactory(task=task, lead=industry)]
            notice = notices.notice_issue(
                targets=targets, level="supervise", matter="请整改。", by=manager_wang
            )
            notices.notice_answer(
                notice=notice, by=reviewer_chen, measures="整改", expected_completion=dt.date(2020, 9, 30)
            )

    return add


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/progress/notice/",
        "/api/notices/?page_size=500",
        "/admin/boards/bulletin/?as_of=2020-07-03&department=industry",
        "/admin/boards/scoreboard/?as_of=2020-07-03",
    ],
)
def test_notice_lists_do_not_grow_with_the_notices(add_notices, manager_wang, url):
    client = APIClient()
    client.force_login(manager_wang)
    add_notices(3)
    three = _queries(client, url)
    add_notices(27)
    assert _queries(client, url) == three
