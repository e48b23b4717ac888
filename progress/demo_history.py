"""A lived-in demo year for the bundled report (`manage.py load_demo_progress`).

The departments' figures for every target, from January up to the eve of a demo date, written through the
same services as the admin while the service's clock is moved through the year (`clock.travel`): each
entry is submitted a few working days after its period ends and reviewed a day or two later, each write is
recomputed at its moment, and the sweep runs at 00:30 of the days on which reports fall due, so that
entries, their history records and status changes carry 2020 dates and every "as of" view reproduces them.

The whole year is planned from the seed alone, never from the demo date, and then cut at the demo date:
loading up to 3 July and later up to 12 October lives the same year as loading up to 12 October at once.

Steps:
1. Cast each target (seeded by its code): the headline statistics follow a profile of 2020 (a negative
   first quarter, a slow recovery, CPI near 3); the others a storyline — on track, at risk, lagging or
   achieved early. A few departments report slowly; a couple of targets never report.
2. Plan each target's figures per reporting period (cumulative: year to date, never decreasing; milestones:
   percent complete; level: the latest rate) and the events around them: submitted after the department's
   habitual lag, approved a day or two later, now and then returned with a reason and corrected.
3. Replay the events in time order up to the end of the day before the demo date, with the 00:30 sweep of
   each day on which time alone changes statuses (due dates) and of the demo date; skip whatever is in the
   database already (idempotent).
4. Mark the replayed status changes as processed (their alerts belong to the past), except the last day's
   and the demo date's own, which the day's alert run sends.
5. Among those events, the supervision office's 督办 notices (`DEMO_NOTICES`, fixed dates and outcomes),
   issued by the first manager (督查室) to the worst target then of a department not yet supervised and
   answered by that department's reviewer: by early July one closed, two answered (one of them pressed
   again first), one 逾期未反馈 and one just issued and due within days. Without a manager there are none.
"""

import datetime as dt
import random
import struct
import zlib
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F, Max
from django.utils import timezone

from progress import notices, services, statuses
from progress.models import (
    Notice,
    NoticeEvent,
    ProgressEntry,
    Provenance,
    ReviewState,
    StatusChange,
    StatusSnapshot,
    TargetStatus,
)
from progress.rules import NoticeStep, Performance, notice_step_allowed, period_ends, report_due_date
from progress.selectors import notice_matter_prefill
from progress.working_calendar import nth_working_day_after
from targets import roles
from targets.conventions import format_decimal
from targets.models import (
    Comparator,
    Department,
    DepartmentMembership,
    Measure,
    Report,
    Target,
)
from wuzhong_tracker import clock

ON_TRACK, AT_RISK, LAGGING, ACHIEVED_EARLY = "on_track", "at_risk", "lagging", "achieved_early"
# How the other targets of a year are cast (the headline statistics follow their profile instead).
STORYLINE_WEIGHTS = {ON_TRACK: 70, AT_RISK: 12, LAGGING: 8, ACHIEVED_EARLY: 10}
SLOW_DEPARTMENTS = 3  # departments that report late now and then
SILENT_TARGETS = 2  # targets whose department never reports
RETURN_RATE = 0.04  # entries returned by the reviewer (and corrected)
EVIDENCE_RATE = 0.35
OFFICIAL_STATISTICS_RATE = 0.15  # share of other figures that come from the statistics bureau
# The departments of the demo accounts keep their habits whatever the seed, so that the walk-through of the
# README holds: on 3 July the agriculture bureau has its June figures still to report.
HABITUAL_LAG = {"agriculture": (4, 5)}
NORMAL_LAG = (1, 2, 2, 3, 3, 4)  # working days after the period end; the report is due on the 5th
SLOW_LAG = (4, 6, 8, 11, 16, 24)
COUNT_UNITS = {"个", "家", "人", "户", "所", "条", "起"}

