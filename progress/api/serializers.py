"""The API's JSON, field by field. Serializers only shape data: every rule is in the services and
selectors (progress.services, progress.boards, targets.selectors)."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from progress.models import (
    EvidenceFile,
    Notice,
    NoticeEvent,
    NoticeEvidence,
    NoticeLevel,
    PerformanceStatus,
    ProgressEntry,
    Provenance,
    ReportingStatus,
    StatusAxis,
    StatusChange,
    UploadedEvidence,
)
from progress.rules import (
    NOTICE_STANDING_LABELS,
    PERFORMANCE_LABELS,
    REPORTING_LABELS,
    NoticeStanding,
    notice_standing,
)
from progress.selectors import boards_default_as_of
from targets.models import Baseline, Chapter, Department, KeyTask, Measure, Report, Target
from targets.selectors import decimal_to_json
from targets.years import report_resolve
from wuzhong_tracker import clock

# ------------------------------------------------------------------------------------------- fields


@extend_schema_field(OpenApiTypes.NUMBER)
class NumberField(serializers.Field):
    """A stored Decimal as the JSON number people expect: 15 rather than "15.0000" (read-only)."""

    def __init__(self, **kwargs):
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return decimal_to_json(value)


@extend_schema_field(OpenApiTypes.STR)
class LabelField(serializers.Field):
    """The Chinese label of a status code ("lagging" → "滞后"), for the rows computed as of a date."""

    def __init__(self, labels: dict[str, str], **kwargs):
        self.labels = labels
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return self.labels[value]


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string"}]})
class FigureField(serializers.Field):
    """A figure as typed: a JSON number or a string. Passed on as given, so that "N/A", "见说明" or "NaN"
    get the same message from progress.services.figure_parse as in the admin and the import."""

    default_error_messages = {"required": "请填写数值。"}

    def __init__(self, **kwargs):
        super().__init__(allow_null=True, **kwargs)

    def to_internal_value(self, data):
        return data


# ---------------------------------------------------------------------------- the report as data


class ReportSerializer(serializers.ModelSerializer):
    cumulative_on_track_pp = NumberField(help_text="累计类正常阈值（落后个百分点）")
    cumulative_at_risk_pp = NumberField(help_text="累计类预警阈值（落后个百分点）")
    level_on_track_pp = NumberField(help_text="水平类正常阈值（差距个百分点）")
    level_at_risk_pp = NumberField(help_text="水平类预警阈值（差距个百分点）")

    class Meta:
        model = Report
        fields = [
            "id", "issuer", "year", "title", "delivered_on", "occasion", "cumulative_on_track_pp",
            "cumulative_at_risk_pp", "level_on_track_pp", "level_at_risk_pp", "report_due_working_days",
        ]  # fmt: skip


class ChapterSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["id", "report", "number", "title"]


class KeyTaskSerializer(serializers.ModelSerializer):
    report = serializers.IntegerField(source="chapter.report_id", read_only=True, help_text="报告 ID")

    class Meta:
        model = KeyTask
        fields = ["id", "report", "chapter", "number", "title"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["id", "code", "name"]


class ChapterBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chapter
        fields = ["id", "number", "title"]


# A key task as briefly as a chapter: its ID, number and title.
class KeyTaskBriefSerializer(ChapterBriefSerializer):
    class Meta(ChapterBriefSerializer.Meta):
        model = KeyTask


class DepartmentBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["code", "name"]


class BaselineSerializer(serializers.ModelSerializer):
    value = NumberField()

    class Meta:
        model = Baseline
        fields = ["year", "value", "unit", "quote"]


# ------------------------------------------------------------------------------- targets and status


class StatusFieldsSerializer(serializers.Serializer):
    """The judged state of a target: stored (current status, daily snapshots) or evaluated as of a date."""

    performance = serializers.ChoiceField(choices=PerformanceStatus.choices, read_only=True)
    performance_label = serializers.CharField(source="get_performance_display", read_only=True)
    reporting = serializers.ChoiceField(choices=ReportingStatus.choices, read_only=True)
    reporting_label = serializers.CharField(source="get_reporting_display", read_only=True)
    progress_pct = NumberField(allow_null=True, help_text="完成进度（%）；水平类目标为空")
    expected_pct = NumberField(allow_null=True, help_text="序时进度（%）；水平类目标为空")
    gap_pp = NumberField(
        allow_null=True,
        help_text="判定用的差距，正数为落后：累计类为落后序时进度的百分点，水平类为差距占目标的百分比",
    )
    latest_value = NumberField(allow_null=True, help_text="评判所依据的最新数值")
    latest_period_end = serializers.DateField(read_only=True, allow_null=True)
    next_due = serializers.DateField(read_only=True, allow_null=True, help_text="下次报送截止日")
    days_late = serializers.IntegerField(read_only=True, help_text="逾期未报天数")


class TargetStatusSerializer(StatusFieldsSerializer):
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True, help_text="判定说明")
    as_of = serializers.DateField(read_only=True, help_text="评估日期")
    evaluated_at = serializers.DateTimeField(read_only=True)


class StatusSnapshotSerializer(StatusFieldsSerializer):
    date = serializers.DateField(read_only=True)


class TargetSerializer(serializers.ModelSerializer):
    chapter = ChapterBriefSerializer(source="task.chapter", read_only=True)
    task = KeyTaskBriefSerializer(read_only=True)
    comparator_label = serializers.CharField(source="get_comparator_display", read_only=True)
    value = NumberField(allow_null=True, help_text="目标值；里程碑为空")
    figure_unit = serializers.CharField(read_only=True, help_text="填报单位：里程碑填完成百分比（%）")
    goal = serializers.CharField(source="goal_display", read_only=True, help_text="如“≥ 15 户”“完成”")
    measure_label = serializers.CharField(source="get_measure_display", read_only=True)
    frequency_label = serializers.CharField(source="get_frequency_display", read_only=True)
    lead_department = DepartmentBriefSerializer(read_only=True, allow_null=True)
    departments = DepartmentBriefSerializer(
        source="ordered_departments", many=True, read_only=True, help_text="责任单位，牵头单位在前"
    )
    baseline = BaselineSerializer(read_only=True, allow_null=True, help_text="2019年基期值；无则为空")
    status = TargetStatusSerializer(
        read_only=True, allow_null=True, help_text="当前状态（每日巡检及每次填报、审核后更新）；尚未评估为空"
    )
    url = serializers.SerializerMethodField(help_text="目标工作台（需登录会话）")

    class Meta:
        model = Target
        fields = [
            "id", "code", "url", "report", "chapter", "task", "metric", "comparator", "comparator_label",
            "value", "unit", "figure_unit", "goal", "measure", "measure_label", "curve", "frequency",
            "frequency_label", "deadline", "lead_department", "departments", "quote", "reading", "baseline",
            "status",
        ]  # fmt: skip

    def get_url(self, target: Target) -> str:
        return self.context["request"].build_absolute_uri(target.get_absolute_url())


class TargetBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "code", "metric"]


# ------------------------------------------------------------------------------------------ entries


# 佐证材料 of an entry or of a notice's answer: the same fields, each downloaded through its own view.
class UploadedEvidenceSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="original_name", read_only=True)
    download_url = serializers.SerializerMethodField(help_text="下载地址（需登录会话）")
    download_view: str

    class Meta:
        fields = ["id", "name", "size", "uploaded_at", "download_url"]

    def get_download_url(self, evidence: UploadedEvidence) -> str:
        return self.context["request"].build_absolute_uri(reverse(self.download_view, args=[evidence.pk]))


class EvidenceSerializer(UploadedEvidenceSerializer):
    download_view = "evidence-download"

    class Meta(UploadedEvidenceSerializer.Meta):
        model = EvidenceFile


class NoticeEvidenceSerializer(UploadedEvidenceSerializer):
    download_view = "notice-evidence-download"

    class Meta(UploadedEvidenceSerializer.Meta):
        model = NoticeEvidence


class EntrySerializer(serializers.ModelSerializer):
    target_code = serializers.CharField(source="target.code", read_only=True)
    target_metric = serializers.CharField(source="target.metric", read_only=True)
    value = NumberField()
    unit = serializers.CharField(source="target.figure_unit", read_only=True)
    provenance_label = serializers.CharField(source="get_provenance_display", read_only=True)
    department = DepartmentBriefSerializer(read_only=True, help_text="填报单位")
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    review_state_label = serializers.CharField(source="get_review_state_display", read_only=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    evidence = EvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = ProgressEntry
        fields = [
            "id", "target", "target_code", "target_metric", "period_end", "value", "unit", "is_final",
            "provenance", "provenance_label", "note", "department", "submitted_by", "submitted_at", "revision",
            "review_state", "review_state_label", "reviewed_by", "reviewed_at", "return_reason", "evidence",
        ]  # fmt: skip
        read_only_fields = fields


class EntrySubmitSerializer(serializers.Serializer):
    """A new entry: the request's shape only; progress_entry_submit decides whether it is acceptable."""

    target = serializers.PrimaryKeyRelatedField(
        queryset=Target.objects.select_related("report"), help_text="目标 ID（本单位牵头或配合的目标）"
    )
    period_end = serializers.DateField(
        help_text="报告期末，如 2020-06-30",
        error_messages={"required": "请填写报告期末。", "null": "请填写报告期末。"},
    )
    value = FigureField(help_text="数值；里程碑填完成百分比（0–100），增速可为负数")
    is_final = serializers.BooleanField(default=False, help_text="本目标全年的最终数据")
    provenance = serializers.ChoiceField(choices=Provenance.choices, default=Provenance.ESTIMATE)
    note = serializers.CharField(default="", allow_blank=True, help_text="说明")
    evidence = serializers.ListField(
        child=serializers.FileField(),
        default=list,
        help_text="佐证材料（multipart）：PDF、DOCX、XLSX、JPG、PNG，每个不超过10 MB",
    )


