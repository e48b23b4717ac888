"""Writes about progress entries: submit, correct, approve, return, evidence and 配合情况 notes.

Admin, API, the import command and the demo history call these; nothing else writes these models. Each
write runs in a transaction, validates with the same rules wherever it comes from, and marks the target's
status stale with its recomputation queued for after the commit (progress.statuses).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from progress.evidence import evidence_store
from progress.figures import FigureInvalid, figure_read
from progress.judging import target_rule
from progress.messaging import message_enqueue
from progress.models import CooperationNote, EvidenceFile, ProgressEntry, Provenance, ReviewState
from progress.notifications import returned_entry_drafts
from progress.rules import period_ends, period_label
from progress.statuses import status_refresh_after_commit, status_refresh_enqueue, statuses_mark_stale
from progress.years import year_lock_refusal
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


@dataclass(frozen=True)
class EntryFacts:
    """What judging an entry's acceptability reads from the database besides the entry itself: whether the
    target is among the person's (lead or co-operating) and the target's entry for the period, if any, other
    than the one being corrected. `progress_entry_validate` reads them row by row; the import reads them for
    the whole file at once."""

    visible: bool
    other_entry: ProgressEntry | None
    year_closed: str | None  # why the target's year refuses entries today (progress.years), if it does


def entry_facts(
    *, target: Target, period_end: dt.date | None, by, today: dt.date, entry: ProgressEntry | None = None
) -> EntryFacts:
    others = ProgressEntry.objects.filter(target=target, period_end=period_end)
    if entry is not None:
        others = others.exclude(pk=entry.pk)
    return EntryFacts(
        visible=can_report_on(by, target),
        other_entry=others.first() if period_end is not None else None,
        year_closed=year_lock_refusal(target=target, today=today),
    )


def entry_errors(
    *,
    target: Target,
    period_end: dt.date | None,
    value: Decimal,
    provenance: str,
    by,
    today: dt.date,
    facts: EntryFacts,
) -> dict[str, str]:
    """Every rule an entry must satisfy, as messages keyed by field (none: acceptable). No query: the facts
    are given."""
    errors: dict[str, str] = {}
    if not facts.visible:
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
    if provenance not in Provenance.values:
        errors["provenance"] = f"数据来源“{provenance}”无效；可选：{'、'.join(map(str, Provenance.labels))}。"
    if facts.year_closed and "target" not in errors:
        errors["target"] = facts.year_closed
    if period_end is None:
        errors["period_end"] = "请填写报告期末。"
    else:
        report_year = target.report.year
        rule = target_rule(target)
        allowed = period_ends(rule)
        if period_end.year != report_year:
            errors["period_end"] = f"报告期末必须在{report_year}年内。"
        elif period_end > today:
            errors["period_end"] = f"报告期末{period_end:%Y-%m-%d}尚未到来，不能提前填报。"
        elif period_end not in allowed:
            choices = "、".join(f"{end:%m-%d}" for end in allowed)
            errors["period_end"] = (
                f"{period_end:%Y-%m-%d}不是该目标（{target.get_frequency_display()}）的报告期末；可选：{choices}。"
            )
        elif facts.other_entry is not None:
            existing = facts.other_entry
            errors["period_end"] = (
                f"该目标{period_label(period_end, rule)}已有填报（数值"
                f"{format_decimal(existing.value)}，{existing.get_review_state_display()}）；"
                "如需更正，请修改原填报。"
            )
    return errors


def progress_entry_validate(
    *, target: Target, period_end: dt.date | None, value: Decimal, by, today: dt.date,
    provenance: str = Provenance.ESTIMATE, entry: ProgressEntry | None = None,
) -> None:  # fmt: skip
    """`entry_errors` with its facts read for this one entry, raised as one ValidationError keyed by field."""
    facts = entry_facts(target=target, period_end=period_end, by=by, today=today, entry=entry)
    errors = entry_errors(
        target=target,
        period_end=period_end,
        value=value,
        provenance=provenance,
        by=by,
        today=today,
        facts=facts,
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


def evidence_all_validate(*, entry: ProgressEntry | None, files) -> None:
    """Each file (`evidence_validate`) and the entry's bounds (`evidence_bounds_validate`)."""
    for uploaded_file in files:
        evidence_validate(uploaded_file)
    evidence_bounds_validate(entry=entry, files=files)


# --------------------------------------------------------------------------------------------- writes


def _reporting_department(user, target: Target):
    """An entry belongs to its submitter's department; a manager's entry to the target's lead."""
    return roles.department_of(user) or target.lead_department