# Headline statistics of 2020: the latest year-to-date rate at each month end (a quarterly target reports
# the quarter ends), matched on the metric. The first quarter of 2020 was negative nearly everywhere.
MONTHS = range(1, 13)
PROFILES: dict[str, dict[int, float]] = {
    "地区生产总值": dict(zip((3, 6, 9, 12), (-6.8, -1.6, 1.3, 3.9), strict=True)),
    "社会消费品零售总额": dict(zip((3, 6, 9, 12), (-19.2, -11.6, -7.1, -3.8), strict=True)),
    "规模以上工业增加值": dict(zip((3, 6, 9, 12), (-2.9, 1.8, 3.6, 5.4), strict=True)),
    "进出口": dict(zip((3, 6, 9, 12), (-12.5, -6.4, -2.2, 2.6), strict=True)),
    "接待游客": dict(zip((3, 6, 9, 12), (-58.0, -43.5, -31.2, -23.8), strict=True)),
    "旅游收入": dict(zip((3, 6, 9, 12), (-66.1, -51.7, -39.4, -31.0), strict=True)),
    "城镇居民人均可支配收入": dict(zip((3, 6, 9, 12), (5.5, 6.1, 6.6, 7.1), strict=True)),
    "农村居民人均可支配收入": dict(zip((3, 6, 9, 12), (6.9, 7.4, 7.9, 8.6), strict=True)),
    "城镇调查失业率": dict(zip((3, 6, 9, 12), (5.9, 5.6, 5.4, 5.2), strict=True)),
    "第三产业增加值占GDP比重": dict(zip((3, 6, 9, 12), (-0.8, -0.3, 0.4, 1.1), strict=True)),
    "一般公共预算收入": dict(
        zip(MONTHS, (-8.1, -12.4, -15.3, -13.0, -10.2, -8.4, -6.1, -4.8, -3.0, -1.2, 0.6, 2.1), strict=True)
    ),
    "居民消费价格": dict(
        zip(MONTHS, (3.6, 3.5, 3.4, 3.2, 3.1, 3.0, 2.9, 2.9, 2.8, 2.7, 2.6, 2.5), strict=True)
    ),
}
RETURN_REASONS = {
    "unit": "单位有误：应按“{unit}”填报，请更正数值。",
    "stale": "累计数与上期相同，请核实是否已更新为本期数据。",
    "source": "数值与统计部门口径不一致，请核实后更正。",
}
STAFF_NAMES = [
    ("马", "晓燕"), ("李", "建国"), ("杨", "慧"), ("王", "志强"), ("丁", "海龙"), ("张", "丽"), ("苏", "文斌"),
    ("金", "玉梅"), ("周", "伟"), ("田", "秀兰"), ("刘", "振华"), ("何", "静"), ("赵", "鹏"), ("孙", "雪"),
    ("冯", "磊"), ("韩", "梅"), ("纳", "国栋"), ("黑", "小军"), ("陈", "娟"), ("拜", "学成"),
]  # fmt: skip


@dataclass(frozen=True)
class PlannedEntry:
    """One figure of the year and what happens to it: submitted, reviewed, maybe returned and corrected."""

    target_id: int
    period_end: dt.date
    value: Decimal
    provenance: str
    note: str
    evidence: tuple[str, bytes] | None  # (file name, content)
    official_id: int
    reviewer_id: int
    submitted_at: dt.datetime
    approved_at: dt.datetime
    # A returned entry was first submitted with `wrong_value`, returned at `returned_at`, corrected to `value`
    # at `corrected_at`, and approved at `approved_at`.
    wrong_value: Decimal | None = None
    return_reason: str = ""
    returned_at: dt.datetime | None = None
    corrected_at: dt.datetime | None = None


@dataclass
class DemoSummary:
    submitted: int = 0
    corrected: int = 0
    approved: int = 0
    returned: int = 0
    sweeps: int = 0
    staff_created: int = 0
    performance: dict[str, int] = field(default_factory=dict)


class DemoHistoryRefused(Exception):
    pass


def _moment(text: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.fromisoformat(text))


@dataclass(frozen=True)
class PlannedNotice:
    """A 督办 notice of the demo year: when it is issued, at which level, and its later steps."""

    issue_at: dt.datetime
    level: str
    steps: tuple[tuple[str, dt.datetime, str], ...] = ()  # (step, when, text)


