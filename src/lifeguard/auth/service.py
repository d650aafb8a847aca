"""Users and API keys: create, verify. Secrets are stored as argon2 hashes only."""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from lifeguard.audit import service as audit
from lifeguard.auth.models import ApiKey, User
from lifeguard.auth.roles import Role, Scope
from lifeguard.errors import BadRequest, Conflict, NotFound
from lifeguard.partners.models import Partner

_hasher = PasswordHasher()
KEY_PREFIX = "lg"
MIN_PASSWORD_LENGTH = 10


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


def verify_secret(stored_hash: str, secret: str) -> bool:
    try:
        return _hasher.verify(stored_hash, secret)
    except (VerificationError, InvalidHashError):
        return False


def add_user(
    session: Session,
    *,
    username: str,
    password: str,
    role: str,
    now: datetime,
    actor: str,
    display_name: str | None = None,
    locale: str = "en",
) -> User:
    try:
        Role(role)
    except ValueError:
        raise BadRequest(f"unknown role {role!r}; roles: {', '.join(r.value for r in Role)}") from None
    if len(password) < MIN_PASSWORD_LENGTH:
        raise BadRequest(f"password must have at least {MIN_PASSWORD_LENGTH} characters")
    if session.scalar(select(User).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} exists")
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_secret(password),
        role=role,
        locale=locale,
        active=True,
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="user.added",
        object_type="user",
        object_id=user.id,
        data={"username": username, "role": role},
    )
    return user


def authenticate_user(session: Session, *, username: str, password: str) -> User | None:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        # Spend the same time as a real check so that timing does not reveal which usernames exist.
        verify_secret(_DUMMY_HASH, password)
        return None
    if not user.active or not verify_secret(user.password_hash, password):
        return None
    return user


_DUMMY_HASH = _hasher.hash("timing-equaliser")


def ensure_partner(session: Session, *, partner_id: str, name: str, now: datetime, kind: str = "platform") -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        partner = Partner(id=partner_id, name=name, kind=kind, created_at=now)
        session.add(partner)
        session.flush()
    return partner


@dataclass(frozen=True)
class IssuedKey:
    key: str  # shown once, never stored
    prefix: str
    partner_id: str
    scopes: tuple[str, ...]


def create_api_key(session: Session, *, partner_id: str, scopes: list[str], now: datetime, actor: str) -> IssuedKey:
    if session.get(Partner, partner_id) is None:
        raise NotFound(f"unknown partner {partner_id!r}")
    known = {s.value for s in Scope}
    unknown = [s for s in scopes if s not in known]
    if unknown or not scopes:
        raise BadRequest(f"scopes must be a non-empty subset of {sorted(known)}; got {scopes}")
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = f"{KEY_PREFIX}_{prefix}_{secret}"
    session.add(
        ApiKey(
            partner_id=partner_id, prefix=prefix, secret_hash=hash_secret(key), scopes=sorted(scopes), created_at=now
        )
    )
    session.flush()
    audit.record(
        session,
        at=now,
        actor=actor,
        action="apikey.created",
        object_type="partner",
        object_id=partner_id,
        data={"prefix": prefix, "scopes": sorted(scopes)},
    )
    return IssuedKey(key=key, prefix=prefix, partner_id=partner_id, scopes=tuple(sorted(scopes)))


@dataclass(frozen=True)
class KeyPrincipal:
    partner_id: str
    prefix: str
    scopes: frozenset[str]


class ApiKeyVerifier:
    """Checks bearer keys. argon2 is slow by design, so a verified key is remembered briefly (by its SHA-256,
    never the key itself) to keep ingestion fast; revocation takes effect within ``ttl_seconds``."""

    def __init__(self, ttl_seconds: float = 60.0) -> None:
        self._ttl = ttl_seconds
        self._cache: dict[str, tuple[float, KeyPrincipal]] = {}
        self._lock = threading.Lock()

    def verify(self, session: Session, presented: str) -> KeyPrincipal | None:
        fingerprint = hashlib.sha256(presented.encode()).hexdigest()
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(fingerprint)
            if cached and cached[0] > now:
                return cached[1]
        parts = presented.split("_", 2)
        if len(parts) != 3 or parts[0] != KEY_PREFIX:
            return None
        row = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
        if row is None or row.revoked_at is not None or not verify_secret(row.secret_hash, presented):
            return None
        principal = KeyPrincipal(partner_id=row.partner_id, prefix=row.prefix, scopes=frozenset(row.scopes))
        with self._lock:
            self._cache[fingerprint] = (now + self._ttl, principal)
        return principal

    def forget_all(self) -> None:
        with self._lock:
            self._cache.clear()
