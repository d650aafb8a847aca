"""Reading the hand-maintained YAML files of this package with errors that say exactly where.

The people who keep ``hotlines.yaml``, ``templates.yaml`` and ``playbooks.yaml`` up to date are interventionists
and reviewers, not programmers. A mistake must be refused at load with the file, the entry and the field, so that
it is fixed before a wrong number or an unsafe sentence can reach a person in crisis.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml


class DataFileError(ValueError):
    """A data file is malformed. ``file``, ``entry`` and ``field`` say where (``None`` when not applicable)."""

    def __init__(self, message: str, *, file: str, entry: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.reason = message
        where = " ".join(
            part for part in (f"entry {entry!r}" if entry else "", f"field {field!r}" if field else "") if part
        )
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


def read_yaml(path: Path) -> Any:
    """The parsed YAML of ``path``; unreadable or invalid files raise ``DataFileError`` naming the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DataFileError(f"cannot read: {exc.strerror or exc}", file=path.name) from exc
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise DataFileError(f"not valid YAML: {exc}", file=path.name) from exc


class Fields:
    """Typed access to one mapping of a data file; every failure names the file, the entry and the dotted field."""

    def __init__(self, raw: Any, *, file: str, entry: str | None, prefix: str = "") -> None:
        self.file = file
        self.entry = entry
        self.prefix = prefix
        if not isinstance(raw, dict):
            raise DataFileError(
                f"must be a mapping, got {type(raw).__name__}", file=file, entry=entry, field=prefix.rstrip(".") or None
            )
        self.raw: dict[str, Any] = raw

    def error(self, field: str | None, message: str) -> DataFileError:
        name = f"{self.prefix}{field}" if field else (self.prefix.rstrip(".") or None)
        return DataFileError(message, file=self.file, entry=self.entry, field=name)

    def reject_unknown(self, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        unknown = sorted(str(key) for key in self.raw if key not in allowed)
        if unknown:
            raise self.error(unknown[0], f"unknown field (allowed: {', '.join(sorted(allowed))})")

    def has(self, name: str) -> bool:
        return self.raw.get(name) is not None

    def text(self, name: str, *, max_length: int = 2000) -> str:
        value = self.raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise self.error(
                name, "must be a non-empty string" if value is None else f"must be a string, got {value!r}"
            )
        if len(value) > max_length:
            raise self.error(name, f"is {len(value)} characters long; at most {max_length}")
        return value.strip()

    def optional_text(self, name: str, *, max_length: int = 2000) -> str | None:
        return self.text(name, max_length=max_length) if self.has(name) else None

    def texts(self, name: str, *, allowed: Iterable[str] | None = None, required: bool = True) -> tuple[str, ...]:
        value = self.raw.get(name)
        if value is None and not required:
            return ()
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, "must be a non-empty list of strings")
        choices = set(allowed) if allowed is not None else None
        out: list[str] = []
        for index, item in enumerate(value):
            if not isinstance(item, str) or not item.strip():
                raise self.error(f"{name}[{index}]", f"must be a non-empty string, got {item!r}")
            if choices is not None and item not in choices:
                raise self.error(f"{name}[{index}]", f"{item!r} is not one of {', '.join(sorted(choices))}")
            if item in out:
                raise self.error(f"{name}[{index}]", f"{item!r} is listed twice")
            out.append(item.strip())
        return tuple(out)

    def flag(self, name: str, *, default: bool | None = None) -> bool:
        value = self.raw.get(name, default)
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {value!r}")
        return value

    def integer(self, name: str, *, minimum: int, maximum: int, default: int | None = None) -> int:
        value = self.raw.get(name, default)
        if not isinstance(value, int) or isinstance(value, bool) or not minimum <= value <= maximum:
            raise self.error(name, f"must be an integer from {minimum} to {maximum}, got {value!r}")
        return value

    def date(self, name: str) -> dt.date:
        value = self.raw.get(name)
        if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        raise self.error(name, f"must be a date written YYYY-MM-DD, got {value!r}")

    def items(self, name: str, *, required: bool = True) -> list[Any]:
        value = self.raw.get(name)
        if value is None and not required:
            return []
        if not isinstance(value, list) or (required and not value):
            raise self.error(name, "must be a non-empty list")
        return value

    def nested(self, name: str) -> Fields:
        return Fields(self.raw.get(name), file=self.file, entry=self.entry, prefix=f"{self.prefix}{name}.")

    def nested_at(self, name: str, index: int, raw: Any) -> Fields:
        return Fields(raw, file=self.file, entry=self.entry, prefix=f"{self.prefix}{name}[{index}].")
