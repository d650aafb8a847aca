"""Who may be published in which category: rules read from ``criteria.yaml``, checked against an officer's facts.

The rules are data so that a country or a police force can set its own bar (AMBER-style criteria differ by state)
without touching code. Loading validates the whole file; a wrong file fails at start-up, naming the place.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from lifeguard.alerts.model import Category, MissingPerson

FactValue = bool | int | None
_FACT_TYPES: dict[str, type] = {"bool": bool, "int": int}
_INT_OPS: dict[str, tuple[str, Callable[[int, int], bool]]] = {
    "lt": ("<", operator.lt),
    "le": ("<=", operator.le),
    "gt": (">", operator.gt),
    "ge": (">=", operator.ge),
    "eq": ("==", operator.eq),
}


class CriteriaConfigError(ValueError):
    """The criteria file is malformed; the message names the place (``categories.child.all[1]``)."""


@dataclass(frozen=True)
class FactRule:
    fact: str
    op: str  # "is" or one of _INT_OPS
    value: bool | int
    reason: str | None

    def describe(self) -> str:
        if self.op == "is":
            return f"{self.fact} is {str(self.value).lower()}"
        return f"{self.fact} {_INT_OPS[self.op][0]} {self.value}"

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        given = facts.get(self.fact)
        if given is None:
            return False
        if self.op == "is":
            return given is self.value
        return _INT_OPS[self.op][1](int(given), int(self.value))

    def unmet(self, facts: Mapping[str, FactValue]) -> str | None:
        if self.holds(facts):
            return None
        given = facts.get(self.fact)
        detail = f"{self.fact} is not known" if given is None else f"needs {self.describe()}, given {given!r}"
        return f"{self.reason} ({detail})" if self.reason else detail


@dataclass(frozen=True)
class AnyRule:
    options: tuple[FactRule, ...]
    reason: str | None

    def holds(self, facts: Mapping[str, FactValue]) -> bool:
        return any(rule.holds(facts) for rule in self.options)

    def unmet(self, facts: Mapping[str, FactValue]) -> str | None:
        if self.holds(facts):
            return None
        detail = "needs one of: " + ", ".join(rule.describe() for rule in self.options)
        return f"{self.reason} ({detail})" if self.reason else detail


Rule = FactRule | AnyRule


@dataclass(frozen=True)
class Criteria:
    facts: Mapping[str, type]
    rules: Mapping[Category, tuple[Rule, ...]]

    def check(self, category: Category, facts: Mapping[str, FactValue]) -> list[str]:
        """The reasons the facts do not meet the category's criteria, in file order; empty when publishable."""
        unknown = sorted(set(facts) - set(self.facts))
        if unknown:
            # A misspelt fact ("police_confirmed") would silently count as unknown; say so instead.
            raise CriteriaConfigError(f"unknown facts {unknown}; known: {sorted(self.facts)}")
        for name, value in facts.items():
            expected = self.facts[name]
            if value is not None and (type(value) is not expected):
                raise CriteriaConfigError(f"fact {name!r} must be {expected.__name__}, got {value!r}")
        reasons = [rule.unmet(facts) for rule in self.rules[category]]
        return [r for r in reasons if r is not None]


def _parse_fact_rule(raw: Any, where: str, fact_types: Mapping[str, type]) -> FactRule:
    if not isinstance(raw, dict):
        raise CriteriaConfigError(f"{where}: a rule must be a mapping, got {raw!r}")
    allowed = {"fact", "reason", "is", *_INT_OPS}
    extra = set(raw) - allowed
    if extra:
        raise CriteriaConfigError(f"{where}: unknown keys {sorted(extra)} (allowed: {sorted(allowed)})")
    fact = raw.get("fact")
    if not isinstance(fact, str) or fact not in fact_types:
        raise CriteriaConfigError(f"{where}: unknown fact {fact!r}; declare it under 'facts'")
    ops = [k for k in raw if k == "is" or k in _INT_OPS]
    if len(ops) != 1:
        raise CriteriaConfigError(f"{where}: a rule needs exactly one operator of is/lt/le/gt/ge/eq, got {ops}")
    op = ops[0]
    value = raw[op]
    if op == "is":
        if fact_types[fact] is not bool or not isinstance(value, bool):
            raise CriteriaConfigError(f"{where}: 'is' compares a bool fact with true/false")
    elif fact_types[fact] is not int or isinstance(value, bool) or not isinstance(value, int):
        raise CriteriaConfigError(f"{where}: '{op}' compares an int fact with an integer")
    reason = raw.get("reason")
    if reason is not None and (not isinstance(reason, str) or not reason.strip()):
        raise CriteriaConfigError(f"{where}: reason must be a non-empty text")
    return FactRule(fact=fact, op=op, value=value, reason=reason)


