"""Properties of the status rules that hold for every target, figure and date (hypothesis)."""

import datetime as dt
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from progress.rules import Figure, Performance, TargetRule, Thresholds, evaluate, expected_pct, period_ends

D = Decimal
UNTIMED = settings(deadline=None)  # the first calls warm the working-calendar cache

# Worst last. `overdue` only ever pairs with `achieved` or itself in these properties (both figures are
# for the same period and date), so its place after `lagging` only has to be after `achieved`.
RANK = {
    Performance.ACHIEVED: 0,
    Performance.ON_TRACK: 1,
    Performance.AT_RISK: 2,
    Performance.LAGGING: 3,
    Performance.OVERDUE: 4,
}

# The kinds of target the model allows (targets/models.py: a cumulative target is at_least or done).
AT_LEAST_KINDS = (("cumulative", "at_least"), ("level", "at_least"))
ALL_KINDS = (*AT_LEAST_KINDS, ("cumulative", "done"), ("level", "at_most"), ("level", "about"))
CURVES = ("linear", "quarterly", "year_end", "custom")

days_2020 = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2020, 12, 31))
# As-of dates run into January 2021, when the year-end reports fall due and overdue becomes possible.
as_of_days = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2021, 1, 31))


def decimals(low, high):
    return st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=low, max_value=high)


figure_values = decimals(-50, 200)


@st.composite
def custom_curves(draw) -> tuple[Decimal, ...]:
    """12 month-end percentages, never falling (as targets/models.py requires)."""
    return tuple(sorted(draw(st.lists(decimals(0, 100), min_size=12, max_size=12))))


@st.composite
def thresholds(draw) -> Thresholds:
    cumulative = sorted(draw(st.lists(decimals(0, 50), min_size=2, max_size=2)))
    level = sorted(draw(st.lists(decimals(0, 50), min_size=2, max_size=2)))
    return Thresholds(
        cumulative_on_track_pp=cumulative[0],
        cumulative_at_risk_pp=cumulative[1],
        level_on_track_pp=level[0],
        level_at_risk_pp=level[1],
        due_working_days=draw(st.integers(min_value=1, max_value=10)),
    )


@st.composite
def rules(draw, kinds=ALL_KINDS) -> TargetRule:
    measure, comparator = draw(st.sampled_from(kinds))
    if comparator == "done":
        goal = None
    elif measure == "cumulative":
        goal = draw(decimals(1, 1000))
    else:
        goal = draw(decimals(-20, 100))  # rates: negative and zero goals included
    curve = draw(st.sampled_from(CURVES))
    return TargetRule(
        measure=measure,
        comparator=comparator,
        goal=goal,
        unit="" if comparator == "done" else "%",
        curve=curve,
        frequency=draw(st.sampled_from(("monthly", "quarterly", "annual"))),
        year=2020,
        deadline=draw(days_2020),
        custom_curve=draw(custom_curves()) if curve == "custom" else None,
        tolerance_pct=draw(decimals("0.01", 20)),
        thresholds=draw(st.one_of(st.just(Thresholds()), thresholds())),
    )


figures = st.builds(Figure, period_end=days_2020, value=figure_values, is_final=st.booleans())


# ----------------------------------------------------------------------------------- monotonicity


@UNTIMED
@given(rule=rules(AT_LEAST_KINDS), data=st.data())
def test_a_higher_figure_never_does_worse_on_an_at_least_target(rule, data):
    period_end = data.draw(st.sampled_from(period_ends(rule)))
    as_of = data.draw(st.dates(min_value=period_end, max_value=dt.date(2021, 1, 31)))
    low, high = sorted(data.draw(st.lists(figure_values, min_size=2, max_size=2)))
    is_final = data.draw(st.booleans())

    def rank(value):
        return RANK[evaluate(rule, [Figure(period_end, value, is_final)], as_of).performance]

    assert rank(high) <= rank(low)


@UNTIMED
@given(rule=rules((("level", "at_most"),)), data=st.data())
def test_a_higher_figure_never_does_better_on_an_at_most_target(rule, data):
    period_end = data.draw(st.sampled_from(period_ends(rule)))
    as_of = data.draw(st.dates(min_value=period_end, max_value=dt.date(2021, 1, 31)))
    low, high = sorted(data.draw(st.lists(figure_values, min_size=2, max_size=2)))
    is_final = data.draw(st.booleans())

    def rank(value):
        return RANK[evaluate(rule, [Figure(period_end, value, is_final)], as_of).performance]

    assert rank(high) >= rank(low)


