"""The group-robot channel (DingTalk / WeCom style) against a local HTTP server: the robot receives a JSON
markdown message in Chinese; a server error is retried, a refusal or a robot's error code fails the
message with the robot's own words, `{"errcode": 0}` means sent."""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest

from progress.messaging import Draft, message_enqueue, message_send
from progress.models import Message, MessageChannel, MessageKind, MessageState
from tests.smtp import free_port

pytestmark = pytest.mark.django_db

WUZHONG = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = dt.datetime(2020, 7, 13, 9, 0, tzinfo=WUZHONG)
TITLE = "【预警】规上工业增加值增速转为滞后"
TEXT = "工业和信息化局：目标“规上工业增加值增长7%”6月进度为3.1%，低于序时进度，已转为滞后。"


@pytest.fixture
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return MONDAY_MORNING


def alert_to(url: str) -> Message:
    """An alert to 工业和信息化局's group robot."""
    return message_enqueue(
        draft=Draft(
            kind=MessageKind.ALERT,
            channel=MessageChannel.WEBHOOK,
            recipient=url,
            subject_key="alert:gxj-industry-growth:lagging",
            subject=TITLE,
            body_text=TEXT,
        )
    )


@pytest.fixture
def alert(monday_morning, robot) -> Message:
    return alert_to(robot.url)


def test_the_robot_receives_a_chinese_markdown_message(robot, alert):
    assert message_send(message_id=alert.pk) == "sent"

    [request] = robot.requests
    assert request["path"] == "/robot/send?access_token=gxj-robot"
    assert request["headers"]["Content-Type"] == "application/json; charset=utf-8"
    payload = json.loads(request["body"].decode("utf-8"))
    assert payload["msgtype"] == "markdown"
    assert payload["markdown"]["title"] == TITLE
    assert payload["markdown"]["text"] == f"### {TITLE}\n\n{TEXT}"
    assert TITLE.encode("utf-8") in request["body"]  # readable UTF-8, not \\u escapes


def test_errcode_zero_means_sent_and_sending_again_posts_nothing(robot, alert):
    robot.answers(200, {"errcode": 0, "errmsg": "ok"})

    assert message_send(message_id=alert.pk) == "sent"
    assert message_send(message_id=alert.pk) == "not-claimed"

    assert len(robot.requests) == 1
    sent = Message.objects.get(pk=alert.pk)
    assert (sent.state, sent.sent_at, sent.last_error) == (MessageState.SENT, MONDAY_MORNING, "")


@pytest.mark.parametrize("status", [500, 502, 429])
def test_a_server_error_or_rate_limit_is_retried(robot, alert, status):
    robot.answers(status, {"errcode": -1, "errmsg": "system busy"})

    assert message_send(message_id=alert.pk) == "retry"

    waiting = Message.objects.get(pk=alert.pk)
    assert waiting.state == MessageState.PENDING
    assert waiting.next_attempt_at == MONDAY_MORNING + dt.timedelta(seconds=60)
    assert f"HTTP {status}" in waiting.last_error


def test_a_robot_that_is_down_is_retried(monday_morning):
    message = alert_to(f"http://127.0.0.1:{free_port()}/robot/send?access_token=gxj-robot")

    assert message_send(message_id=message.pk) == "retry"

    waiting = Message.objects.get(pk=message.pk)
    assert waiting.state == MessageState.PENDING
    assert "无法连接机器人地址" in waiting.last_error


@pytest.mark.parametrize("status", [404, 403, 400])
def test_a_robot_address_that_refuses_the_message_fails(robot, alert, status):
    robot.answers(status, {"errcode": status, "errmsg": "refused"})

    assert message_send(message_id=alert.pk) == "failed"

    failed = Message.objects.get(pk=alert.pk)
    assert failed.state == MessageState.FAILED
    assert f"HTTP {status}" in failed.last_error
    assert len(robot.requests) == 1


def test_a_robot_error_code_fails_with_the_robots_words(robot, alert):
    robot.answers(200, {"errcode": 310000, "errmsg": "keywords not in content, more: [督查]"})

    assert message_send(message_id=alert.pk) == "failed"

    failed = Message.objects.get(pk=alert.pk)
    assert failed.state == MessageState.FAILED
    assert "310000" in failed.last_error
    assert "keywords not in content, more: [督查]" in failed.last_error


def test_the_message_is_also_readable_by_a_wecom_robot(robot, alert):
    message_send(message_id=alert.pk)

    [payload] = robot.payloads()
    assert payload["markdown"].get("content") == f"### {TITLE}\n\n{TEXT}"
