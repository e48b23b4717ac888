"""The benchmark behind `make bench`: the costly paths at the scale of a province, against the database's floor.

    python benchmarks/run.py [--sizes 2000,20000] [--months 12] [--repeat 5] [--sweep-repeat 3]
                             [--postgres-url postgres://postgres@127.0.0.1:5432/wuzhong_bench]
                             [--json var/bench/results.json]

For each size, the parent process (re)creates the dedicated database named in the URL (never the
`postgres` database's contents: it only connects there to CREATE and DROP the bench database), then runs a
child process on it that migrates, generates the data (`benchmarks.scale_data`) and measures every step:

- wall time, the median of `--repeat` runs after one warm-up run (the sweeps: `--sweep-repeat` runs, each
  from the same starting state);
- the number of SQL statements of one run (counted by an execute wrapper, which keeps no SQL text, so
  that counting does not itself cost memory);
- the peak of Python memory of one run (tracemalloc; a separate run, since tracing slows allocation).

For the status sweeps and the lagging/overdue report it also measures the floor: the same reads and
writes done by the fewest hand-written SQL statements (benchmarks/floor.py), and prints the ratio.
The reports, pages and the digest are measured with the clock at noon of the data's "as of" day, so that
they are as of today (read from the stored statuses the sweep left), as a manager opens them; the
manager's report, page, XLSX, summary, overview and scoreboard are measured again for the day before ("a
past date"): its statuses and snapshots are written first as the service leaves them (`past_day_statuses`),
and the targets whose snapshot of the day stands are read from it, the others judged from the history.
Pages are requested through Django's test client (force_login), so middleware and templates count.
The parent prints one table per size, one comparing the sizes, and writes everything to the JSON file.
"""

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/wuzhong_bench"


# ------------------------------------------------------------------------------------------- parent


def _maintenance_url(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"refusing to use {name!r} as the bench database: name a dedicated one")
    return urlunsplit(parts._replace(path="/postgres")), name


def _recreate_database(url: str, *, drop_only: bool = False) -> None:
    import psycopg

    maintenance, name = _maintenance_url(url)
    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            connection.execute(f'CREATE DATABASE "{name}"')


def parent(args) -> int:
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    results = {
        "command": " ".join(["python", "benchmarks/run.py", *sys.argv[1:]]),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "months": args.months,
        "sizes": {},
    }
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL")
    }
    env |= {
        "DATABASE_URL": args.postgres_url,
        "DEBUG": "false",
        # A throwaway key of the strength the settings require with DEBUG off (a fixed weak one is refused).
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "testserver,localhost",
        "SESSION_COOKIE_SECURE": "false",
        "SECURE_SSL_REDIRECT": "false",  # the test client speaks plain HTTP
        "DJANGO_SETTINGS_MODULE": "wuzhong_tracker.settings",
        "PYTHONPATH": str(ROOT),
    }
    out_dir = Path(args.json).parent
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        for size in sizes:
            _recreate_database(args.postgres_url)
            part = out_dir / f"size-{size}.json"
            command = [
                sys.executable, __file__, "--child", str(size), "--months", str(args.months),
                "--repeat", str(args.repeat), "--sweep-repeat", str(args.sweep_repeat), "--json", str(part),
            ]  # fmt: skip
            if args.only:
                command += ["--only", args.only]
            print(f"== {size} targets × {args.months} months", flush=True)
            subprocess.run(command, env=env, cwd=ROOT, check=True)
            results["sizes"][str(size)] = json.loads(part.read_text())
            part.unlink()
            _print_size(size, results["sizes"][str(size)])
    finally:
        if not args.keep:
            _recreate_database(args.postgres_url, drop_only=True)
    if len(sizes) > 1:
        _print_growth(sizes, results)
    Path(args.json).write_text(json.dumps(results, ensure_ascii=False, indent=2))
    print(f"\nJSON: {args.json}")
    return 0


# Issue #14's targets, at 20,000 targets × 12 months (printed beside every size, judged at that one):
# a step's median time (ms), its peak of Python memory (MB), or its ratio to the floor.
TARGET_SIZE = 20_000
TODAY_PAGE = {"ms": 150, "mb": 50}
PAST_PAGE = {"ms": 1000}
TARGETS = {
    "lagging report page (manager)": TODAY_PAGE,
    "API status summary (manager)": TODAY_PAGE,
    "chapter overview page (manager)": TODAY_PAGE,
    "scoreboard page (manager)": TODAY_PAGE,
    "weekly digest, 200 recipients (build)": {"ms": 1000, "mb": 50},
    "lagging report page (manager, a past date)": PAST_PAGE,
    "API status summary (manager, a past date)": PAST_PAGE,
    "chapter overview page (manager, a past date)": PAST_PAGE,
    "scoreboard page (manager, a past date)": PAST_PAGE,
    "lagging report XLSX (manager)": {"ms": 5000, "mb": 100},
    "sweep, first (every status new)": {"ratio": 2.5},
    "sweep, next day (most unchanged)": {"ratio": 2.5},
    "import 10,000 new rows": {"ms": 10_000},
}
MEASURED = {"ms": "median_ms", "mb": "peak_mb", "ratio": "ratio"}
UNITS = {"ms": " ms", "mb": " MB", "ratio": "×"}


