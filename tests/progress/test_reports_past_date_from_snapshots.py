"""As of a past day the reports take the targets whose snapshot of the day still stands from it, and judge
only the others from the history: the rows are exactly those that judging every target from the history
gives (the reference: every target judged by the rules at the end of the day from its entries' history, read
independently of the selectors), whatever the day and the days after it held — an entry written after the
day's snapshot, an entry corrected or deleted after the day, a definition edited after it, a report due on
the day itself, a target without a snapshot of the day."""

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from progress.boards import (
    TargetRow,
    attention_rows,
    department_scoreboard,
    lagging_board,
    lagging_board_pages,
    late_lead_names,
    status_summary,
    summarize_rows,
    target_rows,
)
from progress.judging import target_rule
from progress.models import ProgressEntry, ReviewState, StatusSnapshot
from progress.rules import evaluate
from progress.selectors import end_of_day
from progress.services import progress_entry_correct, progress_entry_return, progress_entry_submit
from progress.statuses import status_sweep, target_status_refresh
from targets import roles
from targets.models import Comparator, Measure, Target
from tests.factories import KeyTaskFactory, TargetFactory, UserFactory
from tests.progress.test_reports_today_from_stored_status import _history_figures, _reference_scores

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MAY, JUNE = dt.date(2020, 5, 31), dt.date(2020, 6, 30)
MONDAY, DUE_DAY = dt.date(2020, 7, 6), dt.date(2020, 7, 7)  # June's reports are due on Tuesday 7 July


def _reference_rows(user, day: dt.date) -> list[TargetRow]:
    """The reference: the same targets, each judged by the rules at the end of `day` from its history."""
    rows = target_rows(user=user, as_of=day)
    figures = _history_figures([row.target.pk for row in rows], day)
    return [
        TargetRow(row.target, evaluate(target_rule(row.target), figures[row.target.pk], day, day_ended=True))
        for row in rows
    ]


def _same_rows(user, day: dt.date, judged: list) -> int:
    """Assert every report of `day` gives what the history gives; return how many targets were judged."""
    judged.clear()
    fast = target_rows(user=user, as_of=day)
    count = len(judged)
    full = _reference_rows(user, day)
    assert fast == full
    assert [row.evaluation.reasons for row in fast] == [row.evaluation.reasons for row in full]
    assert lagging_board(user=user, as_of=day) == attention_rows(full)
    # The database orders and pages the rows whose snapshot stands: every page, of any size, is the slice
    # of the Python order (the judged rows merged in their places).
    pages, ordered = lagging_board_pages(user=user, as_of=day), attention_rows(full)
    for size in (1, 2, 3, 5):
        assert len(pages) == len(ordered)
        assert [row for start in range(0, len(pages), size) for row in pages[start : start + size]] == ordered
    assert late_lead_names(pages) == late_lead_names(ordered)
    summary, expected = status_summary(user=user, as_of=day), summarize_rows(full, as_of=day)
    assert (summary.total, summary.performance, summary.reporting) == (
        expected.total,
        expected.performance,
        expected.reporting,
    )
    assert summary.by_chapter == expected.by_chapter
    scores = department_scoreboard(as_of=day)
    assert {
        (score.department.pk, score.targets): (score.performance, score.reporting) for score in scores
    } == {(lead, targets): statuses for (lead, targets, _), statuses in _reference_scores(full, day).items()}
    assert {score.department.pk: score.returned_entries for score in scores if score.returned_entries} == (
        _reference_returned(full, day)
    )
    return count


def _reference_returned(rows: list[TargetRow], day: dt.date) -> Counter:
    """The entries standing returned at the end of `day` (each entry's newest record before then) that a
    department submitted on a target it leads, per department."""
    leads = {row.target.pk: row.lead.pk for row in rows if row.lead is not None}
    newest = {}
    for record in ProgressEntry.history.filter(history_date__lt=end_of_day(day)).order_by(
        "history_date", "history_id"
    ):
        newest[record.id] = record
    return Counter(
        record.department_id
        for record in newest.values()
        if record.history_type != "-"
        and record.review_state == ReviewState.RETURNED
        and leads.get(record.target_id) == record.department_id
    )


