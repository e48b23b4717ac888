"""HTML typed into names, metrics, notes, return reasons and file names is shown as text on every admin page,
report page (the SVG chart included) and page of the browsable API, for every role that can see it: the
pages are walked from the URL resolver, so a new page is checked the day it is added."""

import datetime as dt

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.authtoken.models import TokenProxy

from progress import notices, notifications
from progress.models import (
    DepartmentWebhook,
    Message,
    MyTarget,
    Notice,
    NotificationSettings,
    ProgressEntry,
    StatusChange,
)
from targets.models import Chapter, Department, DepartmentMembership, KeyTask, Report, Target
from tests.security.conftest import ESCAPED, IMG, RAW, SCRIPT, Hostile
from tests.security.endpoints import body_text, classify, every_endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def hostile_rows(hostile, manager_wang) -> dict:
    """The rows whose admin pages show the hostile text (and a queued alert email, a robot, a setting)."""
    notifications.enqueue_all(notifications.alert_drafts([hostile.change]))
    DepartmentWebhook.objects.create(
        department=hostile.department, kind="dingtalk", url="https://robot.example/x"
    )
    NotificationSettings.objects.create(user=hostile.official, receive_digest=False)
    target = hostile.target
    # A 督办 notice to the hostile department, its matter and its reviewer's answer and evidence typed-in HTML.
    notice = notices.notice_issue(
        targets=[target], level="supervise", matter=f"事项{SCRIPT}", by=manager_wang
    )
    notices.notice_answer(
        notice=notice,
        by=hostile.reviewer,
        measures=f"措施{IMG}",
        expected_completion=dt.date(2020, 9, 30),
        evidence=[SimpleUploadedFile(f"{IMG}.pdf", b"%PDF-1.4\n")],
    )
    return {
        Notice: [notice],
        Target: [target],
        MyTarget: [target],
        ProgressEntry: [hostile.returned, hostile.june],
        StatusChange: [hostile.change],
        Department: [hostile.department],
        DepartmentMembership: list(DepartmentMembership.objects.filter(department=hostile.department)),
        get_user_model(): [hostile.official, hostile.reviewer],
        Message: list(Message.objects.filter(subject_key=f"alert:{hostile.change.pk}")),
        DepartmentWebhook: list(DepartmentWebhook.objects.filter(department=hostile.department)),
        NotificationSettings: list(NotificationSettings.objects.filter(user=hostile.official)),
        Report: [target.report],
        Chapter: [target.task.chapter],
        KeyTask: [target.task],
        # Rows without typed-in text of the hostile department: their list and add pages are walked.
        TokenProxy: [],
        AccessAttempt: [],
        AccessLog: [],
        AccessFailureLog: [],
    }


def _history(model, rows) -> list[tuple[int, int]]:
    if not hasattr(model, "history"):
        return []
    return list(model.history.filter(pk__in=[row.pk for row in rows]).values_list("id", "history_id"))


def _admin_pages(endpoint, kind, model, rows: dict, hostile: Hostile) -> list[str]:
    mine = rows.get(model, [])
    if kind == "changelist":
        return [endpoint.url(), endpoint.url() + "?q=指标"]
    if kind in ("add", "import"):
        return [endpoint.url()]
    if kind in ("object", "delete", "history"):
        return [endpoint.url(object_id=row.pk) for row in mine]
    if kind == "version":
        return [endpoint.url(arg0=object_id, arg1=version) for object_id, version in _history(model, mine)]
    if kind == "password":
        return [endpoint.url(id=row.pk) for row in mine]
    if kind in ("process_import", "review"):
        return []  # only answer a POST
    raise AssertionError(f"say which pages of {endpoint.template} ({kind}) show typed-in text")