# ------------------------------------------------------------------------------------------ as of


@UNTIMED
@given(rule=rules(), figures=st.lists(figures, max_size=6), as_of=as_of_days)
def test_figures_for_periods_after_as_of_change_nothing(rule, figures, as_of):
    counted = [f for f in figures if f.period_end <= as_of]
    assert evaluate(rule, figures, as_of) == evaluate(rule, counted, as_of)


@UNTIMED
@given(rule=rules(), data=st.data())
def test_the_order_figures_are_given_in_does_not_matter(rule, data):
    ends = data.draw(st.lists(st.sampled_from(period_ends(rule)), unique=True, max_size=6))
    given_figures = [Figure(end, data.draw(figure_values), data.draw(st.booleans())) for end in ends]
    shuffled = data.draw(st.permutations(given_figures))
    as_of = data.draw(as_of_days)
    assert evaluate(rule, shuffled, as_of) == evaluate(rule, given_figures, as_of)


# ------------------------------------------------------------------------------- expected progress


@UNTIMED
@given(
    rule=rules(),
    days=st.lists(
        st.dates(min_value=dt.date(2019, 12, 1), max_value=dt.date(2021, 1, 31)), min_size=2, max_size=2
    ),
)
def test_expected_progress_never_falls_and_stays_within_0_and_100(rule, days):
    earlier, later = sorted(days)
    before, after = expected_pct(rule, earlier), expected_pct(rule, later)
    assert D(0) <= before <= after <= D(100)


@UNTIMED
@given(rule=rules(), on=as_of_days)
def test_expected_progress_is_100_from_the_deadline_on(rule, on):
    assert (expected_pct(rule, on) == 100) or on < rule.deadline


# ------------------------------------------------------------------ performance apart from reporting


@UNTIMED
@given(rule=rules(), data=st.data())
def test_a_missing_earlier_report_changes_neither_axis(rule, data):
    """Once a later period is reported, a non-final figure for an earlier period (a late report, or one
    never sent) changes nothing: performance is judged on the latest figure, and figures are
    year-to-date, so the later report already answered the earlier one."""
    ends = data.draw(st.lists(st.sampled_from(period_ends(rule)), min_size=1, unique=True, max_size=4))
    reported = [Figure(end, data.draw(figure_values), data.draw(st.booleans())) for end in ends]
    latest = max(ends)
    if latest == dt.date(2020, 1, 1):
        return
    earlier = Figure(
        data.draw(st.dates(dt.date(2020, 1, 1), latest - dt.timedelta(days=1))), data.draw(figure_values)
    )
    as_of = data.draw(st.dates(min_value=latest, max_value=dt.date(2021, 1, 31)))
    assert evaluate(rule, [*reported, earlier], as_of) == evaluate(rule, reported, as_of)


@UNTIMED
@given(rule=rules((("level", "at_least"), ("level", "at_most"), ("level", "about"))), data=st.data())
def test_reporting_does_not_depend_on_how_a_level_target_is_doing(rule, data):
    """Before the deadline and without a final figure, no value can finish a level target, so its
    reporting status is the same whatever the figures say."""
    before_deadline = [end for end in period_ends(rule) if end < rule.deadline]
    ends = (
        data.draw(st.lists(st.sampled_from(before_deadline), unique=True, max_size=4))
        if before_deadline
        else []
    )
    as_of = data.draw(as_of_days)
    first = evaluate(rule, [Figure(end, data.draw(figure_values)) for end in ends], as_of)
    second = evaluate(rule, [Figure(end, data.draw(figure_values)) for end in ends], as_of)
    assert (first.reporting, first.next_due, first.days_late, first.reasons[1]) == (
        second.reporting,
        second.next_due,
        second.days_late,
        second.reasons[1],
    )


# -------------------------------------------------------------------------------------- rounding


def _has_two_places(value: Decimal | None) -> bool:
    return value is None or value.as_tuple().exponent == -2


@UNTIMED
@given(rule=rules(), figures=st.lists(figures, max_size=4), as_of=as_of_days)
def test_gap_and_percentages_are_rounded_to_2_places(rule, figures, as_of):
    evaluation = evaluate(rule, figures, as_of)
    assert _has_two_places(evaluation.gap_pp)
    assert _has_two_places(evaluation.progress_pct)
    assert _has_two_places(evaluation.expected_pct)
    if evaluation.gap_pp is not None and rule.measure == "cumulative":
        assert evaluation.gap_pp == evaluation.expected_pct - evaluation.progress_pct  # shown is judged
