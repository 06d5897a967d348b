"""Stand-ins for the outside world: a mail backend that refuses, an SMS gateway in memory."""

from __future__ import annotations

import smtplib
from typing import ClassVar

from django.core.mail.backends.base import BaseEmailBackend

from motcua.notices.senders import SendError


class RefusingEmailBackend(BaseEmailBackend):
    """Like an SMTP server rejecting the address: the error text repeats the recipient."""

    def send_messages(self, email_messages):
        for message in email_messages:
            raise smtplib.SMTPRecipientsRefused(
                {
                    message.to[0]: (
                        550,
                        f"5.1.1 <{message.to[0]}>: Recipient address rejected".encode(),
                    )
                }
            )
        return 0


class MemorySms:
    channel = "sms"
    enabled = True
    sent: ClassVar[list[tuple[str, str, str]]] = []
    failure: ClassVar[str | None] = None

    def send(self, recipient: str, subject: str, body: str) -> None:
        if MemorySms.failure is not None:
            raise SendError(MemorySms.failure)
        MemorySms.sent.append((recipient, subject, body))
