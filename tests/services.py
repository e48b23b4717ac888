"""What the suites that need something outside the test process (a database server, a broker, a browser)
do when it is missing: skip with the reason printed (`-ra`) on a developer's machine, fail under CI=true,
where a skipped test would hide a suite that never ran."""

import os

import pytest


def service_unavailable(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true and a required service is unavailable: {reason}")
    pytest.skip(reason)
