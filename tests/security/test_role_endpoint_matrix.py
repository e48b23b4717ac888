"""Every URL the project serves × every role: an official or a reviewer of one department (工业和信息化局,
"A") can neither read nor change anything of another department (农业农村局, "B") — its targets, entries,
returns, evidence, people, robots, messages — through any admin page, admin action, import, report or API
endpoint, whatever ID is tried; an anonymous visitor gets nothing but the sign-in page; the supervision
office and the owning department do see B's data (so the checks below can fail).

The URLs come from walking the URL resolver, so a new endpoint is reached the day it is added; one that no
rule here classifies fails `test_every_endpoint_is_classified` until somebody says what it is. B's data
carries the marker MARK (in a target's metric, notes, a return reason, an evidence file name, people's names,
a robot address, a message), and B's token key is secret too: no response to A or to an anonymous visitor
may contain either. Every write is checked against a fingerprint of the database.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.forms.models import _get_foreign_key, model_to_dict
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)
from rest_framework.authtoken.models import Token, TokenProxy
from rest_framework.test import APIClient

from progress import notices, services, statuses
from progress.models import (
    CooperationNote,
    DepartmentWebhook,
    EvidenceFile,
    Message,
    MyTarget,
    Notice,
    NoticeEvent,
    NoticeEvidence,
    NotificationSettings,
    ProgressEntry,
    StatusChange,
    SweepRun,
    TargetStatus,
)
from targets.models import (
    Chapter,
    Department,
    DepartmentMembership,
    KeyTask,
    Report,
    Target,
    TargetDepartment,
)
from tests.factories import TargetFactory
from tests.security.endpoints import (
    PUBLIC,
    Endpoint,
    body_text,
    classify,
    every_endpoint,
    model_admin_prefixes,
)

pytestmark = pytest.mark.django_db

MARK = "ZQX9B"
PDF_BYTES = b"%PDF-1.4\n% department B's ledger\n"
APRIL_END, MAY_END, JUNE_END = dt.date(2020, 4, 30), dt.date(2020, 5, 31), dt.date(2020, 6, 30)
DENIED = {301, 302, 401, 403, 404, 405}  # what a request for something one may not see may answer
NOT_FOUND_OR_REFUSED = {302, 403, 404, 405}


# ------------------------------------------------------------------------------------------ the world


@dataclass
class World:
    """Department B (农业农村局) and everything of it, and the industry department A's people."""

    department: Department
    department_a: Department
    target: Target  # B's own target, with the marker in its metric
    guessed_targets: list[int]  # every bundled target B works on and A does not
    entries: list[ProgressEntry]
    evidence: EvidenceFile
    users: list
    token: Token
    message: Message
    webhook: DepartmentWebhook
    note: CooperationNote  # 配合情况 with evidence on B's bundled target
    notice: Notice  # to B, answered by B's reviewer with evidence
    objects: dict[type, list] = field(default_factory=dict)  # model → B's rows (or shared rows) to try
    private_models: set[type] = field(default_factory=set)  # the models whose rows above are B's own

    @property
    def secrets(self) -> tuple[str, ...]:
        return (MARK, self.token.key)

    def private_rows(self) -> dict[str, object]:
        """B's rows whose every value must stay as it is, whatever A posts."""
        target_ids = [self.target.pk, *self.guessed_targets]
        return {
            "targets": Target.objects.filter(pk__in=target_ids),
            "assignments": TargetDepartment.objects.filter(target_id__in=target_ids),
            "entries": ProgressEntry.objects.filter(target_id__in=target_ids),
            "evidence": EvidenceFile.objects.filter(entry__target_id__in=target_ids),
            "notes": CooperationNote.objects.filter(target_id__in=target_ids),
            "statuses": TargetStatus.objects.filter(target_id__in=target_ids),
            "changes": StatusChange.objects.filter(target_id__in=target_ids),
            "department": Department.objects.filter(pk=self.department.pk),
            "memberships": DepartmentMembership.objects.filter(department=self.department),
            "users": get_user_model().objects.filter(pk__in=[user.pk for user in self.users]),
            "tokens": Token.objects.filter(user__in=self.users),
            "messages": Message.objects.filter(pk=self.message.pk),
            "webhooks": DepartmentWebhook.objects.filter(department=self.department),
            "notices": Notice.objects.filter(pk=self.notice.pk),
            "notice_events": NoticeEvent.objects.filter(notice=self.notice),
            "notice_evidence": NoticeEvidence.objects.filter(event__notice=self.notice),
            "report": Report.objects.filter(pk=self.target.report_id),
            "chapters": Chapter.objects.filter(report_id=self.target.report_id),
            "tasks": KeyTask.objects.filter(chapter__report_id=self.target.report_id),
        }


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def world(
    july_3rd_2020, media_root, official_zhao, reviewer_zhou, official_zhang, reviewer_chen, manager_wang
) -> World:
    """Department B with a target of its own, a returned May entry, a June entry with evidence awaiting
    review, a June entry on a bundled target, stored statuses, a robot, a message, a token and a lockout."""
    department = Department.objects.get(code="agriculture")
    official_zhao.first_name, reviewer_zhou.last_name = f"{MARK}农", f"{MARK}周"
    official_zhao.save()
    reviewer_zhou.save()
    target = TargetFactory(metric=f"{MARK}奶牛存栏", lead=department)
    may = services.progress_entry_submit(
        target=target, period_end=MAY_END, value="3", by=official_zhao, note=f"{MARK}五月说明"
    )
    services.progress_entry_return(entry=may, by=reviewer_zhou, reason=f"{MARK}退回原因")
    june = services.progress_entry_submit(
        target=target,
        period_end=JUNE_END,
        value="5",
        by=official_zhao,
        note=f"{MARK}六月说明",
        evidence=[SimpleUploadedFile(f"{MARK}佐证.pdf", PDF_BYTES)],
    )
    bundled = services.progress_entry_submit(
        target=Target.objects.get(code="1.2.10"),
        period_end=JUNE_END,
        value="0.5",
        by=official_zhao,
        note=f"{MARK}奶牛说明",
    )
    for target_id in (target.pk, bundled.target_id):
        statuses.target_status_refresh(target_id=target_id)
    now = timezone.now()
    message = Message.objects.create(
        kind="alert", channel="email", recipient=official_zhao.email, recipient_user=official_zhao,
        department=department, subject_key=f"alert:{MARK}", subject=f"【亮灯预警】{MARK}",
        body_text=MARK, body_html=f"<p>{MARK}</p>", created_at=now, next_attempt_at=now,
    )  # fmt: skip
    webhook = DepartmentWebhook.objects.create(
        department=department,
        kind="dingtalk",
        url=f"https://oapi.dingtalk.com/robot/send?access_token={MARK}",
    )
    cooperating = bundled.target.assignments.exclude(department=department).first().department
    note = CooperationNote(
        target=bundled.target, period_end=JUNE_END, department=cooperating, text=f"{MARK}配合情况",
        created_by=reviewer_zhou, created_at=timezone.now(), evidence_name=f"{MARK}配合佐证.pdf",
    )  # fmt: skip
    note.evidence.save("note.pdf", SimpleUploadedFile("note.pdf", PDF_BYTES), save=True)
    notice = notices.notice_issue(targets=[target], level="listed", matter=f"{MARK}督办事项", by=manager_wang)
    notices.notice_answer(
        notice=notice,
        by=reviewer_zhou,
        measures=f"{MARK}整改措施",
        expected_completion=dt.date(2020, 9, 30),
        evidence=[SimpleUploadedFile(f"{MARK}整改.pdf", PDF_BYTES)],
    )
    settings_row = NotificationSettings.objects.create(user=reviewer_zhou, receive_digest=False)
    token = Token.objects.create(user=official_zhao)
    lockout = {
        "username": official_zhao.username, "ip_address": "192.0.2.44", "user_agent": f"{MARK}-agent",
        "http_accept": "text/html", "path_info": "/admin/login/",
    }  # fmt: skip
    attempt = AccessAttempt.objects.create(**lockout, get_data="", post_data="", failures_since_start=5)
    log = AccessLog.objects.create(**lockout)
    failure = AccessFailureLog.objects.create(**lockout, locked_out=True)

    department_a = Department.objects.get(code="industry")
    seen_by_a = Target.objects.filter(assignments__department=department_a)
    guessed = list(
        Target.objects.filter(assignments__department=department)
        .exclude(pk__in=seen_by_a)
        .exclude(pk=target.pk)
        .values_list("pk", flat=True)
    )
    assert len(guessed) >= 10 and bundled.target_id in guessed
    users = [official_zhao, reviewer_zhou]
    entries = [may, june, bundled]
    target_ids = [target.pk, bundled.target_id]
    shared = {
        Report: [target.report], Chapter: [target.task.chapter], KeyTask: [target.task], Department: [department],
        Group: list(Group.objects.all()), PeriodicTask: list(PeriodicTask.objects.all()[:1]),
        CrontabSchedule: list(CrontabSchedule.objects.all()[:1]), IntervalSchedule: list(IntervalSchedule.objects.all()[:1]),
        SolarSchedule: list(SolarSchedule.objects.all()[:1]), ClockedSchedule: list(ClockedSchedule.objects.all()[:1]),
        SweepRun: [SweepRun.objects.create(
            as_of=now.date(), started_at=now, finished_at=now, evaluated=1, changed_targets=1, changes=2,
        )],
    }  # fmt: skip
    private = {
        Target: Target.objects.filter(pk__in=target_ids),
        MyTarget: MyTarget.objects.filter(pk__in=target_ids),
        ProgressEntry: entries,
        StatusChange: StatusChange.objects.filter(target_id__in=target_ids),
        DepartmentMembership: DepartmentMembership.objects.filter(department=department),
        get_user_model(): users,
        TokenProxy: TokenProxy.objects.filter(pk=token.pk),
        Message: [message, *Message.objects.filter(kind="notice")],
        DepartmentWebhook: [webhook],
        Notice: [notice],
        NotificationSettings: [settings_row],
        AccessAttempt: [attempt],
        AccessLog: [log],
        AccessFailureLog: [failure],
    }
    world = World(
        department=department, department_a=department_a, target=target, guessed_targets=guessed,
        entries=entries, evidence=june.evidence.get(), users=users, token=token, message=message,
        webhook=webhook, note=note, notice=notice,
    )  # fmt: skip
    world.objects = {model: list(rows) for model, rows in (shared | private).items()}
    world.private_models = set(private)
    return world


