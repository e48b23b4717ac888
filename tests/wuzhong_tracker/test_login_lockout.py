"""Sign-in throttling (django-axes) on the admin login: after five wrong passwords for one username from one
address, that pair is refused for 30 minutes, even with the right password, with a Chinese page; other
people and other addresses are unaffected, and `manage.py axes_reset` lifts the lockout early.

A browser that has signed in as a person before carries a device cookie (wuzhong_tracker/sign_in.py) and
is counted apart: a colleague typing wrong passwords under that person's name from behind the same office
address locks only themselves out (the attacker's view and the victim's below)."""

import datetime as dt

import pytest
from django.conf import settings
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


def _attempt(browser: Client, username: str, password: str):
    response = browser.post(
        reverse("admin:login"), {"username": username, "password": password, "next": reverse("admin:index")}
    )
    signed_in = "_auth_user_id" in browser.session
    browser.cookies.pop(settings.SESSION_COOKIE_NAME, None)  # signed out, the device cookie kept
    return response.status_code, signed_in


@pytest.fixture
def victims_browser(sign_in, official_zhang) -> Client:
    """张工信's own browser at the office (192.0.2.10), where he signed in yesterday."""
    browser = Client(REMOTE_ADDR="192.0.2.10")
    assert _attempt(browser, official_zhang.username, PASSWORD) == (302, True)
    return browser


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


def test_a_colleague_behind_the_same_address_cannot_lock_a_person_out(
    sign_in, victims_browser, official_zhang
):
    attacker = [sign_in(official_zhang.username, "wrong-password")[0].status_code for _ in range(6)]

    victim = _attempt(victims_browser, official_zhang.username, PASSWORD)

    assert attacker == [200, 200, 200, 200, 429, 429]  # the attacker's browser is locked out
    assert victim == (302, True)  # the victim's own browser is not


def test_the_victims_own_wrong_passwords_are_still_limited(sign_in, victims_browser, official_zhang):
    """The device's own allowance (5), then the username + address rule (5 more) like any browser."""
    attempts = [_attempt(victims_browser, official_zhang.username, "wrong-password")[0] for _ in range(10)]

    assert attempts == [200] * 9 + [429]
    assert _attempt(victims_browser, official_zhang.username, PASSWORD) == (429, False)


def test_a_new_browser_of_the_victim_shares_the_addresss_lockout(sign_in, victims_browser, official_zhang):
    _fail(sign_in, official_zhang.username, 5)

    response, signed_in = sign_in(official_zhang.username, PASSWORD)  # cookies cleared, or another computer

    assert (response.status_code, signed_in) == (429, False)


def test_the_cookie_vouches_only_for_the_people_who_signed_in_with_it(
    sign_in, victims_browser, official_zhang, reviewer_chen
):
    _fail(sign_in, reviewer_chen.username, 5)

    assert _attempt(victims_browser, reviewer_chen.username, PASSWORD) == (429, False)


def test_a_forged_device_cookie_vouches_for_nobody(sign_in, official_zhang):
    _fail(sign_in, official_zhang.username, 5)
    forger = Client(REMOTE_ADDR="192.0.2.10")
    forger.cookies["wz_device"] = f"forged|{official_zhang.username}"

    assert _attempt(forger, official_zhang.username, PASSWORD) == (429, False)


def test_the_device_cookie_is_signed_and_http_only(sign_in, official_zhang):
    browser = Client(REMOTE_ADDR="192.0.2.10")
    browser.post(reverse("admin:login"), {"username": official_zhang.username, "password": PASSWORD})

    cookie = browser.cookies["wz_device"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert official_zhang.username in cookie.value and ":" in cookie.value  # value:signature
