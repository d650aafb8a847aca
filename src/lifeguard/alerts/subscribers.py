"""People who opt in to missing-person alerts near a place, at the storage edge: sign-up with double opt-in,
confirmation, unsubscribe, the e-mails each alert step sends them through the outbox, and the target index that
holds them as points next to the partners' H3 cells.

Personal data, kept to the least:
- the e-mail address and the place are encrypted at rest (``EncryptedText``); the place is rounded to 3 decimals
  (at most about 111 m north-south, less east-west) before it is stored, which is enough to say whether a
  person is inside a circle of 50 km or more and not enough to point at a house;
- a keyed hash of the address (``email_hash``) finds one person's sign-ups and limits the confirmation e-mails per
  address without decrypting anything;
- neither is ever logged, audited or put into an outbox row: an e-mail's outbox target is
  ``alert-subscriber:{kind}:{token}``, which the SMTP transport resolves at send time (``mail_address``), so an
  e-mail queued before an unsubscribe is not sent at all;
- unsubscribing deletes the row; a sign-up not confirmed within 7 days is deleted by ``lifeguard retention run``.

The target index (``target_index``) is built from the partners' coverage and the confirmed subscribers, and kept
per process until the random token in ``alert_targets_version`` changes: every change to who can be targeted
(coverage set, a subscriber confirmed or gone) writes a new token in the same transaction. A rebuild reuses the
points of the previous index and decrypts only the subscribers it has not seen. At 1,000,000 subscriptions a
rebuild costs the index build (2-3 s, ``bench/alert_targeting.py``) plus the new subscribers' decryption.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from lifeguard.alerts import ratelimit
from lifeguard.alerts.cap import MsgType, alert_words, cancel_words, format_radius
from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.geo import validate_point
from lifeguard.alerts.model import AlertContent
from lifeguard.alerts.models import (
    AlertPartner,
    AlertRow,
    AlertSubscriber,
    AlertSubscriberMail,
    AlertTargetsVersion,
    CapMessageRow,
)
from lifeguard.alerts.public_i18n import LANGUAGES, Translator, languages_of
from lifeguard.alerts.targeting import TargetIndex, TargetIndexBuilder
from lifeguard.audit import service as audit
from lifeguard.delivery import service as outbox
from lifeguard.delivery.models import OutboxMessage
from lifeguard.errors import Conflict, NotFound

PENDING: Final = "pending"
CONFIRMED: Final = "confirmed"
CONFIRM_WITHIN: Final = timedelta(days=7)
MAX_PLACES_PER_ADDRESS: Final = 5
PLACE_DECIMALS: Final = 3  # about 100 m
MAIL_TARGET: Final = "alert-subscriber:"
PATH: Final = "/alert-subscriptions"  # the public pages (``public.py``): sign-up, confirm, unsubscribe
_CHUNK: Final = 500
# Deliberately simple: one @, no spaces or control characters, a dot in the domain. The confirmation e-mail is
# the real check.
_EMAIL: Final = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s\x00-\x1f\x7f]+$")


# --- sign-up, confirmation, unsubscribe ---------------------------------------------------------------------------


def normalise_email(raw: str) -> str:
    email = (raw or "").strip()
    if len(email) > 254 or not _EMAIL.match(email):
        raise InvalidAlertInput("the e-mail address does not look like one (name@example.org)")
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def email_hash(secret: str, email: str) -> str:
    return hmac.new(secret.encode(), b"alert-subscriber:" + email.lower().encode(), hashlib.sha256).hexdigest()


def round_place(lat: float, lon: float) -> tuple[float, float]:
    validate_point(lat, lon)  # InvalidAlertInput naming the coordinate (400)
    return round(float(lat), PLACE_DECIMALS), round(float(lon), PLACE_DECIMALS)


def _place_text(lat: float, lon: float) -> str:
    return f"{lat:.{PLACE_DECIMALS}f},{lon:.{PLACE_DECIMALS}f}"


def _parse_place(text: str) -> tuple[float, float]:
    lat, _, lon = text.partition(",")
    return float(lat), float(lon)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SignUp:
    subscriber_id: int
    confirmation_sent: bool  # False when the address was already confirmed for this place


def subscribe(
    session: Session,
    *,
    email: str,
    lat: float,
    lon: float,
    language: str,
    secret: str,
    base_url: str,
    now: datetime,
) -> SignUp:
    """A pending sign-up and its confirmation e-mail (outbox), or the confirmation again for a pending one.

    The answer is the same whether or not the address was known, so the form tells nobody who has signed up.
    """
    address = normalise_email(email)
    lat, lon = round_place(lat, lon)
    if language not in LANGUAGES:
        raise InvalidAlertInput(f"language {language!r}: choose one of {', '.join(LANGUAGES)}")
    hashed = email_hash(secret, address)
    mine = list(session.scalars(select(AlertSubscriber).where(AlertSubscriber.email_hash == hashed)))
    same = next((s for s in mine if _parse_place(s.location) == (lat, lon)), None)
    if same is not None and same.status == CONFIRMED:
        return SignUp(same.id, confirmation_sent=False)
    if same is None and len(mine) >= MAX_PLACES_PER_ADDRESS:
        raise Conflict(f"this address has {MAX_PLACES_PER_ADDRESS} places already; stop one of them first")
    ratelimit.acquire(session, ratelimit.CONFIRM_MAIL, hashed, now=now)
    token = secrets.token_urlsafe(24)
    if same is None:
        same = AlertSubscriber(
            token=secrets.token_urlsafe(24),
            confirm_hash=_hash_token(token),
            email=address,
            email_hash=hashed,
            location=_place_text(lat, lon),
            language=language,
            status=PENDING,
            created_at=now,
        )
        session.add(same)
    else:  # pending: a new link (the old one stops working), the language as chosen now
        same.confirm_hash, same.language, same.created_at = _hash_token(token), language, now
    session.flush()
    t = Translator(language)
    link = f"{base_url}{PATH}/confirm/{token}?lang={language}"
    text = "\n\n".join(
        [
            t("Someone, we hope you, asked for missing-person alerts by e-mail near a place. To confirm, open:"),
            link,
            t(
                "If it was not you, ignore this e-mail: nothing is sent without confirmation, and the address is "
                "deleted within 7 days."
            ),
        ]
    )
    outbox.enqueue(
        session,
        channel="email",
        target=f"{MAIL_TARGET}confirm:{same.token}",
        subject=t("Confirm your alert sign-up"),
        payload={"text": text, "headers": {"Content-Language": language}},
        idempotency_key="alert-sub-confirm-" + _hash_token(token)[:40],
        now=now,
    )
    audit.record(
        session,
        at=now,
        actor="public",
        action="alert.subscriber_signed_up",
        object_type="alert_subscriber",
        object_id=same.id,
        data={"language": language},
    )
    return SignUp(same.id, confirmation_sent=True)


def pending_by_link(session: Session, token: str, *, now: datetime) -> AlertSubscriber:
    row = session.scalar(select(AlertSubscriber).where(AlertSubscriber.confirm_hash == _hash_token(token or "")))
    if row is None or row.created_at < now - CONFIRM_WITHIN:
        raise NotFound("this confirmation link is not valid any more; please sign up again")
    return row


def confirm(session: Session, token: str, *, now: datetime) -> AlertSubscriber:
    row = pending_by_link(session, token, now=now)
    row.status, row.confirmed_at, row.confirm_hash = CONFIRMED, now, None
    changed(session, now=now)
    audit.record(
        session,
        at=now,
        actor="public",
        action="alert.subscriber_confirmed",
        object_type="alert_subscriber",
        object_id=row.id,
        data={},
    )
    return row


def by_token(session: Session, token: str) -> AlertSubscriber | None:
    return session.scalar(select(AlertSubscriber).where(AlertSubscriber.token == (token or "")))


def unsubscribe(session: Session, token: str, *, now: datetime) -> bool:
    """Delete the sign-up and its e-mail log. Idempotent: an unknown or used link answers the same."""
    row = by_token(session, token)
    if row is None:
        return False
    subscriber_id = row.id
    session.execute(delete(AlertSubscriberMail).where(AlertSubscriberMail.subscriber_id == subscriber_id))
    session.delete(row)
    changed(session, now=now)
    audit.record(
        session,
        at=now,
        actor="public",
        action="alert.subscriber_unsubscribed",
        object_type="alert_subscriber",
        object_id=subscriber_id,
        data={},
    )
    return True


def delete_unconfirmed(session: Session, *, now: datetime, older_than: timedelta = CONFIRM_WITHIN) -> int:
    """Retention: sign-ups nobody confirmed within ``older_than`` are deleted outright."""
    result = session.execute(
        delete(AlertSubscriber).where(AlertSubscriber.status == PENDING, AlertSubscriber.created_at < now - older_than)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def mail_address(session: Session, target: str) -> str | None:
    """The SMTP transport's resolver: the address behind ``alert-subscriber:{confirm|alert}:{token}``, or None
    when the person has gone (unsubscribed, expired) or is not confirmed for alert e-mails: nothing is sent."""
    if not target.startswith(MAIL_TARGET):
        return target
    kind, _, token = target[len(MAIL_TARGET) :].partition(":")
    row = by_token(session, token)
    if row is None or (kind == "alert" and row.status != CONFIRMED) or kind not in ("alert", "confirm"):
        return None
    return row.email


# --- the target index ---------------------------------------------------------------------------------------------

_VERSION: Final = "targets"


@dataclass(frozen=True)
class _Cached:
    token: str
    index: TargetIndex
    ids: npt.NDArray[np.int64]  # confirmed subscribers, ascending
    lats: npt.NDArray[np.float64]  # their stored (rounded) places, degrees
    lons: npt.NDArray[np.float64]


_lock = threading.Lock()
_cache: dict[str, _Cached] = {}  # database URL -> the index built at a version token


def changed(session: Session, *, now: datetime) -> None:
    """Who can be targeted has changed: every process rebuilds its index on its next fan-out."""
    row = session.get(AlertTargetsVersion, _VERSION)
    if row is None:
        session.add(AlertTargetsVersion(name=_VERSION, token=uuid.uuid4().hex, changed_at=now))
    else:
        row.token, row.changed_at = uuid.uuid4().hex, now
    session.flush()


def _chunks(values: list[int], size: int = _CHUNK) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _places(
    session: Session, ids: npt.NDArray[np.int64], cached: _Cached | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The places of ``ids``: from the previous index's arrays where known (a place never changes: a new place is
    a new sign-up), decrypted from the table only for the others."""
    lats = np.full(ids.shape[0], np.nan)
    lons = np.full(ids.shape[0], np.nan)
    known = np.zeros(ids.shape[0], dtype=bool)
    if cached is not None and cached.ids.size and ids.size:
        at = np.minimum(np.searchsorted(cached.ids, ids), cached.ids.size - 1)
        known = cached.ids[at] == ids
        lats[known], lons[known] = cached.lats[at[known]], cached.lons[at[known]]
    missing = ids[~known]
    if missing.size:
        position = {int(i): n for n, i in enumerate(ids.tolist())}
        for chunk in _chunks(missing.tolist()):
            for subscriber_id, location in session.execute(
                select(AlertSubscriber.id, AlertSubscriber.location).where(AlertSubscriber.id.in_(chunk))
            ):
                lats[position[subscriber_id]], lons[position[subscriber_id]] = _parse_place(location)
    return lats, lons


