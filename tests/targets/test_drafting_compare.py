"""Precision and recall against a hand-made file: a numeric goal matches on sentence, value, unit and
comparator; a milestone on sentence and overlapping quote; each target matches at most once."""

from decimal import Decimal

import pytest

from targets.drafting.compare import comparable, draft_compare

TEXT = "新增亿元企业10户、规上企业15户，规模以上工业增加值增长9.5%。编制食品产业发展规划，成立食品产业联盟。"


def item(quote: str, comparator: str = "done", value=None, unit: str = "", *, nth: int = 0):
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(quote, start + 1)
    return comparable(
        TEXT,
        label=quote,
        quote_start=start,
        quote_end=start + len(quote),
        comparator=comparator,
        value=value,
        unit=unit,
    )


def test_numeric_goals_match_on_sentence_value_unit_and_comparator():
    reference = [item("新增亿元企业10户", "at_least", 10, "户"), item("规上企业15户", "at_least", 15, "户")]
    drafted = [
        item("新增亿元企业10户、规上企业15户", "at_least", 10, "户"),  # a longer quote of the same sentence
        item("规上企业15户", "at_most", 15, "户"),  # another comparator: invented, and 15户 missed
        item("规模以上工业增加值增长9.5%", "at_least", Decimal("9.5"), "%"),  # not in the reference: invented
    ]

    score = draft_compare(drafted, reference).numeric

    assert (score.drafted, score.reference, score.matched) == (3, 2, 1)
    assert (score.precision, score.recall) == (pytest.approx(1 / 3), 0.5)
    assert [missed.label for missed in score.missed] == ["规上企业15户"]
    assert [invented.label for invented in score.invented] == ["规上企业15户", "规模以上工业增加值增长9.5%"]


def test_milestones_match_on_overlapping_quotes_of_the_same_sentence():
    reference = [item("编制食品产业发展规划"), item("成立食品产业联盟")]
    drafted = [item("食品产业发展规划"), item("编制食品产业发展规划，成立食品产业联盟")]

    score = draft_compare(drafted, reference).milestones

    # Both drafted quotes overlap the first reference; only the second also overlaps the other one.
    # A maximum matching pairs them so that both match.
    assert (score.matched, score.precision, score.recall) == (2, 1.0, 1.0)


def test_one_drafted_target_matches_one_reference_target_only():
    reference = [item("规上企业15户", "at_least", 15, "户"), item("规上企业15户", "at_least", 15, "户")]
    score = draft_compare([item("规上企业15户", "at_least", 15, "户")], reference).numeric
    assert (score.matched, score.recall) == (1, 0.5)


def test_nothing_drafted_gives_zero_not_an_error():
    comparison = draft_compare([], [item("编制食品产业发展规划")])
    assert (comparison.milestones.precision, comparison.milestones.recall) == (0.0, 0.0)
    assert comparison.numeric.recall == 0.0


def test_baselines_agree_when_matching_goals_have_the_same_baseline_value():
    mine = comparable(
        TEXT, label="a", quote_start=0, quote_end=9, comparator="at_least", value=10, unit="户", baseline=10
    )
    theirs = comparable(
        TEXT,
        label="b",
        quote_start=0,
        quote_end=9,
        comparator="at_least",
        value=10,
        unit="户",
        baseline=Decimal("10"),
    )
    baselines = draft_compare([mine], [theirs]).baselines
    assert (baselines.drafted, baselines.reference, baselines.matched) == (1, 1, 1)
