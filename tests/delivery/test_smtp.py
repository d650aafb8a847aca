"""Pages by e-mail go through a real SMTP conversation (a minimal server on loopback stands in for the relay)."""

from __future__ import annotations

import socketserver
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from lifeguard.delivery.models import OutboxMessage
from lifeguard.delivery.transports import DeliveryError, SmtpTransport


@contextmanager
def smtp_server() -> Iterator[tuple[int, list[bytes]]]:
    received: list[bytes] = []

    class Handler(socketserver.StreamRequestHandler):
        def handle(self) -> None:
            self.wfile.write(b"220 test ESMTP\r\n")
            while line := self.rfile.readline():
                command = line.strip().upper()
                if command.startswith((b"EHLO", b"HELO")):
                    self.wfile.write(b"250 test\r\n")
                elif command == b"DATA":
                    self.wfile.write(b"354 go on\r\n")
                    body = b""
                    while (chunk := self.rfile.readline()) not in (b".\r\n", b""):
                        body += chunk
                    received.append(body)
                    self.wfile.write(b"250 queued\r\n")
                elif command == b"QUIT":
                    self.wfile.write(b"221 bye\r\n")
                    return
                else:  # MAIL FROM, RCPT TO, RSET, NOOP
                    self.wfile.write(b"250 ok\r\n")

    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], received
    finally:
        server.shutdown()
        server.server_close()


def _message(target: str) -> OutboxMessage:
    now = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
    return OutboxMessage(
        idempotency_key="page:7:0:3",
        channel="email",
        target=target,
        subject="[Lifeguard] P0 case #7 not acknowledged",
        payload={"text": "P0 case #7 not acknowledged in time (attempt)"},
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def test_a_page_is_sent_as_an_email() -> None:
    with smtp_server() as (port, received):
        SmtpTransport(host="127.0.0.1", port=port, sender="pager@lifeguard.test").send(
            _message("li@team.test"), timestamp=0
        )
    (mail,) = received
    assert b"To: li@team.test" in mail and b"not acknowledged in time" in mail
    assert b"Message-ID: <page.7.0.3@lifeguard>" in mail  # the same page retried is recognisable as one


def test_a_dead_relay_is_a_failed_delivery_not_a_crash() -> None:
    try:
        SmtpTransport(host="127.0.0.1", port=9, timeout_seconds=2).send(_message("li@team.test"), timestamp=0)
    except DeliveryError as exc:
        assert "Error" in str(exc) or "refused" in str(exc).lower()
    else:
        raise AssertionError("sending to a closed port should fail")
