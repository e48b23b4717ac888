"""Throttling: past the rate, anonymous and signed-in callers get 429 with Retry-After. Anonymous callers
reach only the public schema (everything else answers 401 before throttling). The rates are lowered for
these tests only (DRF binds them when its throttles are imported, hence the monkeypatch)."""

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(monkeypatch):
    monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", {"anon": "2/minute", "user": "3/minute"})


def test_anonymous_callers_are_throttled(report_2020, low_rates):
    client = APIClient()

    statuses = [client.get("/api/schema/").status_code for _ in range(3)]

    assert statuses == [200, 200, 429]


def test_signed_in_callers_are_throttled_per_user(api, report_2020, low_rates, official_zhang, official_zhao):
    zhang = api(official_zhang)

    statuses = [zhang.get("/api/reports/").status_code for _ in range(4)]
    throttled = zhang.get("/api/reports/")

    assert statuses == [200, 200, 200, 429]
    assert throttled.data["detail"].startswith("请求已被限流。")
    assert int(throttled["Retry-After"]) > 0
    assert api(official_zhao).get("/api/reports/").status_code == 200
