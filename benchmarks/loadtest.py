"""The load test behind `make loadtest`: fifty officials at once against `make web`, then a check that nothing
was lost.

    python benchmarks/loadtest.py [--officials 50] [--seconds 60] [--targets 5000] [--think 1]
                                  [--web-concurrency 3] [--gunicorn-args "--worker-class gthread --threads 4"]
                                  [--postgres-url postgres://postgres@127.0.0.1:5432/wuzhong_loadtest]
                                  [--redis-url redis://127.0.0.1:6379/12] [--json var/bench/loadtest.json]

1. (Re)creates the dedicated database, migrates it and generates the scale data (benchmarks.scale_data:
   a hundred targets led per department, one official each, so `--targets` is at least 100 × officials),
   this year's report filled up to three months ago, so that every official has months due and unreported;
   the status sweep runs once, as the night before.
2. Signs the officials in (a session each, written as a sign-in would write it: the load is the work, not
   the password hashing) and lists, for each, the periods due and unreported of the targets their
   department leads.
3. Starts the production processes as deployed: `make web` (gunicorn, DEBUG off; `--gunicorn-args` through
   gunicorn's own GUNICORN_CMD_ARGS) and `make worker` (Celery on Redis, which recomputes a target after
   each entry).
4. For `--seconds`, each official in a thread of its own, one keep-alive connection, in a loop: lists their
   targets (`GET /api/targets/`), submits one figure (`POST /api/entries/`) and reads their lagging board
   (`GET /api/boards/lagging/`), pausing between two requests as a person reading the answer would
   (`--think`, 1 s on average; `--think 0`: as fast as the server answers, a stress test).
5. Waits for the worker to empty its queue, stops the processes and checks: every acknowledged entry (201)
   exists exactly once, no entry exists that was not acknowledged, and a status sweep finds nothing to
   change (every stored status equals a fresh evaluation).

Prints the latency percentiles of each request kind and in all, the throughput and the errors; exits 1 on
any error or failed check. The figures are the machine's: run it on a quiet machine.
"""

import argparse
import datetime as dt
import http.client
import json
import os
import random
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.run import _recreate_database  # noqa: E402  (the bench's own database handling)

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wuzhong_loadtest"
DEFAULT_REDIS = "redis://127.0.0.1:6379/12"
KINDS = ("list", "submit", "lagging")


# ------------------------------------------------------------------------------------------- children


def _django():
    import django

    django.setup()


