"""Who may be published: the person's record checks itself, and the category's criteria come from criteria.yaml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from lifeguard.alerts.criteria import (
    CriteriaConfigError,
    check_criteria,
    default_criteria,
    facts_about,
    load_criteria,
    parse_criteria,
)
from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.model import Category, ContactUnit, LastSeen, MissingPerson, PhotoRef, Sex

from .builders import CHILD_FACTS, T0, child_content, elderly_content

SHIPPED = Path(__file__).resolve().parents[2] / "src/lifeguard/alerts/criteria.yaml"


# --- the record ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lat", "lon", "words"),
    [(91.0, 0.0, "latitude"), (-90.5, 0.0, "latitude"), (0.0, 180.01, "longitude"), (float("nan"), 0.0, "finite")],
)
def test_last_seen_coordinates_out_of_range_are_refused(lat: float, lon: float, words: str) -> None:
    with pytest.raises(InvalidAlertInput, match=words):
        LastSeen(lat=lat, lon=lon, place="somewhere", at=T0)


def test_last_seen_needs_an_aware_time_and_a_place() -> None:
    with pytest.raises(InvalidAlertInput, match="timezone-aware"):
        LastSeen(lat=1.0, lon=1.0, place="x", at=datetime(2026, 1, 1, 12, 0))  # noqa: DTZ001 - the point of the test
    with pytest.raises(InvalidAlertInput, match="place"):
        LastSeen(lat=1.0, lon=1.0, place="  ", at=T0)


def test_poles_and_antimeridian_are_valid_places() -> None:
    LastSeen(lat=90.0, lon=180.0, place="North Pole", at=T0)
    LastSeen(lat=-90.0, lon=-180.0, place="South Pole", at=T0)


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"name": " "}, "name"),
        ({"age": -1}, "age"),
        ({"age": 131}, "age"),
        ({"height_cm": 10}, "height"),
        ({"photos": tuple(PhotoRef(f"https://x/{i}.png", "image/png", 1, "0" * 40) for i in range(11))}, "10 photos"),
    ],
)
def test_missing_person_values_are_checked(changes: dict[str, object], words: str) -> None:
    base = {"name": "Asha", "age": 9, "sex": Sex.FEMALE}
    with pytest.raises(InvalidAlertInput, match=words):
        MissingPerson(**{**base, **changes})  # type: ignore[arg-type]


def test_photo_refs_must_be_images_over_http_with_a_sha1() -> None:
    with pytest.raises(InvalidAlertInput, match="http"):
        PhotoRef("file:///etc/passwd", "image/png", 1, "0" * 40)
    with pytest.raises(InvalidAlertInput, match="JPEG, PNG, WebP"):
        PhotoRef("https://x/a.gif", "image/gif", 1, "0" * 40)
    with pytest.raises(InvalidAlertInput, match="sha1"):
        PhotoRef("https://x/a.png", "image/png", 1, "abc")


def test_alert_content_checks_id_languages_and_page() -> None:
    with pytest.raises(InvalidAlertInput, match="CAP identifiers"):
        child_content(alert_id="2026 0042")
    with pytest.raises(InvalidAlertInput, match="CAP identifiers"):
        child_content(alert_id="a,b")
    with pytest.raises(InvalidAlertInput, match="at least one language"):
        child_content(languages=())
    with pytest.raises(InvalidAlertInput, match="repeat"):
        child_content(languages=("en", "EN"))
    with pytest.raises(InvalidAlertInput, match="not a language tag"):
        child_content(languages=("english language",))
    with pytest.raises(InvalidAlertInput, match="https"):
        child_content(web_url="http://alerts.example.cn/a/1")
    with pytest.raises(InvalidAlertInput, match="phone"):
        ContactUnit(name="Unit", phone="")


def test_has_description_needs_a_photo_or_words() -> None:
    assert not MissingPerson(name="A", age=5, sex=Sex.UNKNOWN).has_description
    assert MissingPerson(name="A", age=5, sex=Sex.UNKNOWN, clothing="yellow raincoat").has_description
    assert child_content().person.has_description


# --- the criteria -------------------------------------------------------------------------------------------


def test_the_shipped_file_covers_every_category() -> None:
    criteria = default_criteria()
    assert set(criteria.rules) == set(Category)
    assert load_criteria(SHIPPED) == criteria


def test_a_child_at_confirmed_risk_with_a_description_may_be_published() -> None:
    assert check_criteria(Category.CHILD, CHILD_FACTS) == []
    assert check_criteria(Category.CHILD, facts_about(child_content().person, police_confirmed_risk=True)) == []


def test_unmet_criteria_are_all_listed_with_their_reasons() -> None:
    unmet = check_criteria(Category.CHILD, {"age": 19, "police_confirmed_risk": False, "has_description": False})
    assert len(unmet) == 3
    assert unmet[0].startswith("a child alert is for a person under 18") and "given 19" in unmet[0]
    assert "police must confirm" in unmet[1]
    assert "photo or a description" in unmet[2]


def test_unknown_facts_count_as_unmet_and_say_so() -> None:
    unmet = check_criteria(Category.CHILD, {"police_confirmed_risk": True, "has_description": True})
    assert unmet == ["a child alert is for a person under 18 (age is not known)"]


@pytest.mark.parametrize(
    ("facts", "publishable"),
    [
        ({"age": 78, "dementia": False}, True),  # age alone
        ({"age": 52, "dementia": True}, True),  # early-onset dementia
        ({"age": 60, "dementia": False}, False),
        ({"age": None, "dementia": None}, False),
    ],
)
def test_elderly_alert_needs_dementia_or_age_65(facts: dict[str, object], publishable: bool) -> None:
    full = {**facts, "police_confirmed_risk": True, "has_description": True}
    unmet = check_criteria(Category.ELDERLY_DEMENTIA, full)  # type: ignore[arg-type]
    assert (unmet == []) is publishable
    if not publishable:
        assert unmet == [
            "an elderly alert is for a person with dementia or aged 65 or over "
            "(needs one of: dementia is true, age >= 65)"
        ]


def test_vulnerable_adult_needs_an_adult_with_an_impairment_or_risk() -> None:
    base = {"police_confirmed_risk": True, "has_description": True}
    assert check_criteria(Category.VULNERABLE_ADULT, {**base, "age": 34, "risk_to_life": True}) == []
    assert check_criteria(Category.VULNERABLE_ADULT, {**base, "age": 34, "cognitive_impairment": True}) == []
    assert len(check_criteria(Category.VULNERABLE_ADULT, {**base, "age": 34})) == 1
    assert "use child below" in check_criteria(Category.VULNERABLE_ADULT, {**base, "age": 15, "risk_to_life": True})[0]


def test_misspelt_or_mistyped_facts_are_errors_not_silent_misses() -> None:
    with pytest.raises(CriteriaConfigError, match="unknown facts"):
        check_criteria(Category.CHILD, {"age": 8, "police_confirmed": True})
    with pytest.raises(CriteriaConfigError, match="must be bool"):
        check_criteria(Category.CHILD, {"age": 8, "police_confirmed_risk": "yes"})  # type: ignore[dict-item]
    with pytest.raises(CriteriaConfigError, match="must be int"):
        check_criteria(Category.CHILD, {"age": True})


def test_facts_about_the_elderly_record() -> None:
    facts = facts_about(elderly_content().person, police_confirmed_risk=True, dementia=True)
    assert facts == {"age": 78, "has_description": True, "police_confirmed_risk": True, "dementia": True}


def _shipped() -> Any:
    return yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (lambda d: d.update(version=2), "version must be 1"),
        (lambda d: d["categories"].pop("child"), "missing \\['child'\\]"),
        (lambda d: d["categories"].update(adult={"all": [{"fact": "age", "ge": 18}]}), "unknown \\['adult'\\]"),
        (lambda d: d["facts"].update(weight="float"), "facts.weight: type must be bool or int"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "shoe_size", "lt": 40}), "unknown fact 'shoe_size'"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "age", "less": 18}), "unknown keys \\['less'\\]"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "age", "lt": 18, "gt": 1}), "exactly one operator"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "age", "is": True}), "'is' compares a bool"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "dementia", "lt": 1}), "'lt' compares an int"),
        (lambda d: d["categories"]["child"]["all"].append({"fact": "age", "lt": "18"}), "'lt' compares an int"),
        (lambda d: d["categories"]["child"]["all"].append({"any": [{"fact": "age", "lt": 3}]}), "at least two"),
        (lambda d: d["categories"]["child"].update(all=[]), "at least one rule"),
        (lambda d: d["categories"]["child"]["all"][0].update(reason=""), "non-empty"),
    ],
)
def test_a_malformed_criteria_file_is_refused_naming_the_place(edit: Callable[[Any], object], words: str) -> None:
    data = _shipped()
    edit(data)
    with pytest.raises(CriteriaConfigError, match=words):
        parse_criteria(data)


def test_a_deployment_can_ship_its_own_bar(tmp_path: Path) -> None:
    data = _shipped()
    data["categories"]["child"]["all"][0] = {"fact": "age", "lt": 17, "reason": "under 17 (AMBER, this state)"}
    path = tmp_path / "criteria.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    criteria = load_criteria(path)
    assert check_criteria(Category.CHILD, {**CHILD_FACTS, "age": 17}, criteria)[0].startswith("under 17")
    path.write_text("categories: [unclosed", encoding="utf-8")
    with pytest.raises(CriteriaConfigError, match="not valid YAML"):
        load_criteria(path)
