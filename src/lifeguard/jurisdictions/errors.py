"""Errors of the jurisdictions package: a malformed units file, and a location that cannot be routed."""

from __future__ import annotations


class UnitsFileError(ValueError):
    """The units file is malformed. ``file``, ``entry`` and ``field`` say where (``None`` when not applicable)."""

    def __init__(self, message: str, *, file: str, entry: str | None = None, field: str | None = None) -> None:
        self.file = file
        self.entry = entry
        self.field = field
        self.reason = message
        where = " ".join(
            part for part in (f"entry {entry!r}" if entry else "", f"field {field!r}" if field else "") if part
        )
        super().__init__(f"{file}: {where}: {message}" if where else f"{file}: {message}")


class RoutingError(LookupError):
    """No unit can be chosen for a location: it is unknown, contradictory, or no unit covering it can be reached.

    ``skipped`` lists the units that covered the location but could not take a referral, with the reason.
    """

    def __init__(self, message: str, *, skipped: list[tuple[str, str]] | None = None) -> None:
        self.skipped = list(skipped or [])
        detail = "; ".join(f"{unit}: {reason}" for unit, reason in self.skipped)
        super().__init__(f"{message} (skipped {detail})" if detail else message)
