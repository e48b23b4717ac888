"""The outbox ledger: one row per message, claimed by a conditional UPDATE before it is sent, so a second
call, a second worker or a redelivered task never sends it twice; transient failures wait a doubling
backoff, permanent ones fail at once; stale claims are failed (never resent blindly); an administrator
resends failed messages from the admin."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core import mail
from django.urls import reverse

from progress import messaging
from progress.channels import PermanentSendError, TransientSendError
from progress.messaging import MAX_ATTEMPTS, STALE_CLAIM, Draft, backoff, message_enqueue, message_send
from progress.models import Message, MessageChannel, MessageKind, MessageState

pytestmark = pytest.mark.django_db

WUZHONG = ZoneInfo("Asia/Shanghai")
MONDAY_MORNING = dt.datetime(2020, 7, 13, 8, 30, tzinfo=WUZHONG)
CHANGELIST = "admin:progress_message_changelist"


def reminder_draft(**overrides) -> Draft:
    """A reminder to 张工信 of 工业和信息化局 that the June figures are late."""
    fields = {
        "kind": MessageKind.REMINDER,
        "channel": MessageChannel.EMAIL,
        "recipient": "zhang.gongxin@example.invalid",
        "subject_key": "reminder:gxj:2020-06",
        "subject": "【催报】工业和信息化局6月进度尚未填报",
        "body_text": "张工信同志：贵单位6月的目标任务进度已逾期，请尽快填报。",
        "body_html": "<p>张工信同志：贵单位6月的目标任务进度已<strong>逾期</strong>，请尽快填报。</p>",
    }
    return Draft(**(fields | overrides))


class FakeChannel:
    """Records what it sends; raises the queued errors first, one per send."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self.errors: list[Exception] = []

    def send(self, *, recipient: str, subject: str, body_text: str, body_html: str) -> None:
        if self.errors:
            raise self.errors.pop(0)
        self.sent.append(subject)


@pytest.fixture
def monday_morning(time_machine):
    """Monday 13 July 2020, 08:30 in Wuzhong, frozen: the digest hour."""
    time_machine.move_to(MONDAY_MORNING, tick=False)
    return MONDAY_MORNING


@pytest.fixture
def fake_email(monkeypatch) -> FakeChannel:
    channel = FakeChannel()
    monkeypatch.setitem(messaging.CHANNELS, MessageChannel.EMAIL, channel)
    return channel


@pytest.fixture
def locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    return mail.outbox


@pytest.fixture
def reminder(monday_morning) -> Message:
    return message_enqueue(draft=reminder_draft())


