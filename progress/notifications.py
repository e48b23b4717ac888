"""Who is told what, and when (PRODUCT.md §5): the weekly digest to managers, reminders to departments
before a report is due and after it is late, and alerts when targets turn lagging or overdue (rolled up:
one message per recipient and channel per run).

Builders return `Draft`s (progress.messaging) so that a dry run can print them; the `send_*` services
enqueue them in the outbox, whose unique key makes a rerun harmless. Content comes from the same
selectors as the managers' reports, so a digest's figures match the lagging/overdue report of the moment
it describes (the end of the day before it goes out). Reminders and alerts judge the present moment: what
is due today is not late before today ends (progress.rules.has_passed). Each message is built section by
section (`_digest_*`), so that a new section is one more function and one more block in the template.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from progress.boards import (
    ATTENTION,
    BoardFilters,
    TargetRow,
    lagging_board_pages,
    lead_status_counts,
    status_summary,
    target_performances,
    target_rows,
)
from progress.judging import target_rule
from progress.messaging import Draft, message_enqueue
from progress.models import (
    Message,
    MessageChannel,
    MessageKind,
    ProgressEntry,
    StatusAxis,
    StatusChange,
)
from progress.notice_messages import notice_digest_context
from progress.recipients import (
    Recipient,
    absolute,
    department_recipients,
    department_reminders,
    managers,
    render_message,
)
from progress.rules import (
    PERFORMANCE_LABELS,
    Performance,
    Reporting,
    due_date,
    missing_periods,
    outstanding_period_end,
    period_ends,
    period_label,
)
from progress.selectors import end_of_day, report_closing_date
from progress.working_calendar import is_chinese_workday, nth_working_day_after
from targets import roles
from targets.conventions import format_decimal
from targets.models import Department, DepartmentRole, Target
from targets.years import report_resolve
from wuzhong_tracker import clock

REMINDER_DAYS_BEFORE_DUE = 2
ALERT_STATUSES = (Performance.LAGGING, Performance.OVERDUE)


# ------------------------------------------------------------------------------------------------ digest


# The digest goes out on the first working day of each ISO week (Monday, or the day after a Monday
# holiday); it describes the end of the day before, so that its links reproduce exactly its numbers.
WORSE_ORDER = {  # how bad a status is, for 恶化/好转; no_data is not compared (nothing to compare)
    Performance.ACHIEVED: 0,
    Performance.ON_TRACK: 0,
    Performance.AT_RISK: 1,
    Performance.LAGGING: 2,
    Performance.OVERDUE: 3,
}


def digest_key(as_of: dt.date) -> str:
    """One digest per ISO week of the morning it goes out (the day after the one it describes)."""
    year, week, _ = (as_of + dt.timedelta(days=1)).isocalendar()
    return f"digest:{year}-W{week:02d}"


def digest_due(today: dt.date) -> bool:
    """Whether the daily 08:30 digest job sends today: on a working day, when it is the week's first working
    day or this week's digest has not been queued yet (a Monday holiday moves it to the next working day)."""
    if not is_chinese_workday(today):
        return False
    monday = today - dt.timedelta(days=today.weekday())
    first_working_day = not any(
        is_chinese_workday(monday + dt.timedelta(days=n)) for n in range(today.weekday())
    )
    queued = Message.objects.filter(
        kind=MessageKind.DIGEST, subject_key=digest_key(today - dt.timedelta(days=1))
    ).exists()
    return first_working_day or not queued


# Targets listed per list of the digest (亮灯, 恶化, 好转); the rest are counted, with the link to the lagging
# report: at the scale of a province a list of thousands is a 2 MB mail nobody reads (measured at 20,000).
DIGEST_LISTED = 100


