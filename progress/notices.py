"""Writes about 督办 notices (PRODUCT.md §7): issue (one notice per lead department), answer, close, press
again. Admin pages, the API and the demo year call these; nothing else writes the notice models.

Each write runs in one transaction, locks the notice before it checks its state (of two people acting at
once, the second sees the first one's step), writes a `NoticeEvent`, and queues the notice's messages in
the outbox in the same transaction (progress.notice_messages), so that a notice and its delivery are
committed together or not at all.
"""

import datetime as dt
from collections import defaultdict

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from progress.evidence import evidence_store
from progress.models import (
    Notice,
    NoticeCounter,
    NoticeEvent,
    NoticeEvidence,
    NoticeLevel,
    NoticeState,
)
from progress.notice_messages import notice_enqueue_messages
from progress.rules import (
    NoticeStep,
    notice_deadline,
    notice_deadline_errors,
    notice_step_allowed,
)
from progress.services import evidence_validate
from targets import roles
from targets.models import Target
from wuzhong_tracker import clock

# ------------------------------------------------------------------------------------------ who may


def can_issue(user) -> bool:
    """Managers (督查室) and administrators issue notices."""
    return user.is_active and user.has_perm("progress.add_notice")


def can_decide(user) -> bool:
    """Managers close a notice (办结) or press again (继续督办)."""
    return user.is_active and user.has_perm("progress.change_notice")


def can_answer(user, notice: Notice) -> bool:
    """The department's reviewer (单位负责人) answers its notices (a superuser may too)."""
    if user.is_superuser:
        return True
    return (
        user.has_perm("progress.answer_notice")
        and roles.is_reviewer(user)
        and roles.department_of(user) == notice.department
    )


# --------------------------------------------------------------------------------------------- issue


def _required_text(value: str | None, field: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: f"请填写{label}。"})
    return text


def _deadline_checked(deadline: dt.date | None, day: dt.date, field: str = "deadline") -> dt.date:
    if deadline is None:
        return notice_deadline(day)
    errors = notice_deadline_errors(deadline=deadline, issued_on=day)
    if errors:
        raise ValidationError({field: errors})
    return deadline


