"""An in-process SMTP sink for tests: real SMTP on loopback, messages kept in memory."""

from __future__ import annotations

from email import message_from_bytes
from email.message import Message

from aiosmtpd.controller import Controller


class _CollectingHandler:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.refuse = False

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd API)
        if self.refuse:
            return "451 4.3.0 temporarily refusing mail"
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


class SmtpSink:
    def __init__(self, port: int) -> None:
        self.port = port
        self.handler = _CollectingHandler()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[Message]:
        return self.handler.messages

    def refuse_mail(self, refuse: bool = True) -> None:
        self.handler.refuse = refuse

    def start(self) -> SmtpSink:
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
