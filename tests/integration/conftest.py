"""The integration suite runs against real services. Where one is unreachable its tests are skipped with
the reason printed (`-ra`), except under CI=true, where an unreachable service fails the test instead."""

import datetime as dt
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path
from zoneinfo import ZoneInfo

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
from tests.integration.support import POSTGRES_URL, REDIS_URL, manage, project_environment
from tests.services import service_unavailable
from tests.smtp import free_port

WUZHONG = ZoneInfo("Asia/Shanghai")


def _admin_connection() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as error:
        service_unavailable(f"PostgreSQL at {POSTGRES_URL} is unreachable: {error}".strip())


def _database_url(name: str) -> str:
    return f"{POSTGRES_URL.rsplit('/', 1)[0]}/{name}"


@pytest.fixture
def postgres_database():
    """A new, empty PostgreSQL database for one test; its URL is yielded and the database dropped after."""
    admin = _admin_connection()
    name = f"wuzhong_it_{uuid.uuid4().hex[:12]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _database_url(name)
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


class TemplateDatabases:
    """The databases most tests start from, made once per session and copied for each test with
    `CREATE DATABASE … TEMPLATE …` (a second, where migrating and loading took a minute of commands):

    - `loaded`: migrated, the 2020 report loaded (`migrate`, `load_report`), nothing judged yet;
    - `initialised`: a copy of `loaded` that compose's `init` command (`make init`: migrate, load the
      report, collect the static files into `static`, the first sweep) and `create_demo_accounts --force`
      ran on — the database of a stack once its `init` has finished. Its sweep judged the targets as of
      that day in Wuzhong; it is made again should a test start on another day.

    `make init` itself, from an empty database, is run by the tests about it
    (test_compose_commands.py, test_fault_postgres_restart.py); migrations and the report load on an
    empty PostgreSQL database by test_postgres_report_load.py."""

    def __init__(self, admin: psycopg.Connection, static: Path):
        self.admin, self.static = admin, static
        self.names: list[str] = []
        self._initialised: tuple[dt.date, str] | None = None
        self.loaded = self._create()
        environment = project_environment(DATABASE_URL=_database_url(self.loaded))
        manage(environment, "migrate", "--noinput")
        manage(environment, "load_report")

    def _create(self, template: str | None = None) -> str:
        name = f"wuzhong_it_{'copy' if template else 'template'}_{uuid.uuid4().hex[:12]}"
        self.admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        self.names.append(name)
        return name

    def initialised(self) -> str:
        today = dt.datetime.now(WUZHONG).date()
        if self._initialised is None or self._initialised[0] != today:
            name = self._create(self.loaded)
            environment = stack_environment(
                database_url=_database_url(name), broker_url=REDIS_URL, web_port=free_port(),
                media=self.static.parent / "media", static=self.static,
            )  # fmt: skip
            stack = Stack(environment=environment, database_url=_database_url(name), logs=self.static.parent,
                          web_port=0)  # fmt: skip
            stack.init()
            self._initialised = (today, name)
        return self._initialised[1]

    def copy(self, template: str) -> str:
        return self._create(template)

    def drop_all(self) -> None:
        for name in reversed(self.names):
            self.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template_databases(tmp_path_factory):
    admin = _admin_connection()
    templates = TemplateDatabases(admin, tmp_path_factory.mktemp("integration-templates") / "static")
    yield templates
    templates.drop_all()
    admin.close()


@pytest.fixture
def loaded_database(template_databases):
    """A copy of the `loaded` template (see TemplateDatabases): migrated, the report loaded; its URL."""
    name = template_databases.copy(template_databases.loaded)
    yield _database_url(name)
    template_databases.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def initialised_database(template_databases):
    """A copy of the `initialised` template: the database of a stack whose `make init` has finished."""
    name = template_databases.copy(template_databases.initialised())
    yield _database_url(name)
    template_databases.admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
def make_stack(request, tmp_path, template_databases, redis_broker_url):
    """`make_stack(**environment)` gives the production stack (see stack.py) on a copy of the `initialised`
    template (the database `make init` leaves; pass `database_url=` for another, and call `stack.init()`
    on an empty one) and this machine's Redis (or the given ones); every process it started is stopped
    after the test, logs kept in test-artifacts/integration/<test>/."""
    stacks = []
    logs = ARTIFACTS / request.node.name
    shutil.rmtree(logs, ignore_errors=True)
    logs.mkdir(parents=True)

    def make(database_url: str | None = None, broker_url: str = redis_broker_url, **overrides: str) -> Stack:
        if database_url is None:
            database_url = request.getfixturevalue("initialised_database")
        web_port = free_port()
        environment = stack_environment(
            database_url=database_url,
            broker_url=broker_url,
            web_port=web_port,
            media=tmp_path / "media",
            static=template_databases.static,
            **overrides,
        )
        stack = Stack(environment=environment, database_url=database_url, logs=logs, web_port=web_port)
        stacks.append(stack)
        return stack

    yield make
    for stack in stacks:
        stack.stop_all()
