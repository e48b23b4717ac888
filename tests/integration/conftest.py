"""The integration suite runs against real services. Where one is unreachable its tests are skipped with
the reason printed (`-ra`), except under CI=true, where an unreachable service fails the test instead."""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psycopg
import pytest
import redis

from tests.services import service_unavailable

POSTGRES_URL = os.environ.get("WUZHONG_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("WUZHONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def postgres_database():
    """A new, empty PostgreSQL database for one test; its URL is yielded and the database dropped after."""
    try:
        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_unavailable(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}".strip())
    name = f"wuzhong_it_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base = POSTGRES_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


@pytest.fixture
def redis_broker_url():
    """The real Redis, on a database of its own, emptied before the test."""
    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3)
        client.flushdb()
    except redis.RedisError as error:
        service_unavailable(f"Redis at {REDIS_URL} is unreachable: {error}")
    yield REDIS_URL
    client.flushdb()


def project_environment(**variables: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    return environment | {"DEBUG": "true"} | variables


def manage(environment: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.fixture
def celery_worker_process():
    """Start a real `celery worker` process with the given environment; stopped after the test."""
    processes = []

    def start(environment: dict[str, str]) -> subprocess.Popen:
        log = open(Path(environment.get("WORKER_LOG", "/dev/null")), "w")  # noqa: SIM115
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "wuzhong_tracker", "worker", "--pool", "solo",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=PROJECT_ROOT, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        processes.append((process, log))
        return process

    yield start
    for process, log in processes:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def wait_until(condition, *, timeout: float, interval: float = 0.5):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
