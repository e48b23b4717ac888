"""What happened and how it is judged: progress entries with their evidence, the stored status of each
target, every status change, and a daily snapshot per target."""

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from progress.rules import (
    PERFORMANCE_LABELS,
    REPORTING_LABELS,
    UNCOUNTED_REVIEW_STATES,
    Performance,
    Reporting,
    notice_number_label,
)
from targets.models import Department, Report, Target

PerformanceStatus = models.TextChoices(
    "PerformanceStatus", [(status.name, (status.value, PERFORMANCE_LABELS[status])) for status in Performance]
)
ReportingStatus = models.TextChoices(
    "ReportingStatus", [(status.name, (status.value, REPORTING_LABELS[status])) for status in Reporting]
)


class Provenance(models.TextChoices):
    ESTIMATE = "estimate", _("部门预估")
    OFFICIAL = "official", _("统计部门数据")


class ReviewState(models.TextChoices):
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class ProgressEntryQuerySet(models.QuerySet):
    def counted(self) -> "ProgressEntryQuerySet":
        """Entries that count for the status (progress.rules.counts, PRODUCT.md §4), in SQL."""
        return self.exclude(review_state__in=UNCOUNTED_REVIEW_STATES)

    def with_related(self) -> "ProgressEntryQuerySet":
        return self.select_related("target__task__chapter", "department", "submitted_by", "reviewed_by")


class ProgressEntry(models.Model):
    """A department's figure for one target and one reporting period.

    One row per target and period: a correction raises `revision` and goes back to review, and every earlier
    revision stays in the history table (django-simple-history), which `status_report --as-of` reads.
    """

    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="entries", verbose_name=_("目标")
    )
    period_end = models.DateField(_("报告期末"))
    value = models.DecimalField(_("数值"), max_digits=18, decimal_places=4)
    is_final = models.BooleanField(
        _("最终数据"), default=False, help_text=_("本目标全年的最终数据（此后无需再报）。")
    )
    provenance = models.CharField(
        _("数据来源"), max_length=10, choices=Provenance.choices, default=Provenance.ESTIMATE
    )
    note = models.TextField(_("说明"), blank=True)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="entries", verbose_name=_("填报单位")
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填报人")
    )
    submitted_at = models.DateTimeField(_("填报时间"))
    revision = models.PositiveSmallIntegerField(_("修订次数"), default=1)
    review_state = models.CharField(
        _("审核状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.SUBMITTED
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审核人"),
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)

    objects = ProgressEntryQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("进度填报")
        verbose_name_plural = _("进度填报")
        ordering = ["-period_end", "target__code"]
        permissions = [("review_progressentry", _("可审核本单位的进度填报"))]
        constraints = [
            models.UniqueConstraint(fields=["target", "period_end"], name="entry_one_per_target_and_period"),
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values), name="entry_review_state_valid"
            ),
            models.CheckConstraint(
                condition=Q(provenance__in=Provenance.values), name="entry_provenance_valid"
            ),
            models.CheckConstraint(
                condition=~Q(review_state=ReviewState.RETURNED) | ~Q(return_reason=""),
                name="entry_returned_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.SUBMITTED, reviewed_at__isnull=True)
                | (~Q(review_state=ReviewState.SUBMITTED) & Q(reviewed_at__isnull=False)),
                name="entry_reviewed_at_iff_reviewed",
            ),
            models.CheckConstraint(condition=Q(revision__gte=1), name="entry_revision_positive"),
        ]
        indexes = [models.Index(fields=["department", "review_state"], name="entry_department_review")]

    def __str__(self) -> str:
        return f"{self.target.code} · {self.period_end:%Y-%m-%d}"


def evidence_upload_to(evidence: "UploadedEvidence", filename: str) -> str:
    # A random name on disk: the original name is kept in a field, never used as a path.
    return f"{evidence.upload_folder()}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


# Migration 0009 names the notices' upload function; it is the same one now (so no migration).
notice_evidence_upload_to = evidence_upload_to


