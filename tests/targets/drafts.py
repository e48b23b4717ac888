"""Drafting a bundled text with the command, for the tests that load or measure the draft."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command


def draft_with_comparison(text: Path, year: int, hand_made: Path, out: Path) -> str:
    """Runs `draft_report TEXT --year YEAR --out OUT --compare HAND_MADE`; returns what it printed."""
    output = StringIO()
    call_command(
        "draft_report", str(text), "--year", str(year), "--out", str(out), "--compare", str(hand_made),
        stdout=output, stderr=StringIO(),
    )  # fmt: skip
    return output.getvalue()
