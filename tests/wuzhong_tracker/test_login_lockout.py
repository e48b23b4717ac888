"""Sign-in throttling (django-axes) on the admin login: after five wrong passwords for one username from one
address, that pair is refused for 30 minutes, even with the right password, with a Chinese page; other
people and other addresses are unaffected, and `manage.py axes_reset` lifts the lockout early."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"  # tests.factories.UserFactory's


@pytest.fixture
def sign_in(july_3rd_2020):
    """`sign_in(username, password, address="192.0.2.10")`: one attempt at the admin login form from that
    address, in a fresh browser; returns the response and whether it signed the person in."""

    def attempt(username: str, password: str, address: str = "192.0.2.10"):
        client = Client(REMOTE_ADDR=address)
        response = client.post(
            reverse("admin:login"),
            {"username": username, "password": password, "next": reverse("admin:index")},
        )
        return response, "_auth_user_id" in client.session

    return attempt


def _fail(sign_in, username: str, times: int, address: str = "192.0.2.10") -> list[int]:
    return [sign_in(username, "wrong-password", address)[0].status_code for _ in range(times)]


def test_the_fifth_wrong_password_locks_the_username_out_with_a_chinese_page(sign_in, official_zhang):
    assert _fail(sign_in, official_zhang.username, 4) == [200, 200, 200, 200]  # the form, with its error

    fifth, signed_in = sign_in(official_zhang.username, "wrong-password")

    assert (fifth.status_code, signed_in) == (429, False)
    page = fifth.content.decode()
    assert "登录已暂时锁定" in page
    assert f"账号“{official_zhang.username}”连续 5 次密码错误" in page
    assert "请 30 分钟后再试" in page


def test_a_locked_out_username_is_refused_even_with_the_right_password(sign_in, official_zhang):
    _fail(sign_in, official_zhang.username, 5)

    response, signed_in = sign_in(official_zhang.username, PASSWORD)

    assert (response.status_code, signed_in) == (429, False)
    assert "登录已暂时锁定" in response.content.decode()


def test_four_wrong_passwords_do_not_lock(sign_in, official_zhang):
    _fail(sign_in, official_zhang.username, 4)

    response, signed_in = sign_in(official_zhang.username, PASSWORD)

    assert (response.status_code, signed_in) == (302, True)


def test_other_people_and_other_addresses_are_unaffected(sign_in, official_zhang, reviewer_chen):
    _fail(sign_in, official_zhang.username, 5)

    colleague, colleague_signed_in = sign_in(reviewer_chen.username, PASSWORD)
    elsewhere, elsewhere_signed_in = sign_in(official_zhang.username, PASSWORD, address="198.51.100.7")

    assert (colleague.status_code, colleague_signed_in) == (302, True)
    assert (elsewhere.status_code, elsewhere_signed_in) == (302, True)


def test_the_lockout_ends_after_the_cool_off(sign_in, july_3rd_2020, official_zhang):
    _fail(sign_in, official_zhang.username, 5)

    july_3rd_2020.shift(dt.timedelta(minutes=29))
    still, still_signed_in = sign_in(official_zhang.username, PASSWORD)
    july_3rd_2020.shift(dt.timedelta(minutes=2))
    after, after_signed_in = sign_in(official_zhang.username, PASSWORD)

    assert (still.status_code, still_signed_in) == (429, False)
    assert (after.status_code, after_signed_in) == (302, True)


def test_axes_reset_lifts_the_lockout(sign_in, official_zhang):
    _fail(sign_in, official_zhang.username, 5)

    call_command("axes_reset", verbosity=0)
    response, signed_in = sign_in(official_zhang.username, PASSWORD)

    assert (response.status_code, signed_in) == (302, True)


def test_a_successful_sign_in_starts_the_count_again(sign_in, official_zhang):
    _fail(sign_in, official_zhang.username, 4)
    assert sign_in(official_zhang.username, PASSWORD)[1]

    _fail(sign_in, official_zhang.username, 4)
    response, signed_in = sign_in(official_zhang.username, PASSWORD)

    assert (response.status_code, signed_in) == (302, True)
