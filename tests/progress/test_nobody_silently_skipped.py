"""Nobody silently skipped (issue 18, point 6): lead departments without any recipient are named for the
office in the admin (and the digest, tests/progress/test_digest_email.py) and counted by /healthz; the send
commands print what became of the messages they queued, even those already sent after their commit; an
email's Date is Wuzhong's time."""

import datetime as dt
from io import StringIO

import pytest
from django.core import mail
from django.core.management.base import BaseCommand

from progress.management.commands._messages import report
from progress.messaging import Draft, message_enqueue, message_send
from progress.models import DepartmentWebhook, MessageChannel, MessageKind
from progress.notifications import unreachable_departments
from targets.models import Department

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("outbound_email")]


def test_departments_without_people_or_robots_are_named_in_the_outbox_admin(admin_client, official_zhang):
    unreachable = unreachable_departments()
    names = [department.name for department in unreachable]
    assert "发展和改革委员会" in names and "工业和信息化局" not in names

    page = admin_client.get("/admin/progress/message/").content.decode()

    assert f"以下{len(unreachable)}个牵头单位没有接收人" in page
    assert "发展和改革委员会" in page


def test_a_robot_makes_a_department_reachable(official_zhang):

    ndrc = Department.objects.get(code="ndrc")
    DepartmentWebhook.objects.create(
        department=ndrc, kind="dingtalk", url="https://oapi.dingtalk.com/robot/send?a=1"
    )

    assert ndrc not in unreachable_departments()


def test_healthz_counts_them_without_naming_them(client, official_zhang):
    answer = client.get("/healthz").json()

    [warning] = answer["warnings"]
    assert warning.startswith(f"{len(unreachable_departments())}个牵头单位没有接收人")
    assert "发展和改革委员会" not in warning


def draft(n: int) -> Draft:
    return Draft(
        MessageKind.REMINDER,
        MessageChannel.EMAIL,
        f"person{n}@wuzhong.example",
        f"reminder:{n}",
        "催报",
        "正文",
    )


def test_a_command_counts_messages_sent_right_after_their_commit(time_machine):
    """With inline tasks the messages go out as their transaction commits, before the command's own flush:
    the command still says they were sent."""
    time_machine.move_to(dt.datetime(2020, 7, 6, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False)
    drafts = [draft(n) for n in range(3)]
    queued = [message_enqueue(draft=d).pk for d in drafts]
    for message_id in queued:
        message_send(message_id=message_id)  # what the on-commit task did
    command = BaseCommand(stdout=StringIO())

    report(command, drafts, dry_run=False, queued=queued)

    assert (
        "新入发件箱 3 条（其余 0 条此前已入队）；本次发送成功 3 条，待重试 0 条，失败 0 条。"
        in command.stdout.getvalue()
    )


def test_an_emails_date_is_wuzhong_time(time_machine):
    time_machine.move_to(dt.datetime(2020, 7, 6, 1, 30, tzinfo=dt.UTC), tick=False)
    message_send(message_id=message_enqueue(draft=draft(1)).pk)

    [sent] = mail.outbox
    assert sent.message()["Date"] == "Mon, 06 Jul 2020 09:30:00 +0800"
