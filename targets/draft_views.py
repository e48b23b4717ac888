"""报告草稿: the office uploads a report's text, reviews the drafted table (each sentence highlighted), edits
or drops rows, assigns departments, confirms links to last year's targets, and publishes the report. Views
parse the request and call targets.draft_review (services and the table's selector)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.views import View

from targets import draft_review
from targets.models import Comparator, Curve, Department, Frequency, Measure, ReportDraft
from wuzhong_tracker import clock
from wuzhong_tracker.validation import error_messages


class DraftUploadForm(forms.Form):
    source = forms.FileField(
        label="报告纯文本", help_text="政府工作报告全文的纯文本（.txt，UTF-8 或 GBK 编码）。"
    )
    year = forms.IntegerField(label="报告年度", min_value=2000, max_value=2100, help_text="如 2021。")


class DraftRowForm(forms.Form):
    metric = forms.CharField(label="指标", max_length=100)
    comparator = forms.ChoiceField(label="比较方式", choices=Comparator.choices)
    value = forms.DecimalField(label="目标值", max_digits=18, decimal_places=4, required=False)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    measure = forms.ChoiceField(label="计量方式", choices=Measure.choices)
    curve = forms.ChoiceField(
        label="序时进度曲线", choices=[c for c in Curve.choices if c[0] != Curve.CUSTOM]
    )
    frequency = forms.ChoiceField(label="报送频次", choices=Frequency.choices)
    deadline = forms.DateField(label="完成时限", required=False, help_text="留空为当年12月31日。")
    lead = forms.ChoiceField(label="牵头单位")
    cooperating = forms.MultipleChoiceField(
        label="配合单位", required=False, widget=forms.SelectMultiple(attrs={"size": 8})
    )
    previous_target = forms.TypedChoiceField(
        label="上年同一指标的目标", coerce=int, empty_value=None, required=False,
        help_text="关联后，该目标的结果作为新目标的基期值；保存即视为确认。",
    )  # fmt: skip

    def __init__(self, *args, department_names, previous_targets, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(name, name) for name in department_names]
        self.fields["lead"].choices = [("", "请选择"), *choices]
        self.fields["cooperating"].choices = choices
        self.fields["previous_target"].choices = [("", "不关联")] + [
            (target.pk, f"{target.report.year}年 {target.report.issuer} {target.code} {target.metric}")
            for target in previous_targets
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("comparator") and cleaned["comparator"] != Comparator.DONE:
            if cleaned.get("value") is None:
                self.add_error("value", "数值目标必须有目标值。")
            if not cleaned.get("unit"):
                self.add_error("unit", "数值目标必须有单位。")
        if cleaned.get("lead") and cleaned.get("lead") in (cleaned.get("cooperating") or []):
            self.add_error("cooperating", "牵头单位不必再列为配合单位。")
        return cleaned

    def values(self) -> dict:
        data = self.cleaned_data
        return {
            "metric": data["metric"],
            "comparator": data["comparator"],
            "value": data["value"] if data["comparator"] != Comparator.DONE else None,
            "unit": data["unit"] if data["comparator"] != Comparator.DONE else None,
            "measure": data["measure"],
            "curve": data["curve"],
            "frequency": data["frequency"],
            "deadline": data["deadline"],
            "departments": [data["lead"], *data["cooperating"]],
            "previous_target": data["previous_target"],
        }


class DraftView(View):
    """Managers and administrators only (targets.add_reportdraft)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("targets.add_reportdraft"):
            raise PermissionDenied("只有督查室和系统管理员可以起草和发布报告。")
        return self.prepare(request, **kwargs) or super().dispatch(request, *args, **kwargs)

    def prepare(self, request, **kwargs) -> HttpResponse | None:
        """What the page reads before its method runs, once permitted; a response ends the request there."""
        return None

    def context(self, title: str, **extra) -> dict:
        return admin.site.each_context(self.request) | {"title": title, "today": clock.today(), **extra}


class DraftListView(DraftView):
    def get(self, request, form=None):
        drafts = ReportDraft.objects.select_related("created_by", "published_report").defer(
            "source_text", "data", "published_report__source_text"
        )[:50]
        return TemplateResponse(
            request,
            "targets/drafts/list.html",
            self.context("报告草稿：上传报告原文并起草", form=form or DraftUploadForm(), drafts=drafts),
        )

    def post(self, request):
        form = DraftUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.get(request, form)
        upload = form.cleaned_data["source"]
        try:
            draft = draft_review.report_draft_create(
                content=upload.read(draft_review.MAX_UPLOAD_BYTES + 1),
                filename=upload.name,
                year=form.cleaned_data["year"],
                by=request.user,
            )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error("source", message)
            return self.get(request, form)
        messages.success(request, f"已起草“{draft.title}”：请逐行审核后发布。")
        return redirect("report-draft", draft.pk)


