"""Writes about progress: entries (submit, correct, approve, return), evidence, and stored statuses.

Admin, API, the import command and Celery tasks call these; nothing else writes these models. Each write
runs in a transaction, validates with the same rules wherever it comes from, and schedules the target's
status recomputation for after the commit.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from progress.evidence import evidence_store
from progress.figures import FigureInvalid, figure_read
from progress.models import (
    CooperationNote,
    EvidenceFile,
    ProgressEntry,
    Provenance,
    ReviewState,
    StaleStatus,
    StatusAxis,
    StatusChange,
    StatusFields,
    StatusSnapshot,
    SweepRun,
    TargetStatus,
)
from progress.rules import Evaluation, Figure, TargetRule, Thresholds, evaluate, period_ends, period_label
from targets import roles
from targets.models import Comparator, DepartmentRole, Measure, Target, format_decimal
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

logger = logging.getLogger(__name__)

MAX_EVIDENCE_BYTES = 10 * 1024 * 1024
# Allowed evidence types and the first bytes each must start with: the extension alone proves nothing.
EVIDENCE_SIGNATURES = {
    ".pdf": (b"%PDF-",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
STATUS_FIELD_NAMES = tuple(field.name for field in StatusFields._meta.get_fields())


# ------------------------------------------------------------------------------------------ figures


def figure_parse(raw: object) -> Decimal:
    """A figure as typed, imported or sent, by the one grammar of progress.figures; a refusal is a
    ValidationError on `value` with the reason in Chinese."""
    try:
        return figure_read(raw)
    except FigureInvalid as invalid:
        raise ValidationError({"value": invalid.message}) from None


def target_rule(target: Target) -> TargetRule:
    """The rules' view of a target: its definition plus the report's thresholds and its own overrides."""
    report = target.report
    cumulative = target.measure == Measure.CUMULATIVE
    report_on_track = report.cumulative_on_track_pp if cumulative else report.level_on_track_pp
    report_at_risk = report.cumulative_at_risk_pp if cumulative else report.level_at_risk_pp
    on_track = target.on_track_pp if target.on_track_pp is not None else report_on_track
    at_risk = target.at_risk_pp if target.at_risk_pp is not None else report_at_risk
    thresholds = Thresholds(
        cumulative_on_track_pp=on_track if cumulative else report.cumulative_on_track_pp,
        cumulative_at_risk_pp=at_risk if cumulative else report.cumulative_at_risk_pp,
        level_on_track_pp=report.level_on_track_pp if cumulative else on_track,
        level_at_risk_pp=report.level_at_risk_pp if cumulative else at_risk,
        due_working_days=report.report_due_working_days,
    )
    return TargetRule(
        measure=target.measure,
        comparator=target.comparator,
        goal=target.value,
        unit=target.unit,
        curve=target.curve,
        frequency=target.frequency,
        year=report.year,
        deadline=target.deadline,
        custom_curve=tuple(Decimal(str(v)) for v in target.custom_curve) if target.custom_curve else None,
        tolerance_pct=target.tolerance_pct if target.tolerance_pct is not None else Decimal(5),
        thresholds=thresholds,
    )


# ------------------------------------------------------------------------------------------ validation


def can_report_on(user, target: Target) -> bool:
    return targets_visible_to(user).filter(pk=target.pk).exists()


def leads(user, target: Target) -> bool:
    """Whether the user's department leads the target (a superuser counts as leading every target). A
    target's figures are submitted and corrected by its lead department only: a co-operating department's
    contribution is a 配合情况 note, never a figure that counts."""
    if user.is_superuser:
        return True
    department = roles.department_of(user)
    return department is not None and department == target.lead_department


def can_correct(user, entry: ProgressEntry) -> bool:
    """An entry is corrected by the target's lead department: co-operating departments and managers see
    it, but a figure is the lead department's claim (a superuser may correct anything)."""
    return leads(user, entry.target)


