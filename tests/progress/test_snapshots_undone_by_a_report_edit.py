"""A report's thresholds edited after a day undo that day's snapshots of the report's targets (the history
path judges with the present thresholds), as an edited target undoes its own: as of that day the targets
are judged again from the history and the rows are the history's — not the snapshot's, which the edit
turned wrong. The targets of other reports keep their snapshots."""

import datetime as dt
from decimal import Decimal

import pytest

from progress.services import progress_entry_submit
from progress.statuses import status_sweep
from targets.models import Target
from tests.factories import KeyTaskFactory, TargetFactory
from tests.progress.test_reports_past_date_from_snapshots import _reference_rows, _same_rows

pytestmark = pytest.mark.django_db

MAY, MONDAY = dt.date(2020, 5, 31), dt.date(2020, 7, 6)


def _performances(user, targets: list[Target], day: dt.date) -> list[str]:
    rows = {row.target.pk: row.evaluation.performance for row in _reference_rows(user, day)}
    return [rows[target.pk] for target in targets]


def test_thresholds_edited_after_the_day_undo_its_snapshots_of_the_report(
    clock, judged, manager_wang, administrator_li, report_2020
):
    task = KeyTaskFactory()
    edited_report_targets = [TargetFactory(task=task, value=Decimal(100)) for _ in range(3)]
    other_report_target = TargetFactory(task=KeyTaskFactory(), value=Decimal(100))
    clock("2020-06-08")
    for target, value in zip(edited_report_targets, ("5", "20", "30"), strict=True):
        progress_entry_submit(target=target, period_end=MAY, value=value, by=administrator_li)
    progress_entry_submit(target=other_report_target, period_end=MAY, value="20", by=administrator_li)
    clock(MONDAY, hour=0, minute=30)
    status_sweep()

    clock("2020-07-08", hour=10)
    # The bundled report's targets were loaded at the real present moment, after the snapshots: they are
    # judged from the history whatever happens here. The four made here stand on their snapshots.
    bundled = Target.objects.filter(report=report_2020).count()
    assert _same_rows(manager_wang, MONDAY, judged) == bundled
    before = _performances(manager_wang, edited_report_targets, MONDAY)
    assert "on_track" not in before

    report = task.chapter.report
    report.cumulative_on_track_pp = Decimal(60)  # so lenient that every one of them is on track
    report.cumulative_at_risk_pp = Decimal(70)
    report.save()

    assert _same_rows(manager_wang, MONDAY, judged) == bundled + len(edited_report_targets)
    after = _performances(manager_wang, edited_report_targets, MONDAY)
    assert after != before  # the snapshots would have given the old thresholds' statuses
    assert set(after) == {"on_track"}
