"""Imports every domain's tables so that metadata (and Alembic) sees them all."""

from lifeguard.alerts.models import (
    AlertDelivery,
    AlertPartner,
    AlertRow,
    AlertSubscriber,
    AlertSubscriberMail,
    AlertTargetsVersion,
    CapMessageRow,
    RateBucket,
    TipPhoto,
    TipRow,
)
from lifeguard.audit.models import AuditRecord
from lifeguard.auth.models import ApiKey, User
from lifeguard.cases.escalation_models import Escalation, EscalationLog
from lifeguard.cases.models import Case, CaseEvent
from lifeguard.db.base import Base
from lifeguard.delivery.models import OutboxMessage
from lifeguard.interventions.models import FollowUp, OrderHold, Referral
from lifeguard.oncall.models import ContactChannel, Notification, OnCallShift, Team, TeamMember
from lifeguard.partners.models import Partner
from lifeguard.risk.models import RiskObservation, SubjectRiskRow
from lifeguard.scheduling.models import Lease, Timer
from lifeguard.signals.models import InboxEntry, Signal, SignalCount

__all__ = [
    "AlertDelivery",
    "AlertPartner",
    "AlertRow",
    "AlertSubscriber",
    "AlertSubscriberMail",
    "AlertTargetsVersion",
    "CapMessageRow",
    "RateBucket",
    "TipPhoto",
    "TipRow",
    "ApiKey",
    "AuditRecord",
    "Base",
    "Case",
    "CaseEvent",
    "ContactChannel",
    "Escalation",
    "EscalationLog",
    "FollowUp",
    "OrderHold",
    "Referral",
    "Lease",
    "Notification",
    "OnCallShift",
    "OutboxMessage",
    "Team",
    "TeamMember",
    "Timer",
    "InboxEntry",
    "Partner",
    "RiskObservation",
    "SubjectRiskRow",
    "Signal",
    "SignalCount",
    "User",
]
