"""Writes about progress entries: submit, correct, approve, return, evidence and 配合情况 notes.

Admin, API, the import command and the demo history call these; nothing else writes these models. Each
write runs in a transaction, validates with the same rules wherever it comes from, and marks the target's
status stale with its recomputation queued for after the commit (progress.statuses).
"""

import datetime as dt
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from progress.figures import FigureInvalid, figure_read
from progress.judging import target_rule
from progress.messaging import message_enqueue
from progress.models import CooperationNote, EvidenceFile, ProgressEntry, Provenance, ReviewState
from progress.notifications import returned_entry_drafts
from progress.rules import period_ends, period_label
from progress.statuses import status_refresh_after_commit
from targets import roles
from targets.conventions import format_decimal
from targets.models import Comparator, DepartmentRole, Target
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock

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


# ------------------------------------------------------------------------------------------ figures


def figure_parse(raw: object) -> Decimal:
    """A figure as typed, imported or sent, by the one grammar of progress.figures; a refusal is a
    ValidationError on `value` with the reason in Chinese."""
    try:
        return figure_read(raw)
    except FigureInvalid as invalid:
        raise ValidationError({"value": invalid.message}) from None


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
    status_refresh_after_commit(target.pk)
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
    status_refresh_after_commit(entry.target_id)
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
    status_refresh_after_commit(entry.target_id)
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


def _evidence_save(entry: ProgressEntry, uploaded_file: UploadedFile, by, now: dt.datetime) -> EvidenceFile:
    evidence = EvidenceFile(
        entry=entry,
        original_name=PurePath(uploaded_file.name).name[:255],
        size=uploaded_file.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    evidence.file.save(uploaded_file.name, uploaded_file, save=False)
    evidence.save()
    return evidence