def test_a_past_day_from_its_snapshots_gives_the_rows_the_history_gives(
    clock, judged, manager_wang, administrator_li, report_2020
):
    admin = administrator_li
    reviewer = UserFactory(username="zhou_admin", is_superuser=True, role=roles.ADMINISTRATOR)
    task = KeyTaskFactory()
    cumulative = [TargetFactory(task=task) for _ in range(6)]
    level = [
        TargetFactory(
            task=task, measure=Measure.LEVEL, comparator=Comparator.AT_MOST, value=Decimal(3), unit="%"
        )
        for _ in range(3)
    ]
    clock("2020-06-08")
    for index, target in enumerate(cumulative):
        progress_entry_submit(target=target, period_end=MAY, value=str(2 + 3 * index), by=admin)
    for index, target in enumerate(level):
        progress_entry_submit(target=target, period_end=MAY, value=str(2 + index), by=admin)
    progress_entry_return(
        entry=ProgressEntry.objects.get(target=cumulative[1], period_end=MAY),
        by=reviewer,
        reason="数据口径不一致",
    )

    # Monday 6 July: the sweep just after midnight, then the day's entries, each recomputed after it (the
    # snapshot is taken again, seconds after the entry) — but one left stale, and one corrected later in
    # the day without its recomputation (the snapshot of the day missed both).
    clock(MONDAY, hour=0, minute=30)
    status_sweep()
    clock(MONDAY, hour=10)
    progress_entry_submit(target=cumulative[0], period_end=JUNE, value="9", by=admin)
    target_status_refresh(target_id=cumulative[0].pk)
    progress_entry_submit(target=cumulative[2], period_end=JUNE, value="1", by=admin)  # left stale
    june = progress_entry_submit(target=cumulative[3], period_end=JUNE, value="4", by=admin)
    target_status_refresh(target_id=cumulative[3].pk)
    clock(MONDAY, hour=17)
    progress_entry_correct(entry=june, value="8", by=admin)  # after the day's last snapshot of the target

    # Tuesday 7 July, the day June's reports are due: judged at the end of the day, a missing one is late.
    clock(DUE_DAY, hour=0, minute=30)
    status_sweep()
    clock(DUE_DAY, hour=10)
    progress_entry_submit(target=level[0], period_end=JUNE, value="2.5", by=admin)
    target_status_refresh(target_id=level[0].pk)
    TargetFactory(task=task)  # created after the day's sweep: no snapshot of the day
    snapshot = StatusSnapshot.objects.get(target=level[1], date=DUE_DAY)
    assert (snapshot.reporting, snapshot.days_late) == ("late", 0)  # its status of the day said on time
    assert snapshot.reasons[1].endswith("（今日到期）。")

    # Wednesday 8 July: a correction and a deletion after the days (the snapshots still stand: the history
    # path ignores them too), and a definition edited (the history path judges with the present one).
    clock("2020-07-08", hour=0, minute=30)
    status_sweep()
    clock("2020-07-08", hour=10)
    progress_entry_correct(
        entry=ProgressEntry.objects.get(target=cumulative[0], period_end=JUNE), value="11", by=admin
    )
    ProgressEntry.objects.get(target=cumulative[4], period_end=MAY).delete()  # its judged entry, then
    edited = cumulative[5]
    edited.value = Decimal(30)
    edited.save()

    clock("2020-07-09", hour=10)
    # The bundled report's targets were loaded with the test database, at the real present moment: after
    # the snapshots, as a definition edited since. They are judged from the history.
    bundled = Target.objects.filter(report=report_2020).count()
    # Monday: the stale entry, the late correction, the edited definition; the target created on Tuesday.
    assert _same_rows(manager_wang, MONDAY, judged) == bundled + 4
    # Tuesday: the edited definition and the target without a snapshot.
    assert _same_rows(manager_wang, DUE_DAY, judged) == bundled + 2
    # A day without snapshots (nothing swept it) is judged from the history whole.
    assert _same_rows(manager_wang, dt.date(2020, 7, 5), judged) == Target.objects.count()