# ------------------------------------------------------------------------------- classifying every URL


def test_every_endpoint_is_classified():
    unclassified = []
    for endpoint in every_endpoint():
        try:
            classify(endpoint)
        except KeyError:
            unclassified.append(endpoint.template)
    assert unclassified == [], "classify these in MODEL_ADMIN_SUFFIXES or OTHER_ENDPOINTS"
    models = {model for _, model in model_admin_prefixes().items()}
    assert not models - WORLD_MODELS, "say which rows of B (or which shared rows) each admin is tried with"


WORLD_MODELS = {
    Report, Chapter, KeyTask, Department, Group, PeriodicTask, CrontabSchedule, IntervalSchedule, SolarSchedule,
    ClockedSchedule, Target, MyTarget, ProgressEntry, StatusChange, DepartmentMembership, get_user_model(),
    TokenProxy, Message, DepartmentWebhook, NotificationSettings, AccessAttempt, AccessLog, AccessFailureLog,
    SweepRun, Notice,
}  # fmt: skip


# ---------------------------------------------------------------------------------- requests to make


@dataclass(frozen=True)
class Call:
    method: str
    url: str
    data: object = None
    json: bool = False
    private: bool = False  # a URL naming one of B's rows: A must not even get a page for it


def _history_versions(world: World, model) -> list[tuple[int, int]]:
    history = getattr(model, "history", None)
    if history is None:
        return []
    ids = [row.pk for row in world.objects.get(model, [])]
    return list(history.filter(pk__in=ids).values_list("id", "history_id"))


