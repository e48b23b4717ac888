"""Group robots (issue 18, point 2): a robot's rate-limit answer (DingTalk 130101, WeCom 45009) is
transient and retried after a backoff; sends are paced to 20 a minute per robot; a DingTalk signing secret
(加签) signs each request; each robot's last error shows in the admin; the service's links read as short
markdown links."""

import base64
import datetime as dt
import hashlib
import hmac
import urllib.parse

import pytest

from progress.channels import signed_url
from progress.messaging import Draft, message_enqueue, message_send, outbox_flush
from progress.models import DepartmentWebhook, Message, MessageChannel, MessageKind, MessageState, WebhookKind
from targets.models import Department
from tests.progress.conftest import SITE_URL
from tests.progress.test_channels_webhook import MONDAY_MORNING

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]


@pytest.fixture
def monday(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return time_machine


def queue(url: str, key: str, text: str = "工业和信息化局：1.1.03 新增规上企业转为滞后。") -> Message:
    return message_enqueue(
        draft=Draft(
            MessageKind.ALERT, MessageChannel.WEBHOOK, url, key, "【亮灯预警】1.1.03 新增规上企业：滞后", text
        )
    )


@pytest.mark.parametrize(
    "errcode, words", [(45009, "企业微信机器人调用频率超限"), (130101, "钉钉机器人发送过快")]
)
def test_a_rate_limit_answer_is_retried_and_then_delivered_once(monday, robot, errcode, words):
    robot.answers(200, {"errcode": errcode, "errmsg": "api freq out of limit"})
    message = queue(robot.url, "alert:1")

    assert message_send(message_id=message.pk) == "retry"
    waiting = Message.objects.get(pk=message.pk)
    assert waiting.state == MessageState.PENDING and words in waiting.last_error
    assert waiting.next_attempt_at == MONDAY_MORNING + dt.timedelta(seconds=60)

    robot.answers(200, {"errcode": 0, "errmsg": "ok"})
    monday.move_to(MONDAY_MORNING + dt.timedelta(seconds=61), tick=False)
    assert outbox_flush().sent == 1
    assert outbox_flush().sent == 0

    assert len(robot.requests) == 2
    assert Message.objects.get(pk=message.pk).state == MessageState.SENT


def test_sends_are_paced_to_twenty_a_minute_per_robot(monday, robot):
    for n in range(26):
        queue(robot.url, f"alert:{n}")

    first = outbox_flush()

    assert (first.sent, len(robot.requests)) == (20, 20)
    waiting = Message.objects.filter(state=MessageState.PENDING)
    assert waiting.count() == 6
    assert set(waiting.values_list("attempts", flat=True)) == {0}  # waiting is not a failed attempt
    assert set(waiting.values_list("next_attempt_at", flat=True)) == {
        MONDAY_MORNING + dt.timedelta(minutes=1)
    }

    monday.move_to(MONDAY_MORNING + dt.timedelta(seconds=30), tick=False)
    assert outbox_flush().sent == 0
    monday.move_to(MONDAY_MORNING + dt.timedelta(minutes=1), tick=False)
    assert outbox_flush().sent == 6
    assert len(robot.requests) == 26


def test_another_robot_is_not_held_back(monday, robot):
    for n in range(20):
        queue(robot.url, f"alert:{n}")
    other = queue(robot.url.replace("gxj-robot", "fgw-robot"), "alert:other")

    outbox_flush()

    assert Message.objects.get(pk=other.pk).state == MessageState.SENT


def test_a_dingtalk_signing_secret_signs_each_request(monday, robot):
    secret = "SECd5e0c0ffee"
    DepartmentWebhook.objects.create(
        department=Department.objects.get(code="industry"),
        kind=WebhookKind.DINGTALK,
        url=robot.url,
        secret=secret,
    )
    message = queue(robot.url, "alert:signed")

    assert message_send(message_id=message.pk) == "sent"

    [request] = robot.requests
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(request["path"]).query)
    assert query["access_token"] == ["gxj-robot"]
    [timestamp], [sign] = query["timestamp"], query["sign"]
    expected = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    assert base64.b64decode(sign) == expected


def test_the_signature_follows_dingtalks_example():
    url = signed_url("https://oapi.dingtalk.com/robot/send?access_token=x", "SECabc", now_ms=1577836800000)
    digest = hmac.new(b"SECabc", b"1577836800000\nSECabc", hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode())
    assert url == f"https://oapi.dingtalk.com/robot/send?access_token=x&timestamp=1577836800000&sign={sign}"


def test_each_robots_last_error_is_shown_in_the_admin(monday, robot, admin_client):
    DepartmentWebhook.objects.create(
        department=Department.objects.get(code="industry"), kind=WebhookKind.WECOM, url=robot.url
    )
    robot.answers(200, {"errcode": 45009, "errmsg": "api freq out of limit"})
    message_send(message_id=queue(robot.url, "alert:1").pk)

    page = admin_client.get("/admin/progress/departmentwebhook/").content.decode()

    assert "最近一次错误" in page
    assert "企业微信机器人调用频率超限" in page and "（待发送）" in page


def test_the_services_links_are_short_markdown_links(monday, robot):
    link = f"{SITE_URL}/admin/boards/targets/12/?as_of=2020-07-13"
    message_send(message_id=queue(robot.url, "alert:link", text=f"- 1.1.03 新增规上企业：滞后　{link}").pk)

    [payload] = robot.payloads()
    assert f"[查看详情]({link})" in payload["markdown"]["text"]
