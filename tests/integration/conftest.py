"""The integration suite runs against real services. Where one is unreachable its tests are skipped with
the reason printed (`-ra`), except under CI=true, where an unreachable service fails the test instead."""

import os
import uuid

import psycopg
import pytest

POSTGRES_URL = os.environ.get("WUZHONG_TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")


def service_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a required service is unavailable: {reason}")
    pytest.skip(reason)


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
