"""As of today the reports take the targets evaluated today and not marked stale from their stored status,
and judge only the others from the history: the rows are exactly those that judging every target from
the history gives (the reference below: every target judged by the rules from its entries' history,
read here independently of the selectors), whatever mix of fresh, stale, older and never evaluated statuses,
corrected and returned entries the day holds."""

import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal

import pytest
from django.urls import reverse

from progress.boards import (
    BoardFilters,
    TargetRow,
    _returned_entries_as_of,
    attention_rows,
    department_scoreboard,
    headline_rows,
    lagging_board,
    lagging_board_pages,
    lagging_board_stream,
    late_lead_names,
    monthly_figures,
    status_summary,
    summarize_rows,
    target_rows,
)
from progress.judging import target_rule
from progress.models import ProgressEntry, StaleStatus, TargetStatus
from progress.rules import Figure, evaluate
from progress.selectors import end_of_day
from progress.services import progress_entry_correct, progress_entry_return, progress_entry_submit
from progress.statuses import stale_statuses_refresh, status_sweep, target_status_refresh
from targets import roles
from targets.models import Comparator, Measure, Target
from tests.factories import KeyTaskFactory, TargetFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MAY, JUNE = dt.date(2020, 5, 31), dt.date(2020, 6, 30)


def _history_figures(target_ids: list[int], day: dt.date) -> dict[int, list[Figure]]:
    """The reference figures: each entry's newest historical record before the end of `day`, if the entry
    existed then and counted."""
    newest = {}
    for record in ProgressEntry.history.filter(
        target_id__in=target_ids, history_date__lt=end_of_day(day)
    ).order_by("history_date", "history_id"):
        newest[record.id] = record
    figures = defaultdict(list)
    for record in sorted(newest.values(), key=lambda record: record.id):
        if record.history_type != "-" and record.review_state != "returned":
            figures[record.target_id].append(
                Figure(record.period_end, record.value, record.is_final, record.id)
            )
    return figures


def _reference_rows(user, day: dt.date, filters: BoardFilters | None = None) -> list[TargetRow]:
    """The reference: the same targets, each judged by the rules at the present moment of `day` (today)
    from its history."""
    rows = target_rows(user=user, as_of=day, filters=filters or BoardFilters())
    figures = _history_figures([row.target.pk for row in rows], day)
    return [
        TargetRow(row.target, evaluate(target_rule(row.target), figures[row.target.pk], day, day_ended=False))
        for row in rows
    ]


def _reference_scores(rows: list[TargetRow], day: dt.date) -> dict:
    """The scoreboard's counts from judged rows: (lead, targets, returned entries) → (performance, reporting)."""
    leads: dict[int, tuple[list, Counter, Counter]] = {}
    for row in rows:
        if row.lead is not None:
            targets, performance, reporting = leads.setdefault(row.lead.pk, ([], Counter(), Counter()))
            targets.append(row)
            performance[row.evaluation.performance] += 1
            reporting[row.evaluation.reporting] += 1
    returned = _returned_entries_as_of(day, rows)
    return {
        (lead, len(targets), returned[lead]): (performance, reporting)
        for lead, (targets, performance, reporting) in leads.items()
    }