@dataclass(frozen=True)
class EntrySubmission:
    """A new entry that passed validation (`progress_entry_prepare`), ready for `progress_entry_save`: the
    admin's form prepares it while it validates, and saves it without validating again."""

    target: Target
    period_end: dt.date
    value: Decimal
    by: object
    is_final: bool
    provenance: str
    note: str
    evidence: tuple[UploadedFile, ...]
    now: dt.datetime


def progress_entry_prepare(
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
) -> EntrySubmission:
    """Validate a new entry: the figure, then every rule of `entry_errors` (all at once), then the evidence."""
    now = now or clock.now()
    figure = figure_parse(value)
    progress_entry_validate(
        target=target, period_end=period_end, value=figure, by=by, today=timezone.localdate(now),
        provenance=provenance,
    )  # fmt: skip
    evidence_all_validate(entry=None, files=evidence)
    return EntrySubmission(target, period_end, figure, by, is_final, provenance, note, tuple(evidence), now)


@transaction.atomic
def progress_entry_save(submission: EntrySubmission) -> ProgressEntry:
    """Write a prepared entry, its evidence and its stale mark; the recomputation after the commit."""
    by, now, target = submission.by, submission.now, submission.target
    entry = ProgressEntry(
        target=target,
        period_end=submission.period_end,
        value=submission.value,
        is_final=submission.is_final,
        provenance=submission.provenance,
        note=submission.note,
        department=_reporting_department(by, target),
        submitted_by=by,
        submitted_at=now,
    )
    # The history record carries the service's clock (the demo clock too) and the person, whatever the path
    # (admin, API, import, command).
    entry._history_date, entry._history_user = now, by
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        # Another submission for the same period won the race between our check and our insert.
        raise ValidationError({"period_end": "该目标该期已有填报；如需更正，请修改原填报。"}) from None
    for uploaded_file in submission.evidence:
        _evidence_save(entry, uploaded_file, by, now)
    status_refresh_after_commit(target.pk)
    return entry


def progress_entry_submit(**fields) -> ProgressEntry:
    """A new entry, validated then written (`progress_entry_prepare`'s arguments)."""
    return progress_entry_save(progress_entry_prepare(**fields))


@dataclass(frozen=True)
class EntryCorrection:
    """A correction that passed validation (`progress_entry_correction_prepare`), ready for
    `progress_entry_correction_save`."""

    entry: ProgressEntry
    value: Decimal
    by: object
    is_final: bool | None
    provenance: str | None
    note: str | None
    evidence: tuple[UploadedFile, ...]
    now: dt.datetime


