"""督办 pages inside the admin site (same login and look): issuing notices for selected targets (from the
滞后/逾期 report or a target's page), a notice with its history and the step its reader may take next
(answer, close, press again), its printable A4 form, and its evidence downloads. Views parse the request
and call progress.notices (writes) and progress.selectors (reads); the rules decide who may do what."""

from django.contrib import admin, messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.views import View

from progress import notices as services
from progress.boards import TargetRow
from progress.forms import NoticeAnswerForm, NoticeCloseForm, NoticeIssueForm, NoticePressForm
from progress.models import NoticeEvent, NoticeEvidence
from progress.notices import targets_by_lead_department
from progress.rules import NOTICE_STANDING_LABELS, notice_deadline, notice_standing
from progress.selectors import notice_matter_prefill, notices_visible_to, targets_evaluated_as_of
from targets.models import TargetDepartment
from targets.selectors import targets_visible_to
from wuzhong_tracker import clock
from wuzhong_tracker.validation import ascii_digits, error_messages


def _context(request, title: str, **extra) -> dict:
    return admin.site.each_context(request) | {"title": title, "today": clock.today(), **extra}


# ------------------------------------------------------------------------------------------- issuing


class NoticeIssueView(View):
    """GET ?target=…&target=…: the notices that would be issued, one per lead department, each with its
    matter prefilled from its targets' status and reasons; POST issues them all (or none)."""

    template_name = "progress/notices/issue.html"

    def dispatch(self, request, *args, **kwargs):
        if not services.can_issue(request.user):
            raise PermissionDenied("只有督查室可以下发督办单。")
        return super().dispatch(request, *args, **kwargs)

    def _rows(self, request) -> list[TargetRow]:
        ids = [
            value
            for value in request.POST.getlist("target") or request.GET.getlist("target")
            if ascii_digits(value)
        ]
        targets = (
            targets_visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("report", "task__chapter")
            .prefetch_related(
                Prefetch(
                    "assignments",
                    queryset=TargetDepartment.objects.select_related("department").order_by("order"),
                    to_attr="prefetched_assignments",
                )
            )
            .order_by("code")
        )
        return [TargetRow(t, e) for t, e in targets_evaluated_as_of(targets=targets, as_of=clock.today())]

    def _groups(self, rows: list[TargetRow]) -> list[dict]:
        by_target = {row.target.pk: row for row in rows}
        groups = targets_by_lead_department([row.target for row in rows])
        return [
            {"department": department, "rows": [by_target[target.pk] for target in group]}
            for department, group in groups.items()
        ]

    def get(self, request):
        rows = self._rows(request)
        groups = self._groups(rows)
        initial = {"deadline": notice_deadline(clock.today())}
        for group in groups:
            ids = [row.target.pk for row in group["rows"]]
            initial[f"matter_{group['department'].pk}"] = notice_matter_prefill(
                targets=targets_visible_to(request.user).filter(pk__in=ids), as_of=clock.today()
            )
        form = NoticeIssueForm(initial=initial, departments=[g["department"] for g in groups])
        return self._render(request, rows, groups, form, [])

    def post(self, request):
        rows = self._rows(request)
        groups = self._groups(rows)
        form = NoticeIssueForm(request.POST, departments=[g["department"] for g in groups])
        errors: list[str] = []
        if form.is_valid():
            matters = {g["department"].pk: form.cleaned_data[f"matter_{g['department'].pk}"] for g in groups}
            try:
                issued = services.notices_issue_by_department(
                    targets=[row.target for row in rows],
                    level=form.cleaned_data["level"],
                    matters=matters,
                    by=request.user,
                    deadline=form.cleaned_data["deadline"],
                )
            except ValidationError as error:
                errors = error_messages(error)
            else:
                names = "、".join(f"{n.number_label}（{n.department.name}）" for n in issued)
                messages.success(request, f"已下发督办单 {len(issued)} 份：{names}。")
                if len(issued) == 1:
                    return redirect("notice-detail", issued[0].pk)
                return redirect("admin:progress_notice_changelist")
        return self._render(request, rows, groups, form, errors)

    def _render(self, request, rows, groups, form, errors):
        for group in groups:
            group["matter_field"] = form[f"matter_{group['department'].pk}"]
        without_lead = [row for row in rows if row.lead is None]
        return TemplateResponse(
            request,
            self.template_name,
            _context(
                request,
                "发督办单",
                rows=rows,
                groups=groups,
                form=form,
                errors=errors,
                without_lead=without_lead,
            ),
        )


