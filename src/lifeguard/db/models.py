"""Imports every domain's tables so that metadata (and Alembic) sees them all."""

from lifeguard.audit.models import AuditRecord
from lifeguard.auth.models import ApiKey, User
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.db.base import Base
from lifeguard.partners.models import Partner
from lifeguard.signals.models import InboxEntry, Signal, SignalCount

__all__ = [
    "ApiKey",
    "AuditRecord",
    "Base",
    "Case",
    "CaseEvent",
    "InboxEntry",
    "Partner",
    "Signal",
    "SignalCount",
    "User",
]
