"""Fixtures of the progress tests: signing in to the admin as a named person, outbound email, and more
targets beside the bundled report (and a day swept with them) for the query-count tests."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import progress.selectors
from progress.services import progress_entry_submit
from progress.statuses import status_sweep
from targets.models import Report, Target
from tests.factories import KeyTaskFactory, TargetFactory

SITE_URL = "https://duban.wuzhong.example"
SNAPSHOT_DAY = dt.date(
    2020, 7, 3
)  # july_3rd_2020, the clock of more_targets: the day whose snapshots are read


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


@pytest.fixture
def judged(monkeypatch):
    """The rules of the targets the selectors judged with progress.rules.evaluate, one per call (the others
    came from their stored status or their snapshot)."""
    calls = []
    original = progress.selectors.evaluate

    def counting(*args, **kwargs):
        calls.append(args[0])
        return original(*args, **kwargs)

    monkeypatch.setattr(progress.selectors, "evaluate", counting)
    return calls


@pytest.fixture
def day_swept(more_targets, clock, report_2020):
    """`day_swept(count)`: `count` more lagging targets on 3 July, that day's sweep after their entries, and
    the clock on the next day. The bundled report's targets, loaded with the test database at the real
    present moment, are dated back to the report's delivery, when the office would have loaded them: else
    their definitions are newer than any snapshot, and they are judged from the history."""
    Target.history.filter(report_id=report_2020.pk).update(
        history_date=dt.datetime(2020, 1, 10, tzinfo=dt.UTC)
    )
    Report.history.filter(id=report_2020.pk).update(history_date=dt.datetime(2020, 1, 10, tzinfo=dt.UTC))

    def make(count: int) -> None:
        clock(SNAPSHOT_DAY, hour=10)
        more_targets(count)
        clock(SNAPSHOT_DAY, hour=23)
        status_sweep()
        clock(SNAPSHOT_DAY + dt.timedelta(days=1))

    return make


def queries_of(action) -> int:
    """How many queries `action()` runs."""
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)
