"""Recommended next steps on a case, per priority P0..P3, and which of them a platform may automate.

The playbook is data (``playbooks.yaml``) so that a platform can tune targets and wording without code, but
two rules are code and cannot be configured away: a message to the person and a referral to the police always
need a named human's confirmation, and every priority starts with reaching out to the person.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from lifeguard.actions.datafile import Fields, read_yaml


class Action(StrEnum):
    OUTREACH = "outreach"
    HOLD_ORDERS = "hold_orders"
    REFER_POLICE = "refer_police"
    FOLLOW_UP = "follow_up"
    NOTE = "note"


class Confirmation(StrEnum):
    HUMAN = "human"
    AUTOMATIC_ALLOWED = "automatic_allowed"


# Holding an order, scheduling a check-in and writing a note are reversible and speak to no one; the rest is not.
AUTOMATABLE: frozenset[Action] = frozenset({Action.HOLD_ORDERS, Action.FOLLOW_UP, Action.NOTE})
CONDITIONS: tuple[str, ...] = ("has_open_orders", "has_location", "outreach_sent", "referred")
PRIORITIES: tuple[int, ...] = (0, 1, 2, 3)
MAX_MINUTES = 7 * 24 * 60


@dataclass(frozen=True, slots=True)
class Step:
    action: Action
    confirmation: Confirmation
    note: str
    within_minutes: int | None = None
    when: tuple[str, ...] = ()  # conditions, each "name" or "not name"; all must hold

    @property
    def needs_human(self) -> bool:
        return self.confirmation is Confirmation.HUMAN

    def applies(self, facts: dict[str, bool]) -> bool:
        for condition in self.when:
            negated = condition.startswith("not ")
            name = condition[4:] if negated else condition
            if facts[name] == negated:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Playbook:
    priority: int
    label: str
    description: str
    steps: tuple[Step, ...]


class Playbooks:
    def __init__(self, playbooks: dict[int, Playbook]) -> None:
        self._by_priority = dict(playbooks)

    def get(self, priority: int) -> Playbook:
        if priority not in self._by_priority:
            raise ValueError(f"unknown priority {priority!r}; expected one of {PRIORITIES}")
        return self._by_priority[priority]

    def recommend(
        self, priority: int, *, has_open_orders: bool, has_location: bool, outreach_sent: bool, referred: bool
    ) -> list[Step]:
        """The steps that apply now, in the order to do them."""
        facts = {
            "has_open_orders": has_open_orders,
            "has_location": has_location,
            "outreach_sent": outreach_sent,
            "referred": referred,
        }
        return [step for step in self.get(priority).steps if step.applies(facts)]


def default_path() -> Path:
    return Path(str(resources.files("lifeguard.actions").joinpath("playbooks.yaml")))


def load_playbooks(path: Path | str | None = None) -> Playbooks:
    source = Path(path) if path is not None else default_path()
    return parse_playbooks(read_yaml(source), file=source.name)


@lru_cache(maxsize=1)
def default_playbooks() -> Playbooks:
    return load_playbooks()


def recommend(
    priority: int, *, has_open_orders: bool, has_location: bool, outreach_sent: bool, referred: bool
) -> list[Step]:
    """Next steps from the shipped playbook for a case of ``priority`` (0 = P0) in the state described."""
    return default_playbooks().recommend(
        priority,
        has_open_orders=has_open_orders,
        has_location=has_location,
        outreach_sent=outreach_sent,
        referred=referred,
    )


def parse_playbooks(data: Any, *, file: str = "playbooks.yaml") -> Playbooks:
    top = Fields(data, file=file, entry=None)
    top.reject_unknown(("version", "priorities"))
    top.integer("version", minimum=1, maximum=1_000_000)
    priorities = top.nested("priorities")
    names = [f"P{priority}" for priority in PRIORITIES]
    priorities.reject_unknown(names)
    playbooks: dict[int, Playbook] = {}
    for priority, name in zip(PRIORITIES, names, strict=True):
        fields = Fields(priorities.raw.get(name), file=file, entry=name)
        fields.reject_unknown(("label", "description", "steps"))
        steps = tuple(_parse_step(fields, index, raw) for index, raw in enumerate(fields.items("steps")))
        if not any(step.action is Action.OUTREACH for step in steps):
            raise fields.error("steps", "every priority reaches out to the person: add an outreach step")
        playbooks[priority] = Playbook(
            priority, fields.text("label", max_length=80), fields.text("description", max_length=500), steps
        )
    return Playbooks(playbooks)


def _parse_step(fields: Fields, index: int, raw: Any) -> Step:
    step = fields.nested_at("steps", index, raw)
    step.reject_unknown(("action", "confirmation", "note", "within_minutes", "when"))
    action_name = step.text("action")
    if action_name not in Action.__members__.values():
        raise step.error("action", f"{action_name!r} is not one of {', '.join(a.value for a in Action)}")
    action = Action(action_name)
    confirmation_name = step.text("confirmation")
    if confirmation_name not in Confirmation.__members__.values():
        raise step.error(
            "confirmation", f"{confirmation_name!r} is not one of {', '.join(c.value for c in Confirmation)}"
        )
    confirmation = Confirmation(confirmation_name)
    if confirmation is Confirmation.AUTOMATIC_ALLOWED and action not in AUTOMATABLE:
        raise step.error("confirmation", f"{action.value} always needs a human: it speaks to a person or to the police")
    within = step.integer("within_minutes", minimum=1, maximum=MAX_MINUTES) if step.has("within_minutes") else None
    when = step.texts("when", required=False)
    seen: set[str] = set()
    for position, condition in enumerate(when):
        name = condition[4:] if condition.startswith("not ") else condition
        if name not in CONDITIONS:
            raise step.error(f"when[{position}]", f"{condition!r}: unknown condition; known: {', '.join(CONDITIONS)}")
        if name in seen:
            raise step.error(f"when[{position}]", f"{name!r} appears twice (a step that can never apply?)")
        seen.add(name)
    return Step(action, confirmation, step.text("note", max_length=500), within, when)
