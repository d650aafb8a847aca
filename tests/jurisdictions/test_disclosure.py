"""The referral disclosure package: only what a unit needs to find and help the person, from an allow-list per
unit type; never the chat history, other people's data, unrelated orders or detector internals."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.detection.levels import Level
from lifeguard.jurisdictions.directory import default_units
from lifeguard.jurisdictions.disclosure import (
    ALLOWED,
    PACKAGE_FIELDS,
    DisclosureError,
    best_location,
    build_package,
    minimal_text,
)
from lifeguard.jurisdictions.units import Unit

CANARIES = [f"CANARY-{index}" for index in range(12)]


def _unit(unit_id: str) -> Unit:
    return default_units().get(unit_id)


def _inputs() -> dict[str, Any]:
    """What a case service has at hand: far more than the unit may see. Every CANARY must stay behind."""
    return {
        "case_summary": {
            "case_ref": "LG-2026-000123",
            "time_cues": ["said he would do it tonight at 22:00 (rule:attempt.imminent)"],
            "liaison": {"name": "Guarding Life duty desk", "phone": "+86 571 8888 0000", "pager": CANARIES[0]},
            "chat_history": [{"from": "user", "text": CANARIES[1]}],
            "orders": [{"title": CANARIES[2], "id": "o-1"}],
            "other_orders": CANARIES[3],
            "reporter": {"name": CANARIES[4], "phone": "13911112222"},
            "subject_id": CANARIES[5],
        },
        "subject_contact": {"name": "Wang", "phone": "13800138000", "email": f"{CANARIES[6]}@qq.com", "wechat": "x"},
        "location": {
            "candidates": [
                {"address": "old address", "observed_at": "2026-10-01T00:00:00+08:00"},
                {
                    "admin_code": "340104",
                    "lat": 31.82,
                    "lon": 117.22,
                    "accuracy_m": 30,
                    "observed_at": dt.datetime(2026, 11, 20, 12, 0, tzinfo=dt.UTC),
                    "wifi_ssid": CANARIES[7],
                },
            ]
        },
        "risk": {
            "level": Level.ATTEMPT,
            "priority": 0,
            "reason": "rule:attempt.in_progress term:zh:想死 He wrote that he will end his life tonight; "
            "his friend 139-1111-2222 (friend@mail.com) reported it too.",
            "score": CANARIES[8],
            "assessment": {"reasons": [CANARIES[9]]},
            "means": "zolpidem, about 30 tablets",
        },
        "unit": _unit("cn-ah-hefei-police"),
        "purpose": "emergency_rescue",
    }


def test_the_package_holds_what_the_unit_needs() -> None:
    package = build_package(**_inputs())
    assert set(package) == PACKAGE_FIELDS
    assert package["schema"] == "lifeguard.referral/1"
    assert package["unit"] == {"id": "cn-ah-hefei-police", "name": "合肥市公安局"}
    assert package["case_ref"] == "LG-2026-000123"
    assert package["risk"] == {
        "level": "attempt",
        "priority": 0,
        "reason": "He wrote that he will end his life tonight; his friend [phone] ([email]) reported it too.",
    }
    assert package["time_critical"] == ["said he would do it tonight at 22:00"]
    assert package["location"] == {
        "accuracy_m": 30.0,
        "admin_code": "340104",
        "lat": 31.82,
        "lon": 117.22,
        "observed_at": "2026-11-20T12:00:00+00:00",
    }
    assert package["subject_contact"] == {"name": "Wang", "phone": "13800138000"}
    assert package["platform_liaison"] == {"name": "Guarding Life duty desk", "phone": "+86 571 8888 0000"}


def test_nothing_outside_the_allow_list_leaves() -> None:
    text = json.dumps(build_package(**_inputs()), ensure_ascii=False)
    for canary in CANARIES:
        assert canary not in text
    for leaked in ("13911112222", "139-1111-2222", "friend@mail.com", "rule:", "term:", "old address"):
        assert leaked not in text


def test_the_police_do_not_get_the_means_but_medics_do() -> None:
    assert "means" not in build_package(**_inputs())["risk"]
    ambulance = build_package(**{**_inputs(), "unit": _unit("cn-120")})
    assert ambulance["risk"]["means"] == "zolpidem, about 30 tablets"
    emergency = build_package(**{**_inputs(), "unit": _unit("in-112")})
    assert "means" in emergency["risk"]


def test_the_persons_own_number_is_kept_when_quoted_and_others_are_not() -> None:
    inputs = _inputs()
    inputs["risk"]["reason"] = "Call him on 13800138000; his mother is on 13700001111."
    assert build_package(**inputs)["risk"]["reason"] == "Call him on 13800138000; his mother is on [phone]."


def test_long_texts_are_cut_and_cues_are_few() -> None:
    inputs = _inputs()
    inputs["risk"]["reason"] = "word " * 200
    inputs["case_summary"]["time_cues"] = [f"cue {n}" for n in range(9)]
    package = build_package(**inputs)
    assert len(package["risk"]["reason"]) == 280 and package["risk"]["reason"].endswith("…")
    assert package["time_critical"] == ["cue 0", "cue 1", "cue 2", "cue 3", "cue 4"]


def test_empty_parts_are_left_out() -> None:
    inputs = _inputs()
    inputs["location"] = None
    inputs["case_summary"] = {"case_ref": "LG-2026-000124"}
    package = build_package(**inputs)
    assert "location" not in package and "time_critical" not in package and "platform_liaison" not in package


def test_the_best_location_is_a_point_then_the_freshest_then_the_finest() -> None:
    old_point = {"lat": 1.0, "lon": 1.0, "observed_at": "2026-11-01T00:00:00+00:00", "accuracy_m": 5}
    new_point = {"lat": 2.0, "lon": 2.0, "observed_at": "2026-11-20T00:00:00+00:00", "accuracy_m": 500}
    address = {"address": "x", "observed_at": "2026-11-21T00:00:00+00:00"}
    assert best_location({"candidates": [address, old_point, new_point]}) == new_point
    fine = {**new_point, "accuracy_m": 10}
    assert best_location({"candidates": [new_point, fine]}) == fine
    assert best_location({"candidates": []}) is None
    assert best_location(address) == address


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"purpose": "curiosity"}, "purpose 'curiosity'"),
        ({"case_summary": {"case_ref": "u123"}}, "pseudonymous reference"),
        ({"case_summary": {"case_ref": "user 12345 real name"}}, "pseudonymous reference"),
        ({"subject_contact": None, "location": None}, "a location or a way to contact"),
        ({"location": {"lat": 123.0, "lon": 1.0}}, "location.lat = 123.0 is out of range"),
        ({"location": {"lat": "31.8", "lon": 117.2}}, "location.lat must be a number"),
        ({"location": {"admin_code": "340104", "observed_at": dt.datetime(2026, 11, 20)}}, "aware datetime"),  # noqa: DTZ001
        ({"risk": {"level": "doomed", "priority": 0, "reason": "x"}}, "unknown risk level"),
        ({"risk": {"level": "attempt", "priority": 7, "reason": "x"}}, "0..3"),
        ({"risk": {"level": "attempt", "priority": 0, "reason": "rule:attempt.in_progress"}}, "say in words"),
        ({"location": {"candidates": "here"}}, "list of locations"),
    ],
)
def test_bad_inputs_are_refused_with_a_reason(change: dict[str, Any], says: str) -> None:
    inputs = {**_inputs(), **change}
    with pytest.raises(DisclosureError, match=says.replace("(", r"\(").replace(".", r"\.")):
        build_package(**inputs)


def test_detector_reason_codes_are_removed_from_free_text() -> None:
    assert minimal_text("term:zh:想死 我想死 fusion:history(ideation) seeking.method", limit=100) == (
        "我想死 seeking.method"
    )
    assert (
        minimal_text("in the past. She said: context: he left", limit=100) == "in the past. She said: context: he left"
    )


FIELD_NAMES = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(
    extra_summary=st.dictionaries(FIELD_NAMES, st.just("SECRET-A"), max_size=5),
    extra_contact=st.dictionaries(FIELD_NAMES, st.just("SECRET-B"), max_size=5),
    extra_location=st.dictionaries(FIELD_NAMES, st.just("SECRET-C"), max_size=5),
    extra_risk=st.dictionaries(FIELD_NAMES, st.just("SECRET-D"), max_size=5),
    unit_id=st.sampled_from(["cn-ah-hefei-police", "cn-120", "in-112", "in-up-lko-police"]),
)
def test_unknown_fields_are_dropped_whatever_they_are_called(
    extra_summary: dict[str, str],
    extra_contact: dict[str, str],
    extra_location: dict[str, str],
    extra_risk: dict[str, str],
    unit_id: str,
) -> None:
    unit = _unit(unit_id)
    allowed = ALLOWED[unit.kind]
    summary = {k: v for k, v in extra_summary.items() if k not in ("time_cues", "liaison")} | {
        "case_ref": "LG-2026-000125"
    }
    contact = {k: v for k, v in extra_contact.items() if k not in allowed["subject_contact"]} | {"phone": "13800138000"}
    # "candidates" is not a field but the input's list of possible locations (tested on its own above).
    location = {k: v for k, v in extra_location.items() if k not in allowed["location"] | {"candidates"}} | {
        "admin_code": "340104"
    }
    risk = {k: v for k, v in extra_risk.items() if k not in allowed["risk"]} | {
        "level": "ideation",
        "priority": 2,
        "reason": "wrote that she wants to die",
    }
    package = build_package(
        case_summary=summary, subject_contact=contact, location=location, risk=risk, unit=unit, purpose="welfare_check"
    )
    assert "SECRET" not in json.dumps(package)
    assert set(package) <= PACKAGE_FIELDS
    for section in ("subject_contact", "location", "risk"):
        assert set(package.get(section, {})) <= allowed[section]
