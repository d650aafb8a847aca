"""Roles and what each may do, as data. Every endpoint names the permission it needs."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    INTERVENTIONIST = "interventionist"
    SUPERVISOR = "supervisor"
    POLICE_LIAISON = "police_liaison"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Permission(StrEnum):
    CASES_VIEW = "cases.view"
    CASES_VIEW_REFERRED = "cases.view_referred"  # only cases referred to the user's own unit
    CASES_WORK = "cases.work"  # notes, status, outcome
    AUDIT_VIEW = "audit.view"
    METRICS_VIEW = "metrics.view"
    REFERRALS_RESPOND = "referrals.respond"  # a liaison answers for their unit in the police portal
    # Missing-person alerts of the user's own unit: publish, read and triage the tips, close with an outcome.
    ALERTS_MANAGE = "alerts.manage"
    ALERTS_VIEW = "alerts.view"  # every unit's alerts and their statistics, read only (no tips: they are the unit's)


GRANTS: dict[Role, frozenset[Permission]] = {
    Role.INTERVENTIONIST: frozenset({Permission.CASES_VIEW, Permission.CASES_WORK}),
    Role.SUPERVISOR: frozenset(
        {
            Permission.CASES_VIEW,
            Permission.CASES_WORK,
            Permission.AUDIT_VIEW,
            Permission.METRICS_VIEW,
            Permission.ALERTS_VIEW,
        }
    ),
    # A police liaison sees only cases referred to their unit; referrals arrive with the intervention ladder.
    # Alerts are their unit's too: a liaison without a unit publishes nothing and sees no alert.
    Role.POLICE_LIAISON: frozenset(
        {Permission.CASES_VIEW_REFERRED, Permission.REFERRALS_RESPOND, Permission.ALERTS_MANAGE}
    ),
    Role.AUDITOR: frozenset(
        {Permission.CASES_VIEW, Permission.AUDIT_VIEW, Permission.METRICS_VIEW, Permission.ALERTS_VIEW}
    ),
    Role.ADMIN: frozenset(
        {
            Permission.CASES_VIEW,
            Permission.CASES_WORK,
            Permission.AUDIT_VIEW,
            Permission.METRICS_VIEW,
            Permission.ALERTS_VIEW,
        }
    ),
}


class Scope(StrEnum):
    """What a partner API key may do."""

    SIGNALS_WRITE = "signals:write"
    CASES_READ = "cases:read"
    METRICS_READ = "metrics:read"
    ORDERS_RESPOND = "orders:respond"  # a commerce partner answers hold requests
    REFERRALS_RESPOND = "referrals:respond"  # a police unit acknowledges, hands on, reports an outcome
    ALERTS_PUBLISH = "alerts:publish"  # a police unit publishes and closes missing-person alerts
    ALERTS_RECEIVE = "alerts:receive"  # a partner app sets its coverage and acknowledges CAP messages


def allows(role: str, permission: Permission) -> bool:
    try:
        return permission in GRANTS[Role(role)]
    except ValueError:
        return False