class EntryCorrectSerializer(serializers.Serializer):
    """A correction: a new figure, and whatever else changes; omitted fields stay as they were."""

    value = FigureField(help_text="更正后的数值")
    is_final = serializers.BooleanField(required=False)
    provenance = serializers.ChoiceField(choices=Provenance.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    evidence = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="追加的佐证材料"
    )


class EntryReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, help_text="退回原因")


class EntryRevisionSerializer(serializers.Serializer):
    """One historical record of an entry: each submission, correction and review decision."""

    entry = serializers.IntegerField(source="id", read_only=True, help_text="填报 ID")
    recorded_at = serializers.DateTimeField(source="history_date", read_only=True)
    change = serializers.ChoiceField(
        source="history_type",
        choices=[("+", "新建"), ("~", "修改"), ("-", "删除")],
        read_only=True,
        help_text="+ 新建，~ 修改（更正或审核），- 删除",
    )
    revision = serializers.IntegerField(read_only=True)
    period_end = serializers.DateField(read_only=True)
    value = NumberField()
    is_final = serializers.BooleanField(read_only=True)
    provenance = serializers.ChoiceField(choices=Provenance.choices, read_only=True)
    submitted_by = serializers.CharField(source="submitted_by.username", read_only=True)
    submitted_at = serializers.DateTimeField(read_only=True)
    review_state = serializers.CharField(read_only=True)
    review_state_label = serializers.CharField(source="get_review_state_display", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True)
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    return_reason = serializers.CharField(read_only=True)