def _other_pages(endpoint, kind, hostile: Hostile, rows: dict) -> list[str]:
    entries = [hostile.returned.pk, hostile.june.pk]
    notice = rows[Notice][0].pk
    browsable = "?format=api"
    pages = {
        "page": lambda: [endpoint.url()],
        "app_list": lambda: [endpoint.url(app_label=label) for label in ("targets", "progress", "auth")],
        "report": lambda: [endpoint.url(), endpoint.url() + "?department=hostile&as_of=2020-07-03"],
        "report_target": lambda: [endpoint.url(pk=hostile.target.pk) + "?as_of=2020-07-03"],
        "api_report": lambda: [endpoint.url() + browsable + "&as_of=2020-07-03&department=hostile"],
        "api_public_list": lambda: [endpoint.url() + browsable],
        "api_private_list": lambda: [endpoint.url() + browsable + "&department=hostile"],
        "api_entry_list": lambda: [endpoint.url() + browsable + f"&target={hostile.target.pk}"],
        "api_department_detail": lambda: [endpoint.url(code="hostile") + browsable],
        "api_task_detail": lambda: [endpoint.url(pk=hostile.target.task_id) + browsable],
        "api_chapter_detail": lambda: [endpoint.url(pk=hostile.target.task.chapter_id) + browsable],
        "api_report_detail": lambda: [endpoint.url(pk=hostile.target.report_id) + browsable],
        "api_target": lambda: [endpoint.url(pk=hostile.target.pk) + browsable],
        "api_entry": lambda: [endpoint.url(pk=pk) + browsable for pk in entries],
        "api_entry_action": lambda: [endpoint.url(pk=pk) + browsable for pk in entries],  # the form page
        "api_root": lambda: [endpoint.url() + browsable],
        "notice_issue": lambda: [endpoint.url() + f"?target={hostile.target.pk}"],
        "notice": lambda: [endpoint.url(pk=notice)],
        "api_notice_list": lambda: [endpoint.url() + browsable + "&department=hostile"],
        "api_notice": lambda: [endpoint.url(pk=notice) + browsable],
        # Not pages of typed-in text: a download (tests/progress/test_evidence_download_safety.py), JSON for the
        # autocomplete widget, redirects, the sign-in pages and the API's description.
        "evidence": list,
        "cooperation_evidence": list,
        "notice_evidence": list,
        "autocomplete": list,
        "view_on_site": list,
        "catch_all": list,
        "moved": list,
        "session": list,
        "public": list,
    }
    if kind not in pages:
        raise AssertionError(f"say which pages of {endpoint.template} ({kind}) show typed-in text")
    return pages[kind]()


def every_page(rows: dict, hostile: Hostile) -> list[str]:
    urls = []
    for endpoint in every_endpoint():
        kind, model = classify(endpoint)
        if model is not None:
            urls += _admin_pages(endpoint, kind, model, rows, hostile)
        else:
            urls += _other_pages(endpoint, kind, hostile, rows)
    return urls


@pytest.mark.parametrize(
    "person", ["administrator_li", "manager_wang", "hostile_official", "hostile_reviewer"]
)
def test_no_page_shows_typed_in_html_as_html(client, request, hostile, hostile_rows, person):
    user = getattr(hostile, person.removeprefix("hostile_")) if person.startswith("hostile_") else None
    client.force_login(user or request.getfixturevalue(person))
    urls = every_page(hostile_rows, hostile)
    assert len(urls) > 80
    raw, escaped = [], set()
    for url in urls:
        response = client.get(url)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = body_text(response)
        raw += [f"{url} ({response.status_code}): {tag}" for tag in RAW if tag in page]
        if any(text in page for text in ESCAPED):
            escaped.add(url.split("?")[0])

    assert raw == [], "\n".join(raw)
    # The hostile text is on these pages, as text: the check above looked at pages that show it.
    target, june = hostile.target.pk, hostile.june.pk
    # An official or reviewer opening the definition form lands on the target's desk, checked above.
    definition = {f"/admin/targets/target/{target}/change/"} if user is None else set()
    rows_notice = hostile_rows[Notice][0].pk
    assert {
        "/admin/progress/progressentry/",
        f"/admin/progress/progressentry/{june}/change/",
        f"/admin/boards/targets/{target}/",
        f"/api/entries/{june}/",
        "/api/targets/",
        *definition,
        f"/admin/notices/{rows_notice}/",
        f"/admin/notices/{rows_notice}/print/",
        f"/api/notices/{rows_notice}/",
    } <= escaped, sorted(escaped)


def test_the_target_chart_shows_a_hostile_unit_as_text(hostile):
    from progress.charts import progress_chart_svg
    from progress.judging import target_rule
    from progress.selectors import figures_as_of

    figures = figures_as_of(target_ids=[hostile.target.pk], as_of=hostile.june.period_end)[hostile.target.pk]
    svg = progress_chart_svg(target_rule(hostile.target), figures, hostile.june.period_end)

    assert "<i onclick" not in svg
    assert "&lt;i onclick=alert(3)&gt;" in svg
