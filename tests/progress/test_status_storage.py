"""Stored status: the current status per target, a StatusChange only when an axis actually changes, and
one snapshot per target per day; recomputing twice stores the same thing once."""

import datetime as dt

import pytest

from progress.models import StatusChange, StatusSnapshot, TargetStatus
from progress.services import progress_entry_correct, progress_entry_submit
from progress.statuses import status_sweep, target_status_refresh
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def enterprises() -> Target:
    return Target.objects.get(report__year=2020, code="1.1.03")


def changes(target: Target) -> list[tuple[str, str, str]]:
    return list(target.status_changes.order_by("id").values_list("axis", "old", "new"))


def test_first_evaluation_records_the_change_from_the_initial_state(clock, enterprises, official_zhang):
    progress_entry_submit(target=enterprises, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang)

    target_status_refresh(target_id=enterprises.pk)

    status = TargetStatus.objects.get(target=enterprises)
    assert (status.performance, status.reporting) == ("on_track", "on_time")
    assert (status.latest_value, status.latest_period_end) == (7, dt.date(2020, 6, 30))
    assert changes(enterprises) == [
        ("performance", "no_data", "on_track"),
        ("reporting", "not_due", "on_time"),
    ]
    assert "序时进度" in status.reasons[0]


def test_recomputing_without_news_writes_no_change_and_one_snapshot(clock, enterprises, official_zhang):
    progress_entry_submit(target=enterprises, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang)
    target_status_refresh(target_id=enterprises.pk)

    assert target_status_refresh(target_id=enterprises.pk) == []
    status_sweep()

    assert len(changes(enterprises)) == 2
    assert StatusSnapshot.objects.filter(target=enterprises).count() == 1


def test_a_change_of_one_axis_writes_one_row(clock, enterprises, official_zhang):
    entry = progress_entry_submit(
        target=enterprises, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang
    )
    target_status_refresh(target_id=enterprises.pk)

    progress_entry_correct(entry=entry, value="2", by=official_zhang)
    target_status_refresh(target_id=enterprises.pk)

    assert changes(enterprises)[-1] == ("performance", "on_track", "lagging")
    assert StatusChange.objects.filter(target=enterprises, axis="reporting").count() == 1


def test_each_day_gets_its_snapshot_for_trend_charts(clock, enterprises, official_zhang):
    progress_entry_submit(target=enterprises, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang)
    target_status_refresh(target_id=enterprises.pk)
    clock(dt.date(2020, 8, 10), 9)  # July's report now late

    target_status_refresh(target_id=enterprises.pk)

    snapshots = list(StatusSnapshot.objects.filter(target=enterprises).values_list("date", "reporting"))
    assert snapshots == [(dt.date(2020, 7, 3), "on_time"), (dt.date(2020, 8, 10), "late")]
    assert changes(enterprises)[-1] == ("reporting", "on_time", "late")


def test_the_sweep_evaluates_every_target_and_is_idempotent(clock):
    first = status_sweep()
    second = status_sweep()

    assert first.evaluated == second.evaluated == Target.objects.count() == 138
    assert TargetStatus.objects.count() == 138
    assert second.changes == 0
    assert StatusSnapshot.objects.filter(date=dt.date(2020, 7, 3)).count() == 138
    # As of 3 July 2020 nothing has been reported: the two April targets are overdue, the rest have no
    # data; every monthly and quarterly target is late, annual ones are not due yet.
    overdue = set(TargetStatus.objects.filter(performance="overdue").values_list("target__code", flat=True))
    assert overdue == {"1.5.02", "1.5.03"}
    assert TargetStatus.objects.exclude(performance__in=["overdue", "no_data"]).count() == 0
    late = set(TargetStatus.objects.filter(reporting="late").values_list("target_id", flat=True))
    assert late == set(Target.objects.exclude(frequency="annual").values_list("pk", flat=True))


def test_the_sweep_catches_up_an_entry_whose_recompute_was_never_queued(clock, enterprises, official_zhang):
    status_sweep()
    # Saved without the on-commit recompute running (the pytest `db` transaction never commits).
    progress_entry_submit(target=enterprises, period_end=dt.date(2020, 6, 30), value="2", by=official_zhang)
    assert TargetStatus.objects.get(target=enterprises).performance == "no_data"

    status_sweep()

    assert TargetStatus.objects.get(target=enterprises).performance == "lagging"
