"""How a message leaves: an HTTP webhook (Standard Webhooks signed) or an e-mail over SMTP."""

from __future__ import annotations

import json
import re
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Protocol

import httpx

from lifeguard.delivery import signing
from lifeguard.delivery.models import OutboxMessage


class DeliveryError(Exception):
    """The receiver did not take the message; the text says why (shown to operators)."""


class Transport(Protocol):
    def send(self, message: OutboxMessage, *, timestamp: int) -> None: ...


class WebhookTransport:
    def __init__(self, *, timeout_seconds: float = 5.0, client: httpx.Client | None = None) -> None:
        self._client = client or httpx.Client(timeout=timeout_seconds, follow_redirects=False)

    def send(self, message: OutboxMessage, *, timestamp: int) -> None:
        body = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "Idempotency-Key": message.idempotency_key,
            "webhook-id": message.idempotency_key,  # the same on every retry: the receiver deduplicates on it
            "webhook-timestamp": str(timestamp),
        }
        if message.secret:
            headers.update(
                signing.headers(message.secret, msg_id=message.idempotency_key, timestamp=timestamp, body=body)
            )
        try:
            response = self._client.post(message.target, content=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
        if not 200 <= response.status_code < 300:
            raise DeliveryError(f"HTTP {response.status_code}: {response.text[:200]}")

    def close(self) -> None:
        self._client.close()


@dataclass
class SmtpTransport:
    host: str
    port: int = 25
    sender: str = "lifeguard@localhost"
    timeout_seconds: float = 10.0

    def send(self, message: OutboxMessage, *, timestamp: int) -> None:
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = message.target
        email["Subject"] = message.subject or "Lifeguard"
        # The idempotency key makes a retried page recognisable as one; only dot-atom characters survive parsing.
        email["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', message.idempotency_key)}@lifeguard>"
        email.set_content(str(message.payload.get("text", "")))
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
