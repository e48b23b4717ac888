"""Every command docker-compose.yml runs is a `make` target that exists and starts: init finishes, then web,
worker and beat run side by side against PostgreSQL and Redis, and /healthz reports all four checks fine."""

import subprocess

import pytest
import requests

from tests.integration.stack import compose_commands
from tests.integration.support import PROJECT_ROOT, wait_until

pytestmark = pytest.mark.integration


def test_the_compose_services_are_the_make_targets_of_the_project():
    commands = compose_commands()

    assert commands == {
        "init": ["make", "init"],
        "web": ["make", "web"],
        "worker": ["make", "worker"],
        "beat": ["make", "beat"],
    }
    for command in commands.values():
        dry_run = subprocess.run([*command, "--dry-run"], cwd=PROJECT_ROOT, capture_output=True, text=True)
        assert dry_run.returncode == 0, dry_run.stderr


def test_every_compose_command_starts_and_the_stack_is_healthy(make_stack, postgres_database):
    stack = make_stack(database_url=postgres_database)  # empty: init migrates it from the start

    stack.init()
    # /healthz counts beat as fine once it has sent a scheduled task; the first is the outbox flush, due a
    # minute after beat starts. Every 5 s here, so that the test does not wait out that minute.
    stack.schedule_every("发件箱巡检", seconds=5)
    stack.start("web", "worker", "beat")

    def healthy():
        response = requests.get(f"{stack.url}/healthz", timeout=5)
        return response.status_code == 200 and response.json()

    health = wait_until(healthy, timeout=90)  # until beat's first tick is recorded
    assert {name: check["ok"] for name, check in health["checks"].items()} == {
        "database": True,
        "broker": True,
        "beat": True,
        "sweep": True,
    }
    assert stack.scalar("SELECT count(*) FROM targets_target") == 138
    assert stack.scalar("SELECT evaluated FROM progress_sweeprun") == 138
    admin_css = requests.get(f"{stack.url}/static/admin/css/base.css", timeout=5)
    assert admin_css.status_code == 200  # served by gunicorn itself (WhiteNoise)
