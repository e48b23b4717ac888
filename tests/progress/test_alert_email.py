"""Alerts (PRODUCT.md §5, issue 5): when a target turns lagging or overdue, its lead department's people
and robots and the managers are told once per change; the alert sweep claims each StatusChange with a
conditional UPDATE, so a second or racing sweep sends nothing again, and every other change is marked
processed without an alert.

The data set: on Friday 3 July 2020 张工信 of 工业和信息化局 reports June's figure for 1.1.03
新增规上企业 (goal 15); 2 of 15 is lagging, 7 of 15 on track.
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

import progress.notifications
from progress.messaging import outbox_flush
from progress.models import (
    DepartmentWebhook,
    Message,
    MessageChannel,
    MessageKind,
    NotificationSettings,
    StatusAxis,
    StatusChange,
    WebhookKind,
)
from progress.notifications import alerts_sweep
from progress.services import progress_entry_submit
from progress.statuses import target_status_refresh
from targets import roles
from targets.models import Department, Target
from tests.factories import UserFactory
from tests.progress.conftest import SITE_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# The addresses of manager_wang, 赵督查 (below), official_zhang, reviewer_chen and official_liu.
WANG = "wang.ducha@wuzhong.example"
ZHAO = "zhao.ducha@wuzhong.example"
ZHANG = "zhang.gongxin@wuzhong.example"
CHEN = "chen.gongxin@wuzhong.example"
LIU = "liu.fagai@wuzhong.example"
INDUSTRY_ROBOT = "https://oapi.dingtalk.example/robot/send?access_token=industry"


def department(code: str) -> Department:
    return Department.objects.get(code=code)


@pytest.fixture
def people(report_2020, manager_wang, official_zhang, reviewer_chen, official_liu):
    """王督查 and 赵督查 (managers; 赵督查 has opted out of the digest, not of alerts), 张工信 and 陈局长 of
    工业和信息化局, 刘发改 of 发展和改革委员会, and a manager without an email."""
    zhao = UserFactory(username="zhao_duchashi", email=ZHAO, role=roles.MANAGER)
    NotificationSettings.objects.create(user=zhao, receive_digest=False)
    UserFactory(username="sun_duchashi", email="", role=roles.MANAGER)


@pytest.fixture
def zhang(people, official_zhang):
    """张工信, with everyone else who may be alerted."""
    return official_zhang


def target(code: str) -> Target:
    return Target.objects.get(report__year=2020, code=code)


def report_june(code: str, value: str, by) -> Target:
    """June's figure for a target, and its status recomputed (as the on-commit task would)."""
    reported = target(code)
    progress_entry_submit(target=reported, period_end=dt.date(2020, 6, 30), value=value, by=by)
    target_status_refresh(target_id=reported.pk)
    return reported


@pytest.fixture
def enterprises_lagging(clock, zhang) -> Target:
    """1.1.03 新增规上企业 reported at 2 of 15 on 3 July: lagging."""
    return report_june("1.1.03", "2", zhang)


def alerts() -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(kind=MessageKind.ALERT).values_list("channel", "recipient"))


def performance_change(reported: Target) -> StatusChange:
    return reported.status_changes.get(axis=StatusAxis.PERFORMANCE)


# ------------------------------------------------------------------------------------------ recipients


def test_turning_lagging_alerts_the_lead_department_and_every_manager_once_each(enterprises_lagging):
    alerts_sweep()

    assert alerts() == sorted(
        [("email", WANG), ("email", ZHAO), ("email", ZHANG), ("email", CHEN)]
    )  # not 刘发改 of another department, not the manager without an email
    change = performance_change(enterprises_lagging)
    assert set(Message.objects.values_list("subject_key", flat=True)) == {f"alert:{change.pk}"}


def test_the_lead_departments_active_robot_is_alerted_too(clock, zhang):
    DepartmentWebhook.objects.create(
        department=department("industry"), kind=WebhookKind.DINGTALK, url=INDUSTRY_ROBOT
    )
    DepartmentWebhook.objects.create(
        department=department("industry"),
        kind=WebhookKind.WECOM,
        url="https://qyapi.example/old",
        is_active=False,
    )
    DepartmentWebhook.objects.create(
        department=department("ndrc"), kind=WebhookKind.WECOM, url="https://qyapi.example/ndrc"
    )
    report_june("1.1.03", "2", zhang)

    alerts_sweep()

    robots = Message.objects.filter(channel=MessageChannel.WEBHOOK)
    assert list(robots.values_list("recipient", "department__code")) == [(INDUSTRY_ROBOT, "industry")]


def test_each_recipient_receives_one_email(enterprises_lagging):
    alerts_sweep()
    outbox_flush()

    assert sorted(message.to[0] for message in mail.outbox) == sorted([WANG, ZHAO, ZHANG, CHEN])
    assert all(len(message.to) == 1 for message in mail.outbox)


def test_the_change_is_marked_processed(enterprises_lagging, clock):
    clock(dt.date(2020, 7, 3), 10, 15)

    alerts_sweep()

    processed = enterprises_lagging.status_changes.values_list("axis", "processed_at")
    expected = dt.datetime(2020, 7, 3, 10, 15, tzinfo=SHANGHAI)
    assert dict(processed) == {StatusAxis.PERFORMANCE: expected, StatusAxis.REPORTING: expected}


def test_a_second_sweep_sends_nothing_new(enterprises_lagging, clock):
    alerts_sweep()
    outbox_flush()
    clock(dt.date(2020, 7, 3), 10, 15)

    assert alerts_sweep() == []
    outbox_flush()

    assert len(mail.outbox) == 4
    assert Message.objects.count() == 4


