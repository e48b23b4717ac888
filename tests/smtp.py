"""A real SMTP server on localhost for tests (aiosmtpd in a thread of the test process).

`LocalSmtpServer()` reserves a free port on 127.0.0.1 without listening on it, so until `start()` the port
refuses connections (the "mail server is down" case); `start()` accepts mail and keeps every message
received, `stop()` closes the port again. `rcpt_reply` lets a test answer RCPT TO with its own reply
(a greylisting "451", a "550 no such user"), `delay` makes each DATA take a while (to widen races).

    with LocalSmtpServer() as server:  # started
        ...
        server.wait_for(1)
        server.messages[0].subject, server.messages[0].parsed.get_body(("plain",))
"""

import asyncio
import email
import email.policy
import socket
import threading
import time
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import EmailMessage

from aiosmtpd.controller import Controller

HOST = "127.0.0.1"


def free_port() -> int:
    """A port nobody listens on: bound for a moment by the OS's choice, then released."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    content: bytes

    @property
    def parsed(self) -> EmailMessage:
        """The message as the email package reads it (headers decoded, e.g. a Chinese Subject)."""
        return email.message_from_bytes(self.content, policy=email.policy.default)

    @property
    def subject(self) -> str:
        """The Subject decoded from its RFC 2047 words. (Django folds a long encoded Subject right after the
        colon, and `policy.default` then keeps the folding space in front of the value.)"""
        raw = email.message_from_bytes(self.content)["Subject"]  # compat32: the header as sent
        return str(make_header(decode_header(raw)))


@dataclass
class _Handler:
    rcpt_reply: str | None = None
    delay: float = 0
    messages: list[ReceivedMessage] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_reply is not None:
            return self.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(
                ReceivedMessage(envelope.mail_from, tuple(envelope.rcpt_tos), bytes(envelope.content))
            )
        return "250 Message accepted for delivery"


class LocalSmtpServer:
    def __init__(self, *, port: int | None = None, rcpt_reply: str | None = None, delay: float = 0) -> None:
        self.host = HOST
        self.port = port or free_port()
        self._handler = _Handler(rcpt_reply=rcpt_reply, delay=delay)
        self._controller: Controller | None = None

    @property
    def messages(self) -> list[ReceivedMessage]:
        with self._handler.lock:
            return list(self._handler.messages)

    @property
    def subjects(self) -> list[str]:
        return [message.subject for message in self.messages]

    def start(self) -> "LocalSmtpServer":
        # SMTPUTF8 and 8BITMIME are advertised by default; a generous data size for digests.
        self._controller = Controller(self._handler, hostname=self.host, port=self.port, data_size_limit=0)
        self._controller.start()
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def wait_for(self, count: int, *, timeout: float = 10) -> list[ReceivedMessage]:
        """Poll until at least `count` messages arrived; raise AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while len(received := self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{count} message(s) expected within {timeout} s, got {len(received)}")
            time.sleep(0.02)
        return received

    def __enter__(self) -> "LocalSmtpServer":
        return self.start()

    def __exit__(self, *exc_info) -> None:
        self.stop()


def smtp_settings(settings, server: LocalSmtpServer) -> None:
    """Point Django's SMTP backend (through pytest-django's `settings` fixture) at the local server."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = server.host
    settings.EMAIL_PORT = server.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
