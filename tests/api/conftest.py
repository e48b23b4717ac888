"""Clients for the API tests, which use the named people of tests/conftest.py (officials and reviewers of
工业和信息化局, 农业农村局 and 统计局) with the clock at Friday 3 July 2020, 10:00 in Wuzhong (the June
figures are being reported), and a throttle cache emptied before every test so that no test depends on how
many requests the ones before it made."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def throttle_counts_cleared():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api(july_3rd_2020):
    """An API client signed in (session) as a person, after the clock is frozen so the session is valid."""

    def signed_in(user) -> APIClient:
        client = APIClient()
        client.force_login(user)
        return client

    return signed_in