def progress_entry_correction_prepare(
    *,
    entry: ProgressEntry,
    value: object,
    by,
    is_final: bool | None = None,
    provenance: str | None = None,
    note: str | None = None,
    evidence: tuple[UploadedFile, ...] | list[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> EntryCorrection:
    """Validate a correction: by the lead department, a new figure that satisfies every rule, evidence."""
    now = now or clock.now()
    if not can_correct(by, entry):
        raise ValidationError(
            {"value": f"该目标的数值由牵头单位（{entry.target.lead_department}）填报，只能由该单位更正。"}
        )
    figure = figure_parse(value)
    progress_entry_validate(
        target=entry.target, period_end=entry.period_end, value=figure, by=by, today=timezone.localdate(now),
        provenance=entry.provenance if provenance is None else provenance, entry=entry,
    )  # fmt: skip
    evidence_all_validate(entry=entry, files=evidence)
    return EntryCorrection(entry, figure, by, is_final, provenance, note, tuple(evidence), now)


@transaction.atomic
def progress_entry_correction_save(correction: EntryCorrection) -> ProgressEntry:
    """The same row gets the new figure, a higher revision and goes back to review; the previous revision
    stays in the history."""
    by, now = correction.by, correction.now
    entry = (
        ProgressEntry.objects.select_for_update().select_related("target__report").get(pk=correction.entry.pk)
    )
    # Under the row lock: of two uploads racing past validation, the second finds the first one's files.
    evidence_bounds_validate(entry=entry, files=correction.evidence)
    _correction_apply(entry, correction)
    entry._history_date, entry._history_user = now, by
    entry.save(update_fields=CORRECTED_FIELDS)
    for uploaded_file in correction.evidence:
        _evidence_save(entry, uploaded_file, by, now)
    status_refresh_after_commit(entry.target_id)
    return entry


# Entries per history INSERT … SELECT: a file of IMPORT_MAX_ROWS rows in one statement, within the
# parameters a statement may have (SQLite 32,766).
HISTORY_BATCH = 20_000
CORRECTED_FIELDS = [
    "value", "is_final", "provenance", "note", "revision", "submitted_by", "submitted_at", "review_state",
    "reviewed_by", "reviewed_at", "return_reason",
]  # fmt: skip


def _correction_apply(entry: ProgressEntry, correction: EntryCorrection) -> None:
    """Set a locked entry to its correction (unsaved): a new revision, back to review."""
    entry.value = correction.value
    if correction.is_final is not None:
        entry.is_final = correction.is_final
    if correction.provenance is not None:
        entry.provenance = correction.provenance
    if correction.note is not None:
        entry.note = correction.note
    entry.revision += 1
    entry.submitted_by = correction.by
    entry.submitted_at = correction.now
    entry.review_state = ReviewState.SUBMITTED
    entry.reviewed_by = None
    entry.reviewed_at = None
    entry.return_reason = ""


def progress_entry_correct(**fields) -> ProgressEntry:
    """A correction, validated then written (`progress_entry_correction_prepare`'s arguments)."""
    return progress_entry_correction_save(progress_entry_correction_prepare(**fields))


@transaction.atomic
def progress_entries_save(
    *, submissions: list[EntrySubmission], corrections: list[EntryCorrection]
) -> list[ProgressEntry]:
    """Write many prepared entries and corrections at once (the import), all or nothing, in a fixed number of
    statements whatever their number: the entries and their history records in bulk, one stale mark and one
    recomputation per target. A correction whose entry changed after it was validated, or a new entry whose
    period another submission took meanwhile, refuses the whole write."""
    entries = [
        ProgressEntry(
            target=item.target,
            period_end=item.period_end,
            value=item.value,
            is_final=item.is_final,
            provenance=item.provenance,
            note=item.note,
            department=_reporting_department(item.by, item.target),
            submitted_by=item.by,
            submitted_at=item.now,
        )
        for item in submissions
    ]
    try:
        with transaction.atomic():
            for by, now, group in _by_person_and_time(entries, submissions):
                ProgressEntry.objects.bulk_create(group)
                _created_history_write(entry_ids=[entry.pk for entry in group], by=by, now=now)
    except IntegrityError:
        raise ValidationError({"period_end": "导入期间，其中某期已由他人填报；请重新导入。"}) from None
    if corrections:
        validated = {item.entry.pk: item for item in corrections}
        locked = list(ProgressEntry.objects.select_for_update().filter(pk__in=validated).order_by("pk"))
        if len(locked) != len(validated):
            raise ValidationError({"value": "导入期间，有填报被删除；请重新导入。"})
        for entry in locked:
            item = validated[entry.pk]
            if (entry.revision, entry.review_state) != (item.entry.revision, item.entry.review_state):
                raise ValidationError(
                    {"value": f"导入期间，{entry.period_end:%Y-%m-%d}的填报已被他人修改或审核；请重新导入。"}
                )
            _correction_apply(entry, item)
        ordered = [validated[entry.pk] for entry in locked]
        for by, now, group in _by_person_and_time(locked, ordered):
            bulk_update_with_history(
                group, ProgressEntry, CORRECTED_FIELDS, default_user=by, default_date=now
            )
        entries += locked
    target_ids = sorted({entry.target_id for entry in entries})
    statuses_mark_stale(target_ids=target_ids)
    for target_id in target_ids:
        status_refresh_enqueue(target_id)
    return entries


def _created_history_write(*, entry_ids: list[int], by, now: dt.datetime) -> None:
    """The "created" history record of each new entry, copied from its row by the database (one INSERT …
    SELECT per batch of ids): the record simple_history's `bulk_history_create` writes (every tracked field,
    type "+", the user and the time, no change reason), without the model instance per record that made
    it cost as much as the entries' own insert."""
    history = ProgressEntry.history.model
    quote = connection.ops.quote_name
    tracked = [quote(field.column) for field in history.tracked_fields]
    stamps = [
        quote(name) for name in ("history_date", "history_change_reason", "history_type", "history_user_id")
    ]
    stamp_values = [connection.ops.adapt_datetimefield_value(now), None, "+", by.pk]
    key = quote(ProgressEntry._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(entry_ids), HISTORY_BATCH):
            batch = entry_ids[start : start + HISTORY_BATCH]
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(tracked + stamps)}) "
                f"SELECT {', '.join(tracked)}, %s, %s, %s, %s FROM {quote(ProgressEntry._meta.db_table)} "
                f"WHERE {key} IN ({', '.join(['%s'] * len(batch))}) ORDER BY {key}",
                [*stamp_values, *batch],
            )


def _by_person_and_time(entries: list[ProgressEntry], items: list) -> list[tuple[object, dt.datetime, list]]:
    """The entries grouped by who wrote them and when (one history stamp per group; an import has one)."""
    groups: dict[tuple, tuple] = {}
    for entry, item in zip(entries, items, strict=True):
        groups.setdefault((item.by.pk, item.now), (item.by, item.now, []))[2].append(entry)
    return list(groups.values())


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
    return evidence_store(EvidenceFile, uploaded_file, by=by, now=now, entry=entry)