def _same_rows(user, day: dt.date, judged: list) -> int:
    """Assert every report gives the same as the history path; return how many targets were judged."""
    judged.clear()
    fast = target_rows(user=user, as_of=day)
    judged_targets = len(judged)
    full = _reference_rows(user, day)
    assert fast == full
    assert [row.evaluation.reasons for row in fast] == [row.evaluation.reasons for row in full]
    assert lagging_board(user=user, as_of=day) == attention_rows(full)
    assert list(lagging_board_pages(user=user, as_of=day)) == attention_rows(full)
    # As of today the database orders and pages the stored rows: every page, of any size, is the slice of
    # the Python order (the judged rows merged in their places).
    pages, ordered = lagging_board_pages(user=user, as_of=day), attention_rows(full)
    for size in (1, 2, 3, 5):
        assert len(pages) == len(ordered)
        assert [row for start in range(0, len(pages), size) for row in pages[start : start + size]] == ordered
    assert late_lead_names(pages) == late_lead_names(ordered)
    # The downloads read the same order a batch at a time (the judged rows kept aside, merged in place).
    for size in (1, 2, 3, 5, 1000):
        assert list(lagging_board_stream(user=user, as_of=day, batch=size)) == ordered
    for performance in ("lagging", "overdue"):
        narrowed = BoardFilters(performance=performance)
        assert list(lagging_board_stream(user=user, as_of=day, filters=narrowed, batch=2)) == [
            row for row in ordered if row.evaluation.performance == performance
        ]
    summary, expected = status_summary(user=user, as_of=day), summarize_rows(full, as_of=day)
    assert (summary.total, summary.performance, summary.reporting) == (
        expected.total,
        expected.performance,
        expected.reporting,
    )
    assert summary.by_chapter == expected.by_chapter
    # The overview's 主要预期目标, counted by the summary and read a page at a time, each report's in order.
    headline = headline_rows(user=user, as_of=day, filters=BoardFilters(), summary=summary)
    expected_headline = sorted(
        (row for row in full if row.target.task.chapter.number == 0),
        key=lambda row: (
            row.target.report.year,
            row.target.report_id,
            row.target.task.number,
            row.target.code,
        ),
    )
    assert len(headline) == len(expected_headline) > 0
    assert [
        row for start in range(0, len(headline), 7) for row in headline[start : start + 7]
    ] == expected_headline
    # The scoreboard (every target of the year, city-wide) counted by the database per lead department.
    assert {
        (score.department.pk, score.targets, score.returned_entries): (score.performance, score.reporting)
        for score in department_scoreboard(as_of=day)
    } == _reference_scores(full, day)
    ids = [row.target.pk for row in full]
    reference = _history_figures(ids, day)
    assert monthly_figures(target_ids=ids, as_of=day) == {
        pk: {figure.period_end: figure.value for figure in reference[pk]} for pk in ids if reference[pk]
    }
    return judged_targets


def test_as_of_today_stored_statuses_give_the_rows_the_history_gives(
    clock, judged, manager_wang, administrator_li, report_2020
):
    admin = administrator_li
    # Another administrator reviews: nobody reviews their own entries (四眼原则).
    reviewer = UserFactory(username="zhou_admin", is_superuser=True, role=roles.ADMINISTRATOR)
    task = KeyTaskFactory()
    cumulative = [TargetFactory(task=task) for _ in range(6)]
    level = [
        TargetFactory(
            task=task, measure=Measure.LEVEL, comparator=Comparator.AT_MOST, value=Decimal(3), unit="%"
        )
        for _ in range(3)
    ]
    # Early June: the May figures, one of them returned at once; the daily sweeps of 1 and 3 July.
    clock("2020-06-08")
    for index, target in enumerate(cumulative):
        progress_entry_submit(target=target, period_end=MAY, value=str(2 + 3 * index), by=admin)
    for index, target in enumerate(level):
        progress_entry_submit(target=target, period_end=MAY, value=str(2 + index), by=admin)
    returned = ProgressEntry.objects.get(target=cumulative[1], period_end=MAY)
    progress_entry_return(entry=returned, by=reviewer, reason="数据口径不一致")
    clock("2020-07-01", hour=1)
    status_sweep()
    stale_statuses_refresh()
    clock("2020-07-03", hour=1)
    status_sweep()  # most targets unchanged since 1 July: only their date moves on

    # 3 July, during the day: a refreshed entry, a stale one, a corrected and a returned entry, a new target.
    clock("2020-07-03", hour=10)
    progress_entry_submit(target=cumulative[0], period_end=JUNE, value="9", by=admin)
    target_status_refresh(target_id=cumulative[0].pk)
    progress_entry_submit(target=cumulative[2], period_end=JUNE, value="1", by=admin)  # left stale
    progress_entry_correct(
        entry=ProgressEntry.objects.get(target=cumulative[3], period_end=MAY), value="12", by=admin
    )
    target_status_refresh(target_id=cumulative[3].pk)
    progress_entry_return(
        entry=ProgressEntry.objects.get(target=level[0], period_end=MAY), by=reviewer, reason="请补充佐证材料"
    )
    target_status_refresh(target_id=level[0].pk)
    progress_entry_return(
        entry=ProgressEntry.objects.get(target=level[1], period_end=MAY), by=reviewer, reason="请补充佐证材料"
    )  # left stale
    never_evaluated = TargetFactory(task=task)
    progress_entry_submit(target=TargetFactory(task=task), period_end=JUNE, value="4", by=admin)

    today = dt.date(2020, 7, 3)
    assert StaleStatus.objects.count() == 3
    assert not TargetStatus.objects.filter(target=never_evaluated).exists()
    total = Target.objects.count()
    assert (
        _same_rows(manager_wang, today, judged) == 4
    )  # the two stale, the two never evaluated: every other target read as stored

    # Monday 6 July before the day's sweep: every status is of 3 July but the ones refreshed this morning.
    clock("2020-07-06", hour=8)
    progress_entry_submit(target=cumulative[4], period_end=JUNE, value="14", by=admin)
    target_status_refresh(target_id=cumulative[4].pk)
    progress_entry_submit(target=level[2], period_end=JUNE, value="3.5", by=admin)
    target_status_refresh(target_id=level[2].pk)
    monday = dt.date(2020, 7, 6)
    assert _same_rows(manager_wang, monday, judged) == total - 2

    # After the sweep and the recomputations: nothing left to judge.
    status_sweep()
    stale_statuses_refresh()
    assert _same_rows(manager_wang, monday, judged) == 0
    assert Target.objects.filter(report=report_2020).count() < total  # the bundled report's targets too