def _parse_rule(raw: Any, where: str, fact_types: Mapping[str, type]) -> Rule:
    if isinstance(raw, dict) and "any" in raw:
        extra = set(raw) - {"any", "reason"}
        if extra:
            raise CriteriaConfigError(f"{where}: unknown keys {sorted(extra)} beside 'any'")
        options = raw["any"]
        if not isinstance(options, list) or len(options) < 2:
            raise CriteriaConfigError(f"{where}: 'any' needs a list of at least two rules")
        reason = raw.get("reason")
        if reason is not None and (not isinstance(reason, str) or not reason.strip()):
            raise CriteriaConfigError(f"{where}: reason must be a non-empty text")
        return AnyRule(
            options=tuple(_parse_fact_rule(o, f"{where}.any[{i}]", fact_types) for i, o in enumerate(options)),
            reason=reason,
        )
    return _parse_fact_rule(raw, where, fact_types)


def parse_criteria(data: Any) -> Criteria:
    if not isinstance(data, dict):
        raise CriteriaConfigError("criteria: the file must be a mapping")
    if data.get("version") != 1:
        raise CriteriaConfigError(f"criteria: version must be 1, got {data.get('version')!r}")
    raw_facts = data.get("facts")
    if not isinstance(raw_facts, dict) or not raw_facts:
        raise CriteriaConfigError("facts: declare the facts rules may use, e.g. {age: int}")
    fact_types: dict[str, type] = {}
    for name, type_name in raw_facts.items():
        if type_name not in _FACT_TYPES:
            raise CriteriaConfigError(f"facts.{name}: type must be bool or int, got {type_name!r}")
        fact_types[str(name)] = _FACT_TYPES[type_name]
    raw_categories = data.get("categories")
    if not isinstance(raw_categories, dict):
        raise CriteriaConfigError("categories: must be a mapping of category to rules")
    names = set(map(str, raw_categories))
    expected = {c.value for c in Category}
    if names != expected:
        raise CriteriaConfigError(
            f"categories: must be exactly {sorted(expected)}; missing {sorted(expected - names)}, "
            f"unknown {sorted(names - expected)}"
        )
    rules: dict[Category, tuple[Rule, ...]] = {}
    for name, body in raw_categories.items():
        where = f"categories.{name}"
        if not isinstance(body, dict) or set(body) != {"all"} or not isinstance(body["all"], list) or not body["all"]:
            raise CriteriaConfigError(f"{where}: must be {{all: [rules...]}} with at least one rule")
        rules[Category(name)] = tuple(
            _parse_rule(raw, f"{where}.all[{i}]", fact_types) for i, raw in enumerate(body["all"])
        )
    return Criteria(facts=fact_types, rules=rules)


def load_criteria(path: Path | None = None) -> Criteria:
    """The shipped ``criteria.yaml``, or a deployment's own file."""
    if path is None:
        text = resources.files("lifeguard.alerts").joinpath("criteria.yaml").read_text(encoding="utf-8")
        where = "criteria.yaml"
    else:
        text = path.read_text(encoding="utf-8")
        where = str(path)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise CriteriaConfigError(f"{where}: not valid YAML: {exc}") from exc
    return parse_criteria(data)


@functools.cache
def default_criteria() -> Criteria:
    """Parsed once per process: the shipped file is package data and does not change under us."""
    return load_criteria()


def check_criteria(category: Category, facts: Mapping[str, FactValue], criteria: Criteria | None = None) -> list[str]:
    """What is unmet for publishing ``category`` with ``facts``; an empty list means the alert may go out."""
    return (criteria or default_criteria()).check(Category(category), facts)


def facts_about(person: MissingPerson, **officer_facts: bool | None) -> dict[str, FactValue]:
    """The facts the record itself tells (age, description), plus what the officer states."""
    facts: dict[str, FactValue] = {"age": person.age, "has_description": person.has_description}
    facts.update(officer_facts)
    return facts