class StatusChangeSerializer(serializers.ModelSerializer):
    axis_label = serializers.CharField(source="get_axis_display", read_only=True)
    old_label = serializers.SerializerMethodField()
    new_label = serializers.SerializerMethodField()

    class Meta:
        model = StatusChange
        fields = ["id", "axis", "axis_label", "old", "old_label", "new", "new_label", "reason", "as_of",
                  "created_at"]  # fmt: skip

    def get_old_label(self, change: StatusChange) -> str:
        return _status_label(change.axis, change.old)

    def get_new_label(self, change: StatusChange) -> str:
        return _status_label(change.axis, change.new)


def _status_label(axis: str, status: str) -> str:
    labels = PERFORMANCE_LABELS if axis == StatusAxis.PERFORMANCE else REPORTING_LABELS
    return labels[status]


class TargetHistorySerializer(serializers.Serializer):
    target = TargetBriefSerializer(read_only=True)
    entries = EntrySerializer(many=True, read_only=True, help_text="当前各期填报")
    entry_history = EntryRevisionSerializer(many=True, read_only=True, help_text="每条填报的历次记录，按时间")
    status_changes = StatusChangeSerializer(many=True, read_only=True, help_text="状态变化，最新在前")
    snapshots = StatusSnapshotSerializer(many=True, read_only=True, help_text="每日状态快照，按日期")


# ------------------------------------------------------------------------------- reports as of a date