def _form_data(world: World, model_admin, obj, **overrides) -> dict:
    """What the admin's form for `obj` would post back, with the inlines' management forms: the row's own
    values, as if a person were saving it (or, on an add page, copying it)."""
    data = {}
    for name, value in model_to_dict(obj).items():
        if value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif hasattr(value, "name") and hasattr(value, "storage"):
            continue  # a file field
        else:
            data[name] = str(value)
    for inline in model_admin.inlines:
        prefix = _get_foreign_key(model_admin.model, inline.model, fk_name=inline.fk_name).remote_field
        prefix = prefix.get_accessor_name(model=inline.model).replace("+", "")
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    if isinstance(obj, Target):
        # Take B's target over: A's department as a co-operating department.
        data |= {
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-target": str(obj.pk),
            "assignments-0-department": str(world.department_a.pk),
            "assignments-0-role": "cooperating",
            "assignments-0-order": "9",
        }
    if isinstance(obj, ProgressEntry):
        data |= {"value": "99", "note": "篡改", "provenance": "estimate"}
    return data | overrides


def _admin_calls(world: World, endpoint: Endpoint, kind: str, model) -> list[Call]:
    model_admin = admin.site._registry[model]
    rows = world.objects[model]
    private = model in world.private_models
    pks = [row.pk for row in rows] or [999_999]
    calls: list[Call] = []
    if kind == "changelist":
        queries = ["", "?q=存栏", "?department=agriculture", "?lead=agriculture", "?all=", "?e=1"]
        queries += [f"?target__id__exact={world.target.pk}", f"?target={world.target.pk}"]
        calls += [Call("get", endpoint.url() + query) for query in queries]
        for _, action, _ in model_admin._get_base_actions():
            post = {"action": action, "_selected_action": pks, "index": "0", "post": "yes", "reason": "篡改"}
            calls.append(Call("post", endpoint.url(), post))
    elif kind == "add":
        calls.append(Call("get", endpoint.url()))
        if model is ProgressEntry:
            add = {"target": str(world.target.pk), "period_end": APRIL_END.isoformat(), "value": "1"}
            calls.append(Call("post", endpoint.url(), _form_data(world, model_admin, rows[0], **add)))
        elif rows:
            calls.append(Call("post", endpoint.url(), _form_data(world, model_admin, rows[0])))
    elif kind in ("object", "delete", "history"):
        for row in rows or [None]:
            url = endpoint.url(object_id=row.pk if row else 999_999)
            calls.append(Call("get", url, private=private))
            if kind == "object" and row is not None:
                calls.append(Call("post", url, _form_data(world, model_admin, row), private=private))
            elif kind == "delete":
                calls.append(Call("post", url, {"post": "yes"}, private=private))
    elif kind == "review":
        for row in rows or [None]:
            url = endpoint.url(object_id=row.pk if row else 999_999)
            calls.append(Call("get", url, private=private))
            for decision in ({"decision": "approve"}, {"decision": "return", "reason": "篡改"}):
                calls.append(Call("post", url, decision, private=private))
    elif kind == "version":
        for object_id, history_id in _history_versions(world, model):
            url = endpoint.url(arg0=object_id, arg1=history_id)
            version = model.history.get(history_id=history_id).instance
            calls.append(Call("get", url, private=private))
            calls.append(Call("post", url, _form_data(world, model_admin, version), private=private))
    elif kind == "password":
        for row in rows:
            url = endpoint.url(id=row.pk)
            new = {"password1": "Another-secret-2020", "password2": "Another-secret-2020"}
            calls += [Call("get", url, private=private), Call("post", url, new, private=private)]
    elif kind == "import":
        ledger = (
            f"code,period_end,value,note\n{world.target.code},{APRIL_END},1,篡改\n1.2.10,{APRIL_END},1,篡改\n"
        )
        for format_index in range(3):
            upload = SimpleUploadedFile("台账.csv", ledger.encode(), content_type="text/csv")
            calls.append(Call("post", endpoint.url(), {"import_file": upload, "format": str(format_index)}))
        calls.append(Call("get", endpoint.url()))
    elif kind == "process_import":
        calls += [Call("get", endpoint.url()), Call("post", endpoint.url(), {})]
    return calls


