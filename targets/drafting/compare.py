"""How good a draft is: precision and recall against a hand-made data file of the same report.

A numeric goal matches when it comes from the same sentence with the same value, unit and comparator.
A milestone matches when it comes from the same sentence and its quote overlaps the hand-made one (a
sentence often holds several milestones, so the sentence alone would over-count). Each target matches
at most one target of the other side (a maximum matching, so the order of the files does not matter).
"""

from dataclasses import dataclass
from decimal import Decimal

from targets.drafting.draft import Draft
from targets.drafting.reader import DONE
from targets.drafting.text import sentence_around


@dataclass(frozen=True)
class Comparable:
    label: str  # code and metric, for the lists of misses and inventions
    sentence: str
    start: int  # the quote's offsets inside the sentence
    end: int
    comparator: str
    value: Decimal | None
    unit: str
    baseline: Decimal | None = None

    @property
    def is_milestone(self) -> bool:
        return self.comparator == DONE

    def describe(self) -> str:
        goal = "里程碑" if self.is_milestone else f"{self.comparator} {self.value.normalize():f}{self.unit}"
        return f"{self.label}（{goal}）：{self.sentence[self.start : self.end]}"


def comparable(
    text: str,
    *,
    label: str,
    quote_start: int,
    quote_end: int,
    comparator: str,
    value,
    unit: str,
    baseline=None,
) -> Comparable:
    sentence = sentence_around(text, quote_start)
    return Comparable(
        label=label,
        sentence=sentence.of(text),
        start=quote_start - sentence.start,
        end=min(quote_end, sentence.end) - sentence.start,
        comparator=comparator,
        value=Decimal(value) if value is not None else None,
        unit=unit or "",
        baseline=Decimal(baseline) if baseline is not None else None,
    )


def comparables_from_draft(draft: Draft) -> list[Comparable]:
    return [
        comparable(
            draft.text,
            label=f"{target.code} {target.goal.metric}",
            quote_start=target.goal.quote.start,
            quote_end=target.goal.quote.end,
            comparator=target.goal.comparator,
            value=target.goal.value,
            unit=target.goal.unit,
            baseline=target.baseline.value if target.baseline else None,
        )
        for target in draft.targets
    ]


def comparables_from_spec(spec) -> list[Comparable]:
    """From a `targets.loader.ReportSpec` (a data file the loader has validated)."""
    return [
        comparable(
            spec.source_text,
            label=f"{target.code} {target.metric}",
            quote_start=target.quote_start,
            quote_end=target.quote_end,
            comparator=target.comparator,
            value=target.value,
            unit=target.unit,
            baseline=target.baseline.value if target.baseline else None,
        )
        for target in spec.targets
    ]


@dataclass(frozen=True)
class Score:
    drafted: int
    reference: int
    matched: int
    missed: tuple[Comparable, ...]
    invented: tuple[Comparable, ...]
    pairs: tuple[tuple[Comparable, Comparable], ...] = ()  # (drafted, reference)

    @property
    def precision(self) -> float:
        return self.matched / self.drafted if self.drafted else 0.0

    @property
    def recall(self) -> float:
        return self.matched / self.reference if self.reference else 0.0


@dataclass(frozen=True)
class BaselineScore:
    drafted: int  # numeric goals of the draft with a baseline
    reference: int  # numeric goals of the hand-made file with one
    matched: int  # matching numeric goals whose baselines have the same value


@dataclass(frozen=True)
class Comparison:
    numeric: Score
    milestones: Score
    baselines: BaselineScore


def _numeric_match(drafted: Comparable, reference: Comparable) -> bool:
    return (
        drafted.sentence == reference.sentence
        and drafted.comparator == reference.comparator
        and drafted.unit == reference.unit
        and drafted.value == reference.value
    )


def _overlap(drafted: Comparable, reference: Comparable) -> bool:
    return (
        drafted.sentence == reference.sentence
        and drafted.start < reference.end
        and reference.start < drafted.end
    )


def _score(drafted: list[Comparable], reference: list[Comparable], matches, prefer=None) -> Score:
    """Maximum bipartite matching (augmenting paths; the lists are a few hundred at most). Pairs that
    `prefer` accepts are matched first, so that two goals of one sentence with the same figure pair with
    the goals whose quotes they share."""
    owner: dict[int, int] = {}

    def assign(i: int, candidates: list[list[int]], seen: set[int]) -> bool:
        for j in candidates[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or assign(owner[j], candidates, seen):
                owner[j] = i
                return True
        return False

    for accept in ([prefer] if prefer else []) + [matches]:
        candidates = [[j for j, item in enumerate(drafted) if accept(item, wanted)] for wanted in reference]
        matched = set(owner.values())
        for i in range(len(reference)):
            if i not in matched:
                assign(i, candidates, set())
    matched_reference = set(owner.values())
    return Score(
        drafted=len(drafted),
        reference=len(reference),
        matched=len(owner),
        missed=tuple(item for i, item in enumerate(reference) if i not in matched_reference),
        invented=tuple(item for j, item in enumerate(drafted) if j not in owner),
        pairs=tuple((drafted[j], reference[i]) for j, i in sorted(owner.items(), key=lambda pair: pair[1])),
    )


def draft_compare(drafted: list[Comparable], reference: list[Comparable]) -> Comparison:
    def split(items: list[Comparable]) -> tuple[list[Comparable], list[Comparable]]:
        return [item for item in items if not item.is_milestone], [
            item for item in items if item.is_milestone
        ]

    drafted_numeric, drafted_milestones = split(drafted)
    reference_numeric, reference_milestones = split(reference)
    numeric = _score(
        drafted_numeric,
        reference_numeric,
        _numeric_match,
        prefer=lambda mine, theirs: _numeric_match(mine, theirs) and _overlap(mine, theirs),
    )
    return Comparison(
        numeric=numeric,
        milestones=_score(drafted_milestones, reference_milestones, _overlap),
        baselines=BaselineScore(
            drafted=sum(1 for item in drafted_numeric if item.baseline is not None),
            reference=sum(1 for item in reference_numeric if item.baseline is not None),
            matched=sum(
                1
                for mine, theirs in numeric.pairs
                if mine.baseline is not None and mine.baseline == theirs.baseline
            ),
        ),
    )