class UploadedEvidence(models.Model):
    """佐证材料: a stored file with its original name, size, who uploaded it and when. Entries' and notice
    answers' evidence differ only in what they belong to and the folder on disk."""

    file = models.FileField(_("文件"), upload_to=evidence_upload_to)
    original_name = models.CharField(_("原文件名"), max_length=255)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("上传人")
    )
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        abstract = True
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name

    def upload_folder(self) -> str:
        raise NotImplementedError


class EvidenceFile(UploadedEvidence):
    """佐证材料 attached to an entry."""

    entry = models.ForeignKey(
        ProgressEntry, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("填报")
    )

    class Meta(UploadedEvidence.Meta):
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")

    def upload_folder(self) -> str:
        return f"evidence/{self.entry.target_id}"


class StatusFields(models.Model):
    """The judged state of a target, shared by the current status and the daily snapshots."""

    performance = models.CharField(
        _("完成状态"), max_length=10, choices=PerformanceStatus.choices, default=Performance.NO_DATA
    )
    reporting = models.CharField(
        _("报送状态"), max_length=10, choices=ReportingStatus.choices, default=Reporting.NOT_DUE
    )
    progress_pct = models.DecimalField(
        _("完成进度（%）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    expected_pct = models.DecimalField(
        _("序时进度（%）"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    gap_pp = models.DecimalField(
        _("差距（个百分点）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    latest_value = models.DecimalField(_("最新数值"), max_digits=18, decimal_places=4, null=True, blank=True)
    latest_period_end = models.DateField(_("最新报告期"), null=True, blank=True)
    next_due = models.DateField(_("下次报送截止"), null=True, blank=True)
    days_late = models.PositiveIntegerField(_("逾期天数"), default=0)

    class Meta:
        abstract = True


class TargetStatus(StatusFields):
    """The current status of a target, stored for fast lists; written only by the status services."""

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, primary_key=True, related_name="status", verbose_name=_("目标")
    )
    judged_entry = models.ForeignKey(
        ProgressEntry,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评判依据"),
    )
    reasons = models.JSONField(_("判定说明"), default=list)
    as_of = models.DateField(_("评估日期"))
    evaluated_at = models.DateTimeField(_("评估时间"))

    class Meta:
        verbose_name = _("目标状态")
        verbose_name_plural = _("目标状态")
        # The boards as of today (progress.boards.StoredAttentionRows, status_summary): the statuses of the
        # day, narrowed by status, counted and ordered by the database.
        indexes = [models.Index(fields=["as_of", "performance", "reporting"], name="status_today_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(performance__in=Performance), name="status_performance_valid"),
            models.CheckConstraint(condition=Q(reporting__in=Reporting), name="status_reporting_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id}: {self.get_performance_display()} / {self.get_reporting_display()}"


class StatusAxis(models.TextChoices):
    PERFORMANCE = "performance", _("完成状态")
    REPORTING = "reporting", _("报送状态")


class StatusChange(models.Model):
    """A transition of one axis of a target's status; written only when the status actually changes."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("目标")
    )
    axis = models.CharField(_("维度"), max_length=12, choices=StatusAxis.choices)
    old = models.CharField(_("原状态"), max_length=10)
    new = models.CharField(_("新状态"), max_length=10)
    reason = models.TextField(_("原因"))
    as_of = models.DateField(_("评估日期"))
    created_at = models.DateTimeField(_("变化时间"))
    # Set when the alert sweep has claimed this change (conditional UPDATE, progress.messaging).
    processed_at = models.DateTimeField(_("已处理"), null=True, blank=True)

    class Meta:
        verbose_name = _("状态变化")
        verbose_name_plural = _("状态变化")
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(old=models.F("new")), name="change_is_a_change")]
        indexes = [
            # The alert sweep's scan: changes not yet processed.
            models.Index(
                fields=["created_at"], name="change_unprocessed", condition=Q(processed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} {self.axis}: {self.old} → {self.new}"


class StatusSnapshot(StatusFields):
    """A target's status at the end of a day, for trend charts and bulletins reproducible later: the last
    evaluation of the day (every write of the status writer replaces it), judged as at the end of the day.
    It holds the whole evaluation, so that a board of a past date reads it instead of the history when it
    still stands (progress.selectors.targets_with_day_snapshot)."""

    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("目标")
    )
    date = models.DateField(_("日期"))
    # When the evaluation was made (the writer's present moment); null on snapshots written before it was
    # recorded, which never stand for a past date.
    taken_at = models.DateTimeField(_("评估时间"), null=True, blank=True)
    # How many records of the target's entries stamped during the day (progress.selectors.day_entry_records)
    # the evaluation saw: one more of the day, later, and the snapshot no longer stands.
    day_entry_records = models.PositiveIntegerField(_("当日填报记录数"), default=0)
    # A plain number, not a foreign key: an entry deleted after the day was still the one judged then.
    judged_entry_id = models.BigIntegerField(_("评判依据（填报编号）"), null=True, blank=True)
    judged_is_final = models.BooleanField(_("评判依据为最终数据"), null=True, blank=True)
    reasons = models.JSONField(_("判定说明"), default=list)

    class Meta:
        verbose_name = _("每日状态快照")
        verbose_name_plural = _("每日状态快照")
        ordering = ["target", "date"]
        # The boards of a past date (progress.selectors.day_snapshot_stands): the snapshots of one day.
        indexes = [models.Index(fields=["date"], name="snapshot_date_idx")]
        constraints = [
            models.UniqueConstraint(fields=["target", "date"], name="snapshot_one_per_target_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.date}"


class StaleStatus(models.Model):
    """A target whose stored status may no longer match its entries: written in the same transaction as the
    entry, removed by the recomputation that reads it. If the broker is down when the entry commits, this
    row is what `recompute_stale_statuses` finds later, so no entry is ever left unjudged."""

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, primary_key=True, related_name="+", verbose_name=_("目标")
    )
    since = models.DateTimeField(_("待重算自"))

    class Meta:
        verbose_name = _("待重算的目标状态")
        verbose_name_plural = _("待重算的目标状态")

    def __str__(self) -> str:
        return f"{self.target_id} since {self.since:%Y-%m-%d %H:%M:%S}"


class SweepRun(models.Model):
    """One finished status sweep: when it ran and what it found (for /healthz and the administrators)."""

    as_of = models.DateField(_("评估日期"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("完成时间"), db_index=True)
    evaluated = models.PositiveIntegerField(_("评估目标数"))
    changed_targets = models.PositiveIntegerField(_("状态变化的目标数"))
    changes = models.PositiveIntegerField(_("状态变化数"))

    class Meta:
        verbose_name = _("每日评估记录")
        verbose_name_plural = _("每日评估记录")
        ordering = ["-finished_at"]

    def __str__(self) -> str:
        return f"{self.as_of} ({self.evaluated})"


class MyTarget(Target):
    """ "我的目标": the targets of the user's department with their status, as a list of its own."""

    class Meta:
        proxy = True
        verbose_name = _("我的目标")
        verbose_name_plural = _("我的目标")


class MessageKind(models.TextChoices):
    DIGEST = "digest", _("周报摘要")
    REMINDER = "reminder", _("催报提醒")
    ALERT = "alert", _("亮灯预警")
    RETURNED = "returned", _("退回通知")
    NOTICE = "notice", _("督办通知")


class MessageChannel(models.TextChoices):
    EMAIL = "email", _("邮件")
    WEBHOOK = "webhook", _("群机器人")


class MessageState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Message(models.Model):
    """The outbox: every message is a row before it is sent, unique on what makes it the same message.

    A sender claims a row with a conditional UPDATE (pending → sending) and only then sends, so two workers
    or a retry never send the same message twice (progress.messaging). A row left "sending" by a killed
    worker is not resent blindly — whether the server got it is unknown — but marked failed for an
    administrator to check and resend.
    """

    kind = models.CharField(_("类型"), max_length=10, choices=MessageKind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(_("收件人"), max_length=500, help_text=_("邮箱地址或机器人地址"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("收件用户"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    subject_key = models.CharField(
        _("消息键"), max_length=200, help_text=_("如 digest:2020-W28、alert:变化编号")
    )
    subject = models.CharField(_("标题"), max_length=300)
    body_text = models.TextField(_("正文（纯文本）"))
    body_html = models.TextField(_("正文（HTML）"), blank=True)
    state = models.CharField(
        _("状态"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("生成时间"))
    next_attempt_at = models.DateTimeField(_("下次尝试"))
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息（发件箱）")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel", "recipient", "subject_key"],
                name="message_unique_per_recipient_and_subject",
            ),
            models.CheckConstraint(condition=Q(state__in=MessageState.values), name="message_state_valid"),
            models.CheckConstraint(
                condition=~Q(state=MessageState.SENT) | Q(sent_at__isnull=False), name="message_sent_has_time"
            ),
        ]
        indexes = [
            # The outbox flusher's scan: pending messages whose next attempt is due.
            models.Index(
                fields=["next_attempt_at"],
                name="message_pending_due",
                condition=Q(state=MessageState.PENDING),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}: {self.subject}"


class NotificationSettings(models.Model):
    """A user's choices: managers may opt out of the weekly digest (not departments of their reminders)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_settings",
        verbose_name=_("用户"),
    )
    receive_digest = models.BooleanField(_("接收每周摘要"), default=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user}"


class WebhookKind(models.TextChoices):
    DINGTALK = "dingtalk", _("钉钉群机器人")
    WECOM = "wecom", _("企业微信群机器人")


class DepartmentWebhook(models.Model):
    """A department's group robot (钉钉 / 企业微信), which receives its reminders and alerts."""

    department = models.ForeignKey(
        Department, on_delete=models.CASCADE, related_name="webhooks", verbose_name=_("责任单位")
    )
    kind = models.CharField(_("类型"), max_length=10, choices=WebhookKind.choices)
    url = models.URLField(_("机器人地址"), max_length=500)
    secret = models.CharField(
        _("加签密钥"),
        max_length=200,
        blank=True,
        help_text=_("钉钉机器人“安全设置”选择“加签”时填写（SEC开头）；发送时按钉钉规则计算签名。"),
    )
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("单位群机器人")
        verbose_name_plural = _("单位群机器人")
        constraints = [
            models.UniqueConstraint(fields=["department", "url"], name="webhook_unique_per_department")
        ]

    def __str__(self) -> str:
        return f"{self.department} · {self.get_kind_display()}"


def cooperation_upload_to(note: "CooperationNote", filename: str) -> str:
    return f"cooperation/{note.target_id}/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()}"


class CooperationNote(models.Model):
    """配合情况: a co-operating department's account of its contribution to the lead department's period,
    with optional evidence. Never a figure: the status is judged from the lead's entries alone."""

    target = models.ForeignKey(
        Target, on_delete=models.PROTECT, related_name="cooperation_notes", verbose_name=_("目标")
    )
    period_end = models.DateField(_("报告期末"))
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="+", verbose_name=_("配合单位")
    )
    text = models.TextField(_("配合情况"))
    evidence = models.FileField(_("佐证材料"), upload_to=cooperation_upload_to, blank=True)
    evidence_name = models.CharField(_("原文件名"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("填写人")
    )
    created_at = models.DateTimeField(_("填写时间"))

    class Meta:
        verbose_name = _("配合情况")
        verbose_name_plural = _("配合情况")
        ordering = ["target", "period_end", "created_at"]

    def __str__(self) -> str:
        return f"{self.target_id} · {self.period_end:%Y-%m-%d} · {self.department_id}"


# ------------------------------------------------------------------------------------ 督办 notices (§7)


class NoticeLevel(models.TextChoices):
    REMIND = "remind", _("催办")
    SUPERVISE = "supervise", _("督办")
    LISTED = "listed", _("挂牌督办")


class NoticeState(models.TextChoices):
    """The stored state; 逾期未反馈 is read from it and the deadline (progress.rules.notice_standing)."""

    ISSUED = "issued", _("已下发")
    ANSWERED = "answered", _("已反馈")
    CLOSED = "closed", _("已办结")


class NoticeCounter(models.Model):
    """The last number given to a notice of one report and year. Numbers come from this row, locked while
    a notice is issued, rather than from the highest number in use: a number is never given twice, even
    after a notice is deleted, and two managers issuing at once wait for each other."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="+", verbose_name=_("报告"))
    year = models.PositiveSmallIntegerField(_("年度"))
    last_number = models.PositiveIntegerField(_("已用至"), default=0)

    class Meta:
        verbose_name = _("督办单编号")
        verbose_name_plural = _("督办单编号")
        constraints = [
            models.UniqueConstraint(fields=["report", "year"], name="notice_counter_one_per_report_year")
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.year}: {self.last_number}"


class NoticeQuerySet(models.QuerySet):
    def with_related(self) -> "NoticeQuerySet":
        return self.select_related("department", "issued_by").prefetch_related(
            models.Prefetch("targets", queryset=Target.objects.order_by("code"))
        )

    def open(self) -> "NoticeQuerySet":
        return self.exclude(state=NoticeState.CLOSED)


class Notice(models.Model):
    """督办单: the supervision office's formal notice to one lead department about one or more of its
    targets. Every step (issued, answered, closed, pressed again) is a `NoticeEvent`; the row holds the
    current state and response deadline for the lists and the chasers."""

    report = models.ForeignKey(
        Report, on_delete=models.PROTECT, related_name="notices", verbose_name=_("报告")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    number = models.PositiveIntegerField(_("编号"))
    level = models.CharField(_("督办级别"), max_length=10, choices=NoticeLevel.choices)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="notices", verbose_name=_("责任单位")
    )
    targets = models.ManyToManyField(Target, related_name="notices", verbose_name=_("督办目标"))
    matter = models.TextField(_("督办事项"))
    deadline = models.DateField(_("反馈期限"))
    state = models.CharField(
        _("状态"), max_length=10, choices=NoticeState.choices, default=NoticeState.ISSUED
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("下发人")
    )
    issued_at = models.DateTimeField(_("下发时间"))

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("督办单")
        verbose_name_plural = _("督办单")
        ordering = ["-year", "-number"]
        permissions = [("answer_notice", _("可反馈本单位的督办单"))]
        constraints = [
            models.UniqueConstraint(fields=["report", "year", "number"], name="notice_number_unique"),
            models.CheckConstraint(condition=Q(level__in=NoticeLevel.values), name="notice_level_valid"),
            models.CheckConstraint(condition=Q(state__in=NoticeState.values), name="notice_state_valid"),
        ]
        indexes = [
            # The reminder job's and the digest's scan: notices not closed yet, by deadline.
            models.Index(fields=["deadline"], name="notice_open_by_deadline", condition=~Q(state="closed")),
        ]

    def __str__(self) -> str:
        return self.number_label

    @property
    def number_label(self) -> str:
        return notice_number_label(self.year, self.number)


class NoticeEvent(models.Model):
    """One step of a notice: issued (with the matter and deadline), answered (整改措施, expected completion,
    evidence), closed (办结) or pressed again (继续督办, with a reason and a new deadline)."""

    class Step(models.TextChoices):
        ISSUE = "issue", _("下发")
        ANSWER = "answer", _("反馈")
        CLOSE = "close", _("办结")
        PRESS = "press", _("继续督办")

    notice = models.ForeignKey(
        Notice, on_delete=models.CASCADE, related_name="events", verbose_name=_("督办单")
    )
    step = models.CharField(_("环节"), max_length=10, choices=Step.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("经办人")
    )
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"), help_text=_("督办事项、整改措施、继续督办的理由或办结意见"))
    deadline = models.DateField(_("反馈期限"), null=True, blank=True)
    expected_completion = models.DateField(_("预计完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督办记录")
        verbose_name_plural = _("督办记录")
        ordering = ["at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(step__in=["issue", "answer", "close", "press"]), name="notice_event_step_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.step} @ {self.at:%Y-%m-%d}"


class NoticeEvidence(UploadedEvidence):
    """佐证材料 attached to a department's answer."""

    event = models.ForeignKey(
        NoticeEvent, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("反馈")
    )

    class Meta(UploadedEvidence.Meta):
        verbose_name = _("督办反馈佐证材料")
        verbose_name_plural = _("督办反馈佐证材料")

    def upload_folder(self) -> str:
        return f"notices/{self.event.notice_id}"
