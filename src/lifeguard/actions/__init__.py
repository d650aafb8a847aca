"""What interventionists do on a case, as pure domain code: hotlines, safe messages, templates, playbooks.

No database, no web framework, no network: these modules read their validated YAML data files and compute.
Sending, holding orders and storing what was done live at the edges and call in here.
"""

from lifeguard.actions.hotlines import Hotline, HotlineDirectory, hotlines_for, load_directory
from lifeguard.actions.playbooks import Action, Step, load_playbooks, recommend
from lifeguard.actions.safe_messaging import SafetyReport, UnsafeMessageError, Violation, check
from lifeguard.actions.templates import Rendered, TemplateError, load_templates, render, suggested_replies

__all__ = [
    "Action",
    "Hotline",
    "HotlineDirectory",
    "Rendered",
    "SafetyReport",
    "Step",
    "TemplateError",
    "UnsafeMessageError",
    "Violation",
    "check",
    "hotlines_for",
    "load_directory",
    "load_playbooks",
    "load_templates",
    "recommend",
    "render",
    "suggested_replies",
]