def reload(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


# Enqueue -------------------------------------------------------------------------------------------------


def test_enqueueing_the_same_draft_twice_keeps_one_row(monday_morning):
    first = message_enqueue(draft=reminder_draft())
    second = message_enqueue(draft=reminder_draft(subject="【催报】重复生成的同一提醒"))

    assert first is not None
    assert second is None
    assert list(Message.objects.values_list("subject", "state")) == [
        ("【催报】工业和信息化局6月进度尚未填报", MessageState.PENDING)
    ]


def test_the_same_subject_for_another_recipient_is_another_message(monday_morning):
    message_enqueue(draft=reminder_draft())
    other = message_enqueue(draft=reminder_draft(recipient="li.tongji@example.invalid"))

    assert other is not None
    assert Message.objects.count() == 2


def test_enqueueing_sends_nothing_before_the_commit(
    monday_morning, locmem_email, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = message_enqueue(draft=reminder_draft())

    assert len(callbacks) == 1
    assert locmem_email == []
    assert reload(message).state == MessageState.PENDING


# Claims --------------------------------------------------------------------------------------------------


def test_sending_twice_sends_once(reminder, locmem_email):
    first = message_send(message_id=reminder.pk)
    second = message_send(message_id=reminder.pk)

    assert (first, second) == ("sent", "not-claimed")
    assert [email.subject for email in locmem_email] == ["【催报】工业和信息化局6月进度尚未填报"]
    assert locmem_email[0].to == ["zhang.gongxin@example.invalid"]
    assert locmem_email[0].alternatives[0].mimetype == "text/html"
    sent = reload(reminder)
    assert (sent.state, sent.attempts, sent.sent_at, sent.last_error) == (
        MessageState.SENT,
        1,
        MONDAY_MORNING,
        "",
    )


def test_a_message_not_yet_due_is_not_sent(reminder, locmem_email, time_machine):
    Message.objects.filter(pk=reminder.pk).update(next_attempt_at=MONDAY_MORNING + dt.timedelta(minutes=10))

    assert message_send(message_id=reminder.pk) == "not-claimed"
    assert locmem_email == []
    assert (reload(reminder).state, reload(reminder).attempts) == (MessageState.PENDING, 0)

    time_machine.move_to(MONDAY_MORNING + dt.timedelta(minutes=10), tick=False)
    assert message_send(message_id=reminder.pk) == "sent"
    assert len(locmem_email) == 1


@pytest.mark.parametrize("state", [MessageState.SENDING, MessageState.SENT, MessageState.FAILED])
def test_a_row_already_taken_is_not_claimed(reminder, fake_email, state):
    Message.objects.filter(pk=reminder.pk).update(
        state=state, attempts=1, claimed_at=MONDAY_MORNING, sent_at=MONDAY_MORNING
    )

    assert message_send(message_id=reminder.pk) == "not-claimed"
    assert fake_email.sent == []
    untouched = reload(reminder)
    assert (untouched.state, untouched.attempts) == (state, 1)


# Failures ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("attempts", "seconds"),
    [(1, 60), (2, 120), (3, 240), (4, 480), (5, 960), (6, 1920), (7, 3600), (12, 3600)],
)
def test_backoff_doubles_from_a_minute_up_to_an_hour(attempts, seconds):
    assert backoff(attempts) == dt.timedelta(seconds=seconds)


def test_a_transient_error_waits_for_the_backoff_and_keeps_the_error(reminder, fake_email, time_machine):
    fake_email.errors = [TransientSendError("邮件发送失败：[Errno 111] Connection refused")] * 2

    assert message_send(message_id=reminder.pk) == "retry"
    waiting = reload(reminder)
    assert waiting.state == MessageState.PENDING
    assert waiting.attempts == 1
    assert waiting.next_attempt_at == MONDAY_MORNING + dt.timedelta(seconds=60)
    assert waiting.last_error == "邮件发送失败：[Errno 111] Connection refused"

    time_machine.move_to(MONDAY_MORNING + dt.timedelta(seconds=59), tick=False)
    assert message_send(message_id=reminder.pk) == "not-claimed"

    second_try = MONDAY_MORNING + dt.timedelta(seconds=60)
    time_machine.move_to(second_try, tick=False)
    assert message_send(message_id=reminder.pk) == "retry"
    assert reload(reminder).next_attempt_at == second_try + dt.timedelta(seconds=120)
    assert reload(reminder).attempts == 2

    time_machine.move_to(second_try + dt.timedelta(seconds=120), tick=False)
    assert message_send(message_id=reminder.pk) == "sent"
    assert fake_email.sent == ["【催报】工业和信息化局6月进度尚未填报"]
    assert reload(reminder).attempts == 3


def test_after_max_attempts_transient_failures_the_message_fails(reminder, fake_email, time_machine):
    fake_email.errors = [TransientSendError("421 服务暂不可用")] * (MAX_ATTEMPTS + 1)
    outcomes, waits = [], []

    for _ in range(MAX_ATTEMPTS):
        before = reload(reminder)
        time_machine.move_to(before.next_attempt_at, tick=False)
        outcomes.append(message_send(message_id=reminder.pk))
        after = reload(reminder)
        if after.state == MessageState.PENDING:
            waits.append((after.next_attempt_at - before.next_attempt_at).total_seconds())

    assert outcomes == ["retry"] * (MAX_ATTEMPTS - 1) + ["failed"]
    assert waits == [60, 120, 240, 480, 960][: MAX_ATTEMPTS - 1]
    failed = reload(reminder)
    assert (failed.state, failed.attempts) == (MessageState.FAILED, MAX_ATTEMPTS)
    assert f"已尝试{MAX_ATTEMPTS}次" in failed.last_error
    assert "421 服务暂不可用" in failed.last_error
    assert fake_email.sent == []
    time_machine.shift(dt.timedelta(days=1))
    assert message_send(message_id=reminder.pk) == "not-claimed"  # failed stays failed until resent


def test_a_permanent_error_fails_at_once(reminder, fake_email):
    fake_email.errors = [PermanentSendError("邮件服务器拒收：550 5.1.1 用户不存在")]

    assert message_send(message_id=reminder.pk) == "failed"
    failed = reload(reminder)
    assert (failed.state, failed.attempts) == (MessageState.FAILED, 1)
    assert failed.last_error == "邮件服务器拒收：550 5.1.1 用户不存在"


# The flush -----------------------------------------------------------------------------------------------


def test_flush_fails_stale_claims_without_resending_and_sends_what_is_due(monday_morning, fake_email):
    def queued(name: str, **fields) -> Message:
        message = message_enqueue(
            draft=reminder_draft(subject_key=f"reminder:{name}", subject=f"【催报】{name}")
        )
        Message.objects.filter(pk=message.pk).update(**fields)
        return message

    stale = queued(
        "民政局",
        state=MessageState.SENDING,
        attempts=1,
        claimed_at=monday_morning - STALE_CLAIM - dt.timedelta(seconds=1),
    )
    busy = queued(
        "教育局", state=MessageState.SENDING, attempts=1, claimed_at=monday_morning - dt.timedelta(minutes=5)
    )
    due = queued("统计局", next_attempt_at=monday_morning - dt.timedelta(minutes=1))
    later = queued("财政局", next_attempt_at=monday_morning + dt.timedelta(minutes=1))

    summary = messaging.outbox_flush()

    assert (summary.sent, summary.retried, summary.failed, summary.interrupted) == (1, 0, 0, 1)
    assert fake_email.sent == ["【催报】统计局"]
    assert reload(stale).state == MessageState.FAILED
    assert "发送中断" in reload(stale).last_error
    assert reload(busy).state == MessageState.SENDING
    assert reload(due).state == MessageState.SENT
    assert reload(later).state == MessageState.PENDING

    again = messaging.outbox_flush()
    assert (again.sent, again.interrupted) == (0, 0)
    assert fake_email.sent == ["【催报】统计局"]


def test_flush_records_retries_and_failures(monday_morning, fake_email):
    message_enqueue(draft=reminder_draft(subject_key="reminder:a", subject="【催报】甲"))
    message_enqueue(draft=reminder_draft(subject_key="reminder:b", subject="【催报】乙"))
    fake_email.errors = [TransientSendError("超时"), PermanentSendError("拒收")]

    summary = messaging.outbox_flush()

    assert (summary.sent, summary.retried, summary.failed) == (0, 1, 1)
    assert sorted(Message.objects.values_list("state", flat=True)) == [
        MessageState.FAILED,
        MessageState.PENDING,
    ]


# Resend --------------------------------------------------------------------------------------------------


def test_resend_puts_a_failed_message_back_to_pending(reminder, fake_email, time_machine):
    fake_email.errors = [PermanentSendError("拒收")]
    message_send(message_id=reminder.pk)
    an_hour_later = MONDAY_MORNING + dt.timedelta(hours=1)
    time_machine.move_to(an_hour_later, tick=False)

    assert messaging.message_resend(message=reminder) is True
    requeued = reload(reminder)
    assert (requeued.state, requeued.attempts, requeued.next_attempt_at, requeued.claimed_at) == (
        MessageState.PENDING,
        0,
        an_hour_later,
        None,
    )
    assert message_send(message_id=reminder.pk) == "sent"
    assert fake_email.sent == ["【催报】工业和信息化局6月进度尚未填报"]


@pytest.mark.parametrize("state", [MessageState.PENDING, MessageState.SENDING, MessageState.SENT])
def test_resend_leaves_messages_that_did_not_fail_alone(reminder, state):
    Message.objects.filter(pk=reminder.pk).update(
        state=state, attempts=1, claimed_at=MONDAY_MORNING, sent_at=MONDAY_MORNING
    )

    assert messaging.message_resend(message=reminder) is False
    assert (reload(reminder).state, reload(reminder).attempts) == (state, 1)


# Admin ---------------------------------------------------------------------------------------------------


@pytest.fixture
def failed_reminder(reminder, fake_email) -> Message:
    fake_email.errors = [
        PermanentSendError("邮件服务器拒收：550 5.1.1 <zhang.gongxin@example.invalid> 用户不存在")
    ]
    assert message_send(message_id=reminder.pk) == "failed"
    return reload(reminder)


@pytest.fixture
def sent_digest(monday_morning, fake_email) -> Message:
    digest = message_enqueue(
        draft=reminder_draft(
            kind=MessageKind.DIGEST,
            recipient="wang.duchashi@example.invalid",
            subject_key="digest:2020-W29",
            subject="【周报】目标任务进展（第29周）",
        )
    )
    assert message_send(message_id=digest.pk) == "sent"
    return reload(digest)


def test_the_changelist_shows_why_a_message_failed(client, administrator_li, failed_reminder):
    client.force_login(administrator_li)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    page = response.content.decode()
    assert "550 5.1.1 &lt;zhang.gongxin@example.invalid&gt; 用户不存在" in page
    assert "发送失败" in page


def test_the_resend_action_requeues_only_failed_messages(
    client, administrator_li, failed_reminder, sent_digest, fake_email, django_capture_on_commit_callbacks
):
    client.force_login(administrator_li)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(
            reverse(CHANGELIST),
            {"action": "resend", ACTION_CHECKBOX_NAME: [failed_reminder.pk, sent_digest.pk]},
        )

    assert response.status_code == 302
    assert (reload(failed_reminder).state, reload(failed_reminder).attempts) == (MessageState.PENDING, 0)
    assert reload(sent_digest).state == MessageState.SENT
    assert len(callbacks) == 1  # one send scheduled after the commit, for the failed message only

    callbacks[0]()  # the task runs inline without a broker

    assert reload(failed_reminder).state == MessageState.SENT
    assert fake_email.sent == ["【周报】目标任务进展（第29周）", "【催报】工业和信息化局6月进度尚未填报"]
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["已重新排队 1 条消息（只处理发送失败的消息）。"]
