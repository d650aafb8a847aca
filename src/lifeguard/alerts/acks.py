"""Partners' acknowledgements of the CAP messages we sent them.

A partner acknowledges each message once. A replayed acknowledgement (a retry, or a copy sent again by someone
who captured it) must not count again, and an acknowledgement of an older message of an alert after a newer one
was acknowledged is stale: the partner has moved on, and letting the old one through would, for example, make
the console show the partner on the superseded radius.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lifeguard.alerts.errors import StaleAcknowledgement, UnknownMessage


class AckResult(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"  # the same (partner, message) again: nothing changes; answer as before


@dataclass(frozen=True)
class _Sent:
    alert_id: str
    sequence: int


class AckLedger:
    def __init__(self) -> None:
        self._sent: dict[tuple[str, str], _Sent] = {}  # (partner, message id) -> what it was
        self._acked: set[tuple[str, str]] = set()
        self._latest: dict[tuple[str, str], int] = {}  # (partner, alert) -> highest acknowledged sequence

    def record_sent(self, partner_id: str, message_id: str, alert_id: str, sequence: int) -> None:
        self._sent[(partner_id, message_id)] = _Sent(alert_id, sequence)

    def acknowledge(self, partner_id: str, message_id: str) -> AckResult:
        """Accept once; DUPLICATE for the same again; raise for unknown or stale messages."""
        key = (partner_id, message_id)
        sent = self._sent.get(key)
        if sent is None:
            raise UnknownMessage(f"message {message_id!r} was never sent to partner {partner_id!r}")
        if key in self._acked:
            return AckResult.DUPLICATE
        latest = self._latest.get((partner_id, sent.alert_id), 0)
        if sent.sequence < latest:
            raise StaleAcknowledgement(
                f"partner {partner_id!r} already acknowledged message {latest} of alert {sent.alert_id!r}; "
                f"the acknowledgement of message {sent.sequence} is stale",
                details={"acknowledged_sequence": latest, "sequence": sent.sequence},
            )
        self._acked.add(key)
        self._latest[(partner_id, sent.alert_id)] = sent.sequence
        return AckResult.ACCEPTED

    def latest_acknowledged(self, partner_id: str, alert_id: str) -> int | None:
        return self._latest.get((partner_id, alert_id))

    def unacknowledged(self, alert_id: str, sequence: int) -> list[str]:
        """Partners sent message ``sequence`` of the alert that have not acknowledged it (or anything newer)."""
        return sorted(
            partner
            for (partner, _), sent in self._sent.items()
            if sent.alert_id == alert_id
            and sent.sequence == sequence
            and self._latest.get((partner, alert_id), 0) < sequence
        )