DEMO_NOTICES = (
    PlannedNotice(
        _moment("2020-05-12 10:00"),
        "supervise",
        (
            (
                "answer",
                _moment("2020-05-18 15:30"),
                "已召开专题会议，逐项分解任务，明确责任人，每周调度进度。",
            ),
            ("close", _moment("2020-05-20 10:00"), "整改措施具体，同意办结，纳入日常跟踪。"),
        ),
    ),
    PlannedNotice(
        _moment("2020-06-09 10:00"),
        "listed",
        (
            ("answer", _moment("2020-06-15 16:00"), "加强调度，力争尽快赶上序时进度。"),
            ("press", _moment("2020-06-17 10:00"), "整改措施不够具体，请明确每月目标和完成时限。"),
            (
                "answer",
                _moment("2020-06-23 11:00"),
                "6月完成年度任务的40%，9月底前完成80%，11月底前全部完成；每月5日前报送进展。",
            ),
        ),
    ),
    PlannedNotice(
        _moment("2020-06-16 10:00"),
        "remind",
        (("answer", _moment("2020-06-19 16:00"), "已督促有关科室按时报送，今后按期报送进度。"),),
    ),
    PlannedNotice(_moment("2020-06-22 10:00"), "supervise"),  # never answered: 逾期未反馈 from 1 July
    PlannedNotice(_moment("2020-06-30 10:00"), "supervise"),  # answer due 7 July
)


# ------------------------------------------------------------------------------------------------- plan


def _rng(seed: int, *parts: object) -> random.Random:
    # A generator per target (or department), so that one target's plan never depends on the others'.
    return random.Random(":".join(str(part) for part in (seed, *parts)))


