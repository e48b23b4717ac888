"""The demo clock (DEMO_TODAY): while set, the service's today is the demo date with the real time of day;
it is refused when DEBUG is off, and every page says it is on."""

import datetime as dt
import secrets

import pytest

from progress.models import ProgressEntry
from progress.services import progress_entry_submit
from targets.models import Target
from tests.wuzhong_tracker.test_env_settings import _import_settings
from wuzhong_tracker import clock

from ..conftest import WUZHONG


@pytest.fixture
def demo_on_july_3rd(settings):
    settings.DEMO_TODAY = dt.date(2020, 7, 3)


@pytest.fixture
def real_time_2026(time_machine):
    """30 November 2026, 16:45 in Wuzhong, the clock standing still."""
    time_machine.move_to(dt.datetime(2026, 11, 30, 16, 45, 12, tzinfo=WUZHONG), tick=False)


def test_without_a_demo_date_the_clock_is_real(real_time_2026, settings):
    settings.DEMO_TODAY = None
    assert clock.today() == dt.date(2026, 11, 30)
    assert clock.now().astimezone(WUZHONG) == dt.datetime(2026, 11, 30, 16, 45, 12, tzinfo=WUZHONG)


def test_the_demo_clock_keeps_the_time_of_day_on_the_demo_date(real_time_2026, demo_on_july_3rd):
    assert clock.today() == dt.date(2020, 7, 3)
    assert clock.now().astimezone(WUZHONG) == dt.datetime(2020, 7, 3, 16, 45, 12, tzinfo=WUZHONG)


def test_just_before_midnight_in_wuzhong_is_still_the_demo_date(time_machine, demo_on_july_3rd):
    # 23:59 in Wuzhong is 15:59 UTC: the local date decides, not the UTC one.
    time_machine.move_to(dt.datetime(2026, 11, 30, 23, 59, tzinfo=WUZHONG), tick=False)
    assert clock.now().astimezone(WUZHONG) == dt.datetime(2020, 7, 3, 23, 59, tzinfo=WUZHONG)


def test_an_entry_made_on_the_demo_clock_is_dated_and_recorded_then(
    real_time_2026, demo_on_july_3rd, official_zhang
):
    target = Target.objects.get(code="1.1.03")
    entry = progress_entry_submit(
        target=target, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang
    )
    assert entry.submitted_at.astimezone(WUZHONG) == dt.datetime(2020, 7, 3, 16, 45, 12, tzinfo=WUZHONG)
    record = ProgressEntry.history.get(id=entry.pk)
    assert record.history_date == entry.submitted_at  # so that "as of 2020-07-03" views count it


def test_every_admin_page_shows_the_demo_banner(real_time_2026, demo_on_july_3rd, manager_client):
    for url in ("/admin/", "/admin/boards/lagging/", "/admin/boards/bulletin/", "/api/targets/?format=api"):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        assert "演示模式：系统日期为2020年7月3日" in response.content.decode(), url


def test_no_banner_without_the_demo_clock(real_time_2026, settings, manager_client):
    settings.DEMO_TODAY = None
    assert "演示模式" not in manager_client.get("/admin/").content.decode()


def test_the_demo_clock_is_refused_when_debug_is_off():
    result = _import_settings(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), DEMO_TODAY="2020-07-03")
    assert result.returncode != 0
    assert "DEMO_TODAY" in result.stderr


def test_a_malformed_demo_date_stops_start_up():
    result = _import_settings(DEBUG="true", DEMO_TODAY="2020-13-03")
    assert result.returncode != 0
    assert "DEMO_TODAY='2020-13-03' is not a date" in result.stderr


def test_the_demo_clock_is_accepted_with_debug_on():
    result = _import_settings(DEBUG="true", DEMO_TODAY="2020-07-03")
    assert result.returncode == 0, result.stderr