def _other_calls(world: World, endpoint: Endpoint, kind: str) -> list[Call]:
    entry_ids = [entry.pk for entry in world.entries]
    target_ids = [world.target.pk, world.entries[-1].target_id]
    formats = ["json", "api"] if "format" in endpoint.holes else [None]

    def urls(**values) -> list[str]:
        return [endpoint.url(**values, **({"format": f} if f else {})) for f in formats]

    if kind in ("public", "page", "session", "catch_all", "app_list"):
        if kind == "app_list":
            return [
                Call("get", endpoint.url(app_label=label))
                for label in ("targets", "progress", "auth", "axes")
            ]
        if kind == "catch_all":
            return [
                Call("get", endpoint.url(url=f"targets/target/{world.target.pk}")),
                Call("get", "/admin/x/"),
            ]
        return [Call("get", url) for url in urls()]
    if kind == "moved":  # a redirect to the new address, which checks who asks
        return [Call("get", endpoint.url(**({"pk": world.target.pk} if "pk" in endpoint.holes else {})))]
    if kind == "autocomplete":
        calls = []
        for model, model_admin in admin.site._registry.items():
            for field_name in model_admin.autocomplete_fields:
                query = f"?app_label={model._meta.app_label}&model_name={model._meta.model_name}&field_name={field_name}"
                calls += [
                    Call("get", endpoint.url() + query + term) for term in ("", "&term=农", "&term=zhao")
                ]
        for inline_model, field_name in ((TargetDepartment, "department"),):
            query = f"?app_label=targets&model_name={inline_model._meta.model_name}&field_name={field_name}"
            calls.append(Call("get", endpoint.url() + query))
        return calls
    if kind == "view_on_site":
        calls = []
        for model in (Target, ProgressEntry, Message, DepartmentWebhook):
            content_type = ContentType.objects.get_for_model(model).pk
            for row in world.objects[model]:
                calls.append(
                    Call("get", endpoint.url(content_type_id=content_type, object_id=row.pk), private=True)
                )
        return calls
    if kind == "report":
        queries = ["", "?as_of=2020-07-03", "?department=agriculture", "?department=agriculture&format=csv"]
        queries += ["?department=agriculture&format=xlsx", "?format=xlsx", "?format=csv"]
        return [Call("get", endpoint.url() + query) for query in queries] + [Call("post", endpoint.url(), {})]
    if kind == "report_target":
        note = {"period_end": "2020-06-30", "text": f"{MARK}写入"}  # 配合情况 posted to B's target
        return [
            Call("get", endpoint.url(pk=pk) + query, private=True)
            for pk in target_ids
            for query in ("", "?format=csv", "?format=xlsx")
        ] + [Call("post", endpoint.url(pk=pk), note, private=True) for pk in target_ids]
    if kind == "cooperation_evidence":
        url = endpoint.url(pk=world.note.pk)
        return [Call("get", url, private=True), Call("post", url, {}, private=True)]
    if kind == "evidence":
        url = endpoint.url(pk=world.evidence.pk)
        return [Call("get", url, private=True), Call("post", url, {}, private=True)]
    if kind == "drafts":  # 报告草稿 (#17): the office's, refused to departments before anything is read
        upload = SimpleUploadedFile("报告.txt", "2021年某县政府工作报告\n2021年主要目标\n篡改".encode())
        return [Call("get", endpoint.url()), Call("post", endpoint.url(), {"year": "2021", "source": upload})]
    if kind in ("draft", "draft_row"):
        url = endpoint.url(pk=1, **({"code": "1.1.01"} if kind == "draft_row" else {}))
        return [Call("get", url), Call("post", url, {"action": "publish", "metric": "篡改"})]
    if kind == "year_entries":
        url = endpoint.url(pk=world.target.report_id)
        return [Call("get", url), Call("post", url, {"action": "reopen", "reason": "篡改"})]
    if kind == "notice_issue":
        query = "?" + "&".join(f"target={pk}" for pk in target_ids)
        issue = {"target": target_ids, "level": "supervise", "deadline": "2020-07-10", "matter_1": "篡改"}
        return [Call("get", endpoint.url() + query), Call("post", endpoint.url(), issue)]
    if kind == "notice":
        url = endpoint.url(pk=world.notice.pk)
        steps = [
            {"step": "answer", "measures": "篡改", "expected_completion": "2020-09-30"},
            {"step": "close", "remark": "篡改"},
            {"step": "press", "reason": "篡改"},
        ]
        return [Call("get", url, private=True)] + [Call("post", url, step, private=True) for step in steps]
    if kind == "notice_evidence":
        url = endpoint.url(pk=NoticeEvidence.objects.get(event__notice=world.notice).pk)
        return [Call("get", url, private=True), Call("post", url, {}, private=True)]
    if kind == "api_notice_list":
        queries = ["", "?department=agriculture", f"?target={world.target.pk}", "?overdue=true"]
        issue = {"targets": target_ids, "matter": "篡改"}
        return [Call("get", url + query) for url in urls() for query in queries] + _api_writes(urls(), issue)
    if kind == "api_notice":
        body = {"measures": "篡改", "expected_completion": "2020-09-30", "reason": "篡改", "remark": "篡改"}
        return [Call("get", url, private=True) for url in urls(pk=world.notice.pk)] + _api_writes(
            urls(pk=world.notice.pk), body, private=True
        )
    if kind == "api_root":
        return [Call("get", url) for url in urls()]
    if kind == "api_report":
        queries = ["", "?department=agriculture", "?as_of=2020-07-03&department=agriculture"]
        return [Call("get", url + query) for url in urls() for query in queries]
    if kind == "api_public_list":
        return [Call("get", url) for url in urls()] + _api_writes(urls(), {})
    if kind in ("api_report_detail", "api_chapter_detail", "api_task_detail", "api_department_detail"):
        value = {
            "api_report_detail": {"pk": world.target.report_id},
            "api_chapter_detail": {"pk": world.target.task.chapter_id},
            "api_task_detail": {"pk": world.target.task_id},
            "api_department_detail": {"code": world.department.code},
        }[kind]
        return [Call("get", url) for url in urls(**value)] + _api_writes(urls(**value), {})
    if kind in ("api_private_list", "api_entry_list"):
        queries = ["", "?department=agriculture", f"?target={world.target.pk}", "?page_size=500"]
        queries += ["?awaiting_my_review=true", "?review_state=returned", "?ordering=-period_end"]
        calls = [Call("get", url + query) for url in urls() for query in queries]
        submit = {
            "target": world.target.pk,
            "period_end": APRIL_END.isoformat(),
            "value": "1",
            "note": "篡改",
        }
        return calls + _api_writes(urls(), submit)
    if kind == "api_target":
        pks = [world.target.pk, *target_ids]
        return [Call("get", url, private=True) for pk in pks for url in urls(pk=pk)] + [
            call for pk in pks for call in _api_writes(urls(pk=pk), {"value": "99"}, private=True)
        ]
    if kind in ("api_entry", "api_entry_action"):
        body = {"value": "99", "note": "篡改", "reason": "篡改"}
        return [Call("get", url, private=True) for pk in entry_ids for url in urls(pk=pk)] + [
            call for pk in entry_ids for call in _api_writes(urls(pk=pk), body, private=True)
        ]
    raise AssertionError(f"no calls for {kind}")


