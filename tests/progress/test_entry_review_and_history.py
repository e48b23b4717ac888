"""Review (approve / return with a reason) and corrections: a correction is a new revision of the same
entry, the old one stays in the history, and returned entries do not count."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from progress.models import ProgressEntry, ReviewState
from progress.services import (
    progress_entry_approve,
    progress_entry_correct,
    progress_entry_return,
    progress_entry_submit,
)
from progress.statuses import target_status_refresh
from targets.models import Target

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("july_3rd_2020")]


@pytest.fixture
def enterprises_entry(official_zhang) -> ProgressEntry:
    target = Target.objects.get(report__year=2020, code="1.1.03")
    return progress_entry_submit(target=target, period_end=dt.date(2020, 6, 30), value="7", by=official_zhang)


def test_a_reviewer_of_the_department_approves(enterprises_entry, reviewer_chen):
    entry = progress_entry_approve(entry=enterprises_entry, by=reviewer_chen)
    assert (entry.review_state, entry.reviewed_by) == (ReviewState.APPROVED, reviewer_chen)


def test_a_return_needs_a_reason_and_keeps_it(enterprises_entry, reviewer_chen):
    with pytest.raises(ValidationError, match="必须填写原因"):
        progress_entry_return(entry=enterprises_entry, by=reviewer_chen, reason="  ")
    entry = progress_entry_return(entry=enterprises_entry, by=reviewer_chen, reason="缺少佐证材料")
    assert (entry.review_state, entry.return_reason) == (ReviewState.RETURNED, "缺少佐证材料")


def test_only_a_reviewer_of_the_submitting_department_may_review(
    enterprises_entry, official_zhang, reviewer_zhou
):
    for reviewer in (reviewer_zhou, official_zhang):
        with pytest.raises(ValidationError, match="单位负责人"):
            progress_entry_approve(entry=enterprises_entry, by=reviewer)
    assert ProgressEntry.objects.get(pk=enterprises_entry.pk).review_state == ReviewState.SUBMITTED


def test_an_entry_is_reviewed_once(enterprises_entry, reviewer_chen):
    progress_entry_approve(entry=enterprises_entry, by=reviewer_chen)
    with pytest.raises(ValidationError, match="只能审核待审核的填报"):
        progress_entry_return(entry=enterprises_entry, by=reviewer_chen, reason="晚了")


def test_a_correction_is_a_new_revision_and_the_old_one_stays_in_the_history(
    enterprises_entry, official_zhang, reviewer_chen
):
    progress_entry_return(entry=enterprises_entry, by=reviewer_chen, reason="数字有误")

    corrected = progress_entry_correct(entry=enterprises_entry, value="8", by=official_zhang, note="已核对")

    assert (corrected.pk, corrected.revision, corrected.value) == (enterprises_entry.pk, 2, Decimal("8"))
    assert (corrected.review_state, corrected.return_reason) == (ReviewState.SUBMITTED, "")
    history = list(
        corrected.history.order_by("history_date", "history_id").values_list(
            "value", "review_state", "revision"
        )
    )
    assert history == [
        (Decimal("7"), ReviewState.SUBMITTED, 1),
        (Decimal("7"), ReviewState.RETURNED, 1),
        (Decimal("8"), ReviewState.SUBMITTED, 2),
    ]


def test_a_returned_entry_does_not_count(enterprises_entry, reviewer_chen):
    assert target_status_refresh(target_id=enterprises_entry.target_id)  # no_data → on_track
    progress_entry_return(entry=enterprises_entry, by=reviewer_chen, reason="数字有误")
    target_status_refresh(target_id=enterprises_entry.target_id)
    assert enterprises_entry.target.status.performance == "no_data"


def test_only_the_submitting_department_corrects_its_entry(enterprises_entry, official_sun):
    # 统计局 co-operates on 1.1.03 and sees the entry, but the figure is 工业和信息化局's to correct.
    with pytest.raises(ValidationError, match="只能由该单位更正"):
        progress_entry_correct(entry=enterprises_entry, value="9", by=official_sun)
    assert ProgressEntry.objects.get(pk=enterprises_entry.pk).value == Decimal("7")
