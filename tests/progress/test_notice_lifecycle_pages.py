"""督办 through the admin pages: 王督查 ticks targets of two departments on the 滞后/逾期 report and issues
one notice per lead department; the notices are numbered in order and delivered to each department's
people through the outbox; 工业和信息化局's reviewer 陈局长 answers (with evidence), 王督查 closes it; the
other one passes its deadline unanswered (逾期未反馈), is answered late and pressed again. Another
department's reviewer gets 404 and changes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from progress.models import Message, MessageKind, Notice, NoticeEvent, NoticeEvidence
from targets.models import Target

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_client():
    """A second browser, for the department's people beside the manager's."""
    return Client()


@pytest.fixture
def two_targets(report_2020):
    """1.1.03 新增规上企业 (工业和信息化局) and 1.2.10 新增奶牛 (农业农村局)."""
    return [Target.objects.get(report=report_2020, code=code) for code in ("1.1.03", "1.2.10")]


def issue(client, targets, **fields):
    data = {"target": [t.pk for t in targets], "level": "supervise", "deadline": "2020-07-10"}
    form = client.get(reverse("notice-issue"), {"target": data["target"]}).context["form"]
    for name in form.fields:
        if name.startswith("matter_"):
            data[name] = form.initial[name]
    data.update(fields)
    return client.post(reverse("notice-issue"), data)


def test_the_lagging_report_offers_the_issue_form_to_managers_only(
    manager_client, client, official_zhang, july_3rd_2020
):
    page = manager_client.get(reverse("boards-lagging")).content.decode()
    assert 'id="lagging-notices"' in page and 'name="target"' in page
    client.force_login(official_zhang)
    assert 'id="lagging-notices"' not in client.get(reverse("boards-lagging")).content.decode()
    assert client.get(reverse("notice-issue")).status_code == 403


def test_issue_form_groups_by_lead_department_with_the_matter_prefilled(
    manager_client, two_targets, july_3rd_2020
):
    response = manager_client.get(reverse("notice-issue"), {"target": [t.pk for t in two_targets]})
    groups = response.context["groups"]
    assert [g["department"].name for g in groups] == ["农业农村局", "工业和信息化局"]
    industry = groups[1]["department"]
    matter = response.context["form"].initial[f"matter_{industry.pk}"]
    assert matter.startswith("1. 1.1.03 新增规上企业：")
    assert response.context["form"].initial["deadline"] == dt.date(2020, 7, 10)


def test_a_notice_from_issue_to_closing(
    manager_client, department_client, two_targets, manager_wang, reviewer_chen, official_zhang, reviewer_zhou, clock,
    outbound_email,
):  # fmt: skip
    response = issue(manager_client, two_targets)
    assert response.status_code == 302
    agriculture, industry = Notice.objects.order_by("number")
    assert (agriculture.number_label, industry.number_label) == ("吴督〔2020〕1号", "吴督〔2020〕2号")
    assert agriculture.department.code == "agriculture" and industry.department.code == "industry"
    assert list(industry.targets.values_list("code", flat=True)) == ["1.1.03"]
    assert industry.state == "issued" and industry.deadline == dt.date(2020, 7, 10)

    # Delivered through the outbox to the department's people (and nobody else's).
    delivered = Message.objects.filter(kind=MessageKind.NOTICE, department=industry.department)
    assert set(delivered.values_list("recipient", flat=True)) == {
        "chen.gongxin@wuzhong.example",
        "zhang.gongxin@wuzhong.example",
    }
    assert "吴督〔2020〕2号" in delivered.first().subject and "7月10日" in delivered.first().subject

    # The other department's reviewer: 404 on the page, the print and the answer; nothing changes.
    department_client.force_login(reviewer_zhou)
    for url in (reverse("notice-detail", args=[industry.pk]), reverse("notice-print", args=[industry.pk])):
        assert department_client.get(url).status_code == 404
    answer = {"step": "answer", "measures": "加快企业培育", "expected_completion": "2020-09-30"}
    assert department_client.post(reverse("notice-detail", args=[industry.pk]), answer).status_code == 404
    industry.refresh_from_db()
    assert industry.state == "issued" and not industry.events.filter(step="answer").exists()

    # 陈局长 answers with evidence; an empty answer is refused naming the fields.
    department_client.force_login(reviewer_chen)
    page = department_client.get(reverse("notice-detail", args=[industry.pk]))
    assert "answer" in page.context["forms"] and "close" not in page.context["forms"]
    refused = department_client.post(reverse("notice-detail", args=[industry.pk]), {"step": "answer"})
    assert refused.status_code == 400
    assert refused.context["errors"] == ["请填写整改措施。", "请填写预计完成时间。"]
    pdf = SimpleUploadedFile("整改方案.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    clock("2020-07-08")
    response = department_client.post(
        reverse("notice-detail", args=[industry.pk]), {**answer, "evidence": pdf}
    )
    assert response.status_code == 302
    industry.refresh_from_db()
    assert industry.state == "answered"
    evidence = NoticeEvidence.objects.get(event__notice=industry)
    assert department_client.get(reverse("notice-evidence-download", args=[evidence.pk])).status_code == 200
    told = Message.objects.get(kind=MessageKind.NOTICE, recipient="wang.ducha@wuzhong.example")
    assert "工业和信息化局已反馈吴督〔2020〕2号" in told.subject and "加快企业培育" in told.body_text

    # 王督查 closes it; the history has every step.
    page = manager_client.get(reverse("notice-detail", args=[industry.pk]))
    assert set(page.context["forms"]) == {"close", "press"}
    assert (
        manager_client.post(
            reverse("notice-detail", args=[industry.pk]), {"step": "close", "remark": "同意"}
        ).status_code
        == 302
    )
    industry.refresh_from_db()
    assert industry.state == "closed"
    assert list(industry.events.values_list("step", flat=True)) == ["issue", "answer", "close"]
    # A closed notice takes no step, from anyone.
    assert (
        manager_client.post(
            reverse("notice-detail", args=[industry.pk]), {"step": "press", "reason": "x"}
        ).status_code
        == 403
    )


def test_past_its_deadline_a_notice_is_overdue_until_answered_and_pressing_again_sets_a_new_deadline(
    manager_client, department_client, two_targets, reviewer_zhou, clock, outbound_email
):
    issue(manager_client, two_targets[1:])
    notice = Notice.objects.get()
    url = reverse("notice-detail", args=[notice.pk])
    clock("2020-07-10")
    assert manager_client.get(url).context["standing_label"] == "已下发"
    clock("2020-07-13")
    assert manager_client.get(url).context["standing_label"] == "逾期未反馈"
    department_client.force_login(reviewer_zhou)
    department_client.post(url, {"step": "answer", "measures": "补栏", "expected_completion": "2020-10-31"})
    assert manager_client.get(url).context["standing_label"] == "已反馈"
    refused = manager_client.post(url, {"step": "press", "reason": " "})
    assert refused.status_code == 400 and refused.context["errors"] == ["请填写继续督办的理由。"]
    manager_client.post(url, {"step": "press", "reason": "措施不具体，请细化到月。"})
    notice.refresh_from_db()
    assert notice.state == "issued" and notice.deadline == dt.date(2020, 7, 20)
    press = notice.events.get(step=NoticeEvent.Step.PRESS)
    assert press.deadline == dt.date(2020, 7, 20)
    again = Message.objects.filter(
        kind=MessageKind.NOTICE, subject_key__startswith=f"notice:{notice.pk}:press:"
    )
    assert again.exists() and "继续督办" in again.first().subject


def test_the_target_page_lists_its_notices_with_their_history(manager_client, two_targets, clock):
    issue(manager_client, two_targets[:1])
    page = manager_client.get(reverse("boards-target", args=[two_targets[0].pk])).content.decode()
    assert 'id="target-notices"' in page and "吴督〔2020〕1号" in page and "已下发" in page
    # As of the day before it was issued, the target had none.
    earlier = manager_client.get(reverse("boards-target", args=[two_targets[0].pk]), {"as_of": "2020-07-02"})
    assert "吴督〔2020〕1号" not in earlier.content.decode()


def test_printable_notice(manager_client, two_targets, clock):
    issue(manager_client, two_targets[:1], level="listed")
    notice = Notice.objects.get()
    page = manager_client.get(reverse("notice-print", args=[notice.pk])).content.decode()
    for text in (
        "挂牌督办通知单",
        "吴督〔2020〕1号",
        "工业和信息化局",
        "1.1.03 新增规上企业",
        "2020年7月10日",
        "吴忠市人民政府督查室",
        "size: A4 portrait",
    ):
        assert text in page
