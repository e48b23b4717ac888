"""Who may call the API: a session (the admin's login) or a token (`Authorization: Token …`); anonymous
callers get 401 on every endpoint, a session's writes need the CSRF token, a token's do not."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from targets.models import Target

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/api/reports/"),
    ("get", "/api/reports/1/"),
    ("get", "/api/chapters/"),
    ("get", "/api/chapters/1/"),
    ("get", "/api/tasks/"),
    ("get", "/api/tasks/1/"),
    ("get", "/api/departments/"),
    ("get", "/api/departments/industry/"),
    ("get", "/api/targets/"),
    ("get", "/api/targets/1/"),
    ("get", "/api/targets/1/history/"),
    ("get", "/api/entries/"),
    ("post", "/api/entries/"),
    ("get", "/api/entries/1/"),
    ("patch", "/api/entries/1/"),
    ("post", "/api/entries/1/approve/"),
    ("post", "/api/entries/1/return/"),
    ("get", "/api/boards/lagging/"),
    ("get", "/api/boards/summary/"),
]


@pytest.mark.parametrize(("method", "url"), ENDPOINTS, ids=[f"{m} {u}" for m, u in ENDPOINTS])
def test_anonymous_callers_get_401_on_every_endpoint(report_2020, method, url):
    response = getattr(APIClient(), method)(url)

    assert response.status_code == 401
    assert response.data == {"detail": "身份认证信息未提供。"}
    assert response["WWW-Authenticate"] == "Token"


def test_a_token_signs_in(july_3rd_2020, report_2020, official_zhang):
    token = Token.objects.create(user=official_zhang)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    response = client.get("/api/targets/")

    assert response.status_code == 200
    assert response.data["count"] == 25


def test_a_wrong_token_is_a_401(report_2020, official_zhang):
    Token.objects.create(user=official_zhang)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    response = client.get("/api/targets/")

    assert response.status_code == 401
    assert response.data == {"detail": "认证令牌无效。"}


def test_a_token_writes_without_csrf_and_a_session_needs_it(july_3rd_2020, report_2020, official_zhang):
    body = {"target": Target.objects.get(code="1.1.03").pk, "period_end": "2020-06-30", "value": "7"}
    session = APIClient(enforce_csrf_checks=True)
    session.force_login(official_zhang)
    token = APIClient(enforce_csrf_checks=True)
    token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=official_zhang).key}")

    refused = session.post("/api/entries/", body, format="json")
    accepted = token.post("/api/entries/", body, format="json")

    assert refused.status_code == 403 and "CSRF" in refused.data["detail"]
    assert accepted.status_code == 201, accepted.data
