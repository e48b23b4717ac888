"""The scale data generator (`generate_scale_data`, benchmarks.scale_data): counts, a realistic mix, and the
same data for the same seed. Small sizes only: the benchmark, not the tests, measures time."""

import datetime as dt
from collections import Counter

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from benchmarks.scale_data import scale_data_generate
from progress.models import ProgressEntry, ReviewState
from targets import roles
from targets.models import Department, DepartmentRole, Report, Target, TargetDepartment

pytestmark = pytest.mark.django_db


def _fingerprint() -> list[tuple]:
    return list(
        ProgressEntry.objects.filter(target__report__issuer__startswith="规模测试")
        .order_by("target__code", "period_end")
        .values_list("target__code", "period_end", "value", "review_state", "is_final", "submitted_at")
    )


def test_counts_and_structure():
    summary = scale_data_generate(targets=120, months=6, seed=1, managers=3)
    targets = Target.objects.filter(report__issuer__startswith="规模测试")
    assert summary.targets == targets.count() == 120
    assert summary.reports == 1
    assert summary.departments == Department.objects.filter(code__startswith="scale-").count() == 2
    # Every target has exactly one lead; every department an official and a reviewer; three managers.
    assert TargetDepartment.objects.filter(target__in=targets, role=DepartmentRole.LEAD).count() == 120
    users = get_user_model().objects.filter(username__startswith="scale_")
    assert users.filter(groups__name=roles.OFFICIAL, membership__isnull=False).count() == 2
    assert users.filter(groups__name=roles.REVIEWER, membership__isnull=False).count() == 2
    assert users.filter(groups__name=roles.MANAGER).count() == 3
    # One entry per target per month, some missing; each with its history (submitted, then reviewed).
    entries = ProgressEntry.objects.filter(target__in=targets)
    assert summary.entries == entries.count()
    assert 0.9 * 120 * 6 < summary.entries < 120 * 6
    assert set(entries.values_list("period_end", flat=True)) == {
        dt.date(2020, 1, 31), dt.date(2020, 2, 29), dt.date(2020, 3, 31),
        dt.date(2020, 4, 30), dt.date(2020, 5, 31), dt.date(2020, 6, 30),
    }  # fmt: skip
    reviewed = entries.exclude(review_state=ReviewState.SUBMITTED).count()
    assert summary.history_records == ProgressEntry.history.filter(target_id__in=targets.values("pk")).count()
    assert summary.history_records == summary.entries + reviewed
    assert summary.as_of == dt.date(2020, 7, 7)


def test_a_realistic_mix():
    scale_data_generate(targets=400, months=12, seed=3, managers=1)
    targets = Target.objects.filter(report__issuer__startswith="规模测试")
    assert Report.objects.filter(issuer__startswith="规模测试").count() == 1
    assert set(targets.values_list("measure", flat=True)) == {"cumulative", "level"}
    assert set(targets.values_list("comparator", flat=True)) == {"at_least", "at_most", "about", "done"}
    assert set(targets.values_list("curve", flat=True)) == {"linear", "quarterly", "year_end", "custom"}
    states = Counter(ProgressEntry.objects.filter(target__in=targets).values_list("review_state", flat=True))
    assert states[ReviewState.RETURNED] > 0 and states[ReviewState.SUBMITTED] > 0
    assert states[ReviewState.APPROVED] > states[ReviewState.RETURNED]
    late = ProgressEntry.objects.filter(
        target__in=targets,
        submitted_at__date__gt=dt.date(2020, 1, 31) + dt.timedelta(days=7),
        period_end=dt.date(2020, 1, 31),
    )
    assert late.exists()


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    scale_data_generate(targets=50, months=3, seed=7, managers=1)
    first = _fingerprint()
    scale_data_generate(targets=50, months=3, seed=7, managers=1, replace=True)
    assert _fingerprint() == first
    scale_data_generate(targets=50, months=3, seed=8, managers=1, replace=True)
    assert _fingerprint() != first


def test_the_command_refuses_to_generate_twice_without_replace():
    call_command("generate_scale_data", "--targets", "10", "--months", "2", "--managers", "1")
    with pytest.raises(Exception, match="replace"):
        call_command("generate_scale_data", "--targets", "10", "--months", "2", "--managers", "1")
    call_command("generate_scale_data", "--targets", "10", "--months", "2", "--managers", "1", "--replace")
    assert Target.objects.filter(report__issuer__startswith="规模测试").count() == 10
