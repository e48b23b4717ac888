"""The integration suite runs against real services. Where one is unreachable its tests are skipped with
the reason printed (`-ra`), except under CI=true, where an unreachable service fails the test instead."""

import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import psycopg
import pytest
import redis

from tests.integration.stack import (
    ARTIFACTS,
    PostgresCluster,
    RedisServer,
    Stack,
    redis_server_available,
    stack_environment,
)
from tests.integration.support import POSTGRES_URL, REDIS_URL
from tests.services import service_unavailable
from tests.smtp import free_port


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


@pytest.fixture
def redis_server(tmp_path):
    """A Redis server of the test's own on a free port, started; the test may stop and restart it."""
    redis_server_available()
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def postgres_cluster():
    """A PostgreSQL 15 cluster of the test's own on a free port, started; the test may restart it."""
    if not (PostgresCluster.BIN / "initdb").exists():
        service_unavailable(f"PostgreSQL's initdb is not at {PostgresCluster.BIN}")
    # Directly under /tmp: the postgres user cannot reach into pytest's private tmp_path.
    directory = Path(tempfile.mkdtemp(prefix="wuzhong-postgres-"))
    cluster = PostgresCluster(directory)
    try:
        cluster.create()
    except subprocess.CalledProcessError as error:
        shutil.rmtree(directory, ignore_errors=True)
        service_unavailable(f"cannot create a PostgreSQL cluster: {error.stderr.decode(errors='replace')}")
    yield cluster
    cluster.stop()
    shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture
def make_stack(request, tmp_path, postgres_database, redis_broker_url):
    """`make_stack(**environment)` gives the production stack (see stack.py) on a fresh database and this
    machine's Redis (or the given ones); every process it started is stopped after the test, logs kept in
    test-artifacts/integration/<test>/."""
    stacks = []
    logs = ARTIFACTS / request.node.name
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)

    def make(
        database_url: str = postgres_database, broker_url: str = redis_broker_url, **overrides: str
    ) -> Stack:
        web_port = free_port()
        environment = stack_environment(
            database_url=database_url,
            broker_url=broker_url,
            web_port=web_port,
            media=tmp_path / "media",
            static=tmp_path / "static",
            **overrides,
        )
        stack = Stack(environment=environment, database_url=database_url, logs=logs, web_port=web_port)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()
