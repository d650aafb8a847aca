"""Column types that encrypt on the way in and decrypt on the way out. The column name is bound into the
ciphertext (AES-GCM associated data), so a value copied into another column does not decrypt."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Text, TypeDecorator
from sqlalchemy.engine import Dialect

from lifeguard.privacy import keyring


class EncryptedText(TypeDecorator[str]):
    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring.current().encrypt(value.encode(), context=self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring.current().decrypt(value, context=self.context).decode()


class EncryptedJSON(TypeDecorator[Any]):
    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: Any, dialect: Dialect) -> str | None:
        if value is None:
            return None
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        return keyring.current().encrypt(plain, context=self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return json.loads(keyring.current().decrypt(value, context=self.context))


class EncryptedBytes(TypeDecorator[bytes]):
    """Binary values (a tip's photo), encrypted like the text columns; stored as the same text token."""

    impl = Text
    cache_ok = True

    def __init__(self, context: str) -> None:
        super().__init__()
        self.context = context

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> str | None:
        if value is None:
            return None
        return keyring.current().encrypt(bytes(value), context=self.context)

    def process_result_value(self, value: str | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        return keyring.current().decrypt(value, context=self.context)
