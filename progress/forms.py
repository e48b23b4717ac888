"""The entry form of the admin: the same validation as every other way in (progress.services)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from progress import services
from progress.boards import BoardFilters
from progress.judging import target_rule
from progress.models import NoticeLevel, PerformanceStatus, ProgressEntry, Provenance, ReportingStatus
from progress.rules import figure_scale_warning, period_ends, period_label
from progress.selectors import boards_default_as_of, period_due_now, previous_figure
from progress.years import year_lock_refusal
from targets.conventions import format_decimal
from targets.models import Comparator, Department, KeyTask, Target
from targets.selectors import targets_visible_to
from targets.years import Shown, report_choices, report_pick, report_select_choices
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
    """The entry form tells the official what to type: once the target is known (chosen, or given as
    ?target=), the figure is labelled with its unit and the goal, the period end is a choice of the
    target's closed periods with the one due now preselected, and a figure 50 times the goal or the
    previous figure (or a fiftieth of it) is saved only after the official confirms it."""

    # A text field, so that "N/A" or "见说明" gets our message rather than a generic one.
    value = forms.CharField(
        label="数值", required=False, help_text="只填数字；里程碑填完成百分比（0–100），增速可为负数。"
    )
    evidence = MultipleFileField(
        label="佐证材料", help_text="可多选；PDF、DOCX、XLSX、JPG、PNG，每个不超过10 MB。"
    )
    confirm_scale = forms.BooleanField(
        label="确认数值", required=False, widget=forms.HiddenInput, help_text="我已核对，数值和单位无误。"
    )

    class Meta:
        model = ProgressEntry
        fields = ["target", "period_end", "value", "is_final", "provenance", "note"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "target" in self.fields:
            self.fields["target"].queryset = targets_visible_to(user).select_related("task").order_by("code")
            # Choosing a target reloads the form for it: its unit, goal and periods.
            self.fields["target"].widget.attrs["data-reload-on-change"] = ""  # progress/entry_form.js
        if self.instance.pk:
            self.initial["value"] = format_decimal(self.instance.value)
        self.target = self._target()
        if self.target is not None:
            self._describe(self.target)

    def _target(self):
        if self.instance.pk:
            return self.instance.target
        if "target" not in self.fields:
            return None
        raw = self.data.get("target") if self.is_bound else self.initial.get("target")
        if raw in (None, ""):
            return None
        try:
            return self.fields["target"].queryset.select_related("report").get(pk=raw)
        except (ValueError, TypeError, Target.DoesNotExist, ValidationError):
            return None  # the field's own validation says why

    def _describe(self, target) -> None:
        unit = target.figure_unit
        value = self.fields["value"]
        value.label = f"数值（{unit}）"
        milestone = target.comparator == Comparator.DONE
        today = clock.today()
        # A closed year says so before a figure is typed or corrected, not only when saving refuses it.
        closed_year = year_lock_refusal(target=target, today=today)
        # Escaped: the admin renders help text as HTML, and a unit or goal is text from the data file.
        value.help_text = escape(
            (f"注意：{closed_year}" if closed_year else "")
            + f"目标：{target.goal_display}（{target.get_measure_display()}，{target.get_frequency_display()}）。"
            + ("填写完成百分比（0–100）。" if milestone else f"请按“{unit}”填写，只填数字。")
            + ("增速可为负数。" if target.allows_negative_figures else "")
        )
        if "period_end" not in self.fields:
            return
        rule = target_rule(target)
        closed = [end for end in period_ends(rule) if end <= today]
        # A date field shown as a choice: a date typed into a crafted request still gets the service's
        # message (not a period end of this target, not yet over…), not a generic "invalid choice".
        self.fields["period_end"] = forms.DateField(
            label="报告期末",
            required=False,
            widget=forms.Select(
                choices=[("", "请选择")]
                + [(f"{end:%Y-%m-%d}", f"{period_label(end, rule)}（{end:%Y-%m-%d}）") for end in closed]
            ),
            help_text="只能选择已结束的报告期；默认选中本期应报的一期。"
            if closed
            else "该目标的第一个报告期尚未结束。",
        )
        if not self.is_bound and "period_end" not in self.initial:
            due = period_due_now(target=target, entries=target.entries.all(), today=today)
            if due is not None:
                self.initial["period_end"] = f"{due.period_end:%Y-%m-%d}"

    def clean(self):
        """The one validation pass: the service prepares the entry (or the correction) from what was typed,
        and the admin saves what it prepared (`submission`) without validating again."""
        cleaned = super().clean()
        fields = {
            "value": cleaned.get("value"), "by": self.user, "is_final": cleaned.get("is_final", False),
            "provenance": cleaned.get("provenance", Provenance.ESTIMATE), "note": cleaned.get("note", ""),
            "evidence": cleaned.get("evidence") or [],
        }  # fmt: skip
        try:
            if self.instance.pk:
                self.submission = services.progress_entry_correction_prepare(entry=self.instance, **fields)
            elif cleaned.get("target") is not None:
                self.submission = services.progress_entry_prepare(
                    target=cleaned["target"], period_end=cleaned.get("period_end"), **fields
                )
            else:
                return cleaned  # the target field says why
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
            return cleaned
        target = self.instance.target if self.instance.pk else cleaned["target"]
        period_end = self.instance.period_end if self.instance.pk else cleaned.get("period_end")
        self._check_scale(target, period_end, self.submission.value)
        return cleaned

    def _post_clean(self):
        """The model's own validation is not run again: `clean` validated the entry through the service,
        which writes it."""

    def _check_scale(self, target, period_end, value) -> None:
        """The 头 vs 万头 slip: a figure far off the goal or the previous figure is saved once confirmed."""
        warning = figure_scale_warning(
            value,
            goal=None if target.comparator == Comparator.DONE else target.value,
            unit=target.figure_unit,
            previous=previous_figure(target=target, before=period_end) if period_end else None,
        )
        if warning and not self.cleaned_data.get("confirm_scale"):
            self.fields["confirm_scale"].widget = forms.CheckboxInput()
            self.add_error("value", f"{warning}如确认无误，请勾选“确认数值”后再保存。")


class CooperationNoteForm(forms.Form):
    """配合情况 on the target's desk: a period of the lead's, what the department did, and evidence."""

    period_end = forms.DateField(label="报告期末", widget=forms.Select)
    text = forms.CharField(label="配合情况", widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)
    evidence = forms.FileField(
        label="佐证材料",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"}),
        help_text="可选；PDF、DOCX、XLSX、JPG、PNG，不超过10 MB。配合情况不计入目标数值。",
    )

    def __init__(self, *args, target, **kwargs):
        super().__init__(*args, **kwargs)
        rule = target_rule(target)
        closed = [end for end in period_ends(rule) if end <= clock.today()]
        self.fields["period_end"].widget.choices = [
            (f"{end:%Y-%m-%d}", period_label(end, rule)) for end in reversed(closed)
        ]


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(label="退回原因", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class PlainSelect(forms.Select):
    """A <select> written in Python. Django renders every option through templates of its own (tens of
    microseconds each), which for the thousand key tasks of a year of 20 reports was most of the 滞后/逾期
    page's time; the same HTML, optgroups included, without them."""

    def render(self, name, value, attrs=None, renderer=None) -> str:
        selected = set(self.format_value(value))

        def options(choices) -> str:
            return "".join(
                f'<option value="{escape(key)}"{" selected" if str(key) in selected else ""}>'
                f"{escape(label)}</option>"
                for key, label in choices
            )

        body = "".join(
            f'<optgroup label="{escape(key)}">{options(label)}</optgroup>'
            if isinstance(label, list | tuple)
            else options([(key, label)])
            for key, label in self.choices
        )
        return mark_safe(
            f"<select{flatatt(self.build_attrs(self.attrs, {**(attrs or {}), 'name': name}))}>{body}</select>"
        )