def _api_writes(urls: list[str], data: dict, private: bool = False) -> list[Call]:
    return [
        Call(method, url, data, json=True, private=private)
        for url in urls
        for method in ("post", "put", "patch", "delete")
    ]


def every_call(world: World) -> list[Call]:
    calls = []
    for endpoint in every_endpoint():
        kind, model = classify(endpoint)
        if model is not None:
            calls += _admin_calls(world, endpoint, kind, model)
        else:
            calls += _other_calls(world, endpoint, kind)
    # The API's browsable HTML as well as its JSON.
    browsable = [
        Call("get", f"{call.url}{'&' if '?' in call.url else '?'}format=api", private=call.private)
        for call in calls
        if call.method == "get"
        and call.url.startswith("/api/")
        and not call.url.startswith(("/api/schema", "/api/docs"))
    ]
    return calls + browsable


# ------------------------------------------------------------------------------------- the checking


def _fingerprint(world: World) -> tuple:
    """How many rows every table has (sign-in logs and sessions aside) and every value of B's rows. The
    counts in one query: taken after each of some 300 writes of a walk, a query per table was half of the
    walk's time."""
    models = [
        model
        for model in apps.get_models()
        if model._meta.app_label not in {"sessions", "axes"} and not model._meta.proxy
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(
                f"SELECT {index}, COUNT(*) FROM {connection.ops.quote_name(model._meta.db_table)}"
                for index, model in enumerate(models)
            )
        )
        counted = dict(cursor.fetchall())
    counts = tuple((model._meta.label, counted[index]) for index, model in enumerate(models))
    rows = tuple(
        (name, tuple(map(repr, rows.order_by("pk").values()))) for name, rows in world.private_rows().items()
    )
    return counts, rows


