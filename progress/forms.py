"""The entry form of the admin: the same validation as every other way in (progress.services)."""

from django import forms
from django.core.exceptions import ValidationError

from progress.models import NoticeLevel, PerformanceStatus, ProgressEntry, ReportingStatus
from progress.reports import ReportFilters
from progress.selectors import boards_default_as_of
from progress.services import (
    evidence_bounds_validate,
    evidence_validate,
    figure_parse,
    progress_entry_validate,
)
from targets.models import Chapter, Department, KeyTask
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class ProgressEntryForm(forms.ModelForm):
    # A text field, so that "N/A" or "见说明" gets our message rather than a generic one.
    value = forms.CharField(
        label="数值", required=False, help_text="只填数字；里程碑填完成百分比（0–100），增速可为负数。"
    )
    evidence = MultipleFileField(
        label="佐证材料", help_text="可多选；PDF、DOCX、XLSX、JPG、PNG，每个不超过10 MB。"
    )

    class Meta:
        model = ProgressEntry
        fields = ["target", "period_end", "value", "is_final", "provenance", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "target" in self.fields:
            self.fields["target"].queryset = targets_visible_to(user).select_related("task").order_by("code")
        if self.instance.pk:
            self.initial["value"] = f"{self.instance.value.normalize():f}"

    def clean_value(self):
        try:
            return figure_parse(self.cleaned_data["value"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["value"]) from None

    def clean_evidence(self):
        files = self.cleaned_data.get("evidence") or []
        for uploaded_file in files:
            try:
                evidence_validate(uploaded_file)
            except ValidationError as error:
                raise ValidationError(error.message_dict["evidence"]) from None
        try:
            evidence_bounds_validate(entry=self.instance if self.instance.pk else None, files=files)
        except ValidationError as error:
            raise ValidationError(error.message_dict["evidence"]) from None
        return files

    def clean(self):
        cleaned = super().clean()
        target = cleaned.get("target") or (self.instance.target if self.instance.pk else None)
        period_end = cleaned.get("period_end") or (self.instance.period_end if self.instance.pk else None)
        if target is None or "value" not in cleaned:
            return cleaned
        try:
            progress_entry_validate(
                target=target,
                period_end=period_end,
                value=cleaned["value"],
                by=self.user,
                today=clock.today(),
                entry=self.instance if self.instance.pk else None,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        return cleaned


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class ReportFilterForm(forms.Form):
    """The filters of the managers' report pages; every report is evaluated "as of" a date."""

    as_of = forms.DateField(
        label="截至日期",
        required=False,
        help_text="留空为今天（年度已结束时为该年度最后一期报告的截止日）；可选过去任一日期以重现当时的通报。",
    )
    chapter = forms.ModelChoiceField(label="章节", queryset=Chapter.objects.none(), required=False)
    task = forms.ModelChoiceField(label="重点任务", queryset=KeyTask.objects.none(), required=False)
    department = forms.ModelChoiceField(
        label="责任单位", queryset=Department.objects.order_by("name"), to_field_name="code", required=False
    )
    performance = forms.ChoiceField(
        label="完成状态", choices=[("", "全部"), *PerformanceStatus.choices], required=False
    )
    reporting = forms.ChoiceField(
        label="报送状态", choices=[("", "全部"), *ReportingStatus.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["chapter"].queryset = Chapter.objects.select_related("report").order_by(
            "report", "number"
        )
        self.fields["task"].queryset = KeyTask.objects.select_related("chapter").order_by(
            "chapter__number", "number"
        )

    # Set when no date was asked for and the latest report's year is over: the page then shows that year
    # as it closed (progress.selectors.boards_default_as_of) and says so.
    closed_year: int | None = None

    def clean_as_of(self):
        as_of, today = self.cleaned_data["as_of"], clock.today()
        if as_of is None:
            default = boards_default_as_of(today=today)
            self.closed_year = default.closed_year
            return default.as_of
        if as_of > today:
            raise ValidationError("截至日期不能晚于今天。")
        return as_of

    def report_filters(self) -> ReportFilters:
        data = self.cleaned_data
        return ReportFilters(
            chapter=data["chapter"].pk if data.get("chapter") else None,
            task=data["task"].pk if data.get("task") else None,
            department=data["department"].code if data.get("department") else None,
            performance=data.get("performance") or None,
            reporting=data.get("reporting") or None,
        )


# ------------------------------------------------------------------------------------ 督办 notices


class NoticeIssueForm(forms.Form):
    """发督办单: the level and deadline shared by the notices issued at once; each department's matter is a
    field of its own (`matter_<department id>`), added by the view."""

    level = forms.ChoiceField(label="督办级别", choices=NoticeLevel.choices, initial=NoticeLevel.SUPERVISE)
    deadline = forms.DateField(
        label="反馈期限",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text="默认下发后第5个工作日。",
    )

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        for department in departments:
            self.fields[f"matter_{department.pk}"] = forms.CharField(
                label=f"督办事项（{department.name}）",
                widget=forms.Textarea(attrs={"rows": 6, "cols": 90}),
                required=False,  # the service names a missing matter
            )


class NoticeAnswerForm(forms.Form):
    measures = forms.CharField(
        label="整改措施", widget=forms.Textarea(attrs={"rows": 6, "cols": 90}), required=False
    )
    expected_completion = forms.DateField(
        label="预计完成时间",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        required=False,
    )
    evidence = MultipleFileField(
        label="佐证材料", help_text="可多选；PDF、DOCX、XLSX、JPG、PNG，每个不超过10 MB。"
    )


class NoticeCloseForm(forms.Form):
    remark = forms.CharField(
        label="办结意见",
        widget=forms.Textarea(attrs={"rows": 2, "cols": 90}),
        required=False,
        initial="同意办结。",
    )


class NoticePressForm(forms.Form):
    reason = forms.CharField(
        label="继续督办的理由", widget=forms.Textarea(attrs={"rows": 3, "cols": 90}), required=False
    )
    deadline = forms.DateField(
        label="新的反馈期限",
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        required=False,
        help_text="不填则为今天起第5个工作日。",
    )
