"""Data at the scale of a province, for the benchmark (`make bench`) and for trying the admin with volume.

`scale_data_generate` writes, for a seed, always the same data: reports (one per county-level government,
about a thousand targets each) with chapters and key tasks, departments with an official and a reviewer
each, managers (督查室), and targets with a realistic mix of measures, comparators, curves, thresholds and
baselines; then one entry per target per month, some submitted late, some returned, some missing, each
with the history records that a submission and a review leave (the reports read them, as of a date).

Everything is written with `bulk_create` in batches, so it works on SQLite as on PostgreSQL. Nothing here
runs the status sweep: the benchmark measures it.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from progress.models import ProgressEntry, Provenance, ReviewState
from progress.rules import month_end
from targets import roles
from targets.models import (
    Baseline,
    Chapter,
    Comparator,
    Curve,
    Department,
    DepartmentMembership,
    DepartmentRole,
    Frequency,
    KeyTask,
    Measure,
    Report,
    Target,
    TargetDepartment,
)

ISSUER_PREFIX = "规模测试"
DEPARTMENT_CODE_PREFIX = "scale-"
USERNAME_PREFIX = "scale_"
TARGETS_PER_REPORT = 1000
CHAPTERS_PER_REPORT = 8
TASKS_PER_CHAPTER = 6
TARGETS_PER_DEPARTMENT = 100  # led; each also co-operates on about as many
MISSING_SHARE = 0.04
RETURNED_SHARE = 0.05
LATE_SHARE = 0.10

SOURCE_TEXT = (
    "规模测试报告\n"
    "全面完成各项目标任务。新增规上企业15户，地区生产总值增长7%左右，居民消费价格涨幅控制在3%以内。\n"
)
PARAGRAPH = (SOURCE_TEXT.index("全面"), len(SOURCE_TEXT) - 1)
QUOTE = "新增规上企业15户"
QUOTE_SPAN = (SOURCE_TEXT.index(QUOTE), SOURCE_TEXT.index(QUOTE) + len(QUOTE))

# (weight, measure, comparator, units, goal range): roughly the bundled 2020 report's mix.
KINDS = (
    (40, Measure.CUMULATIVE, Comparator.AT_LEAST, ("户", "亿元", "公里", "个", "万亩"), (10, 500)),
    (20, Measure.CUMULATIVE, Comparator.DONE, ("",), None),
    (15, Measure.LEVEL, Comparator.AT_LEAST, ("%", "万元", "个百分点"), (2, 60)),
    (13, Measure.LEVEL, Comparator.AT_MOST, ("%", "吨"), (1, 30)),
    (12, Measure.LEVEL, Comparator.ABOUT, ("%",), (3, 10)),
)
CURVES = ((50, Curve.LINEAR), (25, Curve.QUARTERLY), (10, Curve.YEAR_END), (15, Curve.CUSTOM))
CUSTOM_CURVE = [2, 5, 10, 18, 26, 35, 45, 55, 65, 76, 88, 100]


@dataclass
class ScaleSummary:
    reports: int = 0
    chapters: int = 0
    tasks: int = 0
    departments: int = 0
    users: int = 0
    targets: int = 0
    entries: int = 0
    history_records: int = 0
    as_of: dt.date | None = None


def scale_as_of(*, year: int, months: int) -> dt.date:
    """The date the generated data is meant to be judged on: a week after the last month closed, when
    most of that month's reports are in and the late ones are not."""
    return month_end(year, months) + dt.timedelta(days=7)


def scale_data_remove() -> None:
    """Delete everything a previous `scale_data_generate` wrote (identified by its prefixes)."""
    reports = Report.objects.filter(issuer__startswith=ISSUER_PREFIX)
    targets = Target.objects.filter(report__in=reports)
    ProgressEntry.history.filter(target_id__in=targets.values("pk")).delete()
    ProgressEntry.objects.filter(target__in=targets).delete()
    targets.delete()
    reports.delete()
    get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).delete()
    Department.objects.filter(code__startswith=DEPARTMENT_CODE_PREFIX).delete()