class BoardFilterForm(forms.Form):
    """The filters of the managers' report pages; every report is evaluated "as of" a date, for one report
    (year): the one asked for (?report=<year or ID>), else this year's or the latest (targets/years.py)."""

    report = forms.CharField(label="报告年度", required=False, widget=forms.Select)
    as_of = forms.DateField(
        label="截至日期",
        required=False,
        help_text="留空为今天（年度已结束时为该年度最后一期报告的截止日）；可选过去任一日期以重现当时的通报。",
    )
    # Plain choices (IDs, codes), read once when rendered or cleaned: a download that asks for neither runs
    # no query for them, and the chapters and key tasks share one.
    chapter = forms.TypedChoiceField(
        label="章节", coerce=int, empty_value=None, required=False, widget=PlainSelect
    )
    task = forms.TypedChoiceField(
        label="重点任务", coerce=int, empty_value=None, required=False, widget=PlainSelect
    )
    department = forms.ChoiceField(label="责任单位", required=False, widget=PlainSelect)
    performance = forms.ChoiceField(
        label="完成状态", choices=[("", "全部"), *PerformanceStatus.choices], required=False
    )
    reporting = forms.ChoiceField(
        label="报送状态", choices=[("", "全部"), *ReportingStatus.choices], required=False
    )

    def __init__(self, *args, report=None, **kwargs):
        """`report`: the page's own report (a target's desk), which no query string changes."""
        super().__init__(*args, **kwargs)
        self.fixed = Shown(year=report.year, report_id=report.pk) if report is not None else None
        self._read: dict[str, object] = {}
        # Read when rendered or cleaned, once each: the options and the pick share one query.
        self.fields["report"].widget.choices = lambda: report_select_choices(self.reports())
        self.fields["chapter"].choices = lambda: [("", "全部"), *self.structure()[0]]
        self.fields["task"].choices = lambda: [("", "全部"), *self.structure()[1]]
        self.fields["department"].choices = lambda: [
            ("", "全部"),
            *self._once(
                "departments", lambda: list(Department.objects.order_by("name").values_list("code", "name"))
            ),
        ]

    def _once(self, name: str, read: Callable[[], Any]) -> Any:
        """A read of the form's options, run the first time it is needed (the choices of a field are read
        each time they are iterated: to render, to validate, to decide on the `required` attribute)."""
        if name not in self._read:
            self._read[name] = read()
        return self._read[name]

    def reports(self) -> list:
        return self._once("reports", lambda: list(report_choices().only("pk", "year", "title")))

    def structure(self) -> tuple[list, list]:
        """The chapter and key task options, from one read of the key tasks with their chapters and
        reports: chapters grouped by report, key tasks by chapter (a year may hold several reports, whose
        chapters share their numbers and often their titles). A chapter without key tasks has no targets
        to show, so it is not offered."""

        def read() -> tuple[list, list]:
            tasks = (
                KeyTask.objects.select_related("chapter__report")
                .only(
                    "number", "title", "chapter__number", "chapter__title", "chapter__report__year",
                    "chapter__report__title",
                )
                .order_by("-chapter__report__year", "chapter__report_id", "chapter__number", "number")
            )  # fmt: skip
            # Keyed by ID (two reports may share a title), each group with its label.
            chapters: dict[int, tuple[str, list]] = {}
            tasks_of: dict[int, tuple[str, list]] = {}
            for task in tasks:
                chapter, report = task.chapter, task.chapter.report
                of_report = chapters.setdefault(report.pk, (report.title, []))[1]
                if not of_report or of_report[-1][0] != chapter.pk:
                    of_report.append((chapter.pk, str(chapter)))
                group = tasks_of.setdefault(chapter.pk, (f"{report.title} · {chapter}", []))[1]
                group.append((task.pk, str(task)))
            return list(chapters.values()), list(tasks_of.values())

        return self._once("structure", read)

    # Set when no date was asked for and the latest report's year is over: the page then shows that year
    # as it closed (progress.selectors.boards_default_as_of) and says so.
    closed_year: int | None = None

    def clean_report(self) -> Shown | None:
        if self.fixed is not None:
            return self.fixed
        value = self.cleaned_data["report"]
        shown = report_pick(self.reports(), value, today=clock.today())
        if value and shown is None:
            raise ValidationError(f"没有“{value}”：请选择有报告的年度（如 2021）或报告 ID。")
        return shown

    def clean_as_of(self):
        as_of, today = self.cleaned_data["as_of"], clock.today()
        shown = self.cleaned_data.get("report")
        if as_of is None:
            default = boards_default_as_of(
                today=today, report=shown.report_id if shown else None, year=shown.year if shown else None
            )
            self.closed_year = default.closed_year
            return default.as_of
        if as_of > today:
            raise ValidationError("截至日期不能晚于今天。")
        return as_of

    def report_filters(self) -> BoardFilters:
        data = self.cleaned_data
        return BoardFilters(
            report=data["report"].report_id if data.get("report") else None,
            year=data["report"].year if data.get("report") else None,
            chapter=data.get("chapter"),
            task=data.get("task"),
            department=data.get("department") or None,
            performance=data.get("performance") or None,
            reporting=data.get("reporting") or None,
        )


