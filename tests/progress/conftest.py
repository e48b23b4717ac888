"""Fixtures of the progress tests: signing in to the admin as a named person, outbound email, and more
targets beside the bundled report for the query-count tests."""

import datetime as dt

import pytest

from progress.services import progress_entry_submit
from tests.factories import KeyTaskFactory, TargetFactory

SITE_URL = "https://duban.wuzhong.example"


@pytest.fixture
def login(client, july_3rd_2020, request):
    """Log in as the named person fixture (after the clock is frozen, so that the session is valid)."""

    def log_in(person: str):
        client.force_login(request.getfixturevalue(person))
        return client

    return log_in


@pytest.fixture
def outbound_email(settings):
    """Email into Django's in-memory outbox, links to SITE_URL."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = SITE_URL


@pytest.fixture
def more_targets(july_3rd_2020, administrator_li):
    """`more_targets(count)` makes `count` more monthly targets in a report of their own, each led by its
    own department and reported (lagging) for June."""

    def make(count: int) -> None:
        task = KeyTaskFactory()
        for _ in range(count):
            target = TargetFactory(task=task)
            progress_entry_submit(
                target=target, period_end=dt.date(2020, 6, 30), value="2", by=administrator_li
            )

    return make
