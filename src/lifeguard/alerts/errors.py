"""Errors of the alerts domain. Each carries the HTTP status and code the app's one error handler renders."""

from __future__ import annotations

from typing import Any

from lifeguard.errors import BadRequest, Conflict, LifeguardError, NotFound, PayloadTooLarge


class InvalidAlertInput(BadRequest):
    """Coordinates, radii, times or texts that cannot be right."""

    code = "invalid_alert_input"


class CriteriaNotMet(BadRequest):
    """The person does not (yet) meet the publishing criteria of the chosen category."""

    code = "alert_criteria_not_met"

    def __init__(self, category: str, unmet: list[str]) -> None:
        super().__init__(f"{category} alert cannot be published: " + "; ".join(unmet), details={"unmet": unmet})
        self.unmet = unmet


class CapValidationError(BadRequest):
    """A CAP message that the official CAP 1.2 schema (or the CAP text rules) rejects."""

    code = "cap_invalid"


class InvalidPhoto(BadRequest):
    code = "invalid_photo"


class PhotoTooLarge(PayloadTooLarge):
    code = "photo_too_large"


class UnknownAlert(NotFound):
    code = "unknown_alert"


class UnknownMessage(NotFound):
    code = "unknown_message"


class InvalidAlertTransition(Conflict):
    code = "invalid_alert_transition"


class StaleAcknowledgement(Conflict):
    code = "stale_acknowledgement"


class MailNotConfigured(LifeguardError):
    """Alert e-mails asked for on a server with no mail relay (LIFEGUARD_SMTP_HOST unset)."""

    status_code = 503
    code = "email_not_configured"


class RateLimited(LifeguardError):
    status_code = 429
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_seconds: float, details: Any = None) -> None:
        super().__init__(message, details=details)
        self.retry_after_seconds = retry_after_seconds