class BoardParamsSerializer(serializers.Serializer):
    """The query of the status summary: a date and the filters of the report pages."""

    as_of = serializers.DateField(
        required=False,
        help_text="截至日期（YYYY-MM-DD），默认今天（最近一年的报告各期均已到期时，默认为其最后一期报告的报送截止日）；"
        "按当日结束时的填报重现当时的结果",
        error_messages={"invalid": "as_of 必须是 YYYY-MM-DD 格式的日期，如 2020-07-03。"},
    )
    report = serializers.CharField(
        required=False,
        max_length=20,
        help_text="报告：年度（如 2021）或报告 ID；不填为本年度的报告（没有则为最新的）",
    )
    chapter = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="章节 ID")
    task = serializers.IntegerField(required=False, min_value=1, max_value=2**63 - 1, help_text="重点任务 ID")
    department = serializers.SlugField(required=False, help_text="责任单位代码（牵头或配合）")
    measure = serializers.ChoiceField(choices=Measure.choices, required=False, help_text="计量方式")

    def validate_as_of(self, as_of):
        today = clock.today()
        if as_of > today:
            raise serializers.ValidationError(f"as_of 不能晚于今天（{today:%Y-%m-%d}）。")
        return as_of

    def validate_report(self, value):
        try:
            return report_resolve(value)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from None

    def validate(self, attrs):
        # Years side by side: one report (by ID) or one year's, by default this year or the latest year.
        shown = attrs.pop("report", None) or report_resolve(None)
        attrs["report"], attrs["year"] = (shown.report_id, shown.year) if shown else (None, None)
        if "as_of" not in attrs:
            attrs["as_of"] = boards_default_as_of(
                today=clock.today(), report=attrs["report"], year=attrs["year"]
            ).as_of
        return attrs


class LaggingParamsSerializer(BoardParamsSerializer):
    performance = serializers.ChoiceField(
        choices=PerformanceStatus.choices, required=False, help_text="完成状态（截至 as_of）"
    )
    reporting = serializers.ChoiceField(
        choices=ReportingStatus.choices, required=False, help_text="报送状态（截至 as_of）"
    )


class EvaluationSerializer(serializers.Serializer):
    """A target's evaluation as of a date (progress.rules.Evaluation)."""

    performance = serializers.ChoiceField(choices=PerformanceStatus.choices, read_only=True)
    performance_label = LabelField(PERFORMANCE_LABELS, source="performance")
    reporting = serializers.ChoiceField(choices=ReportingStatus.choices, read_only=True)
    reporting_label = LabelField(REPORTING_LABELS, source="reporting")
    progress_pct = NumberField(allow_null=True, help_text="完成进度（%）；水平类目标为空")
    expected_pct = NumberField(allow_null=True, help_text="序时进度（%）；水平类目标为空")
    gap_pp = NumberField(
        allow_null=True,
        help_text="判定用的差距，正数为落后：累计类为落后序时进度的百分点，水平类为差距占目标的百分比",
    )
    latest_value = NumberField(source="judged.value", allow_null=True, help_text="评判所依据的数值")
    latest_period_end = serializers.DateField(source="judged.period_end", read_only=True, allow_null=True)
    next_due = serializers.DateField(read_only=True, allow_null=True)
    days_late = serializers.IntegerField(read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)


class BoardRowSerializer(serializers.Serializer):
    """One row of the lagging/overdue report (progress.boards.TargetRow)."""

    id = serializers.IntegerField(source="target.pk", read_only=True)
    code = serializers.CharField(source="target.code", read_only=True)
    metric = serializers.CharField(source="target.metric", read_only=True)
    chapter = ChapterBriefSerializer(source="target.task.chapter", read_only=True)
    task = KeyTaskBriefSerializer(source="target.task", read_only=True)
    goal = serializers.CharField(source="target.goal_display", read_only=True)
    figure_unit = serializers.CharField(source="target.figure_unit", read_only=True)
    lead_department = DepartmentBriefSerializer(source="lead", read_only=True, allow_null=True)
    departments = DepartmentBriefSerializer(source="target.ordered_departments", many=True, read_only=True)
    evaluation = EvaluationSerializer(read_only=True)
    gap_text = serializers.CharField(
        read_only=True, help_text="以指标自身单位表述的差距（如“差8.2个百分点”“差1.2万吨，完成目标的98.67%”）"
    )


class LaggingBoardSerializer(serializers.Serializer):
    """The report a page at a time (`page` or `page_size` asked for); without them, every row, the links
    null."""

    as_of = serializers.DateField(read_only=True)
    count = serializers.IntegerField(read_only=True)
    results = BoardRowSerializer(many=True, read_only=True, help_text="最严重的在前")
    next = serializers.URLField(read_only=True, allow_null=True, help_text="下一页；不分页或最后一页为空")
    previous = serializers.URLField(read_only=True, allow_null=True, help_text="上一页；不分页或第一页为空")


class PerformanceCountsSerializer(serializers.Serializer):
    """Targets per performance status (every status present, 0 included)."""

    no_data = serializers.IntegerField(read_only=True, help_text="无数据")
    on_track = serializers.IntegerField(read_only=True, help_text="正常")
    at_risk = serializers.IntegerField(read_only=True, help_text="预警")
    lagging = serializers.IntegerField(read_only=True, help_text="滞后")
    achieved = serializers.IntegerField(read_only=True, help_text="已完成")
    overdue = serializers.IntegerField(read_only=True, help_text="逾期未完成")