def test_a_past_date_is_judged_from_the_history_whatever_is_stored(
    clock, judged, manager_wang, administrator_li
):
    target = TargetFactory()
    clock("2020-06-08")
    entry = progress_entry_submit(target=target, period_end=MAY, value="3", by=administrator_li)
    clock("2020-07-03", hour=1)
    status_sweep()
    stale_statuses_refresh()
    clock("2020-07-03", hour=10)
    progress_entry_correct(entry=entry, value="15", by=administrator_li)
    target_status_refresh(target_id=target.pk)

    judged.clear()
    before = target_rows(user=manager_wang, as_of=dt.date(2020, 7, 2), filters=BoardFilters(target=target.pk))
    assert len(judged) == 1
    assert before[0].evaluation.judged.value == Decimal(3)  # the figure as it stood on 2 July
    today = target_rows(user=manager_wang, as_of=dt.date(2020, 7, 3), filters=BoardFilters(target=target.pk))
    assert today[0].evaluation.judged.value == Decimal(15)


def test_new_thresholds_mark_the_report_s_targets_stale_until_recomputed(
    clock, judged, manager_wang, administrator_li, client
):
    target = TargetFactory()
    report = target.report
    clock("2020-06-08")
    progress_entry_submit(target=target, period_end=MAY, value="4", by=administrator_li)
    clock("2020-07-03", hour=1)
    status_sweep()
    stale_statuses_refresh()
    clock("2020-07-03", hour=10)
    today = dt.date(2020, 7, 3)
    before = target_rows(user=manager_wang, as_of=today, filters=BoardFilters(target=target.pk))
    assert before[0].evaluation.performance == "at_risk"  # 4 of 15 by May: 26.67 % against 41.53 %

    client.force_login(administrator_li)
    url = reverse("admin:targets_report_change", args=[report.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields} | {
        "cumulative_on_track_pp": "20",
    }
    for prefix in ("chapters",):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    response = client.post(url, {key: value for key, value in data.items() if value is not None})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert StaleStatus.objects.filter(target=target).exists()

    rows = target_rows(user=manager_wang, as_of=today, filters=BoardFilters(target=target.pk))
    assert rows == _reference_rows(manager_wang, today, BoardFilters(target=target.pk))
    assert rows[0].evaluation.performance == "on_track"  # 14.86 points behind: within 20
    stale_statuses_refresh()
    judged.clear()
    assert target_rows(user=manager_wang, as_of=today, filters=BoardFilters(target=target.pk)) == rows
    assert judged == []