def _send(client: APIClient, call: Call):
    cache.clear()  # API throttling would otherwise answer 429 long before the walk ends
    send = getattr(client, call.method)
    if call.json:
        return send(call.url, call.data, format="json")
    if call.method in ("get", "delete"):
        return send(call.url)
    return send(call.url, call.data)


PEOPLE_OF_A = [
    pytest.param(None, id="anonymous"),
    pytest.param("official_zhang", id="official-of-A"),
    pytest.param("reviewer_chen", id="reviewer-of-A"),
]


@pytest.mark.parametrize("person", PEOPLE_OF_A)
def test_department_a_and_anonymous_visitors_neither_read_nor_change_department_b(request, world, person):
    client = APIClient()
    user = request.getfixturevalue(person) if person else None
    if user:
        client.force_login(user)
    calls = every_call(world)
    assert len(calls) > 500
    before = _fingerprint(world)
    problems = []
    for call in calls:
        writes = call.method != "get"
        try:
            response = _send(client, call)
        except Exception as error:  # a 500: the test client re-raises the view's exception
            problems.append(f"{call.method.upper()} {call.url}: raised {error!r}")
            continue
        status = response.status_code
        shown = body_text(response)
        leaked = [secret for secret in world.secrets if secret in shown]
        if leaked:
            problems.append(f"{call.method.upper()} {call.url}: {status} shows {leaked}")
        if status >= 500:
            problems.append(f"{call.method.upper()} {call.url}: {status}")
        if user is None and status not in DENIED and _kind(call) not in PUBLIC:
            problems.append(f"{call.method.upper()} {call.url}: {status} to an anonymous visitor")
        if user is not None and call.private and status not in NOT_FOUND_OR_REFUSED:
            problems.append(f"{call.method.upper()} {call.url}: {status} for one of B's rows")
        if writes and _fingerprint(world) != before:
            problems.append(f"{call.method.upper()} {call.url}: {status} changed the database")
            before = _fingerprint(world)
    if user is not None:  # still signed in: the walk did not quietly turn anonymous half-way
        assert client.get("/api/targets/").status_code == 200
    assert problems == [], "\n".join(problems)