def progress_entry_validate(
    *,
    target: Target,
    period_end: dt.date | None,
    value: Decimal,
    by,
    today: dt.date,
    entry: ProgressEntry | None = None,
    visible: bool | None = None,
    entry_is_existing: bool = False,
) -> None:
    """Every rule an entry must satisfy, raised together as one ValidationError keyed by field.

    A caller that checked in bulk what this would look up row by row (the import) passes `visible` (the
    target is among the user's) and `entry_is_existing` (`entry` is the target's entry for `period_end`,
    or None when it has none)."""
    errors: dict[str, str] = {}
    if not (can_report_on(by, target) if visible is None else visible):
        errors["target"] = "该目标不属于您所在单位（牵头或配合），不能填报。"
    elif not leads(by, target):
        lead = target.lead_department
        errors["target"] = (
            f"该目标的数值由牵头单位（{lead or '未指定'}）填报；配合单位请在目标工作台添加“配合情况”。"
        )
    if value < 0 and not target.allows_negative_figures:
        errors["value"] = f"“{target.metric}”的数值不能为负数（只有增速、变化幅度类指标可以为负）。"
    if target.comparator == Comparator.DONE and not Decimal(0) <= value <= Decimal(100):
        errors["value"] = "里程碑类目标填报完成百分比，应在0到100之间。"
    if period_end is None:
        errors["period_end"] = "请填写报告期末。"
    else:
        report_year = target.report.year
        allowed = period_ends(target_rule(target))
        if period_end.year != report_year:
            errors["period_end"] = f"报告期末必须在{report_year}年内。"
        elif period_end > today:
            errors["period_end"] = f"报告期末{period_end:%Y-%m-%d}尚未到来，不能提前填报。"
        elif period_end not in allowed:
            choices = "、".join(f"{end:%m-%d}" for end in allowed)
            errors["period_end"] = (
                f"{period_end:%Y-%m-%d}不是该目标（{target.get_frequency_display()}）的报告期末；可选：{choices}。"
            )
        elif not entry_is_existing and (entry is None or entry.period_end != period_end):
            existing = ProgressEntry.objects.filter(target=target, period_end=period_end).first()
            if existing is not None:
                errors["period_end"] = (
                    f"该目标{period_label(period_end, target_rule(target))}已有填报（数值"
                    f"{format_decimal(existing.value)}，{existing.get_review_state_display()}）；"
                    "如需更正，请修改原填报。"
                )
    if errors:
        raise ValidationError(errors)


def evidence_validate(uploaded_file: UploadedFile) -> None:
    suffix = PurePath(uploaded_file.name).suffix.lower()
    if suffix not in EVIDENCE_SIGNATURES:
        raise ValidationError(
            {"evidence": f"文件“{uploaded_file.name}”的类型不允许；只能上传 PDF、DOCX、XLSX、JPG、PNG。"}
        )
    if uploaded_file.size > MAX_EVIDENCE_BYTES:
        size_mb = uploaded_file.size / 1024 / 1024
        raise ValidationError(
            {"evidence": f"文件“{uploaded_file.name}”为{size_mb:.1f} MB，超过10 MB的上限。"}
        )
    uploaded_file.seek(0)
    head = uploaded_file.read(16)
    uploaded_file.seek(0)
    if not head.startswith(EVIDENCE_SIGNATURES[suffix]):
        raise ValidationError({"evidence": f"文件“{uploaded_file.name}”的内容与扩展名{suffix}不符。"})


