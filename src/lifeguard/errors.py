"""One error base class that carries its HTTP status and a machine-readable code; one handler renders it."""

from __future__ import annotations

from typing import Any


class LifeguardError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": {"code": self.code, "message": self.message}}
        if self.details is not None:
            body["error"]["details"] = self.details
        return body


class BadRequest(LifeguardError):
    status_code = 400
    code = "bad_request"


class Unauthenticated(LifeguardError):
    status_code = 401
    code = "unauthenticated"


class Forbidden(LifeguardError):
    status_code = 403
    code = "forbidden"


class NotFound(LifeguardError):
    status_code = 404
    code = "not_found"


class Conflict(LifeguardError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(LifeguardError):
    status_code = 413
    code = "payload_too_large"


class InvalidTransition(Conflict):
    code = "invalid_transition"