def _next_number(report_id: int, year: int) -> int:
    """The next number of a report's notices in a year, from its counter row locked until the commit."""
    NoticeCounter.objects.get_or_create(report_id=report_id, year=year)
    counter = NoticeCounter.objects.select_for_update().get(report_id=report_id, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _targets_of_one_department(targets: list[Target]):
    if not targets:
        raise ValidationError({"targets": "请至少选择一个目标。"})
    leads = {target.lead_department for target in targets}
    if None in leads:
        codes = "、".join(target.code for target in targets if target.lead_department is None)
        raise ValidationError({"targets": f"目标{codes}没有牵头单位，不能督办。"})
    if len(leads) > 1:
        names = "、".join(sorted(lead.name for lead in leads))
        raise ValidationError({"targets": f"一份督办单只能督办一个牵头单位的目标；所选目标分属{names}。"})
    if len({target.report_id for target in targets}) > 1:
        raise ValidationError({"targets": "一份督办单的目标必须属于同一份政府工作报告。"})
    return leads.pop()


@transaction.atomic
def notice_issue(
    *,
    targets: list[Target],
    level: str,
    matter: str,
    by,
    deadline: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Notice:
    """Issue one notice for targets of one lead department: the next number of its report and year, the
    response deadline (5 working days by default), the first step of its history, and its delivery to the
    department's people and robots."""
    now = now or clock.now()
    today = timezone.localdate(now)
    if not can_issue(by):
        raise ValidationError("只有督查室可以下发督办单。")
    if level not in NoticeLevel.values:
        raise ValidationError({"level": f"督办级别“{level}”无效；可选：催办、督办、挂牌督办。"})
    targets = list(targets)
    department = _targets_of_one_department(targets)
    matter = _required_text(matter, "matter", "督办事项")
    deadline = _deadline_checked(deadline, today)
    report_id = targets[0].report_id
    notice = Notice(
        report_id=report_id,
        year=today.year,
        number=_next_number(report_id, today.year),
        level=level,
        department=department,
        matter=matter,
        deadline=deadline,
        state=NoticeState.ISSUED,
        issued_by=by,
        issued_at=now,
    )
    notice.full_clean(validate_unique=False, validate_constraints=False)
    notice.save()
    notice.targets.set(targets)
    event = NoticeEvent.objects.create(
        notice=notice, step=NoticeStep.ISSUE, by=by, at=now, text=matter, deadline=deadline
    )
    notice_enqueue_messages(notice=notice, event=event, now=now)
    return notice


def targets_by_lead_department(targets: list[Target]) -> dict:
    """Targets grouped by lead department (name order), those without a lead left out."""
    groups: dict = defaultdict(list)
    for target in targets:
        if target.lead_department is not None:
            groups[target.lead_department].append(target)
    return dict(sorted(groups.items(), key=lambda item: item[0].name))


@transaction.atomic
def notices_issue_by_department(
    *,
    targets: list[Target],
    level: str,
    matters: dict[int, str],
    by,
    deadline: dt.date | None = None,
    now: dt.datetime | None = None,
) -> list[Notice]:
    """发督办单 from the 滞后/逾期 report: one notice per lead department of the selected targets, each with
    its own matter (`matters` by department id). All or nothing: one refused notice issues none."""
    groups = targets_by_lead_department(list(targets))
    if not groups:
        raise ValidationError({"targets": "请至少选择一个有牵头单位的目标。"})
    return [
        notice_issue(
            targets=group,
            level=level,
            matter=matters.get(department.pk, ""),
            by=by,
            deadline=deadline,
            now=now,
        )
        for department, group in groups.items()
    ]


# ------------------------------------------------------------------------------- answer, close, press


def _locked(notice: Notice) -> Notice:
    return Notice.objects.select_for_update().select_related("department").get(pk=notice.pk)


def _step_checked(notice: Notice, step: NoticeStep) -> None:
    if not notice_step_allowed(notice.state, step):
        label = NoticeEvent.Step(step).label
        raise ValidationError(
            f"督办单{notice.number_label}当前为“{notice.get_state_display()}”，不能{label}。"
        )


@transaction.atomic
def notice_answer(
    *,
    notice: Notice,
    by,
    measures: str,
    expected_completion: dt.date | None,
    evidence: tuple[UploadedFile, ...] | list[UploadedFile] = (),
    now: dt.datetime | None = None,
) -> Notice:
    """The department's reviewer answers: 整改措施, an expected completion date and evidence. Late answers are
    accepted (the notice stays counted as answered late in its history)."""
    now = now or clock.now()
    today = timezone.localdate(now)
    notice = _locked(notice)
    if not can_answer(by, notice):
        raise ValidationError(f"只有{notice.department}的单位负责人可以反馈该督办单。")
    _step_checked(notice, NoticeStep.ANSWER)
    errors: dict[str, str] = {}
    if not (measures or "").strip():
        errors["measures"] = "请填写整改措施。"
    if expected_completion is None:
        errors["expected_completion"] = "请填写预计完成时间。"
    elif expected_completion < today:
        errors["expected_completion"] = (
            f"预计完成时间{expected_completion:%Y-%m-%d}早于今天，请填写今后的日期。"
        )
    for uploaded_file in evidence:
        try:
            evidence_validate(uploaded_file)
        except ValidationError as error:
            errors.setdefault("evidence", error.message_dict["evidence"][0])
    if errors:
        raise ValidationError(errors)
    event = NoticeEvent.objects.create(
        notice=notice,
        step=NoticeStep.ANSWER,
        by=by,
        at=now,
        text=measures.strip(),
        expected_completion=expected_completion,
    )
    for uploaded_file in evidence:
        evidence_store(NoticeEvidence, uploaded_file, by=by, now=now, event=event)
    notice.state = NoticeState.ANSWERED
    notice.save(update_fields=["state"])
    notice_enqueue_messages(notice=notice, event=event, now=now)
    return notice


@transaction.atomic
def notice_close(*, notice: Notice, by, remark: str = "", now: dt.datetime | None = None) -> Notice:
    """办结: the office accepts the answer."""
    now = now or clock.now()
    notice = _locked(notice)
    if not can_decide(by):
        raise ValidationError("只有督查室可以办结督办单。")
    _step_checked(notice, NoticeStep.CLOSE)
    NoticeEvent.objects.create(
        notice=notice, step=NoticeStep.CLOSE, by=by, at=now, text=(remark or "").strip() or "同意办结。"
    )
    notice.state = NoticeState.CLOSED
    notice.save(update_fields=["state"])
    return notice


@transaction.atomic
def notice_press(
    *, notice: Notice, by, reason: str, deadline: dt.date | None = None, now: dt.datetime | None = None
) -> Notice:
    """继续督办: the answer is not enough; back to 已下发 with a reason and a new response deadline (5
    working days by default), delivered to the department again."""
    now = now or clock.now()
    today = timezone.localdate(now)
    notice = _locked(notice)
    if not can_decide(by):
        raise ValidationError("只有督查室可以继续督办。")
    _step_checked(notice, NoticeStep.PRESS)
    reason = _required_text(reason, "reason", "继续督办的理由")
    deadline = _deadline_checked(deadline, today)
    event = NoticeEvent.objects.create(
        notice=notice, step=NoticeStep.PRESS, by=by, at=now, text=reason, deadline=deadline
    )
    notice.state = NoticeState.ISSUED
    notice.deadline = deadline
    notice.save(update_fields=["state", "deadline"])
    notice_enqueue_messages(notice=notice, event=event, now=now)
    return notice
