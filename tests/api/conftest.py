"""People and clients for the API tests: named officials and reviewers of 工业和信息化局 and 农业农村局, the
clock at Friday 3 July 2020, 10:00 in Wuzhong (the June figures are being reported), and a throttle cache
emptied before every test so that no test depends on how many requests the ones before it made."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from targets import roles
from targets.models import Department
from tests.factories import UserFactory

WUZHONG = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def throttle_counts_cleared():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def july_3rd(time_machine):
    """Friday 3 July 2020, 10:00 in Wuzhong."""
    time_machine.move_to(dt.datetime(2020, 7, 3, 10, 0, tzinfo=WUZHONG), tick=False)


@pytest.fixture
def official_zhang(db):
    """张工信, who reports for 工业和信息化局."""
    return UserFactory(
        username="zhang_gongxin", role=roles.OFFICIAL, department=Department.objects.get(code="industry")
    )


@pytest.fixture
def official_zhao(db):
    """赵农业, who reports for 农业农村局."""
    return UserFactory(
        username="zhao_nongye", role=roles.OFFICIAL, department=Department.objects.get(code="agriculture")
    )


@pytest.fixture
def official_sun(db):
    """孙统计, of 统计局, which co-operates on 1.1.03 (新增规上企业) led by 工业和信息化局."""
    return UserFactory(
        username="sun_tongji", role=roles.OFFICIAL, department=Department.objects.get(code="stats")
    )


@pytest.fixture
def reviewer_chen(db):
    """陈局长, who reviews 工业和信息化局's entries."""
    return UserFactory(
        username="chen_gongxin", role=roles.REVIEWER, department=Department.objects.get(code="industry")
    )


@pytest.fixture
def reviewer_qian(db):
    """钱局长, who reviews 统计局's entries."""
    return UserFactory(
        username="qian_tongji", role=roles.REVIEWER, department=Department.objects.get(code="stats")
    )


@pytest.fixture
def api(july_3rd):
    """An API client signed in (session) as a person, after the clock is frozen so the session is valid."""

    def signed_in(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return signed_in
