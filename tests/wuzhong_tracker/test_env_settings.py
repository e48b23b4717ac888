"""Settings come from the environment and a malformed value stops the process (ImproperlyConfigured)."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from wuzhong_tracker import env

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("TRUE", True), ("on", True), ("0", False), ("no", False)]
)
def test_booleans_are_parsed(monkeypatch, raw, expected):
    monkeypatch.setenv("WZ_FLAG", raw)
    assert env.env_bool("WZ_FLAG", default=not expected) is expected


@pytest.mark.parametrize(
    ("reader", "raw"),
    [
        (lambda: env.env_bool("WZ_VALUE", default=False), "maybe"),
        (lambda: env.env_int("WZ_VALUE", default=25), "twenty-five"),
        (lambda: env.env_int("WZ_VALUE", default=25, minimum=1, maximum=65535), "70000"),
        (lambda: env.env_list("WZ_VALUE", default=[]), "a.example,,b.example"),
        (lambda: env.env_url("WZ_VALUE", default=None, schemes={"http", "https"}), "ftp://example"),
        (lambda: env.env_database("WZ_VALUE", default="sqlite:///x"), "mysql://root@localhost/db"),
    ],
)
def test_malformed_values_raise_improperly_configured_naming_the_variable(monkeypatch, reader, raw):
    monkeypatch.setenv("WZ_VALUE", raw)
    with pytest.raises(ImproperlyConfigured, match="WZ_VALUE"):
        reader()


def test_unset_and_blank_values_take_the_default(monkeypatch):
    monkeypatch.setenv("WZ_BLANK", "  ")
    assert env.env_int("WZ_BLANK", default=3) == 3
    assert env.env_list("WZ_UNSET_FOR_SURE", default=["x"]) == ["x"]


def test_postgres_urls_get_persistent_checked_connections():
    os.environ.pop("WZ_DB", None)
    config = env.env_database("WZ_DB", default="postgres://tracker@db.internal:5432/tracker")
    assert (config["ENGINE"], config["NAME"], config["HOST"]) == (
        "django.db.backends.postgresql", "tracker", "db.internal",
    )  # fmt: skip
    assert config["CONN_HEALTH_CHECKS"] is True


def test_postgres_connections_compile_no_query_just_in_time(monkeypatch):
    """JIT off, beside any options the URL gives (PostgreSQL's JIT cost a past day's board 1.9 s of 2.1)."""
    monkeypatch.setenv(
        "WZ_DB", "postgres://tracker@db.internal:5432/tracker?options=-c%20statement_timeout%3D5000"
    )
    config = env.env_database("WZ_DB", default="sqlite:///x")
    assert config["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"


@pytest.mark.django_db
def test_the_test_database_connection_has_jit_off(settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the unit suite runs on it in CI)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)


def _import_settings(**variables: str) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"}
    }
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import wuzhong_tracker.settings as s; print(s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)",
        ],
        cwd=PROJECT_ROOT,
        env=clean | variables,
        capture_output=True,
        text=True,
        check=False,
    )


def test_secret_key_is_required_when_debug_is_off():
    result = _import_settings(DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_production_settings_import_with_a_secret_key_and_a_broker():
    result = _import_settings(
        DEBUG="false", SECRET_KEY=secrets.token_urlsafe(50), CELERY_BROKER_URL="redis://127.0.0.1:6379/0"
    )
    assert result.stdout.split() == ["False", "False"], result.stderr


@pytest.mark.parametrize("key", ["x" * 50, "short-but-varied-0123456789"], ids=["repetitive", "short"])
def test_a_weak_secret_key_stops_start_up_when_debug_is_off(key):
    result = _import_settings(DEBUG="false", SECRET_KEY=key)
    assert result.returncode != 0
    assert "SECRET_KEY is too weak" in result.stderr


def test_without_a_broker_celery_tasks_run_inline():
    result = _import_settings(DEBUG="true")
    assert result.stdout.split() == ["True", "True"], result.stderr


def test_a_bad_broker_url_stops_start_up():
    result = _import_settings(DEBUG="true", CELERY_BROKER_URL="amqp//nowhere")
    assert result.returncode != 0
    assert "CELERY_BROKER_URL" in result.stderr
