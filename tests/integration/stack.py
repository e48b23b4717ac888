"""The production stack as processes on this machine: the services of docker-compose.yml that are built from
this project (init, web, worker, beat), each started with the very command the compose file gives it, against
a PostgreSQL database and a Redis server of the test's own.

    stack.init()                      # compose's `init` command: migrate, load the report, first sweep
                                      # (on an empty database; make_stack's default is a copy of one it ran on)
    stack.start("web", "worker", "beat")
    official = stack.browser_session("agri_official")
    stack.kill("worker", signal.SIGKILL)

Every process runs in a session of its own so that a kill reaches make, gunicorn or celery and all their
children at once, as `docker kill` would. Logs are kept under test-artifacts/integration/<test>/.
"""

import os
import re
import secrets
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import requests
import yaml

from tests.integration.support import PROJECT_ROOT, project_environment, wait_until
from tests.services import service_unavailable
from tests.smtp import free_port

COMPOSE_FILE = PROJECT_ROOT / "docker-compose.yml"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "integration"
DEMO_PASSWORD = "{username}-demo-2020"


def compose_commands() -> dict[str, list[str]]:
    """The command of each service docker-compose.yml builds from this project's image."""
    services = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))["services"]
    return {name: service["command"] for name, service in services.items() if "build" in service}


# What each long-running process prints once it is ready for work.
READY = {
    "worker": re.compile(r"celery@\S+ ready\."),
    "beat": re.compile(r"beat: Starting\.\.\."),
}


@dataclass
class Stack:
    environment: dict[str, str]
    database_url: str
    logs: Path
    web_port: int
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def init(self) -> None:
        result = subprocess.run(
            compose_commands()["init"], cwd=PROJECT_ROOT, env=self.environment,
            capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        (self.logs / "init.log").write_text(result.stdout + result.stderr, encoding="utf-8")
        assert result.returncode == 0, result.stdout + result.stderr
        self.manage("create_demo_accounts", "--force")  # known passwords for the tests to sign in with

    def start(self, *services: str) -> None:
        for service in services:
            log = open(self.logs / f"{service}.log", "a", encoding="utf-8")  # noqa: SIM115 (closed in stop)
            self.processes[service] = subprocess.Popen(
                compose_commands()[service], cwd=PROJECT_ROOT, env=self.environment,
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
            log.close()
        for service in services:
            self.wait_ready(service)

    def wait_ready(self, service: str) -> None:
        def ready() -> bool:
            process = self.processes[service]
            assert process.poll() is None, f"{service} exited ({process.returncode}):\n{self.log(service)}"
            if service == "web":
                try:
                    return requests.get(f"{self.url}/healthz", timeout=15).status_code in {200, 503}
                except requests.RequestException:  # not listening yet, or still loading the project
                    return False
            return bool(READY[service].search(self.log(service)))

        wait_until(ready, timeout=90)

    def kill(self, service: str, sig: signal.Signals = signal.SIGTERM) -> None:
        process = self.processes.pop(service)
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def stop_all(self) -> None:
        """At the end of a test: nothing is left to finish, so no graceful shutdown to wait for (a warm
        Celery shutdown and gunicorn's took seconds a test)."""
        for service in list(self.processes):
            self.kill(service, signal.SIGKILL)

    def log(self, service: str) -> str:
        path = self.logs / f"{service}.log"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [str(PROJECT_ROOT / ".venv" / "bin" / "python"), "manage.py", *args], cwd=PROJECT_ROOT,
            env=self.environment, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        return result.stdout

    def sql(self, query: str, params: tuple = ()) -> list[tuple]:
        with psycopg.connect(self.database_url, autocommit=True) as connection:
            cursor = connection.execute(query, params)
            return cursor.fetchall() if cursor.description else []

    def scalar(self, query: str, params: tuple = ()):
        return self.sql(query, params)[0][0]

    def schedule_every(self, name: str, seconds: int) -> None:
        """Make the django-celery-beat task `name` run (enabled) every `seconds`; beat notices the change
        within its 5-second loop."""
        self.manage(
            "shell", "-c",
            "from django_celery_beat.models import IntervalSchedule, PeriodicTask\n"
            f"interval, _ = IntervalSchedule.objects.get_or_create(every={seconds}, period='seconds')\n"
            f"PeriodicTask.objects.filter(name={name!r}).update(interval=interval, crontab=None, enabled=True)\n"
            "from django_celery_beat.models import PeriodicTasks\n"
            "PeriodicTasks.update_changed()",
        )  # fmt: skip

    def session(self, username: str) -> requests.Session:
        """A signed-in admin session of a demo account, through the real login form."""
        session = requests.Session()
        login_url = f"{self.url}/admin/login/"
        page = session.get(login_url, timeout=10)
        response = session.post(
            login_url,
            data={
                "csrfmiddlewaretoken": csrf_token(page.text),
                "username": username,
                "password": DEMO_PASSWORD.format(username=username),
                "next": "/admin/",
            },
            timeout=10,
        )
        assert response.status_code == 200 and "sessionid" in session.cookies, response.text[:2000]
        return session


# A small valid PDF, as evidence.
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def agriculture_milestones(stack: Stack, count: int = 1) -> list[tuple[int, str]]:
    """(id, code) of milestones (comparator "done") the agriculture bureau leads: a final 100 % achieves one,
    whatever the date, so a test can see its status change from overdue."""
    return stack.sql(
        "SELECT t.id, t.code FROM targets_target t "
        "JOIN targets_targetdepartment a ON a.target_id = t.id AND a.role = 'lead' "
        "JOIN targets_department d ON d.id = a.department_id AND d.code = 'agriculture' "
        "WHERE t.comparator = 'done' ORDER BY t.code LIMIT %s",
        (count,),
    )


def csrf_token(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def submit_entry(session: requests.Session, stack: Stack, *, target_id: int, period_end: str, value: str,
                 evidence: bytes | None = None) -> requests.Response:  # fmt: skip
    """Fill in and send the admin's 进度填报 form as an official does."""
    add_url = f"{stack.url}/admin/progress/progressentry/add/"
    form = session.get(add_url, timeout=10)
    assert form.status_code == 200, form.text[:2000]
    files = {"evidence": ("统计快报.pdf", evidence, "application/pdf")} if evidence else None
    return session.post(
        add_url,
        data={
            "csrfmiddlewaretoken": csrf_token(form.text),
            "target": str(target_id),
            "period_end": period_end,
            "value": value,
            "is_final": "on",
            "provenance": "estimate",
            "note": "全年完成情况",
        },
        files=files,
        timeout=30,
        allow_redirects=False,
    )


@dataclass
class RedisServer:
    """A Redis server of the test's own (append-only, like docker-compose's), that a test may stop."""

    directory: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "yes", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, check=False
        ).stdout.strip() == "PONG", timeout=20)  # fmt: skip

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)
            self.process = None


