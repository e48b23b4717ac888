"""A committed entry queues the recomputation of its target; a broker outage loses nothing: the entry is
saved with its target marked stale, the page works, and the stale-status job catches up."""

import datetime as dt
import logging

import pytest
from django.urls import reverse

from progress.models import ProgressEntry, StaleStatus, TargetStatus
from progress.services import progress_entry_submit
from progress.statuses import stale_statuses_refresh
from targets.models import Target
from wuzhong_tracker.celery import app

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]


@pytest.fixture
def enterprises() -> Target:
    return Target.objects.get(report__year=2020, code="1.1.03")


@pytest.fixture
def broker_down(monkeypatch):
    """A real (not eager) Celery publisher pointed at a port where nothing listens."""
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    monkeypatch.setitem(app.conf, "broker_url", "redis://127.0.0.1:9/0")
    _forget_connection_pools()
    yield
    _forget_connection_pools()


def _forget_connection_pools():
    # Celery keeps its connection and producer pools once made; dropping them makes the next publish use
    # the broker URL in force now (closing them would poison kombu's pool registry for later tests).
    app._pool = None
    app.amqp._producer_pool = None


def test_the_recompute_runs_only_after_the_commit(
    enterprises, official_zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        progress_entry_submit(
            target=enterprises, period_end=dt.date(2020, 6, 30), value="2", by=official_zhang
        )
    assert len(callbacks) == 1
    assert not TargetStatus.objects.filter(target=enterprises).exists()

    callbacks[0]()  # the commit happened: the (eager) task recomputes the target

    assert TargetStatus.objects.get(target=enterprises).performance == "lagging"


def test_with_the_broker_down_the_entry_is_saved_and_the_failure_logged(
    enterprises, official_zhang, broker_down, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.WARNING), django_capture_on_commit_callbacks(execute=True):
        entry = progress_entry_submit(
            target=enterprises, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang
        )

    assert ProgressEntry.objects.filter(pk=entry.pk).exists()
    assert "状态重算任务未能入队" in caplog.text
    assert not TargetStatus.objects.filter(target=enterprises).exists()
    assert StaleStatus.objects.filter(target=enterprises).exists()  # for the stale-status job to find


def test_the_stale_status_job_recomputes_what_the_outage_left_behind(
    enterprises, official_zhang, broker_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_entry_submit(
            target=enterprises, period_end=dt.date(2020, 6, 30), value="2", by=official_zhang
        )

    assert stale_statuses_refresh() == 1

    assert TargetStatus.objects.get(target=enterprises).performance == "lagging"
    assert not StaleStatus.objects.exists()
    assert stale_statuses_refresh() == 0


def test_a_recompute_that_ran_clears_the_stale_mark(
    enterprises, official_zhang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        progress_entry_submit(
            target=enterprises, period_end=dt.date(2020, 6, 30), value="2", by=official_zhang
        )

    assert TargetStatus.objects.filter(target=enterprises).exists()
    assert not StaleStatus.objects.exists()


def test_with_the_broker_down_the_admin_page_still_works(
    client, enterprises, official_zhang, broker_down, django_capture_on_commit_callbacks
):
    client.force_login(official_zhang)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:progress_progressentry_add"),
            {
                "target": enterprises.pk,
                "period_end": "2020-06-30",
                "value": "7",
                "provenance": "estimate",
                "note": "",
            },
        )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert ProgressEntry.objects.filter(target=enterprises, period_end=dt.date(2020, 6, 30)).exists()