def evidence_bounds_validate(*, entry: ProgressEntry | None, files) -> None:
    """Evidence is bounded per entry as well as per file: at most EVIDENCE_MAX_FILES_PER_ENTRY files and
    EVIDENCE_MAX_MB_PER_ENTRY in all, counting what the entry already has (a correction adds files)."""
    max_files, max_mb = settings.EVIDENCE_MAX_FILES_PER_ENTRY, settings.EVIDENCE_MAX_MB_PER_ENTRY
    if not files:
        return
    had = {"count": 0, "size": 0}
    if entry is not None and entry.pk:
        had = entry.evidence.aggregate(count=Count("pk"), size=Coalesce(Sum("size"), 0))
    adding = sum(uploaded_file.size for uploaded_file in files)
    if had["count"] + len(files) > max_files:
        already = f"已有{had['count']}个，" if had["count"] else ""
        raise ValidationError(
            {
                "evidence": f"每条填报最多{max_files}个佐证材料；{already}本次上传{len(files)}个。请合并文件或删减后再上传。"
            }
        )
    if had["size"] + adding > max_mb * 1024 * 1024:
        already = f"已有{had['size'] / 1024 / 1024:.1f} MB，" if had["size"] else ""
        raise ValidationError(
            {
                "evidence": f"每条填报的佐证材料合计不超过{max_mb} MB；{already}本次上传{adding / 1024 / 1024:.1f} MB。"
                "请压缩或删减后再上传。"
            }
        )


# --------------------------------------------------------------------------------------------- writes


def _reporting_department(user, target: Target):
    """An entry belongs to its submitter's department; a manager's entry to the target's lead."""
    return roles.department_of(user) or target.lead_department


