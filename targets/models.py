"""What the report promised: the report, its chapters and key tasks, departments, targets and baselines.

Targets are loaded from the data file (targets/data/*.yaml) by `load_report`; the file is the source of
truth for what a target *is*, while the assignment of departments is edited in the admin by managers.
"""

import itertools
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from targets import conventions
from targets.conventions import format_decimal


class Comparator(models.TextChoices):
    AT_LEAST = "at_least", _("不低于")
    AT_MOST = "at_most", _("不高于")
    ABOUT = "about", _("左右")
    DONE = "done", _("完成（里程碑）")


class Measure(models.TextChoices):
    CUMULATIVE = "cumulative", _("累计值")
    LEVEL = "level", _("水平值")


class Curve(models.TextChoices):
    LINEAR = "linear", _("线性")
    QUARTERLY = "quarterly", _("按季度")
    YEAR_END = "year_end", _("年底")
    CUSTOM = "custom", _("自定义（逐月）")


class Frequency(models.TextChoices):
    MONTHLY = "monthly", _("月报")
    QUARTERLY = "quarterly", _("季报")
    ANNUAL = "annual", _("年报")


class DepartmentRole(models.TextChoices):
    LEAD = "lead", _("牵头单位")
    COOPERATING = "cooperating", _("配合单位")


def _choices_check(field: str, choices: type[models.TextChoices], name: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(**{f"{field}__in": choices.values}), name=name)


def percent_field(verbose_name, **options) -> models.DecimalField:
    """A percentage or a number of percentage points, to two decimals (thresholds, tolerances)."""
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=2, **options)


