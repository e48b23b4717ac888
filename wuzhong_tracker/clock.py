"""The service's clock: what "now" and "today" are.

Normally the real time. While the demo clock is set (`DEMO_TODAY`, DEBUG only: refused at start-up
otherwise), it is the demo date with the real time of day, so that the bundled 2020 report can be lived in:
every default "as of", due date, reminder, sweep, digest, and the time stamp of a new entry and of its
history record follow it.

Operational time stamps stay real — when beat last ran, when a sweep process started and finished, and how
old /healthz finds them — because they describe the machine, not the year being tracked.
"""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.utils import timezone

_travelled_to: ContextVar[dt.datetime | None] = ContextVar("clock_travelled_to", default=None)


def now() -> dt.datetime:
    """The present moment (aware): real, or shifted by whole days onto the demo date (or, inside
    `travel`, the moment travelled to)."""
    moment = _travelled_to.get()
    if moment is not None:
        return moment
    real = timezone.now()
    demo_today: dt.date | None = settings.DEMO_TODAY
    if demo_today is None:
        return real
    # Whole days: Asia/Shanghai has no daylight saving, so the local time of day is kept.
    return real + (demo_today - timezone.localdate(real))


def today() -> dt.date:
    """Today's date in the project's time zone (the demo date while the demo clock is set)."""
    return timezone.localdate(now())


def demo_today() -> dt.date | None:
    """The demo date, or None when the clock is real."""
    return settings.DEMO_TODAY


@contextmanager
def travel(moment: dt.datetime) -> Iterator[None]:
    """Inside the block, `now()` is `moment` (aware, standing still). The demo history lives its year
    through the same services and jobs as people do (progress.demo_history), one moment at a time; nothing
    else moves the clock."""
    token = _travelled_to.set(moment)
    try:
        yield
    finally:
        _travelled_to.reset(token)