def _target_text(step: dict, size: int) -> str:
    """The step's targets, each with ✓ or ✗ at TARGET_SIZE (none elsewhere): "≤150 ms ✓ ≤50 MB ✓"."""
    parts = []
    for kind, limit in TARGETS.get(step["name"], {}).items():
        mark = ""
        if size == TARGET_SIZE:
            mark = " ✓" if step.get(MEASURED[kind]) is not None and step[MEASURED[kind]] <= limit else " ✗"
        parts.append(f"≤{limit:g}{UNITS[kind]}{mark}")
    return "  ".join(parts)


def _print_size(size: int, data: dict) -> None:
    data_line = data["data"]
    print(
        f"\n{size} targets: {data_line['entries']} entries, {data_line['history_records']} history records, "
        f"{data_line['departments']} departments, {data_line['users']} users, as of {data_line['as_of']} "
        f"(generated in {data_line['seconds']:.1f} s)"
    )
    header = (
        f"{'step':<44} {'median ms':>10} {'runs':>4} {'queries':>8} {'peak MB':>8} {'floor ms':>9} {'ratio':>6}"
        f"  target (at {TARGET_SIZE:,})"
    )
    print(header)
    print("-" * len(header))
    for step in data["steps"]:
        floor = f"{step['floor_ms']:9.1f}" if step.get("floor_ms") is not None else " " * 9
        ratio = f"{step['ratio']:6.2f}" if step.get("ratio") is not None else " " * 6
        print(
            f"{step['name']:<44} {step['median_ms']:10.1f} {step['runs']:4d} {step['queries']:8d} "
            f"{step['peak_mb']:8.1f} {floor} {ratio}  {_target_text(step, size)}"
        )
    print(f"process peak RSS: {data['max_rss_mb']:.0f} MB")


def _print_growth(sizes: list[int], results: dict) -> None:
    small, large = str(sizes[0]), str(sizes[-1])
    factor = sizes[-1] / sizes[0]
    print(f"\nGrowth from {small} to {large} targets (×{factor:g}): time ratio (linear = {factor:g})")
    steps_small = {step["name"]: step for step in results["sizes"][small]["steps"]}
    for step in results["sizes"][large]["steps"]:
        before = steps_small.get(step["name"])
        if before and before["median_ms"]:
            growth = step["median_ms"] / before["median_ms"]
            mark = "✓" if growth <= factor else "✗ worse than linear"
            print(
                f"  {step['name']:<44} ×{growth:6.2f} {mark:<2}  queries {before['queries']} → {step['queries']}"
            )


# -------------------------------------------------------------------------------------------- child


class QueryCounter:
    """Counts statements (an executemany counts once) without keeping their text."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


@contextmanager
def counting():
    from django.db import connection

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        yield counter


def measure(name: str, action, *, repeat: int, setup=None) -> dict:
    """Median wall time of `repeat` runs after a warm-up run (which counts the statements), and the peak
    Python memory of one more run under tracemalloc."""
    from django.db import reset_queries

    def prepared():
        if setup is not None:
            setup()
        reset_queries()

    prepared()
    with counting() as counter:
        action()
    queries = counter.count
    times = []
    for _ in range(repeat):
        prepared()
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    prepared()
    tracemalloc.start()
    action()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    result = {
        "name": name,
        "median_ms": statistics.median(times),
        "runs": len(times),
        "all_ms": [round(value, 1) for value in times],
        "queries": queries,
        "peak_mb": peak / 1024 / 1024,
    }
    print(
        f"  {name}: {result['median_ms']:.1f} ms, {queries} queries, {result['peak_mb']:.1f} MB", flush=True
    )
    return result


def past_day_statuses(day) -> None:
    """The statuses and snapshots of `day` as the service leaves them: the daily sweep just after the day's
    midnight, then every target whose entries were written during the day recomputed just after its last
    one (as the recomputation that each entry queues does)."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from django.conf import settings
    from django.db.models import Max

    from progress.models import ProgressEntry
    from progress.selectors import end_of_day
    from progress.statuses import status_sweep, target_status_refresh
    from wuzhong_tracker import clock

    start = dt.datetime.combine(day, dt.time.min, tzinfo=ZoneInfo(settings.TIME_ZONE))
    with clock.travel(start + dt.timedelta(minutes=30)):
        status_sweep(today=day)
    written = (
        ProgressEntry.history.filter(history_date__gte=start, history_date__lt=end_of_day(day))
        .values_list("target_id")
        .annotate(last=Max("history_date"))
        .order_by("target_id")
    )
    for target_id, last in written:
        with clock.travel(last + dt.timedelta(minutes=1)):
            target_status_refresh(target_id=target_id, today=day)