def test_turning_lagging_again_later_is_a_new_alert(enterprises_lagging, clock, zhang):
    """One alert per change: lagging on 3 July, back on track with July's figure, lagging again."""
    alerts_sweep()
    clock(dt.date(2020, 8, 5))
    progress_entry_submit(target=enterprises_lagging, period_end=dt.date(2020, 7, 31), value="8", by=zhang)
    target_status_refresh(target_id=enterprises_lagging.pk)
    alerts_sweep()
    assert Message.objects.filter(recipient=ZHANG).count() == 1  # back on track: no alert
    StatusChange.objects.create(
        target=enterprises_lagging, axis=StatusAxis.PERFORMANCE, old="on_track", new="lagging",
        reason="再次滞后", as_of=dt.date(2020, 9, 7), created_at=dt.datetime(2020, 9, 7, 10, tzinfo=SHANGHAI),
    )  # fmt: skip

    alerts_sweep()

    assert Message.objects.filter(recipient=ZHANG).count() == 2


# --------------------------------------------------------------------------------- what is not an alert


@pytest.mark.parametrize(
    ("code", "value", "new"),
    [("1.1.02", "3", "at_risk"), ("1.1.03", "7", "on_track")],
    ids=["at-risk", "on-track"],
)
def test_a_change_that_is_not_red_is_marked_processed_without_an_alert(clock, zhang, code, value, new):
    reported = report_june(code, value, zhang)
    assert performance_change(reported).new == new

    drafts = alerts_sweep()

    assert drafts == []
    assert not Message.objects.exists()
    assert not reported.status_changes.filter(processed_at__isnull=True).exists()


def test_a_reporting_change_is_marked_processed_without_an_alert(clock, zhang):
    reported = report_june("1.1.03", "7", zhang)
    reporting = reported.status_changes.get(axis=StatusAxis.REPORTING)
    assert (reporting.old, reporting.new) == ("not_due", "on_time")

    alerts_sweep()

    reporting.refresh_from_db()
    assert reporting.processed_at is not None
    assert not Message.objects.exists()


def test_turning_overdue_alerts_the_lead_department_and_the_managers(clock, people):
    """1.5.02 339个新建项目开工率 (发展和改革委员会) was due by 30 April and nothing was reported."""
    overdue = target("1.5.02")
    target_status_refresh(target_id=overdue.pk)
    assert performance_change(overdue).new == "overdue"

    alerts_sweep()

    assert alerts() == sorted([("email", WANG), ("email", ZHAO), ("email", LIU)])
    assert (
        Message.objects.filter(recipient=LIU).get().subject
        == "【亮灯预警】1.5.02 339个新建项目开工率：逾期未完成"
    )


# ------------------------------------------------------------------------------------------------ races


def test_two_sweeps_racing_send_each_alert_once(enterprises_lagging, monkeypatch):
    """The first sweep reads the unprocessed changes, then the second sweep claims and queues them all
    before the first one gets to its UPDATE: the first one's claim changes no row and it queues nothing."""
    stale = list(progress.notifications.pending_alert_changes())
    alerts_sweep()
    monkeypatch.setattr(progress.notifications, "pending_alert_changes", lambda limit=500: stale)

    late_drafts = alerts_sweep()
    outbox_flush()

    assert late_drafts == []
    assert sorted(message.to[0] for message in mail.outbox) == sorted([WANG, ZHAO, ZHANG, CHEN])


def test_a_dry_run_sweep_claims_nothing(enterprises_lagging):
    drafts = alerts_sweep(dry_run=True)

    assert sorted(draft.recipient for draft in drafts) == sorted([WANG, ZHAO, ZHANG, CHEN])
    assert not Message.objects.exists()
    assert not enterprises_lagging.status_changes.filter(processed_at__isnull=False).exists()


# ---------------------------------------------------------------------------------------------- content


def test_the_alert_says_what_changed_in_chinese_with_a_link(enterprises_lagging):
    alerts_sweep()
    outbox_flush()

    [message] = [m for m in mail.outbox if m.to == [ZHANG]]
    link = f"{SITE_URL}{reverse('boards-target', args=[enterprises_lagging.pk])}?as_of=2020-07-03"
    assert message.subject == "【亮灯预警】1.1.03 新增规上企业：滞后"
    assert "状态由“无数据”变为“滞后”（2020年7月3日）。" in message.body
    assert "牵头单位：工业和信息化局" in message.body
    assert "目标：≥ 15 户" in message.body
    assert f"原因：{performance_change(enterprises_lagging).reason}" in message.body
    assert f"详情：{link}" in message.body
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert f'<a href="{link}">' in html
    assert "<strong>滞后</strong>" in html


def test_a_metric_with_markup_is_escaped_in_the_html_part(clock, zhang):
    Target.objects.filter(report__year=2020, code="1.1.03").update(
        metric="新增规上企业<script>alert(1)</script>"
    )
    report_june("1.1.03", "2", zhang)

    alerts_sweep()
    outbox_flush()

    [message] = [m for m in mail.outbox if m.to == [ZHANG]]
    [(html, _)] = message.alternatives
    assert "<script>" not in html
    assert "新增规上企业&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_plain_text_part_shows_a_metric_as_written(clock, zhang):
    Target.objects.filter(report__year=2020, code="1.1.03").update(metric="新增R&D投入<1亿元的规上企业")
    report_june("1.1.03", "2", zhang)

    alerts_sweep()
    outbox_flush()

    [message] = [m for m in mail.outbox if m.to == [ZHANG]]
    assert message.subject == "【亮灯预警】1.1.03 新增R&D投入<1亿元的规上企业：滞后"
    assert message.body.startswith("【亮灯预警】1.1.03 新增R&D投入<1亿元的规上企业\n")
