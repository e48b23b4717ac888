"""Drafting a bundled text with the command, for the tests that load or measure the draft."""

from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from django.core.management import call_command

from targets.drafting import comparables_from_spec, draft_compare
from targets.drafting.compare import Comparison
from targets.loader import DEFAULT_DATA_FILE, report_file_parse
from targets.models import Report, Target

EXAMPLES = DEFAULT_DATA_FILE.parent / "examples"


@dataclass(frozen=True)
class Drafted:
    """A text drafted by `draft_report TEXT --year YEAR --out PATH --compare HAND_MADE`."""

    path: Path  # the draft
    output: str  # what the command printed
    hand_made: Path

    def comparison(self) -> Comparison:
        """The draft against the hand-made file, as the command compares them."""
        return draft_compare(
            comparables_from_spec(report_file_parse(self.path)),
            comparables_from_spec(report_file_parse(self.hand_made)),
        )

    def load(self) -> Report:
        """`load_report` the draft as it is; the report it made, holding every target of the draft."""
        spec = report_file_parse(self.path)
        call_command("load_report", str(self.path), stdout=StringIO())
        report = Report.objects.get(issuer=spec.issuer, year=spec.year)
        assert Target.objects.filter(report=report).count() == len(spec.targets)
        return report


def drafted(text: Path, year: int, hand_made: Path, directory: Path) -> Drafted:
    out = directory / f"{text.stem}_draft.yaml"
    output = StringIO()
    call_command(
        "draft_report", str(text), "--year", str(year), "--out", str(out), "--compare", str(hand_made),
        stdout=output, stderr=StringIO(),
    )  # fmt: skip
    return Drafted(out, output.getvalue(), hand_made)
