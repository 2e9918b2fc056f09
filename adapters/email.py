"""Alerts by email, for role holders with no chat identity the bot can reach.

A real SMTP client (the standard library's smtplib, run in a worker thread so the event
loop never blocks). The Message-ID is derived from the alert id, so if a retry sends the
same alert twice, mail clients thread and de-duplicate it as one message.
"""

from __future__ import annotations

import asyncio
import smtplib
from email.message import EmailMessage
from email.utils import formatdate


class EmailSender:
    def __init__(
        self,
        host: str,
        port: int = 25,
        sender: str = "safeguarding-assistant@localhost",
        timeout: float = 30.0,
        starttls: bool = False,
        username: str = "",
        password: str = "",
    ):
        self.host, self.port, self.sender, self.timeout = host, port, sender, timeout
        self.starttls, self.username, self.password = starttls, username, password

    def message_id(self, alert_id: int) -> str:
        domain = self.sender.rsplit("@", 1)[-1] or "localhost"
        return f"<safeguarding-alert-{alert_id}@{domain}>"

    def build(self, alert_id: int, to: str, subject: str, body: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(usegmt=True)
        message["Message-ID"] = self.message_id(alert_id)
        message["X-Safeguarding-Alert-Id"] = str(alert_id)
        message.set_content(body)
        return message

    async def send_email(self, alert_id: int, to: str, subject: str, body: str) -> str:
        message = self.build(alert_id, to, subject, body)
        await asyncio.to_thread(self._send, message)
        return message["Message-ID"]

    def _send(self, message: EmailMessage) -> None:
        with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password)
            smtp.send_message(message)