class DraftDetailView(DraftView):
    def get(self, request, pk, problems=()):
        draft = get_object_or_404(ReportDraft.objects.select_related("published_report"), pk=pk)
        rows = draft_review.report_draft_rows(draft)
        return TemplateResponse(
            request,
            "targets/drafts/detail.html",
            self.context(
                f"{draft.title}（草稿）",
                draft=draft,
                rows=rows,
                dropped=[
                    row for _chapter, _task, row in draft_review.draft_targets(draft.data, dropped=True)
                ],
                problems=problems,
                milestones=sum(1 for row in rows if row.target.get("comparator") == "done"),
            ),
        )

    def post(self, request, pk):
        draft = get_object_or_404(ReportDraft, pk=pk)
        action, code = request.POST.get("action"), request.POST.get("code", "")
        try:
            if action == "drop":
                draft_review.report_draft_row_drop(draft=draft, code=code, by=request.user)
                messages.success(request, f"已删除目标 {code}（可在页末“已删除的目标”中恢复）。")
            elif action == "restore":
                draft_review.report_draft_row_restore(draft=draft, code=code, by=request.user)
                messages.success(request, f"已恢复目标 {code}。")
            elif action == "confirm":
                draft_review.report_draft_link_confirm(draft=draft, code=code, by=request.user)
                messages.success(request, f"已确认目标 {code} 与上年目标的关联。")
            elif action == "publish":
                try:
                    report = draft_review.report_draft_publish(draft=draft, by=request.user)
                except draft_review.DraftPublishInvalid as invalid:
                    messages.error(
                        request, f"未发布：发现 {len(invalid.problems)} 个问题，数据库未作任何修改。"
                    )
                    return self.get(request, pk, problems=invalid.problems)
                messages.success(request, f"已发布“{report.title}”：{report.targets.count()} 个目标。")
                return redirect(f"{reverse('admin:progress_mytarget_changelist')}?report={report.pk}")
            else:
                messages.error(request, "未知的操作。")
        except ValidationError as error:
            messages.error(request, "；".join(error_messages(error)))
        return redirect("report-draft", pk)


class DraftRowView(DraftView):
    def _form(self, draft, row, data=None):
        names = list(Department.objects.order_by("name").values_list("name", flat=True))
        names += [item["name"] for item in draft.data.get("departments", []) if item["name"] not in names]
        departments = row.get("departments") or []
        initial = {
            key: row.get(key)
            for key in ("metric", "comparator", "value", "unit", "measure", "curve", "frequency")
        } | {
            "deadline": row.get("deadline"),
            "lead": departments[0] if departments else "",
            "cooperating": departments[1:],
            "previous_target": row.get("previous_target"),
        }
        return DraftRowForm(
            data,
            initial=initial,
            department_names=names,
            previous_targets=draft_review.previous_year_targets(draft.year),
        )

    def _page(self, request, draft, row, form):
        return TemplateResponse(
            request,
            "targets/drafts/row.html",
            self.context(f"修改目标 {row['code']}", draft=draft, row=row, form=form),
        )

    def prepare(self, request, **kwargs) -> HttpResponse | None:
        self.draft = get_object_or_404(ReportDraft, pk=kwargs["pk"])
        try:
            self.row = draft_review.draft_row(self.draft, kwargs["code"])
        except ValidationError as error:  # dropped meanwhile, or a mistyped address
            messages.error(request, "；".join(error_messages(error)))
            return redirect("report-draft", self.draft.pk)
        return None

    def get(self, request, pk, code):
        draft, row = self.draft, self.row
        return self._page(request, draft, row, self._form(draft, row))

    def post(self, request, pk, code):
        draft, row = self.draft, self.row
        form = self._form(draft, row, request.POST)
        if not form.is_valid():
            return self._page(request, draft, row, form)
        try:
            draft_review.report_draft_row_update(
                draft=draft, code=code, values=form.values(), by=request.user
            )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self._page(request, draft, row, form)
        messages.success(request, f"已保存目标 {code}。")
        return redirect(f"{reverse('report-draft', args=[pk])}#row-{code}")


def draft_urls() -> list:
    """Mounted under /admin/ (inside the admin site's login and look)."""
    view = admin.site.admin_view
    return [
        path("drafts/", view(DraftListView.as_view()), name="report-drafts"),
        path("drafts/<int:pk>/", view(DraftDetailView.as_view()), name="report-draft"),
        path("drafts/<int:pk>/rows/<str:code>/", view(DraftRowView.as_view()), name="report-draft-row"),
    ]
