"""Scenario timelines: realistic sequences of events for one person, with the fused level and priority expected.

A scenario file (YAML) holds a list of scenarios::

    - id: story-man-after-parents-sleep
      title: He will jump from the roof after his parents fall asleep
      tz: "+08:00"                     # the person's local offset (default +00:00)
      start: "2026-12-05T21:40:00"     # local time of minute 0 (default 2026-12-05T20:00:00)
      events:                          # same shapes as the API's events; `at` is minutes after start
        - {at: 0, kind: message, text: 活着太累了}
        - {at: 12, kind: order, items: [{title: 百草枯, quantity: 2}]}
        - {at: 30, kind: report, reporter: {kind: user, id: r-1}, text: ...}
      evaluate_at: 45                  # minutes after start to read the result (default: the last event)
      expect: {level: attempt, priority: P0, reasons_include: ["fusion:behavior+time"]}

Missing event fields get API-like defaults (event ids, subject, conversation, speaker ``user``, order id).
``run_scenarios`` runs them through a real detector, ``observe`` and ``fuse``; ``format_table`` prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import yaml

from lifeguard.detection.assessment import Detector, TextInput
from lifeguard.detection.fusion.engine import FusedRisk, evaluate, fold
from lifeguard.detection.fusion.observe import Observation, observe
from lifeguard.detection.fusion.policy import Policy, load_policy
from lifeguard.detection.fusion.state import SubjectRisk
from lifeguard.detection.levels import Level
from lifeguard.detection.products.catalogue import Catalogue, load_catalogue

DEFAULT_START = "2026-12-05T20:00:00"
TIMELINES = Path(__file__).parent / "timelines"  # the shipped scenario suite: stories and look-alikes
_SCENARIO_FIELDS = {
    "id",
    "title",
    "lang",
    "tz",
    "start",
    "subject",
    "platform",
    "events",
    "evaluate_at",
    "expect",
    "tags",
}
_EXPECT_FIELDS = {"level", "priority", "reasons_include", "reasons_exclude", "max_level"}


class ScenarioError(ValueError):
    """A scenario file is malformed; the message names the file, the scenario and the field."""


@dataclass(frozen=True, slots=True)
class Scenario:
    id: str
    title: str
    lang: str
    source: str
    start: datetime
    subject: str
    platform: str
    events: tuple[dict[str, Any], ...]
    evaluate_at: float | None
    expect_level: Level
    expect_priority: int
    reasons_include: tuple[str, ...]
    reasons_exclude: tuple[str, ...]
    tags: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ScenarioResult:
    id: str
    title: str
    lang: str
    expected_level: Level
    expected_priority: int
    level: Level
    priority: int
    passed: bool
    problems: tuple[str, ...]
    fused: FusedRisk
    observations: tuple[Observation, ...]
    tags: tuple[str, ...] = ()

    @property
    def known_gap(self) -> bool:
        """A failure the scenario itself declares (``detector-gap``: the text detector misses a phrase)."""
        return not self.passed and "detector-gap" in self.tags


# -- loading ------------------------------------------------------------------------------------------------


def load_scenarios(path: Path | str) -> list[Scenario]:
    """All scenarios of one file, or of every ``*.yaml`` file in a directory (sorted by name)."""
    source = Path(path)
    files = sorted(source.glob("*.yaml")) if source.is_dir() else [source]
    if not files:
        raise ScenarioError(f"{source}: no scenario files (*.yaml)")
    scenarios: list[Scenario] = []
    seen: set[str] = set()
    for file in files:
        try:
            data = yaml.safe_load(file.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise ScenarioError(f"{file}: cannot read: {exc}") from exc
        if not isinstance(data, list):
            raise ScenarioError(f"{file}: must be a list of scenarios")
        for index, raw in enumerate(data):
            scenario = _parse(raw, f"{file.name}#{index}")
            if scenario.id in seen:
                raise ScenarioError(f"{file.name}: duplicate scenario id {scenario.id!r}")
            seen.add(scenario.id)
            scenarios.append(scenario)
    return scenarios


def _parse(raw: Any, where: str) -> Scenario:
    if not isinstance(raw, dict):
        raise ScenarioError(f"{where}: a scenario must be a mapping")
    scenario_id = raw.get("id")
    if not isinstance(scenario_id, str) or not scenario_id:
        raise ScenarioError(f"{where}: 'id' is missing")
    where = f"{where} ({scenario_id})"
    unknown = set(raw) - _SCENARIO_FIELDS
    if unknown:
        raise ScenarioError(f"{where}: unknown field(s) {', '.join(sorted(map(str, unknown)))}")
    tz = _offset(str(raw.get("tz", "+00:00")), where)
    try:
        start = datetime.fromisoformat(str(raw.get("start", DEFAULT_START))).replace(tzinfo=tz)
    except ValueError:
        raise ScenarioError(f"{where}: 'start' must be a local ISO time such as {DEFAULT_START}") from None
    events = raw.get("events")
    if not isinstance(events, list) or not events:
        raise ScenarioError(f"{where}: 'events' must be a non-empty list")
    for position, event in enumerate(events):
        if not isinstance(event, dict) or "kind" not in event or not isinstance(event.get("at"), int | float):
            raise ScenarioError(f"{where}: events[{position}] needs 'kind' and 'at' (minutes)")
    expect = raw.get("expect")
    if not isinstance(expect, dict) or "level" not in expect or "priority" not in expect:
        raise ScenarioError(f"{where}: 'expect' needs 'level' and 'priority'")
    if set(expect) - _EXPECT_FIELDS:
        raise ScenarioError(f"{where}: unknown expect field(s) {', '.join(sorted(set(expect) - _EXPECT_FIELDS))}")
    try:
        level = Level.parse(str(expect["level"]))
    except ValueError as exc:
        raise ScenarioError(f"{where}: expect.level: {exc}") from None
    priority_raw = str(expect["priority"]).strip().upper().removeprefix("P")
    if priority_raw not in {"0", "1", "2", "3"}:
        raise ScenarioError(f"{where}: expect.priority must be P0..P3")
    evaluate_at = raw.get("evaluate_at")
    if evaluate_at is not None and not isinstance(evaluate_at, int | float):
        raise ScenarioError(f"{where}: 'evaluate_at' must be minutes after start")
    return Scenario(
        id=scenario_id,
        title=str(raw.get("title", scenario_id)),
        lang=str(raw.get("lang", "")),
        source=where,
        start=start,
        subject=str(raw.get("subject", "subject-1")),
        platform=str(raw.get("platform", "demo-shop")),
        events=tuple(events),
        evaluate_at=float(evaluate_at) if evaluate_at is not None else None,
        expect_level=level,
        expect_priority=int(priority_raw),
        reasons_include=tuple(str(r) for r in expect.get("reasons_include", ())),
        reasons_exclude=tuple(str(r) for r in expect.get("reasons_exclude", ())),
        tags=tuple(str(t) for t in raw.get("tags", ())),
    )


def _offset(text: str, where: str) -> timezone:
    try:
        sign = -1 if text.startswith("-") else 1
        hours, minutes = text.lstrip("+-").split(":")
        return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))
    except ValueError:
        raise ScenarioError(f"{where}: 'tz' must look like +08:00") from None


# -- running ------------------------------------------------------------------------------------------------


def event_payload(scenario: Scenario, index: int, event: dict[str, Any]) -> tuple[str, datetime, dict[str, Any]]:
    """The API-shaped payload of one scenario event, with defaults filled in."""
    kind = str(event["kind"])
    occurred = scenario.start + timedelta(minutes=float(event["at"]))
    payload = {key: value for key, value in event.items() if key != "at"}
    payload.setdefault("event_id", f"{scenario.id}-{index}")
    payload.setdefault("subject", scenario.subject)
    payload["occurred_at"] = occurred.isoformat()
    if kind == "message":
        payload.setdefault("conversation_id", f"{scenario.id}-chat")
        payload.setdefault("speaker_role", "user")
    if kind == "order":
        payload.setdefault("order_id", f"{scenario.id}-order-{index}")
    return kind, occurred, payload


def text_of(kind: str, payload: dict[str, Any]) -> str:
    """The text a detector reads for an event (mirrors the ingestion's choice, without importing it)."""
    if kind == "search":
        return str(payload.get("query", ""))
    if kind == "order":
        items = payload.get("items")
        if isinstance(items, list):
            return "\n".join(str(item.get("title", "")) for item in items if isinstance(item, dict))
        return ""
    return str(payload.get("text", ""))


def run_scenario(scenario: Scenario, detector: Detector, catalogue: Catalogue, policy: Policy) -> ScenarioResult:
    state = SubjectRisk()
    observations: list[Observation] = []
    last = scenario.start
    for index, event in enumerate(scenario.events):
        kind, occurred, payload = event_payload(scenario, index, event)
        locale = payload.get("locale")
        lang = str(locale).split("-")[0].split("_")[0].lower() if locale else None
        assessment = detector.assess(TextInput(text=text_of(kind, payload), kind=kind, lang=lang))
        obs = observe(
            signal_id=str(payload["event_id"]), kind=kind, occurred_at=occurred, payload=payload,
            assessment=assessment, catalogue=catalogue, platform=str(payload.get("platform", scenario.platform)),
            max_tokens=policy.max_tokens,
        )  # fmt: skip
        fold(state, obs, policy)
        observations.append(obs)
        last = max(last, occurred)
    moment = scenario.start + timedelta(minutes=scenario.evaluate_at) if scenario.evaluate_at is not None else last
    fused = evaluate(state, now=moment, policy=policy)
    problems: list[str] = []
    if fused.level != scenario.expect_level:
        problems.append(f"level {fused.level.value} != expected {scenario.expect_level.value}")
    if fused.priority != scenario.expect_priority:
        problems.append(f"priority P{fused.priority} != expected P{scenario.expect_priority}")
    for wanted in scenario.reasons_include:
        if not any(reason.startswith(wanted) for reason in fused.reasons):
            problems.append(f"no reason starting {wanted!r}")
    for unwanted in scenario.reasons_exclude:
        if any(reason.startswith(unwanted) for reason in fused.reasons):
            problems.append(f"unwanted reason {unwanted!r}")
    return ScenarioResult(
        id=scenario.id, title=scenario.title, lang=scenario.lang, expected_level=scenario.expect_level,
        expected_priority=scenario.expect_priority, level=fused.level, priority=fused.priority,
        passed=not problems, problems=tuple(problems), fused=fused, observations=tuple(observations),
        tags=scenario.tags,
    )  # fmt: skip


def run_scenarios(
    path: Path | str,
    detector: Detector,
    *,
    catalogue: Catalogue | None = None,
    policy: Policy | None = None,
) -> list[ScenarioResult]:
    """Run every scenario of a file or directory with ``detector`` (and the shipped catalogue and policy)."""
    catalogue = catalogue if catalogue is not None else load_catalogue()
    policy = policy if policy is not None else load_policy()
    return [run_scenario(scenario, detector, catalogue, policy) for scenario in load_scenarios(path)]


def format_table(results: list[ScenarioResult]) -> str:
    """A plain-text table: one line per scenario, then a summary line."""
    header = ("", "scenario", "lang", "expected", "got", "key reasons")
    rows: list[tuple[str, ...]] = []
    for result in results:
        key = [r for r in result.fused.reasons if r.startswith(("fusion:", "priority:", "context:", "report:"))]
        detail = "; ".join(result.problems) if result.problems else ", ".join(key[:3])
        rows.append((
            "ok" if result.passed else "GAP" if result.known_gap else "FAIL",
            result.id,
            result.lang,
            f"{result.expected_level.value}/P{result.expected_priority}",
            f"{result.level.value}/P{result.priority}",
            detail[:110],
        ))  # fmt: skip
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header) - 1)]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row[:-1], widths, strict=True)) + "  " + row[-1]
             for row in [header, *rows]]  # fmt: skip
    passed = sum(result.passed for result in results)
    gaps = sum(result.known_gap for result in results)
    known = f" ({gaps} known detector gaps)" if gaps else ""
    lines.append(f"{passed}/{len(results)} scenarios as expected{known}")
    return "\n".join(lines)
