"""Sending rendered emails to an SMTP server with aiosmtplib.

Every message carries a Message-ID made from its email id, so a message
sent twice (a crash after the server took it but before we recorded that)
is recognisably the same message to the receiving side.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib

from kisalli_notifications.adapters.templates import RenderedEmail


@dataclass(frozen=True)
class Letter:
    email_id: str
    recipient: str
    language: str
    rendered: RenderedEmail


@dataclass(frozen=True)
class Outcome:
    """What the server said about one letter."""

    accepted: bool
    reason: str = ""
    smtp_code: int | None = None


ACCEPTED = Outcome(accepted=True)


def message_id(email_id: str, sender: str) -> str:
    domain = sender.rpartition("@")[2].strip("> ") or "kisalli.invalid"
    return f"<{email_id}@{domain}>"


def build_message(letter: Letter, sender: str, sender_name: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = Address(display_name=sender_name, addr_spec=sender)
    message["To"] = letter.recipient
    message["Subject"] = letter.rendered.subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = message_id(letter.email_id, sender)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(letter.rendered.text)
    message.add_alternative(letter.rendered.html, subtype="html")
    # After the content: setting it clears the Content-* headers.
    message["Content-Language"] = letter.language
    return message


def _outcome_of(exc: Exception) -> Outcome:
    if isinstance(exc, aiosmtplib.SMTPRecipientsRefused):
        codes = [r.code for r in exc.recipients]
        return Outcome(False, "recipient refused", max(codes) if codes else None)
    if isinstance(exc, aiosmtplib.SMTPResponseException):
        return Outcome(False, type(exc).__name__, exc.code)
    return Outcome(False, type(exc).__name__)


class SmtpMailer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        sender_name: str = "Kisälli",
        timeout: float = 10.0,
        start_tls: bool = False,
        username: str | None = None,
        password: str | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.sender = sender
        self.sender_name = sender_name
        self.timeout = timeout
        self.start_tls = start_tls
        self.username = username
        self.password = password

    async def send(self, letters: list[Letter]) -> list[Outcome]:
        """Send letters over one connection; one outcome per letter, in order."""
        if not letters:
            return []
        smtp = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            timeout=self.timeout,
            start_tls=self.start_tls,
            username=self.username,
            password=self.password,
        )
        try:
            await smtp.connect()
        except (aiosmtplib.SMTPException, OSError) as exc:
            return [_outcome_of(exc)] * len(letters)
        outcomes: list[Outcome] = []
        try:
            for letter in letters:
                outcomes.append(await self._send_one(smtp, letter))
        finally:
            if smtp.is_connected:
                try:
                    await smtp.quit()
                except (aiosmtplib.SMTPException, OSError):
                    smtp.close()
        return outcomes

    async def _send_one(self, smtp: aiosmtplib.SMTP, letter: Letter) -> Outcome:
        if not smtp.is_connected:
            return Outcome(False, "SMTPServerDisconnected")
        message = build_message(letter, self.sender, self.sender_name)
        try:
            await smtp.send_message(message)
        except (aiosmtplib.SMTPException, OSError) as exc:
            return _outcome_of(exc)
        return ACCEPTED
