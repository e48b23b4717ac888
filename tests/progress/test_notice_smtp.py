"""A 督办 notice through a real SMTP server on localhost (aiosmtpd): issued, it reaches each of the
department's people exactly once, in Chinese with a plain-text and an HTML part; the outbox flush and a
second delivery attempt send nothing more; the answer reaches the issuing manager once."""

import datetime as dt

import pytest

from progress import notices
from progress.messaging import outbox_flush
from targets.models import Target
from tests.smtp import LocalSmtpServer, smtp_settings

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_server(settings):
    with LocalSmtpServer() as server:
        smtp_settings(settings, server)
        yield server


def test_the_notice_and_its_answer_arrive_once_each(
    mail_server, july_3rd_2020, report_2020, manager_wang, reviewer_chen, official_zhang,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    target = Target.objects.get(report=report_2020, code="1.1.03")
    with django_capture_on_commit_callbacks(execute=True):
        notice = notices.notice_issue(
            targets=[target], level="listed", matter="请加快企业培育。", by=manager_wang
        )
    received = mail_server.wait_for(2)
    assert sorted(message.rcpt_tos for message in received) == [
        ("chen.gongxin@wuzhong.example",),
        ("zhang.gongxin@wuzhong.example",),
    ]
    assert {message.subject for message in received} == {"【挂牌督办】吴督〔2020〕1号：请于7月10日前反馈"}
    parsed = received[0].parsed
    assert parsed.get_content_type() == "multipart/alternative"
    text = parsed.get_body(("plain",)).get_content()
    assert "请加快企业培育。" in text and "/admin/notices/" in text

    with django_capture_on_commit_callbacks(execute=True):
        notices.notice_answer(
            notice=notice, by=reviewer_chen, measures="走访企业", expected_completion=dt.date(2020, 9, 30)
        )
    received = mail_server.wait_for(3)
    assert received[2].rcpt_tos == ("wang.ducha@wuzhong.example",)
    assert outbox_flush().sent == 0
    assert len(mail_server.messages) == 3
