"""How a message leaves: an HTTP webhook (Standard Webhooks signed) or an e-mail over SMTP."""

from __future__ import annotations

import json
import re
import smtplib
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Final, Protocol

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


# Headers a payload may set (``payload["headers"]``); anything else is ignored, so a payload cannot forge routing.
MAIL_HEADERS: Final = frozenset({"Content-Language", "List-Unsubscribe", "List-Unsubscribe-Post"})
# Resolves an outbox target to an address at send time; None means "nobody to send to any more" (the message is
# then finished without sending). Lets an outbox row name a person by reference instead of holding their address.
AddressResolver = Callable[[str], str | None]


@dataclass
class SmtpTransport:
    host: str
    port: int = 25
    sender: str = "lifeguard@localhost"
    timeout_seconds: float = 10.0
    resolve: AddressResolver | None = None

    def send(self, message: OutboxMessage, *, timestamp: int) -> None:
        recipient = self.resolve(message.target) if self.resolve is not None else message.target
        if recipient is None:
            return  # unsubscribed or gone since the message was queued: nothing to send, nothing to retry
        email = EmailMessage()
        email["From"] = self.sender
        email["To"] = recipient
        email["Subject"] = message.subject or "Lifeguard"
        # The idempotency key makes a retried page recognisable as one; only dot-atom characters survive parsing.
        email["Message-ID"] = f"<{re.sub(r'[^A-Za-z0-9.-]', '.', message.idempotency_key)}@lifeguard>"
        email.set_content(str(message.payload.get("text", "")))  # first: it replaces any Content-* header
        headers = message.payload.get("headers")
        if isinstance(headers, dict):
            for name, value in headers.items():
                if name in MAIL_HEADERS and isinstance(value, str):
                    email[name] = value
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout_seconds) as smtp:
                smtp.send_message(email)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError(f"{type(exc).__name__}: {exc}") from None