@transaction.atomic
def progress_entry_submit(
    *,
    target: Target,
    period_end: dt.date | None,
    value: object,
    by,
    is_final: bool = False,
    provenance: str = Provenance.ESTIMATE,
    note: str = "",
    evidence: tuple[UploadedFile, ...] | list[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> ProgressEntry:
    now = now or clock.now()
    figure = figure_parse(value)
    progress_entry_validate(
        target=target, period_end=period_end, value=figure, by=by, today=timezone.localdate(now)
    )
    for uploaded_file in evidence:
        evidence_validate(uploaded_file)
    evidence_bounds_validate(entry=None, files=evidence)
    entry = ProgressEntry(
        target=target,
        period_end=period_end,
        value=figure,
        is_final=is_final,
        provenance=provenance,
        note=note,
        department=_reporting_department(by, target),
        submitted_by=by,
        submitted_at=now,
    )
    entry.full_clean(validate_unique=False, validate_constraints=False)
    # The history record carries the service's clock (the demo clock too) and the person, whatever the path
    # (admin, API, import, command).
    entry._history_date, entry._history_user = now, by
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Another submission for the same period won the race between our check and our insert.
        raise ValidationError({"period_end": "该目标该期已有填报；如需更正，请修改原填报。"}) from None
    for uploaded_file in evidence:
        _evidence_save(entry, uploaded_file, by, now)
    _refresh_status_after_commit(target.pk)
    return entry


@transaction.atomic
def progress_entry_correct(
    *,
    entry: ProgressEntry,
    value: object,
    by,
    is_final: bool | None = None,
    provenance: str | None = None,
    note: str | None = None,
    evidence: tuple[UploadedFile, ...] | list[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> ProgressEntry:
    """A correction: the same row gets the new figure, a higher revision and goes back to review; the
    previous revision stays in the history."""
    now = now or clock.now()
    entry = ProgressEntry.objects.select_for_update().select_related("target__report").get(pk=entry.pk)
    if not can_correct(by, entry):
        raise ValidationError(
            {"value": f"该目标的数值由牵头单位（{entry.target.lead_department}）填报，只能由该单位更正。"}
        )
    figure = figure_parse(value)
    progress_entry_validate(
        target=entry.target,
        period_end=entry.period_end,
        value=figure,
        by=by,
        today=timezone.localdate(now),
        entry=entry,
    )
    for uploaded_file in evidence:
        evidence_validate(uploaded_file)
    evidence_bounds_validate(entry=entry, files=evidence)  # the entry row is locked: no racing upload
    entry.value = figure
    if is_final is not None:
        entry.is_final = is_final
    if provenance is not None:
        entry.provenance = provenance
    if note is not None:
        entry.note = note
    entry.revision += 1
    entry.submitted_by = by
    entry.submitted_at = now
    entry.review_state = ReviewState.SUBMITTED
    entry.reviewed_by = None
    entry.reviewed_at = None
    entry.return_reason = ""
    entry.full_clean(validate_unique=False)
    entry._history_date, entry._history_user = now, by
    entry.save()
    for uploaded_file in evidence:
        _evidence_save(entry, uploaded_file, by, now)
    _refresh_status_after_commit(entry.target_id)
    return entry


def can_review(user, entry: ProgressEntry) -> bool:
    """A reviewer of the target's lead department (or a superuser) who did not submit or last correct it."""
    return not review_refusal(user, entry)


def review_refusal(user, entry: ProgressEntry) -> str:
    """Why this user may not approve or return this entry, in Chinese; "" when they may.

    四眼原则: nobody reviews an entry they submitted or last corrected (a correction makes its author the
    submitter), not even a superuser — a figure is always seen by two people."""
    if entry.submitted_by_id == user.pk:
        return "四眼原则：不能审核自己提交或更正的填报，请由本单位另一位单位负责人审核。"
    if user.is_superuser:
        return ""
    # The lead department's reviewer: the figure is the lead's claim, whoever typed it (an entry a
    # co-operating department submitted before this rule existed is reviewed, and returned, by the lead).
    if not (roles.is_reviewer(user) and roles.department_of(user) == entry.target.lead_department):
        return "只有牵头单位的单位负责人可以审核该填报。"
    return ""


@transaction.atomic
def progress_entry_approve(*, entry: ProgressEntry, by, now: dt.datetime | None = None) -> ProgressEntry:
    return _review(entry=entry, by=by, state=ReviewState.APPROVED, reason="", now=now)


@transaction.atomic
def progress_entry_return(
    *, entry: ProgressEntry, by, reason: str, now: dt.datetime | None = None, notify: bool = True
) -> ProgressEntry:
    """Return an entry with a reason; the notice to its submitter is an outbox row of the same transaction,
    so a return is never without its notice nor a notice without its return. `notify=False` only for a
    past lived again (the demo history), whose people were told at the time."""
    # Imported here: the notifications read statuses through this module.
    from progress.messaging import message_enqueue
    from progress.notifications import returned_entry_drafts

    if not reason or not reason.strip():
        raise ValidationError({"return_reason": "退回时必须填写原因。"})
    entry = _review(entry=entry, by=by, state=ReviewState.RETURNED, reason=reason.strip(), now=now)
    for draft in returned_entry_drafts(entry) if notify else ():
        message_enqueue(draft=draft, now=now)
    return entry


def _review(*, entry: ProgressEntry, by, state: str, reason: str, now: dt.datetime | None) -> ProgressEntry:
    # Locked, then checked: of two reviewers acting at once, the second sees the first one's decision.
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)
    refusal = review_refusal(by, entry)
    if refusal:
        raise ValidationError(refusal)
    if entry.review_state != ReviewState.SUBMITTED:
        raise ValidationError(f"该填报当前为“{entry.get_review_state_display()}”，只能审核待审核的填报。")
    entry.review_state = state
    entry.reviewed_by = by
    entry.reviewed_at = entry._history_date = now or clock.now()
    entry._history_user = by
    entry.return_reason = reason
    entry.save(update_fields=["review_state", "reviewed_by", "reviewed_at", "return_reason"])
    _refresh_status_after_commit(entry.target_id)
    return entry


@transaction.atomic
def cooperation_note_add(
    *,
    target: Target,
    period_end: dt.date | None,
    text: str,
    by,
    evidence: UploadedFile | None = None,
    now: dt.datetime | None = None,
) -> CooperationNote:
    """配合情况: a co-operating department's note (and evidence) on one of the lead's periods. It never
    counts as a figure, so it neither marks the status stale nor goes through review."""
    now = now or clock.now()
    department = roles.department_of(by)
    errors: dict[str, str] = {}
    if (
        department is None
        or not target.assignments.filter(department=department, role=DepartmentRole.COOPERATING).exists()
    ):
        errors["target"] = "只有该目标的配合单位可以填写配合情况。"
    if not text or not text.strip():
        errors["text"] = "请填写配合情况。"
    if period_end is None or period_end not in period_ends(target_rule(target)):
        errors["period_end"] = "请选择该目标的一个报告期。"
    elif period_end > timezone.localdate(now):
        errors["period_end"] = f"报告期末{period_end:%Y-%m-%d}尚未到来。"
    if evidence is not None:
        try:
            evidence_validate(evidence)
        except ValidationError as error:
            errors["evidence"] = error.message_dict["evidence"][0]
    if errors:
        raise ValidationError(errors)
    note = CooperationNote(
        target=target, period_end=period_end, department=department, text=text.strip(), created_by=by,
        created_at=now, evidence_name=PurePath(evidence.name).name[:255] if evidence else "",
    )  # fmt: skip
    if evidence is not None:
        note.evidence.save(evidence.name, evidence, save=False)
    note.full_clean()
    note.save()
    return note


@transaction.atomic
def evidence_attach(
    *, entry: ProgressEntry, uploaded_file: UploadedFile, by, now: dt.datetime | None = None
) -> EvidenceFile:
    if not can_report_on(by, entry.target):
        raise ValidationError({"evidence": "该目标不属于您所在单位，不能上传佐证材料。"})
    evidence_validate(uploaded_file)
    entry = ProgressEntry.objects.select_for_update().get(pk=entry.pk)  # counted with no racing upload
    evidence_bounds_validate(entry=entry, files=[uploaded_file])
    return _evidence_save(entry, uploaded_file, by, now or clock.now())


def _evidence_save(entry: ProgressEntry, uploaded_file: UploadedFile, by, now: dt.datetime) -> EvidenceFile:
    return evidence_store(EvidenceFile, uploaded_file, by=by, now=now, entry=entry)


# -------------------------------------------------------------------------------------------- statuses


def _refresh_status_after_commit(target_id: int) -> None:
    """Inside the entry's transaction: mark the target stale (committed with the entry, so it survives a
    broker outage) and queue its recomputation for after the commit."""
    StaleStatus.objects.bulk_create(
        [StaleStatus(target_id=target_id, since=clock.now())], ignore_conflicts=True
    )
    transaction.on_commit(lambda: status_refresh_enqueue(target_id), robust=True)


def statuses_mark_stale(*, target_ids: Iterable[int]) -> None:
    """Mark targets whose stored status may no longer be what judging them gives, because their definition
    or their report's thresholds changed (an entry write marks its target itself): the reports judge them
    afresh until `stale_statuses_refresh` has recomputed them."""
    now = clock.now()
    StaleStatus.objects.bulk_create(
        [StaleStatus(target_id=target_id, since=now) for target_id in target_ids], ignore_conflicts=True
    )


def status_refresh_enqueue(target_id: int) -> None:
    """Queue the recomputation of one target. A broker outage must not fail the official's save: the
    entry is committed already with its StaleStatus mark, which `stale_statuses_refresh` picks up."""
    from progress.tasks import recompute_target_status

    try:
        recompute_target_status.delay(target_id)
    except Exception:  # kombu raises several unrelated types for "broker unreachable"
        logger.warning("状态重算任务未能入队（目标 %s）；将由下一次巡检补算。", target_id, exc_info=True)


def target_figures(target: Target) -> list[Figure]:
    return [
        Figure(period_end=e.period_end, value=e.value, is_final=e.is_final, entry_id=e.pk)
        for e in target.entries.all()
        if e.review_state != ReviewState.RETURNED
    ]


@dataclass(frozen=True)
class StoredChange:
    axis: str
    old: str
    new: str


@transaction.atomic
def target_status_refresh(*, target_id: int, today: dt.date | None = None) -> list[StoredChange]:
    """Evaluate one target at the present moment (today, not yet ended) from its current entries and
    store the result.

    The stale mark is removed before the entries are read: an entry committed after that read marks the
    target again (its insert waits for this transaction), so no entry is missed by both."""
    today = today or clock.today()
    StaleStatus.objects.filter(target_id=target_id).delete()
    target = Target.objects.select_related("report").prefetch_related("entries").get(pk=target_id)
    evaluation = evaluate(target_rule(target), target_figures(target), today, day_ended=False)
    return status_store(target=target, evaluation=evaluation, today=today)


def status_store(
    *, target: Target, evaluation: Evaluation, today: dt.date, now: dt.datetime | None = None
) -> list[StoredChange]:
    """Write a target's evaluation: the current status (locked row), a StatusChange per axis that changed,
    and today's snapshot. Running it twice, or twice at once, stores the same thing once."""
    now = now or clock.now()
    TargetStatus.objects.get_or_create(target=target, defaults={"as_of": today, "evaluated_at": now})
    status = TargetStatus.objects.select_for_update().get(pk=target.pk)
    changes = []
    for axis, new, reason in (
        (StatusAxis.PERFORMANCE, evaluation.performance.value, evaluation.reasons[0]),
        (StatusAxis.REPORTING, evaluation.reporting.value, evaluation.reasons[1]),
    ):
        old = getattr(status, axis)
        if old != new:
            StatusChange.objects.create(
                target=target, axis=axis, old=old, new=new, reason=reason, as_of=today, created_at=now
            )
            changes.append(StoredChange(axis, old, new))
    fields = _status_assign(status, evaluation, today=today, now=now)
    status.save()
    StatusSnapshot.objects.update_or_create(target=target, date=today, defaults=fields)
    return changes


def _status_assign(status: TargetStatus, evaluation: Evaluation, *, today: dt.date, now: dt.datetime) -> dict:
    """Set a stored status to an evaluation made today (unsaved); returns its StatusFields."""
    fields = status_fields(evaluation)
    for name, value in fields.items():
        setattr(status, name, value)
    status.judged_entry_id = evaluation.judged.entry_id if evaluation.judged else None
    status.reasons = list(evaluation.reasons)
    status.as_of = today
    status.evaluated_at = now
    return fields


def status_fields(evaluation: Evaluation) -> dict:
    """The StatusFields of an evaluation (the columns shared by TargetStatus and StatusSnapshot)."""
    judged = evaluation.judged
    return {
        "performance": evaluation.performance.value,
        "reporting": evaluation.reporting.value,
        "progress_pct": evaluation.progress_pct,
        "expected_pct": evaluation.expected_pct,
        "gap_pp": evaluation.gap_pp,
        "latest_value": judged.value if judged else None,
        "latest_period_end": judged.period_end if judged else None,
        "next_due": evaluation.next_due,
        "days_late": evaluation.days_late,
    }


@dataclass
class SweepSummary:
    evaluated: int = 0
    changed_targets: int = 0
    changes: int = 0


def status_sweep(*, today: dt.date | None = None, batch_size: int = 1000) -> SweepSummary:
    """Evaluate every target at the present moment of `today` and store what changed (run just after
    midnight, it finds late what was due on the day that has just ended), batch by batch (one transaction each),
    in a fixed number of statements per batch whatever its size.

    Steps, per batch of targets:
    1. Create the missing status rows with the initial state, ignoring conflicts, then read the batch's
       status rows locked (in key order) with their targets and reports: of two sweeps running at once,
       the second waits for the first to commit and compares against what it stored, so each change is
       written once.
    2. Read the counted figures as plain tuples (model instances of every entry would cost more than the
       rules do) and evaluate each target (progress.rules).
    3. Write a StatusChange per axis that changed; the whole status of targets whose status changed, only
       the evaluation date and time of the others; today's snapshot of every target (each in bulk).
    """
    today = today or clock.today()
    summary = SweepSummary()
    target_ids = list(Target.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(target_ids), batch_size):
        batch = target_ids[start : start + batch_size]
        with transaction.atomic():
            _sweep_batch(batch, today, summary)
    return summary


def _sweep_batch(batch: list[int], today: dt.date, summary: SweepSummary) -> None:
    now = clock.now()
    missing = set(Target.objects.filter(pk__in=batch, status__isnull=True).values_list("pk", flat=True))
    if missing:
        TargetStatus.objects.bulk_create(
            [TargetStatus(target_id=pk, as_of=today, evaluated_at=now) for pk in sorted(missing)],
            ignore_conflicts=True,
        )
    # One read for the locked statuses and their targets (FOR UPDATE OF the status rows only).
    statuses = list(
        TargetStatus.objects.filter(pk__in=batch)
        .select_related("target__report")
        .defer("target__quote", "target__reading", "target__report__source_text")
        .select_for_update(of=("self",))
        .order_by("pk")
    )
    figures: dict[int, list[Figure]] = {target_id: [] for target_id in batch}
    counted = ProgressEntry.objects.filter(target_id__in=batch).counted().order_by()
    for target_id, period_end, value, is_final, entry_id in counted.values_list(
        "target_id", "period_end", "value", "is_final", "pk"
    ):
        figures[target_id].append(Figure(period_end, value, is_final, entry_id))
    summary.evaluated += len(statuses)

    changed, unchanged, changes, snapshots = [], [], [], []
    for status in statuses:
        target = status.target
        evaluation = evaluate(target_rule(target), figures[target.pk], today, day_ended=False)
        fields = status_fields(evaluation)
        snapshots.append(StatusSnapshot(target_id=target.pk, date=today, **fields))
        # A new row has no reasons yet: it is written whole even when the evaluation is the initial state.
        if target.pk not in missing and _status_matches(status, evaluation):
            unchanged.append(target.pk)  # keeps its reasons and judged entry; only the date moves on
            continue
        target_changes = [
            StatusChange(
                target_id=target.pk,
                axis=axis,
                old=getattr(status, axis),
                new=new,
                reason=reason,
                as_of=today,
                created_at=now,
            )
            for axis, new, reason in (
                (StatusAxis.PERFORMANCE, evaluation.performance.value, evaluation.reasons[0]),
                (StatusAxis.REPORTING, evaluation.reporting.value, evaluation.reasons[1]),
            )
            if getattr(status, axis) != new
        ]
        changes += target_changes
        summary.changed_targets += 1 if target_changes else 0
        _status_assign(status, evaluation, today=today, now=now)
        changed.append(status)
    summary.changes += len(changes)
    StatusChange.objects.bulk_create(changes)
    # The rows exist and are locked: the upsert only ever updates, in one statement.
    TargetStatus.objects.bulk_create(
        changed,
        update_conflicts=True,
        unique_fields=["target"],
        update_fields=[*STATUS_FIELD_NAMES, "judged_entry", "reasons", "as_of", "evaluated_at"],
    )
    TargetStatus.objects.filter(pk__in=unchanged).update(as_of=today, evaluated_at=now)
    StatusSnapshot.objects.bulk_create(
        snapshots,
        update_conflicts=True,
        unique_fields=["target", "date"],
        update_fields=list(STATUS_FIELD_NAMES),
    )


def status_sweep_recorded(*, today: dt.date | None = None, batch_size: int = 1000) -> SweepRun:
    """The daily sweep, recorded as a SweepRun once it has finished (what /healthz reports)."""
    started_at = timezone.now()
    summary = status_sweep(today=today, batch_size=batch_size)
    return SweepRun.objects.create(
        as_of=today or clock.today(),
        started_at=started_at,
        finished_at=timezone.now(),
        evaluated=summary.evaluated,
        changed_targets=summary.changed_targets,
        changes=summary.changes,
    )


def stale_statuses_refresh(*, limit: int = 1000) -> int:
    """Recompute the targets still marked stale (their entry committed while the broker was unreachable,
    or their recomputation was lost); the oldest first. Returns how many were recomputed."""
    target_ids = list(StaleStatus.objects.order_by("since").values_list("target_id", flat=True)[:limit])
    for target_id in target_ids:
        target_status_refresh(target_id=target_id)
    return len(target_ids)


def _status_matches(stored: TargetStatus, evaluation: Evaluation) -> bool:
    return all(getattr(stored, name) == value for name, value in status_fields(evaluation).items())
