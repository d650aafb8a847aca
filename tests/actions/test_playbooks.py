"""Playbooks: the recommended next steps per priority and case state, which of them a platform may automate,
and a file that cannot make a message or a police referral automatic."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from lifeguard.actions.datafile import DataFileError
from lifeguard.actions.playbooks import (
    Action,
    Confirmation,
    default_path,
    default_playbooks,
    parse_playbooks,
    recommend,
)

SHIPPED = yaml.safe_load(default_path().read_text(encoding="utf-8"))


def _actions(priority: int, **state: bool) -> list[str]:
    facts = {"has_open_orders": False, "has_location": False, "outreach_sent": False, "referred": False, **state}
    return [step.action.value for step in recommend(priority, **facts)]


def test_p0_with_orders_holds_them_first_and_a_platform_may_make_that_automatic() -> None:
    steps = recommend(0, has_open_orders=True, has_location=True, outreach_sent=False, referred=False)
    assert [s.action for s in steps][:3] == [Action.HOLD_ORDERS, Action.OUTREACH, Action.REFER_POLICE]
    assert steps[0].confirmation is Confirmation.AUTOMATIC_ALLOWED and not steps[0].needs_human
    assert steps[1].needs_human and steps[2].needs_human
    assert steps[0].within_minutes == 5


def test_p0_without_a_location_still_refers_and_says_how() -> None:
    steps = recommend(0, has_open_orders=False, has_location=False, outreach_sent=True, referred=False)
    refer = [s for s in steps if s.action is Action.REFER_POLICE]
    assert len(refer) == 1 and "Location unknown" in refer[0].note


def test_after_a_referral_the_next_step_is_asking_the_unit_for_the_outcome() -> None:
    steps = recommend(0, has_open_orders=False, has_location=True, outreach_sent=True, referred=True)
    assert steps[0].action is Action.FOLLOW_UP and steps[0].needs_human and "outcome" in steps[0].note
    assert Action.REFER_POLICE not in [s.action for s in steps]


def test_p1_refers_only_after_outreach_has_been_tried() -> None:
    assert "refer_police" not in _actions(1, has_location=True)
    assert "refer_police" in _actions(1, has_location=True, outreach_sent=True)
    assert _actions(1, has_open_orders=True)[:2] == ["outreach", "hold_orders"]


def test_lower_priorities_never_call_the_police() -> None:
    for priority in (2, 3):
        for outreach_sent in (False, True):
            assert "refer_police" not in _actions(priority, has_location=True, outreach_sent=outreach_sent)


def test_outreach_targets_get_longer_as_priority_falls() -> None:
    targets = [
        next(s.within_minutes for s in default_playbooks().get(p).steps if s.action is Action.OUTREACH)
        for p in range(4)
    ]
    assert targets == sorted(targets) and targets[0] == 5


@given(
    priority=st.sampled_from([0, 1, 2, 3]),
    has_open_orders=st.booleans(),
    has_location=st.booleans(),
    outreach_sent=st.booleans(),
    referred=st.booleans(),
)
def test_recommendations_obey_the_rules_in_every_state(
    priority: int, has_open_orders: bool, has_location: bool, outreach_sent: bool, referred: bool
) -> None:
    steps = recommend(
        priority,
        has_open_orders=has_open_orders,
        has_location=has_location,
        outreach_sent=outreach_sent,
        referred=referred,
    )
    actions = [step.action for step in steps]
    assert steps and actions[-1] is Action.NOTE
    assert (Action.OUTREACH in actions) == (not outreach_sent)
    if referred:
        assert Action.REFER_POLICE not in actions
    if not has_open_orders:
        assert Action.HOLD_ORDERS not in actions
    for step in steps:
        if step.action in (Action.OUTREACH, Action.REFER_POLICE):
            assert step.needs_human


def test_an_unknown_priority_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown priority 4"):
        recommend(4, has_open_orders=False, has_location=False, outreach_sent=False, referred=False)


# -- validation ------------------------------------------------------------------------------------------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(SHIPPED)


def _fails(data: dict[str, Any], *, entry: str | None, field: str | None, says: str) -> None:
    with pytest.raises(DataFileError) as caught:
        parse_playbooks(data, file="playbooks.yaml")
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("playbooks.yaml", entry, field)
    assert says in str(caught.value)


def test_a_police_referral_can_never_be_made_automatic() -> None:
    data = _data()
    data["priorities"]["P0"]["steps"][2]["confirmation"] = "automatic_allowed"
    _fails(data, entry="P0", field="steps[2].confirmation", says="refer_police always needs a human")


def test_a_message_to_the_person_can_never_be_made_automatic() -> None:
    data = _data()
    data["priorities"]["P3"]["steps"][0]["confirmation"] = "automatic_allowed"
    _fails(data, entry="P3", field="steps[0].confirmation", says="outreach always needs a human")


def test_unknown_actions_conditions_and_priorities_are_refused() -> None:
    data = _data()
    data["priorities"]["P1"]["steps"][0]["action"] = "call_mum"
    _fails(data, entry="P1", field="steps[0].action", says="'call_mum'")
    data = _data()
    data["priorities"]["P1"]["steps"][0]["when"] = ["not has_pets"]
    _fails(data, entry="P1", field="steps[0].when[0]", says="unknown condition")
    data = _data()
    data["priorities"]["P4"] = data["priorities"]["P3"]
    _fails(data, entry=None, field="priorities.P4", says="unknown field")


def test_every_priority_must_be_present_and_reach_out() -> None:
    data = _data()
    del data["priorities"]["P2"]
    _fails(data, entry="P2", field=None, says="must be a mapping")
    data = _data()
    data["priorities"]["P3"]["steps"] = [s for s in data["priorities"]["P3"]["steps"] if s["action"] != "outreach"]
    _fails(data, entry="P3", field="steps", says="add an outreach step")


def test_targets_and_conditions_are_checked() -> None:
    data = _data()
    data["priorities"]["P0"]["steps"][0]["within_minutes"] = 0
    _fails(data, entry="P0", field="steps[0].within_minutes", says="integer from 1")
    data = _data()
    data["priorities"]["P0"]["steps"][2]["when"] = ["has_location", "not has_location"]
    _fails(data, entry="P0", field="steps[2].when[1]", says="appears twice")
