"""AES-256-GCM with key ids, so keys can be rotated: new writes use the active key, old rows still decrypt
with the key named in them until `lifeguard keys rotate` rewrites them.

The ring is process-wide: column types are built at import time and cannot be handed a runtime object, so
start-up installs the ring here (`install`) before any row is read or written."""

from __future__ import annotations

import base64
import hashlib
import os
import threading
from dataclasses import dataclass

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1"


class KeyError_(Exception):  # noqa: N801 - not the builtin KeyError
    pass


@dataclass(frozen=True)
class KeyRing:
    active: str
    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if self.active not in self.keys:
            raise KeyError_(f"the active key {self.active!r} is not in the ring")
        for kid, key in self.keys.items():
            if len(key) != 32:
                raise KeyError_(f"key {kid!r} must be 32 bytes (AES-256); it has {len(key)}")
            if not kid.isalnum():
                raise KeyError_(f"key id {kid!r} must be letters and digits")

    @classmethod
    def parse(cls, spec: str) -> KeyRing:
        """``kid:base64key[,kid:base64key...]``; the first is the active key."""
        keys: dict[str, bytes] = {}
        order: list[str] = []
        for part in (p.strip() for p in spec.split(",") if p.strip()):
            kid, _, b64 = part.partition(":")
            try:
                keys[kid] = base64.b64decode(b64, validate=True)
            except ValueError:
                raise KeyError_(f"key {kid!r} is not valid base64") from None
            order.append(kid)
        if not order:
            raise KeyError_("no encryption keys given")
        return cls(active=order[0], keys=keys)

    @classmethod
    def derived(cls, secret: str) -> KeyRing:
        """Development only: a key derived from the secret key, so `make run` works without setup."""
        return cls(active="dev", keys={"dev": hashlib.sha256(b"lifeguard-field-key:" + secret.encode()).digest()})

    def encrypt(self, plaintext: bytes, *, context: str) -> str:
        nonce = os.urandom(12)
        sealed = AESGCM(self.keys[self.active]).encrypt(nonce, plaintext, context.encode())
        return f"{PREFIX}:{self.active}:{base64.b64encode(nonce + sealed).decode()}"

    def decrypt(self, token: str, *, context: str) -> bytes:
        prefix, kid, b64 = (token.split(":", 2) + ["", ""])[:3]
        if prefix != PREFIX:
            raise KeyError_("not an encrypted value")
        key = self.keys.get(kid)
        if key is None:
            raise KeyError_(f"value was encrypted with key {kid!r}, which is not in the ring")
        raw = base64.b64decode(b64)
        return AESGCM(key).decrypt(raw[:12], raw[12:], context.encode())

    def key_id_of(self, token: str) -> str | None:
        parts = token.split(":", 2)
        return parts[1] if len(parts) == 3 and parts[0] == PREFIX else None


_lock = threading.Lock()
_ring: KeyRing | None = None


def install(ring: KeyRing) -> None:
    global _ring
    with _lock:
        _ring = ring


def current() -> KeyRing:
    if _ring is None:
        raise KeyError_("no encryption key ring installed (build_runtime installs it from the settings)")
    return _ring