def child(args) -> int:
    import django

    django.setup()
    import datetime as dt
    import resource
    from zoneinfo import ZoneInfo

    import time_machine
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from benchmarks import floor
    from benchmarks.scale_data import scale_data_generate
    from progress.boards import lagging_board
    from progress.notifications import digest_drafts
    from progress.statuses import status_sweep

    size = args.child
    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    summary = scale_data_generate(targets=size, months=args.months, seed=2020)
    seconds = time.perf_counter() - started
    floor.analyze()
    as_of = summary.as_of
    next_day = as_of + dt.timedelta(days=1)
    print(
        f"  generated {summary.targets} targets, {summary.entries} entries in {seconds:.1f} s; as of {as_of}",
        flush=True,
    )
    from django.contrib.auth import get_user_model

    User = get_user_model()
    manager = User.objects.get(username="scale_manager_001")
    official = User.objects.get(username="scale_official_001")
    admin = User.objects.get(username="scale_admin")
    steps = []
    only = set(args.only.split(",")) if args.only else None

    def wanted(key: str) -> bool:
        return only is None or key in only

    # "A past date": the day before, whose snapshots the statuses of that day left (past_day_statuses); the
    # digest compares with the end of the day a week before, whose snapshots the service left too.
    past = as_of - dt.timedelta(days=1)
    past_days = (as_of - dt.timedelta(days=7), past)

    # -- the status sweep, first (every status new) and next day (most unchanged) --------------------------
    if wanted("sweep"):

        def sweep_step(name: str, today: dt.date, *, first: bool, setup) -> dict:
            step = measure(name, lambda: status_sweep(today=today), repeat=args.sweep_repeat, setup=setup)
            expected = floor.stored_state(today)
            step_floor = floor.measure_floor(
                lambda: floor.sweep_floor(as_of=today, state=expected, first=first),
                repeat=args.sweep_repeat,
                setup=setup,
            )
            floor.check_same(expected, floor.stored_state(today))
            return step | step_floor | {"ratio": step["median_ms"] / step_floor["floor_ms"]}

        steps.append(
            sweep_step("sweep, first (every status new)", as_of, first=True, setup=floor.clear_statuses)
        )
        for day in past_days:
            past_day_statuses(day)
        status_sweep(today=as_of)
        floor.save_statuses()  # the state after the first sweep: the start of every next-day run
        steps.append(
            sweep_step(
                "sweep, next day (most unchanged)", next_day, first=False, setup=floor.restore_statuses
            )
        )
        floor.restore_statuses()
    else:
        for day in past_days:
            past_day_statuses(day)
        status_sweep(today=as_of)

    # -- the lagging/overdue report: the selector against its floor, then pages and exports ---------------
    clients = {}
    for role, user in (("manager", manager), ("official", official)):
        client = Client()
        client.force_login(user)
        clients[role] = client

    def page(path: str, client: Client):
        def get():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
            if response.streaming:
                # Sent chunk by chunk, as a server does: none is kept, so a streamed file is measured
                # without its whole content in memory.
                for _chunk in response.streaming_content:
                    pass
                response.close()
            return response

        return get

    # As of today: the clock at noon of the data's day (the selectors read the stored statuses then).
    def today():
        return time_machine.travel(
            dt.datetime.combine(as_of, dt.time(12), tzinfo=ZoneInfo(settings.TIME_ZONE)), tick=True
        )

    def report_rows(name: str, user, day: dt.date) -> dict:
        step = measure(name, lambda: lagging_board(user=user, as_of=day), repeat=args.repeat)
        step_floor = floor.measure_floor(
            lambda: floor.lagging_floor(user=user, as_of=day), repeat=args.repeat
        )
        return step | step_floor | {"ratio": step["median_ms"] / step_floor["floor_ms"]}

    if wanted("report"):
        with today():
            for role, user in (("manager", manager), ("official", official)):
                steps.append(report_rows(f"lagging report rows ({role})", user, as_of))
            query = f"?as_of={as_of:%Y-%m-%d}"
            for role in ("manager", "official"):
                steps.append(
                    measure(
                        f"lagging report page ({role})",
                        page(f"/admin/boards/lagging/{query}", clients[role]),
                        repeat=args.repeat,
                    )
                )
            # The day before: every target judged from the history (a bulletin reproduced later).
            steps.append(report_rows("lagging report rows (manager, a past date)", manager, past))
            steps.append(
                measure(
                    "lagging report page (manager, a past date)",
                    page(f"/admin/boards/lagging/?as_of={past:%Y-%m-%d}", clients["manager"]),
                    repeat=args.repeat,
                )
            )

    # -- the 台账 downloads: the whole province for the manager ----------------------------------------------
    if wanted("exports"):
        with today():
            for name, query in (
                ("lagging report XLSX (manager)", f"?as_of={as_of:%Y-%m-%d}&format=xlsx"),
                ("lagging report CSV (manager)", f"?as_of={as_of:%Y-%m-%d}&format=csv"),
                ("lagging report XLSX (official)", f"?as_of={as_of:%Y-%m-%d}&format=xlsx"),
                ("lagging report XLSX (manager, a past date)", f"?as_of={past:%Y-%m-%d}&format=xlsx"),
            ):
                role = "official" if "official" in name else "manager"
                steps.append(
                    measure(name, page(f"/admin/boards/lagging/{query}", clients[role]), repeat=args.repeat)
                )

    # -- admin lists and the API ---------------------------------------------------------------------------
    if wanted("pages"):
        pages = [
            ("admin target changelist (manager)", "/admin/targets/target/", "manager"),
            ("my targets (manager)", "/admin/progress/mytarget/", "manager"),
            ("my targets (official)", "/admin/progress/mytarget/", "official"),
            ("API target list, page 1 (manager)", "/api/targets/", "manager"),
            ("API target list, page 1 (official)", "/api/targets/", "official"),
            ("API status summary (manager)", f"/api/boards/summary/?as_of={as_of:%Y-%m-%d}", "manager"),
            ("chapter overview page (manager)", f"/admin/boards/overview/?as_of={as_of:%Y-%m-%d}", "manager"),
            ("scoreboard page (manager)", f"/admin/boards/scoreboard/?as_of={as_of:%Y-%m-%d}", "manager"),
            ("API status summary (official)", f"/api/boards/summary/?as_of={as_of:%Y-%m-%d}", "official"),
            *(
                (f"{name} (manager, a past date)", f"{path}?as_of={past:%Y-%m-%d}", "manager")
                for name, path in (
                    ("API status summary", "/api/boards/summary/"),
                    ("chapter overview page", "/admin/boards/overview/"),
                    ("scoreboard page", "/admin/boards/scoreboard/"),
                )
            ),
        ]
        with today():
            for name, path, role in pages:
                steps.append(measure(name, page(path, clients[role]), repeat=args.repeat))

    # -- the weekly digest for 200 managers -----------------------------------------------------------------
    if wanted("digest"):
        with today():
            step = measure(
                "weekly digest, 200 recipients (build)",
                lambda: digest_drafts(as_of=as_of),
                repeat=max(1, args.repeat // 2),
            )
        steps.append(step)

    # -- importing 10,000 progress rows (each run rolled back), on the data's day (its year still open) ----
    if wanted("import"):
        dataset, created = floor.import_dataset(rows=10_000, months=args.months)
        print(f"  the import file: {created} new rows, the rest unchanged", flush=True)
        with today():
            step = measure(
                "import 10,000 rows",
                lambda: floor.import_rolled_back(dataset=dataset, by=admin),
                repeat=max(1, args.repeat // 2),
            )
        steps.append(step | {"new_rows": created})
        # Last: it deletes the entries it re-imports (the file holds only rows that do not exist yet).
        dataset = floor.import_new_dataset(rows=10_000)
        with today():
            step = measure(
                "import 10,000 new rows",
                lambda: floor.import_rolled_back(dataset=dataset, by=admin, new=True),
                repeat=max(1, args.repeat // 2),
            )
        steps.append(step | {"new_rows": len(dataset)})

    data = {
        "data": {
            "targets": summary.targets,
            "entries": summary.entries,
            "history_records": summary.history_records,
            "departments": summary.departments,
            "users": summary.users,
            "reports": summary.reports,
            "as_of": as_of.isoformat(),
            "seconds": seconds,
        },
        "steps": steps,
        "max_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default=os.environ.get("BENCH_SIZES", "2000,20000"))
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--repeat", type=int, default=int(os.environ.get("BENCH_REPEAT", "5")))
    parser.add_argument("--sweep-repeat", type=int, default=int(os.environ.get("BENCH_SWEEP_REPEAT", "3")))
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", DEFAULT_URL))
    parser.add_argument("--json", default=str(ROOT / "var" / "bench" / "results.json"))
    parser.add_argument(
        "--only", default=os.environ.get("BENCH_ONLY", ""), help="sweep,report,exports,pages,digest,import"
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    return child(args) if args.child else parent(args)


if __name__ == "__main__":
    sys.exit(main())
