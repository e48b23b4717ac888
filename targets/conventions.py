"""The conventions a report's definitions and the status rules share, written once: the default thresholds
and tolerance (PRODUCT.md §4), and how a number and a date are written in Chinese.

Pure Python, no Django: targets.models takes its field defaults from here and progress.rules (which imports
no Django) its dataclass defaults and its wording.
"""

import datetime as dt
from decimal import Decimal

# Points behind the expected progress (cumulative) or distance from the goal in % of it (level) that are
# still on track, or still only at risk; a report may set its own and a target override them.
CUMULATIVE_ON_TRACK_PP = Decimal(10)
CUMULATIVE_AT_RISK_PP = Decimal(30)
LEVEL_ON_TRACK_PP = Decimal(0)
LEVEL_AT_RISK_PP = Decimal(10)
# A report is due on the N-th working day after its period ends.
REPORT_DUE_WORKING_DAYS = 5
# "左右" (about): within ± this % of the goal.
TOLERANCE_PCT = Decimal(5)


def format_decimal(value: Decimal | None) -> str:
    """7.5000 → "7.5", 10.0000 → "10"; never scientific notation; None → ""."""
    if value is None:
        return ""
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def chinese_date(day: dt.date) -> str:
    """2020-07-03 → "2020年7月3日"."""
    return f"{day.year}年{day.month}月{day.day}日"
