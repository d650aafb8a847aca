"""How far the alert reaches, and when it widens.

The published practice (China's missing-children alert platform): 100 km after one hour, 200 km after two, 300 km
after three, then 500 km. What happens in the first hour is not published; we start at 50 km at once, because a
child who went missing minutes ago is most likely still near, and an hour with no alert at all would waste the
most valuable time. After three hours the next step is 500 km at four hours, the last one: by then a person may
be on a train, and a wider circle would reach mostly people with no chance of having seen them.

A deployment sets its own steps (``WideningSchedule.parse``); the rules below keep any schedule meaningful.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.geo import validate_radius_km
from lifeguard.alerts.model import require_aware

_DURATION = re.compile(r"^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")


def parse_duration(text: str | timedelta) -> timedelta:
    """``"90m"``, ``"1h"``, ``"1h30m"``, ``"2d"`` or a timedelta."""
    if isinstance(text, timedelta):
        return text
    match = _DURATION.match(text.strip()) if isinstance(text, str) else None
    if match is None or not text.strip() or not any(match.groups()):
        raise InvalidAlertInput(f"duration {text!r} is not of the form '90m', '1h', '1h30m' or '2d'")
    days, hours, minutes = (int(g or 0) for g in match.groups())
    return timedelta(days=days, hours=hours, minutes=minutes)


@dataclass(frozen=True)
class Step:
    index: int
    after: timedelta  # since publication
    radius_km: float


@dataclass(frozen=True)
class WideningSchedule:
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise InvalidAlertInput("a widening schedule needs at least one step")
        if self.steps[0].after != timedelta(0):
            raise InvalidAlertInput(
                f"the first step must start at publication (after 0), got {self.steps[0].after}: "
                "an alert always goes out with some radius"
            )
        for i, step in enumerate(self.steps):
            if step.index != i:
                raise InvalidAlertInput(f"step {i} carries index {step.index}")
            try:
                validate_radius_km(step.radius_km)
            except InvalidAlertInput as exc:
                raise InvalidAlertInput(f"step {i}: {exc.message}") from exc
            if i == 0:
                continue
            before = self.steps[i - 1]
            if step.after <= before.after:
                raise InvalidAlertInput(f"step {i}: times must increase ({before.after} then {step.after})")
            if step.radius_km <= before.radius_km:
                raise InvalidAlertInput(
                    f"step {i}: radius must increase ({before.radius_km} km then {step.radius_km} km); "
                    "an alert never shrinks while it is open"
                )

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[timedelta | str, float]]) -> WideningSchedule:
        return cls(tuple(Step(i, parse_duration(after), float(r)) for i, (after, r) in enumerate(pairs)))

    @classmethod
    def parse(cls, spec: Iterable[Mapping[str, object]]) -> WideningSchedule:
        """From configuration: ``[{after: "0h", radius_km: 50}, {after: "1h", radius_km: 100}, ...]``."""
        pairs: list[tuple[timedelta | str, float]] = []
        for i, item in enumerate(spec):
            if not isinstance(item, Mapping) or set(item) != {"after", "radius_km"}:
                raise InvalidAlertInput(f"schedule step {i}: needs exactly 'after' and 'radius_km', got {item!r}")
            after, radius = item["after"], item["radius_km"]
            if not isinstance(after, str | timedelta):
                raise InvalidAlertInput(f"schedule step {i}: 'after' must be a duration such as '1h'")
            if isinstance(radius, bool) or not isinstance(radius, int | float):
                raise InvalidAlertInput(f"schedule step {i}: 'radius_km' must be a number")
            pairs.append((after, float(radius)))
        return cls.from_pairs(pairs)

    def _elapsed(self, published_at: datetime, now: datetime) -> timedelta:
        require_aware(published_at, "published_at")
        require_aware(now, "now")
        # A worker whose clock is a little behind the publisher's may ask "before" publication: the alert was
        # sent at the first radius, so that is what it has, never less.
        return max(now - published_at, timedelta(0))

    def step_at(self, published_at: datetime, now: datetime) -> Step:
        elapsed = self._elapsed(published_at, now)
        current = self.steps[0]
        for step in self.steps:
            if step.after <= elapsed:
                current = step
        return current

    def radius_at(self, published_at: datetime, now: datetime) -> float:
        return self.step_at(published_at, now).radius_km

    def steps_due(self, published_at: datetime, now: datetime, done_steps: Collection[int]) -> list[Step]:
        """Steps whose time has come and that were not yet carried out, oldest first.

        If the scheduler was down and several are due at once, the caller sends ONE update at the last (widest)
        step and records all of them as done: the intermediate circles lie inside it.
        """
        unknown = set(done_steps) - {s.index for s in self.steps}
        if unknown:
            raise InvalidAlertInput(f"done steps {sorted(unknown)} are not in this schedule")
        elapsed = self._elapsed(published_at, now)
        return [s for s in self.steps if s.after <= elapsed and s.index not in done_steps]

    def next_step_at(self, published_at: datetime, done_steps: Collection[int]) -> datetime | None:
        """When to wake up next for this alert; None when the last step is done."""
        require_aware(published_at, "published_at")
        pending = [s for s in self.steps if s.index not in done_steps]
        return published_at + pending[0].after if pending else None

    @property
    def max_radius_km(self) -> float:
        return self.steps[-1].radius_km


DEFAULT_SCHEDULE = WideningSchedule.from_pairs(
    [("0h", 50.0), ("1h", 100.0), ("2h", 200.0), ("3h", 300.0), ("4h", 500.0)]
)


def radius_at(published_at: datetime, now: datetime, schedule: WideningSchedule = DEFAULT_SCHEDULE) -> float:
    return schedule.radius_at(published_at, now)


def steps_due(
    published_at: datetime,
    now: datetime,
    done_steps: Collection[int],
    schedule: WideningSchedule = DEFAULT_SCHEDULE,
) -> list[Step]:
    return schedule.steps_due(published_at, now, done_steps)