class Report(models.Model):
    issuer = models.CharField(_("发布机关"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    delivered_on = models.DateField(_("报告日期"))
    occasion = models.CharField(_("会议"), max_length=200, blank=True)
    source_text = models.TextField(_("报告全文"))
    # Status thresholds for every target of the report (PRODUCT.md §4 defaults); a target may override.
    cumulative_on_track_pp = percent_field(
        _("累计类正常阈值（落后个百分点）"), default=conventions.CUMULATIVE_ON_TRACK_PP
    )
    cumulative_at_risk_pp = percent_field(
        _("累计类预警阈值（落后个百分点）"), default=conventions.CUMULATIVE_AT_RISK_PP
    )
    level_on_track_pp = percent_field(
        _("水平类正常阈值（差距个百分点）"), default=conventions.LEVEL_ON_TRACK_PP
    )
    level_at_risk_pp = percent_field(
        _("水平类预警阈值（差距个百分点）"), default=conventions.LEVEL_AT_RISK_PP
    )
    report_due_working_days = models.PositiveSmallIntegerField(
        _("报送期限（期末后第几个工作日）"), default=conventions.REPORT_DUE_WORKING_DAYS
    )
    # A year is locked for new figures once its last report's due date plus YEAR_LOCK_GRACE_DAYS has
    # passed (progress/years.py); an administrator may reopen it (targets/years.py), the reason kept in
    # the history.
    entries_reopened = models.BooleanField(_("年度结束后重新开放填报"), default=False)

    # The full text is not copied into every history row: it never changes after the load.
    history = HistoricalRecords(excluded_fields=["source_text"])

    class Meta:
        verbose_name = _("政府工作报告")
        verbose_name_plural = _("政府工作报告")
        ordering = ["-year", "issuer"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "year"], name="report_unique_issuer_year"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="report_year_plausible"),
            models.CheckConstraint(
                condition=Q(cumulative_on_track_pp__lte=models.F("cumulative_at_risk_pp"))
                & Q(level_on_track_pp__lte=models.F("level_at_risk_pp")),
                name="report_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(report_due_working_days__gte=1), name="report_due_days_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Chapter(models.Model):
    """A chapter of the plan. Number 0 holds the headline expected targets (主要预期目标)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="chapters", verbose_name=_("报告")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)

    class Meta:
        verbose_name = _("章节")
        verbose_name_plural = _("章节")
        ordering = ["report", "number"]
        constraints = [
            models.UniqueConstraint(fields=["report", "number"], name="chapter_unique_number_per_report"),
        ]

    def __str__(self) -> str:
        """As the report heads it: 一、二、… (the headline targets, number 0, are not numbered)."""
        if self.number == 0:
            return self.title
        return f"{chinese_numeral(self.number)}、{self.title}"


def chinese_numeral(number: int) -> str:
    """1–99 as written in a report's headings: 一, 十, 十二, 二十, 二十三."""
    digits = "〇一二三四五六七八九"
    tens, ones = divmod(number, 10)
    if not 0 < number < 100:
        return str(number)
    return f"{'' if tens <= 1 else digits[tens]}{'十' if tens else ''}{digits[ones] if ones else ''}"


class KeyTask(models.Model):
    """A key task (重点任务): a bold sub-heading and the paragraph it opens."""

    chapter = models.ForeignKey(
        Chapter, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("章节")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("标题"), max_length=200)
    paragraph_start = models.PositiveIntegerField(_("段落起始位置"))
    paragraph_end = models.PositiveIntegerField(_("段落结束位置"))

    class Meta:
        verbose_name = _("重点任务")
        verbose_name_plural = _("重点任务")
        ordering = ["chapter__report", "chapter__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["chapter", "number"], name="keytask_unique_number_per_chapter"),
            models.CheckConstraint(
                condition=Q(paragraph_end__gt=models.F("paragraph_start")), name="keytask_paragraph_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.chapter.number}.{self.number} {self.title}"


class Department(models.Model):
    """A responsible department (责任单位)."""

    code = models.SlugField(_("代码"), max_length=50, unique=True)
    name = models.CharField(_("名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("责任单位")
        verbose_name_plural = _("责任单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DepartmentMembership(models.Model):
    """The department a user works for; their role is given by their groups (see targets/roles.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("用户")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("责任单位")
    )

    class Meta:
        verbose_name = _("单位成员")
        verbose_name_plural = _("单位成员")

    def __str__(self) -> str:
        return f"{self.user} · {self.department}"


class TargetQuerySet(models.QuerySet):
    def with_structure(self) -> "TargetQuerySet":
        """Everything a list of targets shows beside each row, in a fixed number of queries."""
        return self.select_related("report", "task__chapter", "baseline").prefetch_related(
            models.Prefetch(
                "assignments",
                queryset=TargetDepartment.objects.select_related("department").order_by("order"),
            )
        )

    def in_reading_order(self) -> "TargetQuerySet":
        return self.order_by("report", "task__chapter__number", "task__number", "code")


class Target(models.Model):
    """One goal of the report: a numeric goal or a milestone (comparator `done`)."""

    report = models.ForeignKey(
        Report, on_delete=models.CASCADE, related_name="targets", verbose_name=_("报告")
    )
    task = models.ForeignKey(
        KeyTask, on_delete=models.PROTECT, related_name="targets", verbose_name=_("重点任务")
    )
    code = models.CharField(_("编号"), max_length=20)
    metric = models.CharField(_("指标"), max_length=100)
    comparator = models.CharField(_("比较方式"), max_length=10, choices=Comparator.choices)
    value = models.DecimalField(_("目标值"), max_digits=18, decimal_places=4, null=True, blank=True)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    measure = models.CharField(_("计量方式"), max_length=12, choices=Measure.choices)
    curve = models.CharField(_("序时进度曲线"), max_length=10, choices=Curve.choices)
    custom_curve = models.JSONField(
        _("自定义逐月序时进度（%）"),
        null=True,
        blank=True,
        help_text=_("12个数，依次为1至12月末应完成的百分比。"),
    )
    frequency = models.CharField(_("报送频次"), max_length=10, choices=Frequency.choices)
    deadline = models.DateField(_("完成时限"))
    tolerance_pct = percent_field(
        _("允许偏差（目标值的%）"),
        null=True,
        blank=True,
        help_text=_("仅用于“左右”类目标；留空时使用默认值5%。"),
    )
    quote = models.TextField(_("报告原文"))
    quote_start = models.PositiveIntegerField(_("原文起始位置"))
    quote_end = models.PositiveIntegerField(_("原文结束位置"))
    reading = models.TextField(_("解读说明"), blank=True)
    # Per-target overrides of the report's thresholds (null: the report's value for the target's measure).
    on_track_pp = percent_field(_("正常阈值（个百分点，覆盖报告默认值）"), null=True, blank=True)
    at_risk_pp = percent_field(_("预警阈值（个百分点，覆盖报告默认值）"), null=True, blank=True)
    departments = models.ManyToManyField(
        Department, through="TargetDepartment", related_name="targets", verbose_name=_("责任单位")
    )
    # Last year's target of the same metric (proposed by the drafter, confirmed on the draft page): its
    # result is this target's baseline (targets/years.py: target_baseline).
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="successors",
        verbose_name=_("上年同一指标的目标"),
    )

    objects = TargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目标")
        verbose_name_plural = _("目标")
        ordering = ["report", "code"]
        constraints = [
            models.UniqueConstraint(fields=["report", "code"], name="target_unique_code_per_report"),
            _choices_check("comparator", Comparator, "target_comparator_valid"),
            _choices_check("measure", Measure, "target_measure_valid"),
            _choices_check("curve", Curve, "target_curve_valid"),
            _choices_check("frequency", Frequency, "target_frequency_valid"),
            models.CheckConstraint(
                condition=(Q(comparator=Comparator.DONE, value__isnull=True, unit=""))
                | (~Q(comparator=Comparator.DONE) & Q(value__isnull=False) & ~Q(unit="")),
                name="target_value_and_unit_unless_milestone",
            ),
            models.CheckConstraint(
                condition=~Q(comparator=Comparator.DONE) | Q(measure=Measure.CUMULATIVE),
                name="target_milestone_is_cumulative",
            ),
            # "Progress = actual ÷ goal" only means something for a goal to reach.
            models.CheckConstraint(
                condition=~Q(measure=Measure.CUMULATIVE)
                | Q(comparator__in=[Comparator.AT_LEAST, Comparator.DONE]),
                name="target_cumulative_is_at_least_or_done",
            ),
            models.CheckConstraint(
                condition=Q(on_track_pp__isnull=True)
                | Q(at_risk_pp__isnull=True)
                | Q(on_track_pp__lte=models.F("at_risk_pp")),
                name="target_thresholds_ordered",
            ),
            models.CheckConstraint(
                condition=Q(tolerance_pct__isnull=True) | Q(comparator=Comparator.ABOUT, tolerance_pct__gt=0),
                name="target_tolerance_only_for_about",
            ),
            models.CheckConstraint(
                condition=Q(curve=Curve.CUSTOM, custom_curve__isnull=False)
                | (~Q(curve=Curve.CUSTOM) & Q(custom_curve__isnull=True)),
                name="target_custom_curve_iff_custom",
            ),
            models.CheckConstraint(
                condition=Q(quote_end__gt=models.F("quote_start")), name="target_quote_span_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.metric}"

    def get_absolute_url(self) -> str:
        """目标工作台, the target's one page for everyone (the definition form is the administrators')."""
        return reverse("boards-target", args=[self.pk])

    def clean(self) -> None:
        # A CHECK constraint cannot read the report's year, so the deadline rule lives here and in the
        # loader; both always run before a target is saved.
        if self.deadline and self.report_id and self.deadline.year != self.report.year:
            raise ValidationError(
                {"deadline": _("完成时限必须在报告年度（%(year)s年）之内。") % {"year": self.report.year}}
            )
        if self.curve == Curve.CUSTOM:
            errors = custom_curve_errors(self.custom_curve)
            if errors:
                raise ValidationError({"custom_curve": errors})

    @property
    def goal_display(self) -> str:
        """The goal as officials say it: "≥ 15 户", "≤ 3 %", "完成"."""
        if self.comparator == Comparator.DONE:
            return str(_("完成"))
        symbol = {Comparator.AT_LEAST: "≥", Comparator.AT_MOST: "≤", Comparator.ABOUT: "≈"}[self.comparator]
        return f"{symbol} {format_decimal(self.value)} {self.unit}"

    def source_paragraph_parts(self) -> tuple[str, str, str]:
        """The key task's paragraph cut around this target's sentence: (before, sentence, after)."""
        text, task = self.report.source_text, self.task
        return (
            text[task.paragraph_start : self.quote_start],
            text[self.quote_start : self.quote_end],
            text[self.quote_end : task.paragraph_end],
        )

    @property
    def allows_negative_figures(self) -> bool:
        """Growth rates and changes in points can fall below zero; counts, areas and outputs cannot."""
        return self.measure == Measure.LEVEL and self.unit in {"%", "个百分点"}

    @property
    def figure_unit(self) -> str:
        """The unit officials report in: a milestone's figure is its percent complete."""
        return "%" if self.comparator == Comparator.DONE else self.unit

    @property
    def lead_department(self) -> Department | None:
        for assignment in self.assignment_list():
            if assignment.role == DepartmentRole.LEAD:
                return assignment.department
        return None

    def ordered_departments(self) -> list[Department]:
        """Departments with the lead first, then co-operating ones in the order they were given."""
        assignments = sorted(self.assignment_list(), key=lambda a: (a.role != DepartmentRole.LEAD, a.order))
        return [assignment.department for assignment in assignments]

    def assignment_list(self) -> list["TargetDepartment"]:
        """The target's assignments: prefetched into a list (`Prefetch(..., to_attr="prefetched_assignments")`,
        which spares Django a queryset clone per target: a third of a whole-province report's time), or
        prefetched or read the usual way."""
        prefetched = getattr(self, "prefetched_assignments", None)
        return prefetched if prefetched is not None else list(self.assignments.all())


def custom_curve_errors(values: object) -> list[str]:
    if not isinstance(values, list) or len(values) != 12:
        return [str(_("需要12个逐月百分比。"))]
    try:
        numbers = [Decimal(str(value)) for value in values]
    except ArithmeticError:
        return [str(_("逐月百分比必须是数字。"))]
    if any(not value.is_finite() or value < 0 or value > 100 for value in numbers):
        return [str(_("逐月百分比必须在0到100之间。"))]
    if any(later < earlier for earlier, later in itertools.pairwise(numbers)):
        return [str(_("逐月百分比不能下降。"))]
    return []


class TargetDepartment(models.Model):
    target = models.ForeignKey(
        Target, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("目标")
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="assignments", verbose_name=_("责任单位")
    )
    role = models.CharField(_("职责"), max_length=12, choices=DepartmentRole.choices)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("责任分工")
        verbose_name_plural = _("责任分工")
        ordering = ["target", "order"]
        constraints = [
            models.UniqueConstraint(fields=["target", "department"], name="assignment_unique_department"),
            models.UniqueConstraint(
                fields=["target"],
                condition=Q(role=DepartmentRole.LEAD),
                name="assignment_one_lead_per_target",
            ),
            _choices_check("role", DepartmentRole, "assignment_role_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.department}（{self.get_role_display()}）"


class Baseline(models.Model):
    """The comparable figure of the previous year, as the report's review states it."""

    target = models.OneToOneField(
        Target, on_delete=models.CASCADE, related_name="baseline", verbose_name=_("目标")
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    value = models.DecimalField(_("基期值"), max_digits=18, decimal_places=4)
    unit = models.CharField(_("单位"), max_length=20)
    quote = models.TextField(_("报告原文"))
    quote_start = models.PositiveIntegerField(_("原文起始位置"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("基期值")
        verbose_name_plural = _("基期值")
        constraints = [models.CheckConstraint(condition=~Q(unit=""), name="baseline_unit_present")]

    def __str__(self) -> str:
        return f"{self.year}年 {format_decimal(self.value)} {self.unit}"


class ReportDraft(models.Model):
    """A report drafted from its uploaded text (targets/drafting), under review on the draft page before it
    is published as a report through the loader (targets/draft_review.py).

    `data` is the loader's data file as JSON (docs/data-format.md), dates as ISO strings; each target may
    carry two keys the loader does not read, stripped when publishing: `previous_target` (the ID of last
    year's target of the same metric) and `previous_confirmed` (the office confirmed that link)."""

    issuer = models.CharField(_("发布机关"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("标题"), max_length=200)
    source_name = models.CharField(_("上传的文件名"), max_length=200, blank=True)
    source_text = models.TextField(_("报告全文（规范化后）"))
    data = models.JSONField(_("起草的数据"))
    warnings = models.JSONField(_("起草提示"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("上传人"),
    )
    created_at = models.DateTimeField(_("上传时间"))
    published_report = models.ForeignKey(
        Report,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="drafts",
        verbose_name=_("已发布为"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["source_text"])

    class Meta:
        verbose_name = _("报告草稿")
        verbose_name_plural = _("报告草稿")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="draft_year_plausible"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（草稿）"

    def get_absolute_url(self) -> str:
        return reverse("report-draft", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None
