"""Sign-in lockout that a colleague cannot use against you: the device cookie (OWASP's "device cookies").

django-axes locks a username after AXES_FAILURE_LIMIT wrong passwords. Counted per username and address
alone, anyone behind the same office NAT could lock a colleague out by typing wrong passwords under their
name. So a browser that has signed in as a person before carries a signed device cookie naming them, and
its attempts for that person are counted apart:

1. A successful sign-in adds the username to the browser's device cookie (signed, HttpOnly, a year; up to
   DEVICE_USERNAMES names, for a shared office computer).
2. An attempt for a username the cookie names is not subject to the username + address lockout: a
   colleague's wrong passwords from another browser leave it alone (axes' whitelist hook).
3. Wrong passwords from such a browser are counted per device and username; after AXES_FAILURE_LIMIT of
   them within the cool-off, the cookie no longer vouches for that username and the browser falls under
   the username + address rule like any other. A stolen cookie thus buys an attacker at most that many
   more guesses.
4. Everyone else (a new browser, cookies cleared) is locked per username + address as before.

Counts of trusted devices live in the default cache (shared when CACHE_URL is set; per process
otherwise), for AXES_COOLOFF_TIME.
"""

import secrets

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

COOKIE = "wz_device"
SALT = "wuzhong_tracker.sign_in.device"
MAX_AGE = 365 * 24 * 3600
DEVICE_USERNAMES = 5


def _device(request: HttpRequest) -> tuple[str, list[str]] | None:
    """The device's id and the usernames it has signed in as, if its cookie is genuine."""
    value = request.get_signed_cookie(COOKIE, default=None, salt=SALT, max_age=MAX_AGE)
    if not value:
        return None
    device_id, *usernames = value.split("|")
    return device_id, usernames


def _failures_key(device_id: str, username: str) -> str:
    return f"sign-in-device-failures:{device_id}:{username}"


def trusted_device(request: HttpRequest, credentials: dict | None) -> bool:
    """AXES_WHITELIST_CALLABLE: this browser has signed in as this username and has not used up its own
    allowance of wrong passwords for it."""
    username = (credentials or {}).get("username")
    device = _device(request)
    if not username or device is None or username not in device[1]:
        return False
    return cache.get(_failures_key(device[0], username), 0) < settings.AXES_FAILURE_LIMIT


@receiver(user_login_failed)
def count_trusted_device_failure(sender, credentials, request=None, **kwargs) -> None:
    if request is None or not trusted_device(request, credentials):
        return
    key = _failures_key(_device(request)[0], credentials["username"])
    cache.add(key, 0, timeout=settings.AXES_COOLOFF_TIME.total_seconds())
    cache.incr(key)


@receiver(user_logged_in)
def remember_device(sender, request=None, user=None, **kwargs) -> None:
    if request is None or user is None:
        return
    device_id, usernames = _device(request) or (secrets.token_urlsafe(16), [])
    cache.delete(_failures_key(device_id, user.get_username()))
    usernames = [name for name in usernames if name != user.get_username()]
    request.sign_in_device = (device_id, [user.get_username(), *usernames][:DEVICE_USERNAMES])


class DeviceCookieMiddleware:
    """Sets the device cookie on the response to a successful sign-in (remember_device marks it)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        device = getattr(request, "sign_in_device", None)
        if device is not None:
            device_id, usernames = device
            response.set_signed_cookie(
                COOKIE,
                "|".join([device_id, *usernames]),
                salt=SALT,
                max_age=MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response
