"""The Chinese working calendar (法定节假日 and 调休 make-up workdays), from the `chinesecalendar` package.

Pure functions of a date: no clock, no settings. Years the package does not cover (it ships the State
Council's holiday notices, 2004 to the current year) fall back to Monday–Friday, so that a sweep over a
future year still runs; that year's due dates then ignore holidays until the package is upgraded.
"""

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

import chinese_calendar

IsWorkday = Callable[[dt.date], bool]


@lru_cache(maxsize=4096)
def is_chinese_workday(day: dt.date) -> bool:
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:
        return day.weekday() < 5


@lru_cache(
    maxsize=4096
)  # a pure function of its arguments; the sweep asks for the same few due dates 40,000 times
def nth_working_day_after(day: dt.date, n: int, is_workday: IsWorkday = is_chinese_workday) -> dt.date:
    """The n-th working day strictly after `day` (n ≥ 1): the 5th working day after 31 May 2020 is 5 June."""
    if n < 1:
        raise ValueError("n must be at least 1")
    current, found = day, 0
    while found < n:
        current += dt.timedelta(days=1)
        if is_workday(current):
            found += 1
    return current
