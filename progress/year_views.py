"""A year's entries after it closed: an administrator reopens a closed year for new entries, or locks it
again, with a reason (targets.years.report_entries_reopen keeps it in the report's history). The lock itself
is judged in progress/years.py, which knows the reporting calendar."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.views import View

from progress.years import report_lock_date
from targets.models import Report
from targets.years import report_entries_reopen
from wuzhong_tracker.validation import error_messages


class YearEntriesForm(forms.Form):
    reason = forms.CharField(
        label="原因", widget=forms.Textarea(attrs={"rows": 3, "cols": 80}), max_length=500,
        help_text="记入该报告的修改历史，如“统计局年报数据3月初才发布，允许补报12月数据”。",
    )  # fmt: skip


class YearEntriesView(View):
    """An administrator reopens a closed year for entries, or locks it again, with a reason
    (targets.years.report_entries_reopen keeps it in the report's history)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.has_perm("targets.change_report"):  # administrators (targets/roles.py)
            raise PermissionDenied("只有系统管理员可以重新开放或锁定年度填报。")
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk, form=None):
        report = get_object_or_404(Report.objects.defer("source_text"), pk=pk)
        context = admin.site.each_context(request) | {
            "title": f"{report.year}年度填报：重新开放或锁定",
            "report": report,
            "form": form or YearEntriesForm(),
            "lock_date": report_lock_date(report),
            "history": report.history.filter(history_change_reason__isnull=False).order_by("-history_id")[
                :20
            ],
        }
        return TemplateResponse(request, "progress/years/entries.html", context)

    def post(self, request, pk):
        report = get_object_or_404(Report.objects.defer("source_text"), pk=pk)
        form = YearEntriesForm(request.POST)
        if not form.is_valid():
            return self.get(request, pk, form)
        reopen = request.POST.get("action") != "lock"
        try:
            report_entries_reopen(
                report=report, by=request.user, reason=form.cleaned_data["reason"], reopen=reopen
            )
        except ValidationError as error:
            for message in error_messages(error):
                form.add_error(None, message)
            return self.get(request, pk, form)
        messages.success(
            request, f"{report.year}年度已{'重新开放填报' if reopen else '重新锁定'}，原因已记入历史。"
        )
        return redirect("report-year-entries", pk)


def year_urls() -> list:
    """Mounted under /admin/ (inside the admin site's login and look)."""
    return [
        path(
            "years/<int:pk>/entries/",
            admin.site.admin_view(YearEntriesView.as_view()),
            name="report-year-entries",
        ),
    ]