def _at(day: dt.date, rng: random.Random, *, earliest: int = 9, latest: int = 17) -> dt.datetime:
    """A moment of office hours on `day`, in Wuzhong."""
    minute = rng.randrange(earliest * 60, latest * 60 + 30)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(minute // 60, minute % 60)))


def _later_working_day(moment: dt.datetime, days: int, rng: random.Random) -> dt.datetime:
    return _at(nth_working_day_after(timezone.localdate(moment), days), rng)


def _profile(target: Target) -> dict[int, float] | None:
    return next((path for key, path in PROFILES.items() if key in target.metric), None)


def _round(target: Target, value: float) -> Decimal:
    if target.comparator == Comparator.DONE:
        return Decimal(min(100, max(0, int(value))))
    if target.unit in COUNT_UNITS:
        return Decimal(str(max(0.0, value))).quantize(Decimal(1), rounding=ROUND_FLOOR)
    decimals = Decimal("0.1") if target.unit in {"%", "个百分点"} else Decimal("0.01")
    rounded = Decimal(str(value)).quantize(decimals, rounding=ROUND_HALF_UP)
    return rounded if target.allows_negative_figures else max(Decimal(0), rounded)


def _cumulative_values(target: Target, ends: tuple[dt.date, ...], storyline: str, rng: random.Random) -> list:
    """Year-to-date figures (milestones: percent complete), never decreasing, shaped by the storyline. An
    early achiever stops reporting once it has reached the goal (nothing is due after that)."""
    goal = 100.0 if target.comparator == Comparator.DONE else float(target.value)
    start = dt.date(target.deadline.year, 1, 1)
    span = (target.deadline - start).days + 1
    final = {
        ON_TRACK: rng.uniform(1.0, 1.08),
        AT_RISK: rng.uniform(1.0, 1.03) if rng.random() < 0.5 else rng.uniform(0.9, 0.98),
        LAGGING: rng.uniform(0.6, 0.9),
        ACHIEVED_EARLY: rng.uniform(1.0, 1.15),
    }[storyline]
    if target.comparator == Comparator.DONE:
        final = min(final, 1.0) if storyline in (ON_TRACK, ACHIEVED_EARLY) else min(final, 0.97)
    values, previous = [], Decimal(0)
    for end in ends:
        elapsed = ((end - start).days + 1) / span
        share = {
            ON_TRACK: min(1.0, elapsed * rng.uniform(0.93, 1.1)),
            AT_RISK: elapsed**1.6,
            LAGGING: elapsed**2.4,
            ACHIEVED_EARLY: min(1.0, elapsed * rng.uniform(2.0, 2.6)),
        }[storyline]
        value = max(previous, _round(target, goal * final * (1.0 if end == target.deadline else share)))
        values.append(value)
        previous = value
        if storyline == ACHIEVED_EARLY and value >= Decimal(str(goal)):
            break
    return values


def _level_values(target: Target, ends: tuple[dt.date, ...], storyline: str, rng: random.Random) -> list:
    """The latest rate or level at each period end: a headline statistic's 2020 profile, or a gap to the
    goal (in % of the goal) that moves from its start to its end along the year by the storyline."""
    profile = _profile(target)
    if profile is not None:
        return [_round(target, profile[end.month] + rng.uniform(-0.2, 0.2)) for end in ends]
    goal = float(target.value)
    scale = abs(goal) if goal else 1.0
    start_gap, end_gap = {
        ON_TRACK: (rng.uniform(-8, -1), rng.uniform(-8, -1)),
        AT_RISK: (rng.uniform(4, 9), rng.uniform(-2, 4)),
        LAGGING: (rng.uniform(15, 30), rng.uniform(5, 15)),
        ACHIEVED_EARLY: (rng.uniform(-8, -2), rng.uniform(-8, -2)),
    }[storyline]
    if target.comparator == Comparator.ABOUT:
        tolerance = float(target.tolerance_pct or 5)
        start_gap, end_gap = start_gap + tolerance, end_gap + tolerance  # inside the tolerance when ≤ 0
    values = []
    for end in ends:
        gap = start_gap + (end_gap - start_gap) * end.month / 12
        if target.comparator == Comparator.AT_LEAST:
            value = goal - scale * gap / 100
        else:  # at most, or about (approached from above)
            value = goal + scale * gap / 100
        values.append(_round(target, value))
    return values


def _note(target: Target, end: dt.date, value: Decimal, rng: random.Random) -> str:
    if rng.random() < 0.55:
        return ""
    figure = f"{format_decimal(value)}{target.figure_unit}"
    if target.comparator == Comparator.DONE:
        return rng.choice(
            [f"截至{end.month}月底，已完成总体工作量的{figure}。", "按计划推进，详见佐证材料。"]
        )
    if target.measure == Measure.CUMULATIVE:
        return rng.choice([f"截至{end.month}月底累计完成{figure}。", "已逐项核对台账。"])
    return rng.choice([f"1—{end.month}月数据为{figure}。", "数据来源：统计部门月度（季度）报表。"])


def _evidence(target: Target, end: dt.date, rng: random.Random) -> tuple[str, bytes] | None:
    if rng.random() >= EVIDENCE_RATE:
        return None
    stem = f"{target.code}_{end:%Y%m}"
    if rng.random() < 0.25:
        return f"{stem}_现场照片.png", _png(rng)
    return f"{stem}_佐证材料.pdf", _pdf(f"Wuzhong Tracker demo evidence: target {target.code}, period {end}")


def _pdf(text: str) -> bytes:
    """A one-page PDF saying `text` (ASCII), small and valid."""
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _png(rng: random.Random) -> bytes:
    """A 32×24 PNG of one colour (a stand-in for a site photo)."""
    width, height = 32, 24
    pixel = bytes(rng.randrange(60, 200) for _ in range(3))
    raw = b"".join(b"\x00" + pixel * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class Staff:
    official_id: int
    reviewer_id: int


def plan_year(*, report: Report, seed: int, staff: dict[int, Staff]) -> list[PlannedEntry]:
    """Every figure of the report's year and its events, from the seed alone (see the module docstring)."""
    targets = list(
        Target.objects.filter(report=report)
        .select_related("report")
        .prefetch_related("assignments__department")
    )
    leads = {target.pk: target.lead_department for target in targets}
    department_codes = sorted({lead.code for lead in leads.values() if lead is not None})
    eligible = [
        code for code in department_codes if code not in HABITUAL_LAG and code not in {"ndrc", "stats"}
    ]
    slow = set(_rng(seed, "slow").sample(eligible, min(SLOW_DEPARTMENTS, len(eligible))))
    quiet = [
        t for t in targets if _profile(t) is None and leads[t.pk] and leads[t.pk].code not in HABITUAL_LAG
    ]
    silent = {t.pk for t in _rng(seed, "silent").sample(sorted(quiet, key=lambda t: t.code), SILENT_TARGETS)}
    plan = []
    for target in sorted(targets, key=lambda t: t.code):
        lead = leads[target.pk]
        if lead is None or target.pk in silent or lead.pk not in staff:
            continue
        rng = _rng(seed, target.report.year, target.code)
        storyline = rng.choices(list(STORYLINE_WEIGHTS), weights=list(STORYLINE_WEIGHTS.values()))[0]
        if storyline == ACHIEVED_EARLY and target.measure == Measure.LEVEL:
            storyline = ON_TRACK  # a rate is only achieved by its final figure
        lags = HABITUAL_LAG.get(lead.code, SLOW_LAG if lead.code in slow else NORMAL_LAG)
        plan += _plan_target(target, storyline, lags, staff[lead.pk], rng)
    return plan


def _plan_target(target: Target, storyline: str, lags: tuple, staff: Staff, rng: random.Random) -> list:
    rule = services.target_rule(target)
    ends = period_ends(rule)
    if target.measure == Measure.CUMULATIVE:
        values = _cumulative_values(target, ends, storyline, rng)
    else:
        values = _level_values(target, ends, storyline, rng)
    official = _profile(target) is not None or (
        target.measure == Measure.LEVEL and target.frequency == "annual"
    )
    plan, previous = [], None
    for end, value in zip(ends, values, strict=False):
        submitted_at = _at(nth_working_day_after(end, rng.choice(lags)), rng)
        entry = PlannedEntry(
            target_id=target.pk,
            period_end=end,
            value=value,
            provenance=Provenance.OFFICIAL
            if official or rng.random() < OFFICIAL_STATISTICS_RATE
            else Provenance.ESTIMATE,
            note=_note(target, end, value, rng),
            evidence=_evidence(target, end, rng),
            official_id=staff.official_id,
            reviewer_id=staff.reviewer_id,
            submitted_at=submitted_at,
            approved_at=_later_working_day(submitted_at, rng.choice((1, 1, 2)), rng),
        )
        if rng.random() < RETURN_RATE:
            entry = _returned(entry, target, previous, rng)
        plan.append(entry)
        previous = entry
    return plan


def _returned(entry: PlannedEntry, target: Target, previous: PlannedEntry | None, rng: random.Random):
    """The same figure, first submitted wrong, returned by the reviewer with the reason, then corrected."""
    if target.unit.startswith("万") and entry.value:
        wrong, reason = entry.value * 10000, RETURN_REASONS["unit"].format(unit=target.unit)
    elif target.measure == Measure.CUMULATIVE and previous is not None and previous.value != entry.value:
        wrong, reason = previous.value, RETURN_REASONS["stale"]
    else:
        wrong, reason = entry.value + max(Decimal(1), abs(entry.value) / 2), RETURN_REASONS["source"]
    wrong = _round(target, float(wrong))
    if wrong == entry.value:
        return entry
    returned_at = _later_working_day(entry.submitted_at, rng.choice((1, 2)), rng)
    corrected_at = _later_working_day(returned_at, rng.choice((1, 2, 3)), rng)
    return PlannedEntry(
        **{
            **entry.__dict__,
            "wrong_value": wrong,
            "return_reason": reason,
            "returned_at": returned_at,
            "corrected_at": corrected_at,
            "approved_at": _later_working_day(corrected_at, 1, rng),
        }
    )


# ---------------------------------------------------------------------------------------------- people


def staff_ensure(*, report: Report) -> tuple[dict[int, Staff], int]:
    """An official and a reviewer for every lead department of the report: the department's existing
    people where it has them (the demo accounts), else demo staff with Chinese names and no password."""
    User = get_user_model()
    lead_ids = set(
        Target.objects.filter(report=report, assignments__role="lead").values_list(
            "assignments__department_id", flat=True
        )
    )
    members: dict[tuple[int, str], int] = {}
    for user_id, department_id, group in (
        DepartmentMembership.objects.filter(department_id__in=lead_ids, user__is_active=True)
        .filter(user__groups__name__in=[roles.OFFICIAL, roles.REVIEWER])
        .order_by("user__username")
        .values_list("user_id", "department_id", "user__groups__name")
    ):
        members.setdefault((department_id, group), user_id)
    groups = {group.name: group for group in Group.objects.filter(name__in=[roles.OFFICIAL, roles.REVIEWER])}
    departments = Department.objects.in_bulk(lead_ids)
    staff, created = {}, 0
    for index, membership_department in enumerate(sorted(lead_ids)):
        department = departments[membership_department]
        ids = {}
        for offset, (role, suffix) in enumerate(((roles.OFFICIAL, "official"), (roles.REVIEWER, "reviewer"))):
            user_id = members.get((department.pk, role))
            if user_id is None:
                surname, given = STAFF_NAMES[(2 * index + offset) % len(STAFF_NAMES)]
                user = User.objects.create(
                    username=f"{department.code}_{suffix}",
                    last_name=surname,
                    first_name=given,
                    email=f"{department.code}_{suffix}@example.invalid",
                    is_staff=True,
                )
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.add(groups[role])
                DepartmentMembership.objects.create(user=user, department=department)
                user_id, created = user.pk, created + 1
            ids[role] = user_id
        staff[department.pk] = Staff(official_id=ids[roles.OFFICIAL], reviewer_id=ids[roles.REVIEWER])
    return staff, created


# ---------------------------------------------------------------------------------------------- replay


@dataclass(frozen=True, order=True)
class _Event:
    at: dt.datetime
    order: int  # submitted < returned < corrected < approved within the same minute
    kind: str = field(compare=False)
    planned: PlannedEntry | None = field(compare=False, default=None)
    notice: PlannedNotice | None = field(compare=False, default=None)
    step: tuple[str, dt.datetime, str] | None = field(compare=False, default=None)


def demo_history_load(*, report: Report, until: dt.date, seed: int = 2020) -> DemoSummary:
    """Live the report's year up to the demo date `until` (see the module docstring)."""
    last_swept = StatusSnapshot.objects.filter(target__report=report).aggregate(last=Max("date"))["last"]
    if last_swept is not None and last_swept > until:
        raise DemoHistoryRefused(
            f"数据库中已有截至{last_swept:%Y-%m-%d}的状态评估，晚于演示日期{until:%Y-%m-%d}；"
            "演示历史只能向后推进。请换用新的数据库（如 make run 的按日期区分的演示库）。"
        )
    staff, created = staff_ensure(report=report)
    summary = DemoSummary(staff_created=created)
    cutoff = timezone.make_aware(dt.datetime.combine(until, dt.time.min))
    events = []
    for planned in plan_year(report=report, seed=seed, staff=staff):
        events.append(_Event(planned.submitted_at, 0, "submit", planned))
        if planned.returned_at is not None:
            events.append(_Event(planned.returned_at, 1, "return", planned))
            events.append(_Event(planned.corrected_at, 2, "correct", planned))
        events.append(_Event(planned.approved_at, 3, "approve", planned))
    for planned_notice in DEMO_NOTICES:
        events.append(_Event(planned_notice.issue_at, 4, "notice", notice=planned_notice))
        events += [
            _Event(step[1], 4, "notice", notice=planned_notice, step=step) for step in planned_notice.steps
        ]
    for day in _sweep_days(report, until):
        if last_swept is None or day > last_swept:
            events.append(_Event(timezone.make_aware(dt.datetime.combine(day, dt.time(0, 30))), -1, "sweep"))
    users = get_user_model().objects.in_bulk({p.official_id for p in staff.values()} | _reviewers(staff))
    targets = Target.objects.filter(report=report).select_related("report").in_bulk()
    for event in sorted(events):
        if event.kind != "sweep" and event.at >= cutoff:
            continue  # up to the eve of the demo date: the day itself is the newcomer's
        with clock.travel(event.at):
            if event.kind == "notice":
                _apply_notice(event, report, staff, users)
            else:
                _apply(event, targets, users, summary)
    # The replayed past sends no messages: its changes are marked processed, except those of the last day
    # and of the demo date's 00:30 sweep, which the demo date's first alert run sends (so that the outbox
    # shows what a day's alerts look like).
    StatusChange.objects.filter(
        target__report=report, processed_at__isnull=True, created_at__lt=cutoff - dt.timedelta(days=1)
    ).update(processed_at=cutoff)
    summary.performance = _distribution(report)
    return summary


def _sweep_days(report: Report, until: dt.date) -> list[dt.date]:
    """The days whose 00:30 sweep the replay runs: those on which the passing of time alone can change a
    status — each report's due date and the day after it (a report is late from one or the other, by the
    rules' reading of "as of") — and the demo date itself. On the other days only the count of days late
    and the day's snapshot would move, and each entry's own recomputation covers the rest."""
    days = {until}
    for target in Target.objects.filter(report=report).select_related("report"):
        for end in period_ends(services.target_rule(target)):
            due = report_due_date(end, report.report_due_working_days)
            days |= {due, due + dt.timedelta(days=1)}
    return sorted(day for day in days if day <= until)


def _reviewers(staff: dict[int, Staff]) -> set[int]:
    return {member.reviewer_id for member in staff.values()}


def _apply(event: _Event, targets: dict, users: dict, summary: DemoSummary) -> None:
    if event.kind == "sweep":
        statuses.status_sweep(today=timezone.localdate(event.at))
        summary.sweeps += 1
        return
    planned = event.planned
    official, reviewer = users[planned.official_id], users[planned.reviewer_id]
    entry = ProgressEntry.objects.filter(target_id=planned.target_id, period_end=planned.period_end).first()
    if event.kind == "submit":
        if entry is not None:
            return
        evidence = [SimpleUploadedFile(*planned.evidence)] if planned.evidence else []
        services.progress_entry_submit(
            target=targets[planned.target_id], period_end=planned.period_end,
            value=planned.wrong_value if planned.wrong_value is not None else planned.value,
            by=official, provenance=planned.provenance, note=planned.note, evidence=evidence, now=event.at,
        )  # fmt: skip
        summary.submitted += 1
        return
    # The review steps act on the entry this plan submitted, in the state the plan left it (an entry that
    # someone typed in by hand during the demo is theirs).
    if entry is None or entry.submitted_by_id != planned.official_id or entry.submitted_at > event.at:
        return
    if event.kind == "return" and entry.review_state == ReviewState.SUBMITTED and entry.revision == 1:
        # The past sends nothing: its messages would reach people about days long gone.
        services.progress_entry_return(
            entry=entry, by=reviewer, reason=planned.return_reason, now=event.at, notify=False
        )
        summary.returned += 1
    elif event.kind == "correct" and entry.review_state == ReviewState.RETURNED and entry.revision == 1:
        services.progress_entry_correct(entry=entry, value=planned.value, by=official, now=event.at)
        summary.corrected += 1
    elif event.kind == "approve" and entry.review_state == ReviewState.SUBMITTED:
        services.progress_entry_approve(entry=entry, by=reviewer, now=event.at)
        summary.approved += 1


def _apply_notice(event: _Event, report: Report, staff: dict[int, Staff], users: dict) -> None:
    """Issue a planned notice, or take one of its later steps, unless done already (idempotent)."""
    manager = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=roles.MANAGER)
        .order_by("username")
        .first()
    )
    if manager is None:
        return
    planned = event.notice
    notice = Notice.objects.filter(report=report, issued_at=planned.issue_at).first()
    if event.step is None:
        if notice is None:
            target = _notice_target(report)
            if target is not None:
                matter = notice_matter_prefill(
                    targets=Target.objects.filter(pk=target.pk), as_of=timezone.localdate(event.at)
                )
                notices.notice_issue(
                    targets=[target], level=planned.level, matter=matter, by=manager, now=event.at
                )
        return
    step, at, text = event.step
    if notice is None or NoticeEvent.objects.filter(notice=notice, at=at).exists():
        return
    if not notice_step_allowed(notice.state, NoticeStep(step)):
        return  # someone took another step during the demo
    if step == "answer":
        reviewer = users[staff[notice.department_id].reviewer_id]
        completion = nth_working_day_after(timezone.localdate(at), 40)
        notices.notice_answer(
            notice=notice, by=reviewer, measures=text, expected_completion=completion, now=at
        )
    elif step == "close":
        notices.notice_close(notice=notice, by=manager, remark=text, now=at)
    else:
        notices.notice_press(notice=notice, by=manager, reason=text, now=at)


def _notice_target(report: Report) -> Target | None:
    """The worst-judged target now (lagging or overdue, the widest gap first) of a lead department that has
    had no demo notice yet."""
    supervised = set(Notice.objects.filter(report=report).values_list("department_id", flat=True))
    statuses = (
        TargetStatus.objects.filter(
            target__report=report, performance__in=[Performance.LAGGING, Performance.OVERDUE]
        )
        .select_related("target")
        .prefetch_related("target__assignments__department")
        .order_by(F("gap_pp").desc(nulls_last=True), "target__code")
    )
    for status in statuses:
        lead = status.target.lead_department
        if lead is not None and lead.pk not in supervised:
            return status.target
    return None


def _distribution(report: Report) -> dict[str, int]:
    counts = {status.value: 0 for status in Performance}
    for performance in Target.objects.filter(report=report).values_list("status__performance", flat=True):
        counts[performance or Performance.NO_DATA] += 1
    return counts