def prepare(args) -> int:
    """Steps 1 and 2, in a process with Django set up; writes the officials' sessions and work to --json."""
    _django()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command
    from django.db import connection
    from django.middleware.csrf import _get_new_csrf_string

    from benchmarks.scale_data import USERNAME_PREFIX, scale_data_generate
    from progress.judging import target_rule
    from progress.models import ProgressEntry
    from progress.rules import period_ends
    from progress.statuses import status_sweep
    from targets.models import DepartmentRole, Target
    from wuzhong_tracker import clock

    today = clock.today()
    year, months = _data_year(today)
    call_command("migrate", verbosity=0, interactive=False)
    summary = scale_data_generate(targets=args.targets, months=months, year=year, managers=5)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them in production
    status_sweep(today=today)
    print(f"  generated {summary.targets} targets, {summary.entries} entries ({year}, {months} months)")

    officials = list(
        get_user_model()
        .objects.filter(username__startswith=f"{USERNAME_PREFIX}official_")
        .select_related("membership__department")
        .order_by("username")[: args.officials]
    )
    if len(officials) < args.officials:
        raise SystemExit(f"only {len(officials)} officials at {args.targets} targets: raise --targets")
    reported = set(ProgressEntry.objects.values_list("target_id", "period_end"))
    people = []
    for official in officials:
        led = Target.objects.filter(
            assignments__department=official.membership.department, assignments__role=DepartmentRole.LEAD
        ).select_related("report")
        work = [
            [target.pk, period_end.isoformat(), _figure(target)]
            for target in led
            for period_end in period_ends(target_rule(target))
            if period_end <= today and (target.pk, period_end) not in reported
        ]
        session = SessionStore()
        session[SESSION_KEY] = str(official.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # ModelBackend
        session[HASH_SESSION_KEY] = official.get_session_auth_hash()
        session.create()
        people.append(
            {
                "username": official.username,
                "session": session.session_key,
                "csrf": _get_new_csrf_string(),
                "work": work,
            }
        )
    Path(args.json).write_text(json.dumps({"today": today.isoformat(), "officials": people}))
    print(
        f"  {len(people)} officials signed in; {min(len(p['work']) for p in people)} periods due at least each"
    )
    return 0


def _data_year(today: dt.date) -> tuple[int, int]:
    """This year's report filled up to three months ago (last year's, filled to September, in its first
    quarter): the months since are due and unreported."""
    return (today.year, today.month - 3) if today.month > 3 else (today.year - 1, 9)


def _figure(target) -> str:
    """A plausible figure: a milestone's 60 %, else seven tenths of the goal (never 50 times off)."""
    if target.comparator == "done" or target.value is None:
        return "60"
    return str(round(float(target.value) * 0.7, 2))


def verify(args) -> int:
    """Step 5's checks, with Django set up; reads the acknowledged entries from --json."""
    _django()
    from django.db.models import Count

    from progress.models import ProgressEntry
    from progress.statuses import status_sweep

    run = json.loads(Path(args.json).read_text())
    acknowledged = {item["id"]: (item["target"], item["period_end"]) for item in run["acknowledged"]}
    started = dt.datetime.fromisoformat(run["started"])
    stored = {
        entry.pk: (entry.target_id, entry.period_end.isoformat())
        for entry in ProgressEntry.objects.filter(submitted_at__gte=started)
    }
    doubled = (
        ProgressEntry.objects.values("target_id", "period_end")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    missing = [pk for pk, key in acknowledged.items() if stored.get(pk) != key]
    unacknowledged = [pk for pk in stored if pk not in acknowledged]
    sweep = status_sweep()
    checks = {
        "acknowledged entries": len(acknowledged),
        "acknowledged but missing or different": len(missing),
        "stored but never acknowledged": len(unacknowledged),
        "target-periods with two entries": doubled,
        "statuses a fresh sweep changed": sweep.changes,
    }
    Path(args.json).write_text(json.dumps(checks))
    return 0


# ------------------------------------------------------------------------------------------- parent


class Official(threading.Thread):
    """One official's loop on one keep-alive connection: list, submit, read the lagging board."""

    def __init__(self, person: dict, port: int, deadline: float, think: float, seed: int):
        super().__init__(daemon=True)
        self.person, self.port, self.deadline, self.think = person, port, deadline, think
        self.pause = random.Random(seed)
        self.samples: list[tuple[str, float]] = []
        self.errors: list[str] = []
        self.acknowledged: list[dict] = []

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {
            "Cookie": f"sessionid={self.person['session']}; csrftoken={self.person['csrf']}",
            "X-CSRFToken": self.person["csrf"],
            "Accept": "application/json",
        }
        work = iter(self.person["work"])
        while time.monotonic() < self.deadline:
            self._request(connection, headers, "list", "GET", "/api/targets/?page_size=50")
            item = next(work, None)
            if item is not None:
                target, period_end, value = item
                body = json.dumps({"target": target, "period_end": period_end, "value": value})
                answer = self._request(
                    connection, headers | {"Content-Type": "application/json"}, "submit", "POST",
                    "/api/entries/", body, expect=201,
                )  # fmt: skip
                if answer is not None:
                    self.acknowledged.append({"id": answer["id"], "target": target, "period_end": period_end})
            self._request(connection, headers, "lagging", "GET", "/api/boards/lagging/")
        connection.close()

    def _request(self, connection, headers, kind, method, path, body=None, expect=200):
        if self.think:  # a person reads the page before the next click: 0.5 to 1.5 times --think
            time.sleep(self.pause.uniform(0.5 * self.think, 1.5 * self.think))
        started = time.perf_counter()
        # A keep-alive connection the server closed while idle fails on its next use: as a browser does, a
        # read is sent again once on a new connection; a submission is not (it may have been saved).
        for attempt in (1, 2):
            try:
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
                break
            except (OSError, http.client.HTTPException) as error:
                connection.close()  # reconnects on the next request
                if method != "GET" or attempt == 2:
                    self.errors.append(f"{kind}: {error!r}")
                    return None
        self.samples.append((kind, time.perf_counter() - started))
        if response.status != expect:
            self.errors.append(f"{kind}: HTTP {response.status} {content[:200]!r}")
            return None
        return json.loads(content) if kind == "submit" else True


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _wait_for(url_path: str, port: int, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", url_path)
            if connection.getresponse().status < 500:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the web server did not answer {url_path} within {timeout:.0f} s")


def _queue_empty(redis_url: str, *, timeout: float) -> bool:
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if client.llen("celery") == 0:
            time.sleep(3)  # the tasks the worker took last finish
            if client.llen("celery") == 0:
                return True
        time.sleep(0.5)
    return False


def _free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def parent(args) -> int:
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL", "DEMO_TODAY")
    }
    port = _free_port()
    env |= {
        "DATABASE_URL": args.postgres_url,
        "CELERY_BROKER_URL": args.redis_url,
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",  # plain HTTP on 127.0.0.1
        "PORT": str(port),
        "WEB_CONCURRENCY": str(args.web_concurrency),
        "GUNICORN_CMD_ARGS": args.gunicorn_args,
        "DJANGO_SETTINGS_MODULE": "wuzhong_tracker.settings",
        "PYTHONPATH": str(ROOT),
    }
    out = Path(args.json)
    out.parent.mkdir(parents=True, exist_ok=True)
    work_file = out.with_suffix(".work.json")
    _recreate_database(args.postgres_url)
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    me = [sys.executable, __file__, "--targets", str(args.targets), "--officials", str(args.officials)]
    print(f"== load test: {args.officials} officials, {args.seconds} s, {args.targets} targets", flush=True)
    subprocess.run([*me, "--prepare", "--json", str(work_file)], env=env, cwd=ROOT, check=True)
    people = json.loads(work_file.read_text())["officials"]

    logs = out.parent / "loadtest-logs"
    logs.mkdir(exist_ok=True)
    processes = [
        subprocess.Popen(
            ["make", "--no-print-directory", name],
            env=env,
            cwd=ROOT,
            start_new_session=True,
            stdout=(logs / f"{name}.log").open("w"),
            stderr=subprocess.STDOUT,
        )
        for name in ("web", "worker")
    ]
    try:
        _wait_for("/admin/login/", port, timeout=60)
        started_at = dt.datetime.now(dt.UTC)
        deadline = time.monotonic() + args.seconds
        officials = [Official(person, port, deadline, args.think, seed) for seed, person in enumerate(people)]
        wall = time.perf_counter()
        for official in officials:
            official.start()
        for official in officials:
            official.join()
        wall = time.perf_counter() - wall
        drained = _queue_empty(args.redis_url, timeout=120)
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)

    acknowledged = [item for official in officials for item in official.acknowledged]
    work_file.write_text(json.dumps({"started": started_at.isoformat(), "acknowledged": acknowledged}))
    subprocess.run([*me, "--verify", "--json", str(work_file)], env=env, cwd=ROOT, check=True)
    checks = json.loads(work_file.read_text())
    work_file.unlink()

    samples = [sample for official in officials for sample in official.samples]
    errors = [error for official in officials for error in official.errors]
    results = {
        "command": " ".join(["python", "benchmarks/loadtest.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "web": {"concurrency": args.web_concurrency, "gunicorn_args": args.gunicorn_args},
        "officials": args.officials,
        "think_seconds": args.think,
        "seconds": round(wall, 1),
        "requests": len(samples),
        "per_second": round(len(samples) / wall, 1),
        "errors": len(errors),
        "first_errors": errors[:5],
        "queue_drained": drained,
        "checks": checks,
        "latency_ms": {},
    }
    print(f"\n{'requests':<10} {'count':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for kind in (*KINDS, "all"):
        values = [seconds for name, seconds in samples if kind in (name, "all")]
        if not values:
            continue
        figures = {
            "count": len(values),
            "p50": round(statistics.median(values) * 1000),
            "p95": round(_percentile(values, 0.95) * 1000),
            "p99": round(_percentile(values, 0.99) * 1000),
            "max": round(max(values) * 1000),
        }
        results["latency_ms"][kind] = figures
        print(
            f"{kind:<10} {figures['count']:>7} {figures['p50']:>8} {figures['p95']:>8} {figures['p99']:>8} {figures['max']:>8}"
        )
    print(
        f"\n{results['requests']} requests in {results['seconds']} s ({results['per_second']}/s), {len(errors)} errors"
    )
    for error in errors[:5]:
        print(f"  error: {error}")
    print(f"worker queue drained: {drained}")
    for name, value in checks.items():
        print(f"  {name}: {value}")
    lost = any(checks[name] for name in checks if name != "acknowledged entries")
    p95 = results["latency_ms"].get("all", {}).get("p95")
    print(f"issue #14's targets: {_targets_line(args, errors=len(errors), p95=p95, lost=lost)}")
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"JSON: {out}")
    return 1 if errors or lost or not drained else 0


def _targets_line(args, *, errors: int, p95: int | None, lost: bool) -> str:
    """Issue #14's targets for the load test, each with ✓ or ✗: 50 officials, 60 s, 0 errors, p95 ≤ 1 s,
    nothing lost (no acknowledged entry missing or doubled, no stored status stale)."""
    marks = (
        (f"{args.officials} officials (50)", args.officials >= 50),
        (f"{args.seconds} s (60)", args.seconds >= 60),
        (f"{errors} errors (0)", errors == 0),
        (f"p95 {p95} ms (≤1,000)", p95 is not None and p95 <= 1000),
        ("nothing lost" if not lost else "something lost", not lost),
    )
    return "  ".join(f"{text} {'✓' if met else '✗'}" for text, met in marks)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--officials", type=int, default=int(os.environ.get("LOADTEST_OFFICIALS", "50")))
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOADTEST_SECONDS", "60")))
    parser.add_argument("--targets", type=int, default=int(os.environ.get("LOADTEST_TARGETS", "5000")))
    parser.add_argument(
        "--think", type=float, default=float(os.environ.get("LOADTEST_THINK", "1")),
        help="seconds a person takes between two requests (0.5–1.5 times this); 0: as fast as answered",
    )  # fmt: skip
    parser.add_argument("--web-concurrency", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
    parser.add_argument("--gunicorn-args", default=os.environ.get("LOADTEST_GUNICORN_ARGS", ""))
    parser.add_argument("--postgres-url", default=os.environ.get("LOADTEST_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--redis-url", default=os.environ.get("LOADTEST_REDIS_URL", DEFAULT_REDIS))
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "loadtest.json"))
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--verify", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        return prepare(args)
    if args.verify:
        return verify(args)
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