# ------------------------------------------------------------------------------------ 督办 notices


def _date_field(label: str, **kwargs) -> forms.DateField:
    """The browser's date picker, read and shown as YYYY-MM-DD."""
    return forms.DateField(
        label=label, widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}), **kwargs
    )


def _text_field(label: str, *, rows: int, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, widget=forms.Textarea(attrs={"rows": rows, "cols": 90}), **kwargs)


class NoticeIssueForm(forms.Form):
    """发督办单: the level and deadline shared by the notices issued at once; each department's matter is a
    field of its own (`matter_<department id>`), added by the view."""

    level = forms.ChoiceField(label="督办级别", choices=NoticeLevel.choices, initial=NoticeLevel.SUPERVISE)
    deadline = _date_field("反馈期限", help_text="默认下发后第5个工作日。")

    def __init__(self, *args, departments=(), **kwargs):
        super().__init__(*args, **kwargs)
        for department in departments:
            self.fields[f"matter_{department.pk}"] = _text_field(
                f"督办事项（{department.name}）",
                rows=6,
                required=False,  # the service names a missing matter
            )


class NoticeAnswerForm(forms.Form):
    measures = _text_field("整改措施", rows=6, required=False)
    expected_completion = _date_field("预计完成时间", required=False)
    evidence = MultipleFileField(
        label="佐证材料", help_text="可多选；PDF、DOCX、XLSX、JPG、PNG，每个不超过10 MB。"
    )


class NoticeCloseForm(forms.Form):
    remark = _text_field("办结意见", rows=2, required=False, initial="同意办结。")


class NoticePressForm(forms.Form):
    reason = _text_field("继续督办的理由", rows=3, required=False)
    deadline = _date_field("新的反馈期限", required=False, help_text="不填则为今天起第5个工作日。")