def _kind(call: Call) -> str:
    path = call.url.split("?")[0]
    for endpoint in every_endpoint():
        pattern = re.escape(endpoint.template)
        pattern = re.sub(r"\\{\w+\\}", "[^/]+", pattern)
        if re.fullmatch(pattern, path):
            return classify(endpoint)[0]
    return "?"


@pytest.mark.parametrize("person", ["official_zhang", "reviewer_chen"])
def test_guessing_every_target_id_of_department_b_finds_nothing(request, world, person):
    client = APIClient()
    client.force_login(request.getfixturevalue(person))
    seen = []
    for pk in [world.target.pk, *world.guessed_targets]:
        for url in (
            f"/admin/targets/target/{pk}/change/",
            f"/admin/targets/target/{pk}/history/",
            f"/admin/boards/targets/{pk}/",
            f"/api/targets/{pk}/",
            f"/api/targets/{pk}/history/",
            f"/api/entries/?target={pk}",
        ):
            response = client.get(url)
            if url.startswith("/api/entries/"):
                if response.status_code != 200 or response.data["count"] != 0:
                    seen.append((url, response.status_code))
            elif response.status_code not in NOT_FOUND_OR_REFUSED:
                seen.append((url, response.status_code))
    assert seen == [], "\n".join(map(str, seen))