def target_index(session: Session) -> TargetIndex:
    """Partners' cells and confirmed subscribers' points; cached per process while the version token holds.

    The token is read before the rows, so an index is never cached under a token newer than its data.
    """
    key = str(session.get_bind().url)
    token = session.scalar(select(AlertTargetsVersion.token).where(AlertTargetsVersion.name == _VERSION))
    with _lock:
        cached = _cache.get(key)
        if token is not None and cached is not None and cached.token == token:
            return cached.index
        builder = TargetIndexBuilder()
        for partner in session.scalars(select(AlertPartner).order_by(AlertPartner.partner_id)):
            if partner.cells:
                builder.add_partner(partner.partner_id, partner.cells)
        ids = np.fromiter(
            session.scalars(
                select(AlertSubscriber.id).where(AlertSubscriber.status == CONFIRMED).order_by(AlertSubscriber.id)
            ),
            dtype=np.int64,
        )
        lats, lons = _places(session, ids, cached)
        present = ~np.isnan(lats)  # a row deleted between the two reads has no place: left out
        ids, lats, lons = ids[present], lats[present], lons[present]
        builder.add_subscribers([str(i) for i in ids.tolist()], lats, lons)
        index = builder.build()
        if token is not None:
            _cache[key] = _Cached(token, index, ids, lats, lons)
        return index


