"""Delivery channels behind one small interface, so that an SMS gateway could be added later.

A channel raises `TransientSendError` for what a retry may fix (a server down, a timeout) and
`PermanentSendError` for what it will not (an address refused); the outbox decides what to do.
"""

import base64
import hashlib
import hmac
import json
import re
import smtplib
import time
import urllib.error
import urllib.parse
import urllib.request
from email.utils import format_datetime
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils import timezone

from progress.models import DepartmentWebhook
from wuzhong_tracker import clock


class TransientSendError(Exception):
    pass


class PermanentSendError(Exception):
    pass


class Channel(Protocol):
    def send(self, *, recipient: str, subject: str, body_text: str, body_html: str) -> None: ...


class EmailChannel:
    """HTML with a plain-text part, through Django's configured email backend."""

    def send(self, *, recipient: str, subject: str, body_text: str, body_html: str) -> None:
        message = EmailMultiAlternatives(
            subject=subject, body=body_text, from_email=settings.DEFAULT_FROM_EMAIL, to=[recipient],
            connection=get_connection(timeout=settings.EMAIL_TIMEOUT),
            # Wuzhong's time (+0800) rather than the machine's UTC: what readers see as the time sent.
            headers={"Date": format_datetime(timezone.localtime(clock.now()))},
        )  # fmt: skip
        if body_html:
            message.attach_alternative(body_html, "text/html")
        try:
            message.send()
        except smtplib.SMTPRecipientsRefused as error:
            # 4xx (greylisting, a busy mailbox) is worth a retry; 5xx is the server's final word.
            codes = [code for code, _ in error.recipients.values()]
            raise (PermanentSendError if codes and min(codes) >= 500 else TransientSendError)(
                f"邮件服务器拒收：{error.recipients}"
            ) from error
        except smtplib.SMTPSenderRefused as error:
            raise (PermanentSendError if error.smtp_code >= 500 else TransientSendError)(
                f"邮件服务器拒绝发件人：{error.smtp_code} {error.smtp_error!r}"
            ) from error
        except (smtplib.SMTPException, OSError) as error:  # connection refused, timeouts, 4xx replies
            raise TransientSendError(f"邮件发送失败：{error}") from error


# Names, metrics and reasons are typed by people. In a robot's markdown (which also renders some HTML, such
# as WeCom's <font>), a "<tag>" or a "[text](link)" among them would become markup: a link or an image the
# office never wrote. Full-width look-alikes read the same and are inert.
_MARKDOWN_INERT = str.maketrans({"<": "＜", ">": "＞", "[": "［", "]": "］"})


def markdown_inert(text: str) -> str:
    return text.translate(_MARKDOWN_INERT)


# A robot's own "too many messages" answers (more than 20 a minute per robot): a retry after a pause works.
RATE_LIMIT_ERRCODES = {
    130101: "钉钉机器人发送过快（每分钟最多20条）",
    45009: "企业微信机器人调用频率超限（每分钟最多20条）",
}


def signed_url(url: str, secret: str, *, now_ms: int | None = None) -> str:
    """A DingTalk robot with 加签: the address plus `timestamp` (ms) and `sign` = Base64(HMAC-SHA256 of
    "timestamp\nsecret" keyed by the secret), URL-encoded, as DingTalk's documentation specifies."""
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    sign = urllib.parse.quote_plus(base64.b64encode(digest).decode("ascii"))
    return f"{url}{'&' if '?' in url else '?'}timestamp={timestamp}&sign={sign}"


def _short_links(text: str) -> str:
    """The service's own links as markdown links ("[查看详情](…)") rather than long bare addresses; links
    are added after `markdown_inert`, so that nothing typed by people becomes one."""
    site = re.escape(settings.SITE_URL)
    return re.sub(rf"({site}/\S+)", r"[查看详情](\1)", text)


def _robot_secret(url: str) -> str:
    return (
        DepartmentWebhook.objects.filter(url=url, is_active=True)
        .exclude(secret="")
        .values_list("secret", flat=True)
        .first()
        or ""
    )


class WebhookChannel:
    """A JSON markdown message for DingTalk and WeCom group robots. DingTalk reads markdown.title/text and
    WeCom markdown.content; each ignores the other's keys, so one body serves both."""

    timeout_seconds = 10

    def send(self, *, recipient: str, subject: str, body_text: str, body_html: str) -> None:
        subject, body_text = markdown_inert(subject), _short_links(markdown_inert(body_text))
        text = f"### {subject}\n\n{body_text}"
        payload = {"msgtype": "markdown", "markdown": {"title": subject, "text": text, "content": text}}
        secret = _robot_secret(recipient)
        request = urllib.request.Request(
            signed_url(recipient, secret) if secret else recipient,
            data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
            headers={"Content-Type": "application/json; charset=utf-8"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
                answer = response.read()
        except urllib.error.HTTPError as error:
            if 400 <= error.code < 500 and error.code != 429:
                raise PermanentSendError(f"机器人地址拒绝（HTTP {error.code}）") from error
            raise TransientSendError(f"机器人服务暂不可用（HTTP {error.code}）") from error
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            raise TransientSendError(f"无法连接机器人地址：{error}") from error
        # Both robots answer 200 with {"errcode": 0} on success and a non-zero errcode otherwise.
        try:
            errcode = json.loads(answer or b"{}").get("errcode", 0)
        except ValueError:
            errcode = 0
        if errcode in RATE_LIMIT_ERRCODES:
            raise TransientSendError(
                f"{RATE_LIMIT_ERRCODES[errcode]}：{answer.decode('utf-8', 'replace')[:200]}"
            )
        if errcode:
            raise PermanentSendError(f"机器人返回错误：{answer.decode('utf-8', 'replace')[:200]}")


CHANNELS: dict[str, Channel] = {"email": EmailChannel(), "webhook": WebhookChannel()}
