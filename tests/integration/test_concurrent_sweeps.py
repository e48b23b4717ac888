"""Two sweeps running at once on PostgreSQL store each status change once (the status row is locked
while it is compared and written)."""

import subprocess
import sys

import psycopg
import pytest

from tests.integration.support import PROJECT_ROOT, project_environment

pytestmark = pytest.mark.integration


def test_two_simultaneous_sweeps_write_each_change_once(loaded_database):
    environment = project_environment(DATABASE_URL=loaded_database)

    sweeps = [
        subprocess.Popen(
            [sys.executable, "manage.py", "sweep_statuses"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [sweep.communicate(timeout=300) for sweep in sweeps]

    assert [sweep.returncode for sweep in sweeps] == [0, 0], outputs
    with psycopg.connect(loaded_database) as connection:
        statuses = connection.execute("SELECT count(*) FROM progress_targetstatus").fetchone()[0]
        duplicates = connection.execute(
            "SELECT target_id, axis, new, count(*) FROM progress_statuschange "
            "GROUP BY target_id, axis, new HAVING count(*) > 1"
        ).fetchall()
        changes = connection.execute("SELECT count(*) FROM progress_statuschange").fetchone()[0]
        snapshots = connection.execute("SELECT count(*) FROM progress_statussnapshot").fetchone()[0]
    assert statuses == 138
    assert duplicates == []
    # As of today every target is past its 2020 deadline: one performance change (no_data → overdue) and
    # one reporting change (not_due → late, or on_time for none) per target, written once in all.
    assert changes == 2 * 138
    assert snapshots == 138