def _weighted(rng: random.Random, choices):
    return rng.choices([choice[1:] if len(choice) > 2 else choice[1] for choice in choices],
                       weights=[choice[0] for choice in choices])[0]  # fmt: skip


def _round2(value: float) -> Decimal:
    return Decimal(f"{value:.2f}")


@transaction.atomic
def scale_data_generate(
    *,
    targets: int,
    months: int,
    seed: int = 2020,
    year: int = 2020,
    managers: int = 200,
    replace: bool = False,
    batch_size: int = 2000,
) -> ScaleSummary:
    """Write `targets` targets and their entries for the first `months` months of `year`.

    Steps:
    1. Reports (one per thousand targets), chapters and key tasks; departments (one per hundred targets)
       with an official and a reviewer each; managers; one administrator.
    2. Targets in batches: definition drawn from KINDS and CURVES, a lead and up to two co-operating
       departments, a baseline for about a third.
    3. Entries per batch of targets: one per month, on a trajectory of the target's own (some ahead of
       their goal, most near it, some far behind), missing, late or returned at the shares above; each
       with its history records (submitted, then reviewed).
    """
    if not 1 <= months <= 12:
        raise ValueError("months must be between 1 and 12")
    if targets < 1:
        raise ValueError("targets must be at least 1")
    if replace:
        scale_data_remove()
    elif Report.objects.filter(issuer__startswith=ISSUER_PREFIX).exists():
        raise ValueError("scale data exists already; pass replace=True to regenerate it")

    rng = random.Random(seed)
    summary = ScaleSummary(as_of=scale_as_of(year=year, months=months))
    User = get_user_model()

    # 1. Structure and people.
    report_count = max(1, -(-targets // TARGETS_PER_REPORT))
    reports = Report.objects.bulk_create(
        Report(
            issuer=f"{ISSUER_PREFIX}{number:02d}县人民政府",
            year=year,
            title=f"{year}年{ISSUER_PREFIX}{number:02d}县政府工作报告",
            delivered_on=dt.date(year, 1, 10),
            source_text=SOURCE_TEXT,
        )
        for number in range(1, report_count + 1)
    )
    chapters = Chapter.objects.bulk_create(
        Chapter(report=report, number=number, title=f"第{number}章")
        for report in reports
        for number in range(CHAPTERS_PER_REPORT)
    )
    tasks = KeyTask.objects.bulk_create(
        KeyTask(
            chapter=chapter,
            number=number,
            title=f"重点任务{chapter.number}.{number}",
            paragraph_start=PARAGRAPH[0],
            paragraph_end=PARAGRAPH[1],
        )
        for chapter in chapters
        for number in range(1, TASKS_PER_CHAPTER + 1)
    )
    department_count = max(2, -(-targets // TARGETS_PER_DEPARTMENT))
    departments = Department.objects.bulk_create(
        Department(code=f"{DEPARTMENT_CODE_PREFIX}{number:03d}", name=f"{ISSUER_PREFIX}第{number:03d}局")
        for number in range(1, department_count + 1)
    )
    people = []
    for department in departments:
        number = department.code.removeprefix(DEPARTMENT_CODE_PREFIX)
        for role in ("official", "reviewer"):
            people.append((f"{USERNAME_PREFIX}{role}_{number}", role, department))
    for number in range(1, managers + 1):
        people.append((f"{USERNAME_PREFIX}manager_{number:03d}", "manager", None))
    people.append((f"{USERNAME_PREFIX}admin", "admin", None))
    users = User.objects.bulk_create(
        User(
            username=username,
            email=f"{username.replace('_', '.')}@scale.example",
            is_staff=True,
            is_superuser=role == "admin",
            password="!",  # unusable: the benchmark signs in with force_login
        )
        for username, role, _ in people
    )
    groups = {
        group.name: group
        for group in Group.objects.filter(name__in=[roles.OFFICIAL, roles.REVIEWER, roles.MANAGER])
    }
    group_for = {"official": roles.OFFICIAL, "reviewer": roles.REVIEWER, "manager": roles.MANAGER}
    User.groups.through.objects.bulk_create(
        User.groups.through(user_id=user.pk, group_id=groups[group_for[role]].pk)
        for user, (_, role, _) in zip(users, people, strict=True)
        if role in group_for
    )
    DepartmentMembership.objects.bulk_create(
        DepartmentMembership(user=user, department=department)
        for user, (_, _, department) in zip(users, people, strict=True)
        if department is not None
    )
    official_of = {d.pk: u for u, (_, role, d) in zip(users, people, strict=True) if role == "official"}
    reviewer_of = {d.pk: u for u, (_, role, d) in zip(users, people, strict=True) if role == "reviewer"}
    summary.reports, summary.chapters, summary.tasks = len(reports), len(chapters), len(tasks)
    summary.departments, summary.users = len(departments), len(users)

    # 2 and 3, batch by batch.
    tasks_by_report: dict[int, list[KeyTask]] = {}
    for task in tasks:
        tasks_by_report.setdefault(task.chapter.report_id, []).append(task)
    plans = []
    for index in range(targets):
        report = reports[index // TARGETS_PER_REPORT]
        task = tasks_by_report[report.pk][index % len(tasks_by_report[report.pk])]
        plans.append((index, report, task))
    for start in range(0, len(plans), batch_size):
        entries, records = _write_batch(
            plans[start : start + batch_size], rng, departments, official_of, reviewer_of, year, months
        )
        summary.targets += len(plans[start : start + batch_size])
        summary.entries += entries
        summary.history_records += records
    return summary


def _target(rng: random.Random, index: int, report: Report, task: KeyTask, year: int) -> Target:
    measure, comparator, units, goals = _weighted(rng, KINDS)
    curve = _weighted(rng, CURVES)
    milestone = comparator == Comparator.DONE
    on_track = at_risk = None
    if rng.random() < 0.05:  # a few targets with thresholds of their own
        on_track, at_risk = (
            (Decimal(5), Decimal(20)) if measure == Measure.CUMULATIVE else (Decimal(0), Decimal(5))
        )
    return Target(
        report=report,
        task=task,
        code=f"{report.issuer[len(ISSUER_PREFIX) : len(ISSUER_PREFIX) + 2]}-{task.chapter.number}.{task.number}.{index % TARGETS_PER_REPORT:03d}",
        metric=f"规模测试指标{index:05d}",
        comparator=comparator,
        value=None if milestone else Decimal(rng.randint(*goals)),
        unit=rng.choice(units),
        measure=measure,
        curve=curve,
        custom_curve=CUSTOM_CURVE if curve == Curve.CUSTOM else None,
        frequency=Frequency.MONTHLY,
        deadline=dt.date(year, 12, 31),
        tolerance_pct=Decimal(3) if comparator == Comparator.ABOUT and rng.random() < 0.3 else None,
        quote=QUOTE,
        quote_start=QUOTE_SPAN[0],
        quote_end=QUOTE_SPAN[1],
        on_track_pp=on_track,
        at_risk_pp=at_risk,
    )


def _figure(rng: random.Random, target: Target, pace: float, month: int) -> Decimal:
    """A year-to-date figure for the month: cumulative targets climb towards goal × pace, level ones wander
    around goal × pace."""
    if target.comparator == Comparator.DONE:
        return _round2(min(100.0, 100 * pace * month / 12))
    goal = float(target.value)
    if target.measure == Measure.CUMULATIVE:
        return _round2(max(0.0, goal * pace * month / 12 * rng.uniform(0.95, 1.05)))
    return _round2(max(0.0, goal * pace * rng.uniform(0.97, 1.03)))


def _write_batch(plans, rng, departments, official_of, reviewer_of, year, months) -> tuple[int, int]:
    targets = Target.objects.bulk_create(
        _target(rng, index, report, task, year) for index, report, task in plans
    )
    assignments, baselines, leads = [], [], {}
    for target in targets:
        chosen = rng.sample(departments, k=min(len(departments), rng.choice((1, 2, 2, 3))))
        leads[target.pk] = chosen[0]
        for order, department in enumerate(chosen):
            role = DepartmentRole.LEAD if order == 0 else DepartmentRole.COOPERATING
            assignments.append(TargetDepartment(target=target, department=department, role=role, order=order))
        if target.comparator != Comparator.DONE and rng.random() < 0.3:
            baselines.append(
                Baseline(
                    target=target,
                    year=year - 1,
                    value=(target.value * Decimal("0.9")).quantize(Decimal("0.01")),
                    unit=target.unit,
                    quote=QUOTE,
                    quote_start=QUOTE_SPAN[0],
                )
            )
    TargetDepartment.objects.bulk_create(assignments)
    Baseline.objects.bulk_create(baselines)

    entries = []
    for target in targets:
        # Most targets near their pace, some ahead, some far behind: every status shows up.
        pace = rng.choice((0.4, 0.6, 0.8, 0.9, 0.95, 1.0, 1.0, 1.05, 1.1, 1.2))
        lead = leads[target.pk]
        for month in range(1, months + 1):
            if rng.random() < MISSING_SHARE:
                continue
            period_end = month_end(year, month)
            late = rng.random() < LATE_SHARE
            submitted_at = _at(
                period_end + dt.timedelta(days=rng.randint(8, 25) if late else rng.randint(1, 6))
            )
            review = rng.random()
            state = (
                ReviewState.RETURNED
                if review < RETURNED_SHARE
                else ReviewState.SUBMITTED
                if review > 0.85 and month == months
                else ReviewState.APPROVED
            )
            entries.append(
                ProgressEntry(
                    target=target,
                    period_end=period_end,
                    value=_figure(rng, target, pace, month),
                    is_final=month == 12 and target.measure == Measure.LEVEL and rng.random() < 0.3,
                    provenance=Provenance.OFFICIAL if rng.random() < 0.3 else Provenance.ESTIMATE,
                    note="",
                    department=lead,
                    submitted_by=official_of[lead.pk],
                    submitted_at=submitted_at,
                    review_state=state,
                    reviewed_by=None if state == ReviewState.SUBMITTED else reviewer_of[lead.pk],
                    reviewed_at=None
                    if state == ReviewState.SUBMITTED
                    else submitted_at + dt.timedelta(days=1),
                    return_reason="数据口径有误，请核实后重报。" if state == ReviewState.RETURNED else "",
                )
            )
    ProgressEntry.objects.bulk_create(entries, batch_size=5000)
    History = ProgressEntry.history.model
    fields = [field.attname for field in ProgressEntry._meta.concrete_fields]
    records = []
    for entry in entries:
        values = {name: getattr(entry, name) for name in fields}
        submitted = {
            **values,
            "review_state": ReviewState.SUBMITTED,
            "reviewed_by_id": None,
            "reviewed_at": None,
            "return_reason": "",
        }
        records.append(
            History(
                **submitted,
                history_date=entry.submitted_at,
                history_type="+",
                history_user_id=entry.submitted_by_id,
            )
        )
        if entry.review_state != ReviewState.SUBMITTED:
            records.append(
                History(
                    **values,
                    history_date=entry.reviewed_at,
                    history_type="~",
                    history_user_id=entry.reviewed_by_id,
                )
            )
    History.objects.bulk_create(records, batch_size=5000)
    return len(entries), len(records)


def _at(day: dt.date) -> dt.datetime:
    """10:00 in Wuzhong on that day (a fixed hour: the data must not depend on when it is generated)."""
    from zoneinfo import ZoneInfo

    return dt.datetime.combine(day, dt.time(10), tzinfo=ZoneInfo("Asia/Shanghai"))
