"""/healthz: 200 when the database, the broker, beat and the sweep are all fine; 503 with the reason when
one is not."""

import datetime as dt

import pytest
from django.db import DatabaseError
from django_celery_beat.models import PeriodicTask

from progress.statuses import status_sweep_recorded
from wuzhong_tracker import health

pytestmark = [pytest.mark.django_db]

NOW = dt.datetime(2020, 7, 3, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def with_broker(settings, monkeypatch):
    """A deployment with a broker (Redis) whose ping succeeds."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"
    monkeypatch.setattr(health.redis.Redis, "ping", lambda self: True)


@pytest.fixture
def beat_ticked(july_3rd_2020):
    """Beat sent the outbox flush 30 seconds ago."""
    PeriodicTask.objects.filter(name="发件箱巡检").update(last_run_at=NOW - dt.timedelta(seconds=30))


@pytest.fixture
def swept(july_3rd_2020):
    status_sweep_recorded()


@pytest.mark.usefixtures("with_broker", "beat_ticked", "swept")
def test_all_fine_is_200_with_every_check(client):
    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["reasons"] == []
    assert set(body["checks"]) == {"database", "broker", "beat", "sweep"}
    assert body["checks"]["beat"]["age_seconds"] == 30
    assert body["checks"]["sweep"]["age_seconds"] == 0
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.usefixtures("with_broker", "swept")
def test_beat_that_never_ticked_is_503(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["reasons"] == ["定时调度（beat）从未运行"]


@pytest.mark.usefixtures("with_broker", "beat_ticked", "swept")
def test_beat_silent_longer_than_allowed_is_503(client, clock, settings):
    clock("2020-07-03", hour=10, minute=10)  # 10 minutes and 30 seconds after the tick

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["checks"]["beat"] == {
        "ok": False,
        "detail": f"定时调度（beat）已 630 秒未运行（上限 {settings.HEALTH_BEAT_MAX_AGE} 秒）",
        "age_seconds": 630,
    }


@pytest.mark.usefixtures("with_broker", "beat_ticked")
def test_no_sweep_yet_is_503(client):
    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["reasons"] == ["每日状态评估从未运行"]


@pytest.mark.usefixtures("with_broker", "beat_ticked", "swept")
def test_a_sweep_older_than_a_day_and_more_is_503(client, clock):
    clock("2020-07-04", hour=13)  # 27 hours after the sweep (26 allowed); beat is silent too

    response = client.get("/healthz")

    assert response.status_code == 503
    assert "每日状态评估已 97200 秒未运行" in response.json()["checks"]["sweep"]["detail"]


@pytest.mark.usefixtures("beat_ticked", "swept")
def test_broker_down_is_503(client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:9/0"  # nothing listens on the discard port

    response = client.get("/healthz")

    assert response.status_code == 503
    assert response.json()["reasons"][0].startswith("消息队列不可用")


@pytest.mark.usefixtures("with_broker", "beat_ticked", "swept")
def test_database_down_is_503_and_the_rest_unknown(client, monkeypatch):
    def refuse(self, *args):
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", refuse)

    response = client.get("/healthz")

    assert response.status_code == 503
    body = response.json()
    assert body["checks"]["database"]["detail"] == "数据库不可用：connection refused"
    assert body["checks"]["beat"]["ok"] is body["checks"]["sweep"]["ok"] is False


@pytest.mark.usefixtures("swept")
def test_embedded_mode_has_no_broker_or_beat_to_check(client, settings):
    assert settings.CELERY_TASK_ALWAYS_EAGER  # the test settings: no broker, tasks inline

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["checks"]["broker"]["detail"].startswith("未配置消息队列")


def test_only_get_is_answered(client):
    assert client.post("/healthz").status_code == 405