# --------------------------------------------------------------- the markers can be seen (positive)

OWN_PAGES = [
    "/admin/targets/target/{target}/change/",
    "/admin/progress/progressentry/{entry}/change/",
    "/admin/boards/targets/{target}/",
    "/api/targets/{target}/",
    "/api/targets/{target}/history/",
    "/api/entries/{entry}/",
    "/evidence/{evidence}/",
    "/admin/notices/{notice}/",
    "/admin/notices/{notice}/print/",
    "/api/notices/{notice}/",
    "/notice-evidence/{notice_evidence}/",
]


@pytest.mark.parametrize("person", ["official_zhao", "reviewer_zhou", "manager_wang", "administrator_li"])
def test_department_b_and_the_supervision_office_see_b_data(request, world, person):
    """The walk above would notice a leak: the same pages show the marker to those who may see it."""
    client = APIClient()
    client.force_login(request.getfixturevalue(person))
    june = world.entries[1]
    values = {
        "target": world.target.pk,
        "entry": june.pk,
        "evidence": world.evidence.pk,
        "notice": world.notice.pk,
        "notice_evidence": NoticeEvidence.objects.get(event__notice=world.notice).pk,
    }

    for template in OWN_PAGES:
        # An official or reviewer opening a target's definition form lands on its 目标工作台.
        response = client.get(template.format(**values), follow=True)
        assert response.status_code == 200, template
        assert MARK in body_text(response), template


def test_the_administrator_walks_every_page_without_an_error(world, administrator_li):
    client = APIClient()
    client.force_login(administrator_li)
    failed = []
    for call in every_call(world):
        if call.method != "get":
            continue
        try:
            response = _send(client, call)
        except Exception as error:
            failed.append((call.url, repr(error)))
            continue
        if response.status_code >= 500:
            failed.append((call.url, response.status_code))
    assert failed == [], "\n".join(map(str, failed))
    shown = body_text(client.get(f"/admin/auth/user/{world.users[0].pk}/change/"))
    assert MARK in shown