@dataclass
class PostgresCluster:
    """A PostgreSQL cluster of the test's own (initdb as the postgres user), so that a test may restart it."""

    directory: Path
    port: int = field(default_factory=free_port)

    BIN = Path("/usr/lib/postgresql") / "15" / "bin"

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _as_postgres(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def create(self) -> None:
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres")
        self._as_postgres(
            str(self.BIN / "initdb"), "-D", str(self.directory / "data"), "-A", "trust", "-U", "postgres",
            "-E", "UTF8", "--locale", "C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.start()

    def _pg_ctl(self, action: str) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(self.BIN / "pg_ctl"), "-D", str(self.directory / "data"), "-l", str(self.directory / "log"),
            "-w", "-m", "fast", "-o", options, action,
        )  # fmt: skip

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart")

    def stop(self) -> None:
        self._pg_ctl("stop")


def stack_environment(*, database_url: str, broker_url: str, web_port: int, media: Path, static: Path,
                      **overrides: str) -> dict[str, str]:  # fmt: skip
    """What .env.example sets, pointed at this machine's services, with DEBUG off as in production."""
    environment = project_environment(
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=broker_url,
        CACHE_URL=broker_url,
        ALLOWED_HOSTS="127.0.0.1,localhost",
        SITE_URL=f"http://127.0.0.1:{web_port}",
        SESSION_COOKIE_SECURE="false",
        SECURE_SSL_REDIRECT="false",  # gunicorn on plain HTTP at 127.0.0.1, as on a trusted intranet
        PORT=str(web_port),
        WEB_CONCURRENCY="2",
        WORKER_CONCURRENCY="2",
        MEDIA_ROOT=str(media),
        STATIC_ROOT=str(static),
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(free_port()),
        EMAIL_TIMEOUT="5",
    )
    return environment | overrides


def redis_server_available() -> None:
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        service_unavailable("redis-server / redis-cli are not installed")


def wait_for_log(stack: Stack, service: str, pattern: str, timeout: float = 90) -> None:
    wait_until(lambda: re.search(pattern, stack.log(service)), timeout=timeout)


def settle(seconds: float) -> None:
    """Give a duplicate, if there were to be one, the time to appear."""
    time.sleep(seconds)