# --- e-mails for each alert step ----------------------------------------------------------------------------------


def _base(content: AlertContent) -> str:
    return content.web_url.rsplit("/alerts/", 1)[0]


def unsubscribe_url(content: AlertContent, token: str, language: str | None = None) -> str:
    url = f"{_base(content)}{PATH}/unsubscribe/{token}"
    return f"{url}?lang={language}" if language else url


def _page(content: AlertContent, language: str) -> str:
    return f"{content.web_url}?lang={language}" if language in languages_of(content.languages) else content.web_url


def _step_note(t: Translator, kind: str, radius_km: float) -> str | None:
    if kind == "widened":
        return t(
            "Update: the alert now covers %(radius)s km around the last known place.", radius=format_radius(radius_km)
        )
    if kind == "revised":
        return t("Update: the police have new information.")
    return None


def mail_body(content: AlertContent, msg_type: str, language: str, *, kind: str, radius_km: float) -> tuple[str, str]:
    """(subject, body without the personal footer) in ``language``: the CAP message's own words, plain text."""
    t = Translator(language)
    if msg_type == MsgType.CANCEL.value:
        words = cancel_words(content, language)
        return words.headline, "\n\n".join([words.headline, words.description])
    words = alert_words(content, language)
    parts = [p for p in (_step_note(t, kind, radius_km), words.headline, words.description, words.instruction) if p]
    parts.append(t("Alert page (photo, map, tips): %(url)s", url=_page(content, language)))
    return words.headline, "\n\n".join(parts)


