"""What the integration tests share besides fixtures: where the project is, how to run its commands, how to
and how to wait for a condition."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

POSTGRES_URL = os.environ.get("WUZHONG_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("WUZHONG_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def project_environment(**variables: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CELERY_BROKER_URL"}}
    # The suite runs on the real clock against the 2020 report, years after 2020 closed: the year lock
    # (progress/years.py, tested in tests/targets/test_years_side_by_side.py) would refuse every entry it
    # submits, so its processes give a closed year a century of grace.
    return environment | {"DEBUG": "true", "YEAR_LOCK_GRACE_DAYS": "36500"} | variables


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


def wait_until(condition, *, timeout: float, interval: float = 0.5):
    """Poll `condition` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    pytest.fail(f"condition not met within {timeout} s")
