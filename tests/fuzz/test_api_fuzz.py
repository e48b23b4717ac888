"""The fuzz suite (marker `fuzz`): schemathesis, as its command line runs it (`st run --checks all`),
against the live test server, every operation of the published schema, once with an official's token
(张工信, 工业和信息化局) and once with a manager's (王督查). It fails on any 5xx, any answer that does not
conform to the schema (status, content type, headers, body), a schema-violating request accepted, and —
the project's own check (tests/fuzz/hooks.py) — any 4xx not in the documented error shape with a Chinese
message.

Deterministic (a fixed seed) and bounded (FUZZ_EXAMPLES generated cases per operation, 10 unless set, beside the coverage phase's;
README "Tests" gives the time). `positive_data_acceptance` is left out: a request that the schema allows
can still be refused by the rules (another department's target, a date that is no period end), which is
the 400 or 404 it should be.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.throttling import SimpleRateThrottle

from targets.models import Report

pytestmark = pytest.mark.fuzz

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = os.environ.get("FUZZ_EXAMPLES", "10")
SEED = "2020"


@pytest.fixture
def server(live_server, transactional_db, settings, tmp_path, monkeypatch) -> str:
    """The live server's address, with the report loaded (the live server needs committed data) and the
    throttles out of the way (the fuzzer is not an abusive client; throttling has tests of its own)."""
    if not Report.objects.filter(issuer="吴忠市人民政府", year=2020).exists():
        call_command("load_report", verbosity=0)
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"}
    )
    return live_server.url


def _fuzz(server: str, token: str, phases: str) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("st")),
        "run",
        f"{server}/api/schema/?format=json",
        "--checks", "all",
        "--exclude-checks", "positive_data_acceptance",
        "--exclude-path", "/api/schema/",  # the description, not the API's data
        "--header", f"Authorization: Token {token}",
        # A new connection per request: the live server is Django's development server, which answers bytes
        # left on a kept-alive connection by an earlier malformed case with a bare HTTP/0.9 error page
        # (seen once in CI as "Connection aborted. <!DOCTYPE HTML>" on a valid POST /api/notices/).
        "--header", "Connection: close",
        "--max-examples", EXAMPLES,
        "--seed", SEED,
        "--phases", phases,
        "--workers", "1",
        "--no-shrink",
        "--no-color",
    ]  # fmt: skip
    environment = {**os.environ, "SCHEMATHESIS_HOOKS": "tests.fuzz.hooks", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=environment, cwd=ROOT
    )


def test_every_operation_answers_without_5xx_in_its_documented_shape(server, official_zhang, manager_wang):
    """Both people at once (the live server is threaded). The manager, who sees everything, also gets the
    coverage phase (every boundary and invalid value of every parameter, which does not depend on who
    asks, and takes most of the time); the official gets the generated and the stateful cases, which
    reach their department's scoping and permissions."""
    # One schema request first: drf-spectacular loads its extensions on the first one, which is not safe in
    # two threads at once (the live server is threaded; gunicorn's workers are not).
    assert requests.get(f"{server}/api/schema/?format=json", timeout=60).status_code == 200
    runs = {
        "official": _fuzz(server, Token.objects.create(user=official_zhang).key, "examples,fuzzing,stateful"),
        "manager": _fuzz(
            server, Token.objects.create(user=manager_wang).key, "examples,coverage,fuzzing,stateful"
        ),
    }

    outputs = {who: run.communicate(timeout=600)[0] for who, run in runs.items()}

    for who, output in outputs.items():
        print(f"== {who}\n{output[output.find('Examples (') :]}")
    failed = {who: output[-20000:] for who, output in outputs.items() if runs[who].returncode != 0}
    assert failed == {}