def _footer(content: AlertContent, language: str, token: str) -> str:
    t = Translator(language)
    return "\n\n".join(
        [
            "--",
            t("You get this e-mail because you asked for missing-person alerts near a place you chose."),
            t("Stop these e-mails: %(url)s", url=unsubscribe_url(content, token, language)),
        ]
    )


def mail_key(identifier: str, subscriber_id: int) -> str:
    return "alert-mail-" + hashlib.sha256(f"{identifier}\n{subscriber_id}".encode()).hexdigest()[:40]


def mailed_before(session: Session, row: AlertRow) -> frozenset[int]:
    """Subscribers sent any e-mail about this alert (the Cancel goes to them, as it goes to partners reached)."""
    return frozenset(
        session.scalars(
            select(AlertSubscriberMail.subscriber_id)
            .join(CapMessageRow, CapMessageRow.id == AlertSubscriberMail.cap_message_id)
            .where(CapMessageRow.alert_id == row.id)
            .distinct()
        )
    )


def mail_step(
    session: Session,
    *,
    content: AlertContent,
    message: CapMessageRow,
    subscriber_ids: Iterable[int | str],
    kind: str,
    now: datetime,
) -> int:
    """One e-mail per confirmed subscriber for this message, in their language; idempotent per (message,
    subscriber). Returns how many were queued. ``kind``: published, widened, revised, closed."""
    wanted = sorted({int(s) for s in subscriber_ids})
    if not wanted:
        return 0
    bodies: dict[str, tuple[str, str]] = {}
    queued = 0
    for chunk in _chunks(wanted):
        done = set(
            session.scalars(
                select(AlertSubscriberMail.subscriber_id).where(
                    AlertSubscriberMail.cap_message_id == message.id, AlertSubscriberMail.subscriber_id.in_(chunk)
                )
            )
        )
        people = session.execute(
            select(AlertSubscriber.id, AlertSubscriber.token, AlertSubscriber.language).where(
                AlertSubscriber.id.in_(chunk), AlertSubscriber.status == CONFIRMED
            )
        ).all()
        mails: list[dict[str, Any]] = []
        log: list[dict[str, Any]] = []
        for subscriber_id, token, language in people:
            if subscriber_id in done:
                continue
            if language not in bodies:
                bodies[language] = mail_body(
                    content, message.msg_type, language, kind=kind, radius_km=message.radius_km
                )
            subject, body = bodies[language]
            key = mail_key(message.identifier, subscriber_id)
            mails.append(
                {
                    "idempotency_key": key,
                    "channel": "email",
                    "target": f"{MAIL_TARGET}alert:{token}",
                    "subject": subject[:300],
                    "payload": {
                        "text": body + "\n\n" + _footer(content, language, token),
                        "headers": {
                            "Content-Language": language,
                            "List-Unsubscribe": f"<{unsubscribe_url(content, token)}>",
                            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                        },
                    },
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": now,
                    "created_at": now,
                }
            )
            log.append({"cap_message_id": message.id, "subscriber_id": subscriber_id, "idempotency_key": key})
        if mails:
            existing = set(
                session.scalars(
                    select(OutboxMessage.idempotency_key).where(
                        OutboxMessage.idempotency_key.in_([m["idempotency_key"] for m in mails])
                    )
                )
            )
            fresh = [m for m in mails if m["idempotency_key"] not in existing]
            if fresh:
                session.execute(insert(OutboxMessage), fresh)
            session.execute(insert(AlertSubscriberMail), log)
            queued += len(mails)
    return queued
