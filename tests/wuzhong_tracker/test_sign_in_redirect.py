"""After signing in, a person lands where `next` says when it is a page of this site, and on the admin's
index when `next` is refused (another host, another scheme) or absent: never on Django's
/accounts/profile/, which does not exist here."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture
def fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.parametrize(
    ("next_url", "lands_on"),
    [
        pytest.param("https://evil.example/admin/", "/admin/", id="another-host"),
        pytest.param("//evil.example/", "/admin/", id="scheme-relative"),
        pytest.param("javascript:alert(1)", "/admin/", id="another-scheme"),
        pytest.param("", "/admin/", id="empty"),
        pytest.param("/admin/boards/lagging/", "/admin/boards/lagging/", id="a-page-of-this-site"),
    ],
)
def test_a_refused_next_lands_on_the_index(july_3rd_2020, fast_hashing, official_zhang, next_url, lands_on):
    response = Client().post(
        "/admin/login/", {"username": official_zhang.username, "password": PASSWORD, "next": next_url}
    )

    assert response.status_code == 302
    assert response["Location"] == lands_on
