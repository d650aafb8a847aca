"""Police and emergency units, their areas and channels, routing a referral, and what a referral may disclose.

Pure domain code: no database, no web framework, no network.
"""

from lifeguard.jurisdictions.directory import (
    Routing,
    UnitDirectory,
    handover_allowed,
    handover_check,
    load_units,
    route,
)
from lifeguard.jurisdictions.disclosure import DisclosureError, build_package
from lifeguard.jurisdictions.errors import RoutingError, UnitsFileError
from lifeguard.jurisdictions.redaction import redact
from lifeguard.jurisdictions.units import Channel, Unit

__all__ = [
    "Channel",
    "DisclosureError",
    "RoutingError",
    "Routing",
    "Unit",
    "UnitDirectory",
    "UnitsFileError",
    "build_package",
    "handover_allowed",
    "handover_check",
    "load_units",
    "redact",
    "route",
]