def digest_drafts(*, as_of: dt.date) -> list[Draft]:
    """The weekly digest for every manager who receives it, describing the end of day `as_of` (the day
    before it goes out), every figure judged from the history as of then, like its links:
    1. every target at risk, lagging or overdue, worst first, with its lead department, its gap and how
       many weeks it has been so;
    2. what changed since the previous digest's moment, split into 恶化 and 好转 (both judged the same way);
    3. what is due this week, and the lead departments with late reports;
    4. a line per lead department;
    5. the lead departments nobody would hear from (no person with an email, no robot).
    Then the counts by status per chapter."""
    recipients = managers(digest_only=True)
    if not recipients:
        return []
    key = digest_key(as_of)
    since = _previous_digest_as_of(key) or as_of - dt.timedelta(days=7)
    # The year the boards show by default as of that day (this year's report, or the latest): a closed
    # year's unmet targets are not news every week of the next year.
    shown = report_resolve(None, today=as_of)
    filters = BoardFilters(year=shown.year) if shown else BoardFilters()
    # Counted by the database over the stored evaluations of the day where they stand; rows are built only
    # for the targets the digest names (the first of each list).
    summary = status_summary(user=None, as_of=as_of, filters=filters)
    board = lagging_board_pages(user=None, as_of=as_of, filters=filters)
    ranked = sum(summary.performance[performance] for performance in ATTENTION)
    week = (as_of + dt.timedelta(days=1), as_of + dt.timedelta(days=7))
    leads = lead_status_counts(as_of=as_of, due_between=week, filters=filters)
    context = {
        "as_of": as_of,
        "since": since,
        "summary": summary,
        "labels": PERFORMANCE_LABELS,
        # The targets at risk, lagging or overdue come first in the board's order (by severity).
        "ranked": _digest_ranked(board[:DIGEST_LISTED], as_of),
        "ranked_more": max(0, ranked - DIGEST_LISTED),
        "changes": _digest_changes(
            target_performances(as_of=as_of, filters=filters),
            target_performances(as_of=since, filters=filters),
            as_of,
        ),
        "week": _digest_week(leads, week),
        "departments": _digest_departments(leads),
        "unreachable": unreachable_departments(),
        "lagging_url": absolute(
            reverse("boards-lagging")
            + f"?as_of={as_of:%Y-%m-%d}"
            + (f"&report={shown.year}" if shown else "")
        ),
        "attention": len(board),
    }
    context |= notice_digest_context(as_of=as_of)
    subject = f"【督查周报】截至{as_of.month}月{as_of.day}日24时：{len(board)}个目标需关注"
    body_text, body_html = render_message("digest", context)
    return [
        Draft(
            MessageKind.DIGEST, MessageChannel.EMAIL, user.email, key, subject, body_text, body_html, user.pk
        )
        for user in recipients
    ]