class ReportingCountsSerializer(serializers.Serializer):
    not_due = serializers.IntegerField(read_only=True, help_text="未到期")
    on_time = serializers.IntegerField(read_only=True, help_text="按时")
    late = serializers.IntegerField(read_only=True, help_text="逾期未报")


class TaskSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="task.pk", read_only=True)
    number = serializers.IntegerField(source="task.number", read_only=True)
    title = serializers.CharField(source="task.title", read_only=True)
    total = serializers.IntegerField(read_only=True)
    performance = PerformanceCountsSerializer(read_only=True)


class ChapterSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="chapter.pk", read_only=True)
    number = serializers.IntegerField(source="chapter.number", read_only=True)
    title = serializers.CharField(source="chapter.title", read_only=True)
    total = serializers.IntegerField(read_only=True)
    performance = PerformanceCountsSerializer(read_only=True)
    reporting = ReportingCountsSerializer(read_only=True)
    tasks = TaskSummarySerializer(many=True, read_only=True)


class StatusSummarySerializer(serializers.Serializer):
    as_of = serializers.DateField(read_only=True)
    total = serializers.IntegerField(read_only=True)
    performance = PerformanceCountsSerializer(read_only=True)
    reporting = ReportingCountsSerializer(read_only=True)
    by_chapter = ChapterSummarySerializer(
        many=True, read_only=True, help_text="按章节和重点任务，主要预期目标在前"
    )


# ------------------------------------------------------------------------------------ 督办 notices


class NoticeEventSerializer(serializers.ModelSerializer):
    step_label = serializers.CharField(source="get_step_display", read_only=True)
    by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    evidence = NoticeEvidenceSerializer(many=True, read_only=True)

    class Meta:
        model = NoticeEvent
        fields = ["step", "step_label", "by", "at", "text", "deadline", "expected_completion", "evidence"]
        read_only_fields = fields


class NoticeSerializer(serializers.ModelSerializer):
    number_label = serializers.CharField(read_only=True, help_text="如 吴督〔2020〕12号")
    level_label = serializers.CharField(source="get_level_display", read_only=True)
    department = DepartmentBriefSerializer(read_only=True, help_text="责任单位（牵头单位）")
    targets = TargetBriefSerializer(many=True, read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    standing = serializers.SerializerMethodField(help_text="今日所处状态：issued、answered、closed、overdue")
    standing_label = serializers.SerializerMethodField(help_text="已下发、已反馈、已办结、逾期未反馈")
    issued_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    events = NoticeEventSerializer(many=True, read_only=True, help_text="办理过程，按时间")

    class Meta:
        model = Notice
        fields = [
            "id", "report", "year", "number", "number_label", "level", "level_label", "department", "targets",
            "matter", "deadline", "state", "state_label", "standing", "standing_label", "issued_by",
            "issued_at", "events",
        ]  # fmt: skip
        read_only_fields = fields

    def _standing(self, notice: Notice):
        return notice_standing(state=notice.state, deadline=notice.deadline, as_of=clock.today())

    @extend_schema_field(serializers.ChoiceField(choices=[s.value for s in NoticeStanding]))
    def get_standing(self, notice: Notice) -> str:
        return self._standing(notice).value

    def get_standing_label(self, notice: Notice) -> str:
        return NOTICE_STANDING_LABELS[self._standing(notice)]


class NoticeCreateSerializer(serializers.Serializer):
    """A notice for targets of one lead department; the matter defaults to their status and reasons."""

    targets = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        help_text="目标 ID（同一牵头单位）",
        allow_empty=True,
    )
    level = serializers.ChoiceField(choices=NoticeLevel.choices, default=NoticeLevel.SUPERVISE)
    matter = serializers.CharField(
        required=False, allow_blank=True, help_text="督办事项；不填则按目标状态生成"
    )
    deadline = serializers.DateField(required=False, help_text="反馈期限；不填为下发后第5个工作日")


class NoticeAnswerSerializer(serializers.Serializer):
    measures = serializers.CharField(allow_blank=True, help_text="整改措施")
    expected_completion = serializers.DateField(allow_null=True, help_text="预计完成时间")
    evidence = serializers.ListField(
        child=serializers.FileField(), default=list, help_text="佐证材料（multipart）"
    )


class NoticeCloseSerializer(serializers.Serializer):
    remark = serializers.CharField(required=False, allow_blank=True, default="", help_text="办结意见")


class NoticePressSerializer(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, help_text="继续督办的理由")
    deadline = serializers.DateField(required=False, help_text="新的反馈期限；不填为今天起第5个工作日")