# ---------------------------------------------------------------------------- one notice and its steps


class NoticeDetailView(View):
    """A notice: its targets, matter, deadline and standing, every step of its history, and the form of
    the next step its reader may take."""

    template_name = "progress/notices/detail.html"
    forms = {"answer": NoticeAnswerForm, "close": NoticeCloseForm, "press": NoticePressForm}

    def _notice(self, request, pk):
        return get_object_or_404(
            notices_visible_to(request.user)
            .with_related()
            .prefetch_related(
                Prefetch(
                    "events", queryset=NoticeEvent.objects.select_related("by").prefetch_related("evidence")
                )
            ),
            pk=pk,
        )

    def _allowed_steps(self, request, notice) -> list[str]:
        steps = []
        if notice.state == "issued" and services.can_answer(request.user, notice):
            steps.append("answer")
        if notice.state == "answered" and services.can_decide(request.user):
            steps += ["close", "press"]
        return steps

    def get(self, request, pk):
        notice = self._notice(request, pk)
        forms = {step: self.forms[step]() for step in self._allowed_steps(request, notice)}
        return self._render(request, notice, forms, [])

    def post(self, request, pk):
        notice = self._notice(request, pk)
        step = request.POST.get("step", "")
        if step not in self._allowed_steps(request, notice):
            raise PermissionDenied("您不能对该督办单执行此操作。")
        form = self.forms[step](request.POST, request.FILES)
        errors: list[str] = []
        if form.is_valid():
            data = form.cleaned_data
            try:
                if step == "answer":
                    services.notice_answer(
                        notice=notice,
                        by=request.user,
                        measures=data["measures"],
                        expected_completion=data["expected_completion"],
                        evidence=data["evidence"],
                    )
                elif step == "close":
                    services.notice_close(notice=notice, by=request.user, remark=data["remark"])
                else:
                    services.notice_press(
                        notice=notice, by=request.user, reason=data["reason"], deadline=data["deadline"]
                    )
            except ValidationError as error:
                errors = error_messages(error)
            else:
                done = {"answer": "已反馈", "close": "已办结", "press": "已继续督办"}[step]
                messages.success(request, f"督办单{notice.number_label}{done}。")
                return redirect("notice-detail", notice.pk)
        else:
            errors = [f"{form.fields[name].label}：{'；'.join(errs)}" for name, errs in form.errors.items()]
        forms = {s: (form if s == step else self.forms[s]()) for s in self._allowed_steps(request, notice)}
        return self._render(request, notice, forms, errors, status=400)

    def _render(self, request, notice, forms, errors, status=200):
        standing = notice_standing(state=notice.state, deadline=notice.deadline, as_of=clock.today())
        return TemplateResponse(
            request,
            self.template_name,
            _context(
                request,
                f"督办单 {notice.number_label}",
                notice=notice,
                standing=standing,
                standing_label=NOTICE_STANDING_LABELS[standing],
                forms=forms,
                errors=errors,
            ),
            status=status,
        )


class NoticePrintView(NoticeDetailView):
    """The notice as the office prints it: A4 portrait, with its number, the targets, the matter, the
    deadline and the office's signature."""

    template_name = "progress/notices/print.html"

    def get(self, request, pk):
        notice = self._notice(request, pk)
        return TemplateResponse(
            request,
            self.template_name,
            {
                "notice": notice,
                "issued_on": timezone.localdate(notice.issued_at),
                "title": f"督办单 {notice.number_label}",
            },
        )

    def post(self, request, pk):
        raise Http404


@login_required
def notice_evidence_download(request, pk: int):
    """An answer's evidence, for people who may see its notice; always a download (as entries' evidence)."""
    evidence = NoticeEvidence.objects.filter(
        pk=pk, event__notice__in=notices_visible_to(request.user)
    ).first()
    if evidence is None:
        raise Http404("没有这个文件，或您无权查看。")
    response = FileResponse(
        evidence.file.open("rb"),
        as_attachment=True,
        filename=evidence.original_name,
        content_type="application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def notice_urls() -> list:
    """Mounted under /admin/ beside the reports (inside the admin site's login and look)."""
    view = admin.site.admin_view
    return [
        path("notices/issue/", view(NoticeIssueView.as_view()), name="notice-issue"),
        path("notices/<int:pk>/", view(NoticeDetailView.as_view()), name="notice-detail"),
        path("notices/<int:pk>/print/", view(NoticePrintView.as_view()), name="notice-print"),
    ]