def _previous_digest_as_of(key: str) -> dt.date | None:
    """The day the previous digest described: the day before it was first queued. A rerun later in that
    week (for a manager added since) does not move it."""
    previous_key = (
        Message.objects.filter(kind=MessageKind.DIGEST, subject_key__lt=key)
        .order_by("-subject_key")
        .values_list("subject_key", flat=True)
        .first()
    )
    if previous_key is None:
        return None
    first_queued = (
        Message.objects.filter(kind=MessageKind.DIGEST, subject_key=previous_key)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return timezone.localdate(first_queued) - dt.timedelta(days=1)


def _digest_ranked(rows: list[TargetRow], as_of: dt.date) -> list[dict]:
    """The targets at risk, lagging or overdue among these rows of the lagging report (worst first), each with the
    whole weeks since it turned to its present status: the latest performance change recorded by then, if
    it is to that status; else it turned within the day's evaluation (0 weeks)."""
    ranked = [row for row in rows if row.evaluation.performance in ATTENTION]
    latest: dict[int, StatusChange] = {}
    for change in StatusChange.objects.filter(
        axis=StatusAxis.PERFORMANCE,
        target_id__in=[row.target.pk for row in ranked],
        created_at__lt=end_of_day(as_of),
    ).order_by("target_id", "created_at", "id"):
        latest[change.target_id] = change
    items = []
    for row in ranked:
        change = latest.get(row.target.pk)
        since = change.as_of if change is not None and change.new == row.evaluation.performance else as_of
        items.append(
            {
                "row": row,
                "label": PERFORMANCE_LABELS[row.evaluation.performance],
                "weeks": (as_of - since).days // 7,
                "gap": row.gap_text,
                "url": _target_url(row.target, as_of),
            }
        )
    return items


def _digest_changes(now: dict[int, Performance], before: dict[int, Performance], as_of: dt.date) -> dict:
    """Targets whose performance is worse (恶化) or better (好转) than at the previous digest's moment (each
    target's performance now and then, by ID); each list's first DIGEST_LISTED in the boards' order of
    targets, the rest counted."""
    worse, better = [], []
    for target_id, new in now.items():
        old = before.get(target_id)
        if old is None or old not in WORSE_ORDER or new not in WORSE_ORDER or old == new:
            continue
        if WORSE_ORDER[new] > WORSE_ORDER[old]:
            worse.append(target_id)
        elif WORSE_ORDER[new] < WORSE_ORDER[old]:  # 正常 and 已完成 rank alike: neither
            better.append(target_id)
    changes = {}
    for name, target_ids in (("worse", worse), ("better", better)):
        listed = Target.objects.filter(pk__in=target_ids).order_by(
            "report__year", "task__chapter__number", "task__number", "code"
        )[:DIGEST_LISTED]
        changes[name] = [
            {
                "target": target,
                "old": PERFORMANCE_LABELS[before[target.pk]],
                "new": PERFORMANCE_LABELS[now[target.pk]],
                "url": _target_url(target, as_of),
            }
            for target in listed
        ]
        changes[f"{name}_more"] = max(0, len(target_ids) - DIGEST_LISTED)
    return changes


def _digest_week(leads: Counter, week: tuple[dt.date, dt.date]) -> dict:
    """Reports due in the coming week (from the digest's morning), and late reports, per lead department
    (`leads`: lead_status_counts over the week)."""
    due: Counter = Counter()
    late: Counter = Counter()
    for (lead, _, reporting, due_in_week), count in leads.items():
        if reporting == Reporting.LATE:
            late[lead] += count
        elif due_in_week:
            due[lead] += count

    def by_count(counts: Counter) -> list[tuple[str, int]]:
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    start, end = week
    return {"start": start, "end": end, "due": by_count(due), "late": by_count(late)}


def _digest_departments(leads: Counter) -> list[dict]:
    """A line per lead department: targets led, how many at risk, lagging and overdue, late reports
    (`leads`: lead_status_counts)."""
    lines: dict[str, dict] = {}
    for (lead, performance, reporting, _), count in leads.items():
        line = lines.setdefault(lead, {"name": lead, "total": 0, "late": 0, "counts": Counter()})
        line["total"] += count
        line["counts"][performance] += count
        line["late"] += count if reporting == Reporting.LATE else 0
    return [
        {
            **line,
            "at_risk": line["counts"][Performance.AT_RISK],
            "lagging": line["counts"][Performance.LAGGING],
            "overdue": line["counts"][Performance.OVERDUE],
        }
        for line in sorted(
            lines.values(),
            key=lambda line: (
                -(line["counts"][Performance.OVERDUE] + line["counts"][Performance.LAGGING]),
                -line["late"],
                line["name"],
            ),
        )
    ]


def unreachable_departments() -> list[Department]:
    """Lead departments with nobody to tell: no active person with an email address and no active robot.
    Their reminders and alerts reach no one, so the office is told (digest, admin, /healthz)."""
    leads = Department.objects.filter(assignments__role=DepartmentRole.LEAD).distinct().order_by("name")
    reachable = department_recipients(list(leads.values_list("pk", flat=True)))
    return [department for department in leads if not reachable.get(department.pk)]


def _target_url(target: Target, as_of: dt.date) -> str:
    return absolute(reverse("boards-target", args=[target.pk]) + f"?as_of={as_of:%Y-%m-%d}")


# --------------------------------------------------------------------------------------------- reminders


def reminder_drafts(*, as_of: dt.date) -> list[Draft]:
    """Reminders for the lead departments' people and robots, on working days only, judged at the present
    moment of the 09:00 run: reports due in two working days, and reports already late (at most once per
    cooldown for each recipient). A late target is asked once, for its latest past-due period (figures are
    year-to-date: that report answers the earlier ones), with how many periods are missing. Nothing is asked
    of a target whose year is over: its final report is in, or its report's year has closed."""
    if not is_chinese_workday(as_of):
        return []
    due_on = nth_working_day_after(as_of, REMINDER_DAYS_BEFORE_DUE)
    due_soon: dict[int, list[dict]] = defaultdict(list)
    late: dict[int, list[dict]] = defaultdict(list)
    closing: dict[int, dt.date | None] = {}
    for row in target_rows(user=None, as_of=as_of):
        lead, evaluation, target = row.lead, row.evaluation, row.target
        if lead is None or evaluation.next_due is None:
            continue
        if target.report_id not in closing:
            closing[target.report_id] = report_closing_date(target.report)
        if closing[target.report_id] is not None and closing[target.report_id] < as_of:
            continue
        rule = target_rule(target)
        reported_until = evaluation.judged.period_end if evaluation.judged else None
        # At 09:00 the day has not ended: a report due today is not late yet (also when a past day is
        # replayed with --as-of).
        missing = missing_periods(rule, reported_until, as_of, day_ended=False)
        url = _target_url(target, as_of)
        if evaluation.reporting == Reporting.LATE and missing:
            asked = missing[-1]
            asked_due = due_date(asked, rule)
            late[lead.pk].append(
                {
                    "row": row,
                    "url": url,
                    "period": period_label(asked, rule),
                    "due": asked_due,
                    "days_late": (as_of - asked_due).days,
                    "missing": len(missing),
                    "first_missing": period_label(missing[0], rule),
                }
            )
        elif evaluation.next_due == due_on:
            period = outstanding_period_end(period_ends(rule), reported_until)
            due_soon[lead.pk].append({"row": row, "url": url, "period": period_label(period, rule)})

    def compose(department: Department, recipient: Recipient, late_items: list, soon_items: list) -> Draft:
        context = {
            "department": department,
            "as_of": as_of,
            "due_on": due_on,
            "soon": soon_items,
            "late": late_items,
        }
        body_text, body_html = render_message("reminder", context)
        # "late" in the key marks the reminders that start a recipient's cooldown.
        key = f"reminder:{'late' if late_items else 'due'}:{department.pk}:{as_of:%Y-%m-%d}"
        subject = reminder_subject(department.name, late=len(late_items), soon=len(soon_items), due_on=due_on)
        return Draft(
            MessageKind.REMINDER, recipient.channel, recipient.address, key, subject, body_text, body_html,
            recipient.user_id, department.pk,
        )  # fmt: skip

    return department_reminders(
        as_of=as_of, late=late, soon=due_soon, late_key="reminder:late:", compose=compose
    )


def reminder_subject(department: str, *, late: int, soon: int, due_on: dt.date) -> str:
    """Counts exactly what the body lists, and only what it lists (no "0项逾期未报")."""
    parts = []
    if late:
        parts.append(f"{late}项逾期未报")
    if soon:
        parts.append(f"{soon}项将于{due_on.month}月{due_on.day}日到期")
    return f"【催报提醒】{department}：{'，'.join(parts)}"


# ------------------------------------------------------------------------------------------------ alerts


ALERT_LISTED = 20  # per group in a rolled-up alert; the rest are counted, with a link to the report


def alert_drafts(changes: list[StatusChange]) -> list[Draft]:
    """The alerts of one run: one message per recipient and channel, listing every change of the run the
    recipient hears of (managers: all; a lead department's people and robots: its own targets). A single
    change reads as before, keyed `alert:<change>`; several are rolled up, grouped by the status turned to,
    keyed by the run's changes for that recipient — a rerun finds them processed and sends nothing."""
    by_recipient: dict[Recipient, list[StatusChange]] = defaultdict(list)
    manager_recipients = [Recipient(MessageChannel.EMAIL, user.email, user.pk) for user in managers()]
    leads = {change.target.lead_department for change in changes} - {None}
    department_people = department_recipients([lead.pk for lead in leads]) if leads else {}
    for change in changes:
        lead = change.target.lead_department
        for recipient in dict.fromkeys(
            manager_recipients + (department_people.get(lead.pk, []) if lead is not None else [])
        ):
            by_recipient[recipient].append(change)
    drafts = []
    for recipient, own in by_recipient.items():
        leads_of_own = {change.target.lead_department for change in own}
        department = next(iter(leads_of_own)) if len(leads_of_own) == 1 else None
        if len(own) == 1:
            subject, key, body_text, body_html = _single_alert(own[0])
        else:
            subject, key, body_text, body_html = _rolled_up_alert(own)
        drafts.append(
            Draft(
                MessageKind.ALERT,
                recipient.channel,
                recipient.address,
                key,
                subject,
                body_text,
                body_html,
                recipient.user_id,
                department.pk if department is not None else None,
            )
        )
    return drafts


def _single_alert(change: StatusChange) -> tuple[str, str, str, str]:
    target = change.target
    context = {
        "change": change,
        "target": target,
        "label": PERFORMANCE_LABELS[Performance(change.new)],
        "old_label": PERFORMANCE_LABELS.get(change.old, change.old),
        "lead": target.lead_department,
        "url": _target_url(target, change.as_of),
    }
    body_text, body_html = render_message("alert", context)
    return (
        f"【亮灯预警】{target.code} {target.metric}：{context['label']}",
        f"alert:{change.pk}",
        body_text,
        body_html,
    )


def _rolled_up_alert(changes: list[StatusChange]) -> tuple[str, str, str, str]:
    as_of = max(change.as_of for change in changes)
    groups = []
    for status in (Performance.OVERDUE, Performance.LAGGING):
        turned = sorted((c for c in changes if c.new == status), key=lambda c: c.target.code)
        if not turned:
            continue
        groups.append(
            {
                "label": PERFORMANCE_LABELS[status],
                "count": len(turned),
                "listed": [
                    {
                        "change": change,
                        "lead": change.target.lead_department,
                        "old_label": PERFORMANCE_LABELS.get(change.old, change.old),
                        "url": _target_url(change.target, change.as_of),
                    }
                    for change in turned[:ALERT_LISTED]
                ],
                "more": max(0, len(turned) - ALERT_LISTED),
                "report_url": absolute(
                    reverse("boards-lagging") + f"?as_of={as_of:%Y-%m-%d}&performance={status.value}"
                ),
            }
        )
    body_text, body_html = render_message("alerts", {"groups": groups, "count": len(changes), "as_of": as_of})
    subject = "【亮灯预警】" + "，".join(f"{group['count']}个目标转为{group['label']}" for group in groups)
    ids = sorted(change.pk for change in changes)
    return subject, f"alerts:{ids[0]}-{ids[-1]}:{len(ids)}", body_text, body_html


# ------------------------------------------------------------------------------------- returned entries


def returned_entry_drafts(entry: ProgressEntry) -> list[Draft]:
    """The notice of a returned entry, with the reason and a link to correct it: to the person who submitted
    (or last corrected) it, and to the lead department's group robots. One per returned revision."""
    target = entry.target
    lead = target.lead_department
    context = {
        "entry": entry,
        "target": target,
        "period": period_label(entry.period_end, target_rule(target)),
        "value": format_decimal(entry.value),
        "reviewer": roles.display_name(entry.reviewed_by),
        "url": absolute(reverse("admin:progress_progressentry_change", args=[entry.pk])),
        "target_url": absolute(target.get_absolute_url()),
    }
    body_text, body_html = render_message("returned", context)
    subject = f"【退回通知】{target.code} {target.metric}（{context['period']}）：{entry.return_reason[:60]}"
    recipients = []
    if entry.submitted_by.is_active and entry.submitted_by.email:
        recipients.append(Recipient(MessageChannel.EMAIL, entry.submitted_by.email, entry.submitted_by.pk))
    if lead is not None:
        recipients += [
            r
            for r in department_recipients([lead.pk]).get(lead.pk, [])
            if r.channel == MessageChannel.WEBHOOK
        ]
    return [
        Draft(
            MessageKind.RETURNED,
            r.channel,
            r.address,
            f"returned:{entry.pk}:{entry.revision}",
            subject,
            body_text,
            body_html,
            r.user_id,
            lead.pk if lead else None,
        )
        for r in recipients
    ]


def pending_alert_changes(limit: int = 500):
    return (
        StatusChange.objects.filter(processed_at__isnull=True)
        .select_related("target")
        .prefetch_related("target__assignments__department")
        .order_by("id")[:limit]
    )


@dataclass
class AlertRun:
    drafts: list[Draft]
    queued: list[int]  # ids of the messages queued by this run


def alerts_sweep(*, dry_run: bool = False, now: dt.datetime | None = None) -> list[Draft]:
    return alerts_run(dry_run=dry_run, now=now).drafts


def alerts_run(*, dry_run: bool = False, now: dt.datetime | None = None) -> AlertRun:
    """Claim each unprocessed status change (conditional UPDATE) and queue the run's alerts, rolled up per
    recipient, in one transaction: a change is alerted once, whichever sweep claims it, and a crash before
    the commit leaves every change of the run unclaimed (and nothing queued) for the next sweep."""
    now = now or clock.now()
    with transaction.atomic():
        changes = list(pending_alert_changes())
        if not dry_run:
            # Only the changes this sweep's UPDATE claimed: another sweep may have got there first.
            changes = [
                change
                for change in changes
                if StatusChange.objects.filter(pk=change.pk, processed_at__isnull=True).update(
                    processed_at=now
                )
            ]
        wanted = [c for c in changes if c.axis == StatusAxis.PERFORMANCE and c.new in ALERT_STATUSES]
        drafts = alert_drafts(wanted) if wanted else []
        if dry_run:
            return AlertRun(drafts, [])
        queued = [message_enqueue(draft=draft, now=now) for draft in drafts]
    return AlertRun(drafts, [message.pk for message in queued if message is not None])


def enqueue_all(drafts: list[Draft], *, now: dt.datetime | None = None) -> int:
    """Queue drafts; returns how many were new (a rerun finds them all queued already)."""
    return len(enqueue_drafts(drafts, now=now))


def enqueue_drafts(drafts: list[Draft], *, now: dt.datetime | None = None) -> list[int]:
    """Queue drafts; returns the ids of the new messages (a rerun finds them all queued already)."""
    with transaction.atomic():
        messages = [message_enqueue(draft=draft, now=now) for draft in drafts]
    return [message.pk for message in messages if message is not None]
