"""Routing a referral to the most specific reachable unit, the fallback chain, the decisions on unknown and
ambiguous locations, handing a case on (Shenzhen -> Hefei), and validation of the units file."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from lifeguard.jurisdictions.areas import ancestors
from lifeguard.jurisdictions.directory import (
    UnitDirectory,
    default_path,
    default_units,
    handover_allowed,
    handover_check,
    load_units,
    route,
)
from lifeguard.jurisdictions.errors import RoutingError, UnitsFileError
from lifeguard.jurisdictions.units import parse_units

SHIPPED = yaml.safe_load(default_path().read_text(encoding="utf-8"))
NANSHAN_POINT = {"lat": 22.533, "lon": 113.936}  # Shenzhen University, Nanshan
LUCKNOW_POINT = {"lat": 26.85, "lon": 80.95}


@pytest.fixture(scope="module")
def units() -> UnitDirectory:
    return default_units()


def _ids(units: list[Any]) -> list[str]:
    return [unit.id for unit in units]


# -- the shipped file ------------------------------------------------------------------------------------------


def test_the_district_unit_is_primary_and_the_chain_climbs_to_the_national_line(units: UnitDirectory) -> None:
    routing = route({"admin_code": "440305"})
    assert routing.primary.id == "cn-gd-shenzhen-nanshan-police"
    assert routing.matched_by == "admin_code"
    assert _ids(routing.fallbacks) == ["cn-gd-shenzhen-police", "cn-110"]
    # The provincial department has no working channel yet: skipped, with the reason.
    assert [(s.unit.id, s.reason) for s in routing.skipped] == [
        ("cn-gd-police", "no working channel (portal unconfigured)")
    ]


def test_a_district_without_its_own_unit_goes_to_its_city(units: UnitDirectory) -> None:
    routing = route({"admin_code": "440306"})  # Bao'an: no unit of its own in the file
    assert routing.primary.id == "cn-gd-shenzhen-police" and routing.matched_by == "admin_code"
    routing = route({"admin_code": "340104"})  # a district of Hefei
    assert routing.primary.id == "cn-ah-hefei-police"


def test_a_unit_with_no_working_channel_is_skipped_with_its_reason(units: UnitDirectory) -> None:
    routing = route({"admin_code": "440304"})  # Futian: e-mail channel not yet configured
    assert routing.primary.id == "cn-gd-shenzhen-police"
    assert routing.skipped[0].unit.id == "cn-gd-shenzhen-futian-police"
    assert routing.skipped[0].reason == "no working channel (email unconfigured)"


def test_township_and_village_codes_climb_to_their_district() -> None:
    assert route({"admin_code": "440305001"}).primary.id == "cn-gd-shenzhen-nanshan-police"
    assert route({"admin_code": "440305001002"}).primary.id == "cn-gd-shenzhen-nanshan-police"


def test_a_province_level_city_owns_its_province_code() -> None:
    routing = route({"admin_code": "110105"})
    assert routing.primary.id == "cn-bj-police" and _ids(routing.fallbacks) == ["cn-110"]
    assert route({"admin_code": "CN-BJ"}).primary.id == "cn-bj-police"


def test_uttar_pradesh_districts_go_to_their_commissionerate_then_the_state() -> None:
    routing = route({"admin_code": "IN-UP-LKO"})
    assert routing.primary.id == "in-up-lko-police"
    assert _ids(routing.fallbacks) == ["in-up-police", "in-112"]
    assert [c.value for c in routing.fallbacks[0].working_channels()] == ["112", "1090"]


def test_an_ambulance_referral_follows_the_ambulance_units() -> None:
    assert route({"admin_code": "IN-UP-LKO"}, kind="ambulance").primary.id == "in-up-108"
    routing = route({"admin_code": "440305"}, kind="ambulance")
    assert routing.primary.id == "cn-120" and routing.matched_by == "fallback"


def test_a_point_inside_a_polygon_is_routed_by_the_point() -> None:
    routing = route(NANSHAN_POINT)
    assert routing.primary.id == "cn-gd-shenzhen-nanshan-police" and routing.matched_by == "point"
    assert route(LUCKNOW_POINT).primary.id == "in-up-lko-police"


def test_the_more_specific_match_wins_and_a_disagreement_is_noted() -> None:
    routing = route({"admin_code": "340100", **NANSHAN_POINT})
    assert routing.primary.id == "cn-gd-shenzhen-nanshan-police" and routing.matched_by == "point"
    assert "disagree" in routing.notes[0]
    agreeing = route({"admin_code": "440300", **NANSHAN_POINT})
    assert agreeing.primary.id == "cn-gd-shenzhen-nanshan-police" and agreeing.notes == []
    assert route({"admin_code": "440305", **NANSHAN_POINT}).matched_by == "point"  # equal: the point is fresher


def test_a_point_and_code_in_different_countries_are_an_error() -> None:
    with pytest.raises(RoutingError, match="lies in IN"):
        route({"admin_code": "340100", **LUCKNOW_POINT})


def test_only_a_country_known_goes_to_the_national_line() -> None:
    routing = route({"country": "us"})
    assert routing.primary.id == "us-911" and routing.matched_by == "fallback" and routing.fallbacks == []
    assert route({"admin_code": "IN-MH-MUM"}).matched_by == "fallback"  # a state with no unit in the file
    assert route({"country": "CN", "lat": 0.0, "lon": 0.0}).primary.id == "cn-110"


@pytest.mark.parametrize(
    ("location", "says"),
    [
        ({}, "location unknown"),
        ({"lat": 0.0, "lon": 0.0}, "location unknown"),
        ({"country": "FR"}, "no national police or emergency line configured for FR"),
        ({"admin_code": "44x"}, "neither a GB/T 2260"),
        ({"admin_code": "440305", "country": "IN"}, "is in CN but the country given is IN"),
        ({"lat": 22.5}, "both lat and lon"),
        ({"lat": 95, "lon": 10}, "out of range"),
        ({"lat": "north", "lon": 10}, "not numbers"),
        ({"country": "China"}, "alpha-2"),
    ],
)
def test_unknown_or_contradictory_locations_are_errors(location: dict[str, Any], says: str) -> None:
    with pytest.raises(RoutingError, match=says):
        route(location)


def test_the_shenzhen_police_can_hand_the_hefei_case_to_hefei(units: UnitDirectory) -> None:
    shenzhen = route({"admin_code": "440300"}).primary
    hefei = route({"admin_code": "340100"}).primary  # where the man was found to be
    assert (shenzhen.id, hefei.id) == ("cn-gd-shenzhen-police", "cn-ah-hefei-police")
    assert handover_allowed(shenzhen, hefei)
    assert handover_check(shenzhen, hefei)[1] == "cn-gd-shenzhen-police may hand the case to cn-ah-hefei-police"


def test_handovers_that_are_not_allowed_say_why(units: UnitDirectory) -> None:
    shenzhen = units.get("cn-gd-shenzhen-police")
    assert handover_check(shenzhen, shenzhen) == (False, "a unit cannot hand a case to itself")
    assert "across borders" in handover_check(shenzhen, units.get("in-up-lko-police"))[1]
    assert "cannot be reached" in handover_check(shenzhen, units.get("cn-gd-shenzhen-futian-police"))[1]
    assert "ambulance unit" in handover_check(shenzhen, units.get("cn-120"))[1]
    assert not handover_allowed(units.get("in-up-police"), units.get("in-up-108"))


@given(city=st.integers(1, 20), district=st.integers(1, 40))
def test_every_guangdong_code_routes_inside_its_own_chain(city: int, district: int) -> None:
    code = f"44{city:02d}{district:02d}"
    routing = route({"admin_code": code})
    chain = ancestors(code)
    assert set(routing.primary.admin_codes) & set(chain)
    assert routing.primary.id == "cn-110" or routing.fallbacks[-1].id == "cn-110"
    assert routing.matched_by == ("fallback" if routing.primary.id == "cn-110" else "admin_code")


# -- a deployment's own file: hours, handover flags, ambiguity -------------------------------------------------


def _unit(unit_id: str, level: str, parent: str | None, codes: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "id": unit_id,
        "name": {"local": unit_id, "en": unit_id},
        "kind": "police",
        "level": level,
        "country": "CN",
        "parent": parent,
        "area": {"admin_codes": codes},
        "channels": [{"type": "phone", "value": "110", "status": "active"}],
        "hours": "24/7",
        **extra,
    }


def _directory(*units: dict[str, Any]) -> UnitDirectory:
    base = [_unit("national", "national", None, ["CN"]), _unit("city", "city", "national", ["440300"])]
    return UnitDirectory(parse_units({"version": 1, "units": [*base, *units]}))


def test_a_unit_closed_at_the_time_asked_is_skipped() -> None:
    office = _unit(
        "district",
        "district",
        "city",
        ["440305"],
        channels=[{"type": "email", "value": "duty@nanshan.gov.cn", "status": "active"}],
        hours={"timezone": "Asia/Shanghai", "ranges": ["mon-fri 09:00-18:00"]},
    )
    directory = _directory(office)
    monday_morning = dt.datetime(2026, 11, 23, 10, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    monday_night = dt.datetime(2026, 11, 23, 23, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert directory.route({"admin_code": "440305"}, at=monday_morning).primary.id == "district"
    night = directory.route({"admin_code": "440305"}, at=monday_night)
    assert night.primary.id == "city"
    assert night.skipped[0].reason.startswith("closed at this time (email: mon 09:00-18:00")


def test_nothing_usable_in_the_chain_is_an_error_listing_every_reason() -> None:
    dead = [{"type": "webhook", "value": "https://x.example.invalid/hook", "status": "unconfigured"}]
    units = [
        {**_unit("national", "national", None, ["CN"]), "channels": dead},
        {**_unit("city", "city", "national", ["440300"]), "channels": dead},
    ]
    with pytest.raises(RoutingError) as caught:
        UnitDirectory(parse_units({"version": 1, "units": units})).route({"admin_code": "440305"})
    assert [unit for unit, _ in caught.value.skipped] == ["city", "national"]


def test_overlapping_polygons_at_one_level_route_to_the_common_parent() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[113.9, 22.5], [114.0, 22.5], [114.0, 22.6], [113.9, 22.6], [113.9, 22.5]]],
    }
    a = _unit("a", "district", "city", ["440305"])
    b = _unit("b", "district", "city", ["440304"])
    a["area"]["polygon"] = square
    b["area"]["polygon"] = square
    routing = _directory(a, b).route({"lat": 22.55, "lon": 113.95})
    assert routing.primary.id == "city" and "several areas (a, b)" in routing.notes[0]


def test_a_unit_may_refuse_handovers() -> None:
    directory = _directory(_unit("district", "district", "city", ["440305"], accepts_handover=False))
    assert not handover_allowed(directory.get("city"), directory.get("district"))
    assert handover_allowed(directory.get("district"), directory.get("city"))


# -- validation ------------------------------------------------------------------------------------------------


def _data() -> dict[str, Any]:
    return copy.deepcopy(SHIPPED)


def _unit_in(data: dict[str, Any], unit_id: str) -> dict[str, Any]:
    return next(unit for unit in data["units"] if unit["id"] == unit_id)


def _fails(data: dict[str, Any], *, entry: str | None, field: str | None, says: str) -> None:
    with pytest.raises(UnitsFileError) as caught:
        parse_units(data, file="units.yaml")
    assert (caught.value.file, caught.value.entry, caught.value.field) == ("units.yaml", entry, field)
    assert says in str(caught.value)


def test_the_shipped_file_parses() -> None:
    assert len(parse_units(_data())) == len(SHIPPED["units"])


def test_a_missing_parent_is_refused() -> None:
    data = _data()
    _unit_in(data, "cn-ah-hefei-police")["parent"] = "cn-ah-nowhere"
    _fails(data, entry="cn-ah-hefei-police", field="parent", says="no unit 'cn-ah-nowhere'")


def test_a_parent_must_be_above_and_around_its_child() -> None:
    data = _data()
    _unit_in(data, "cn-gd-shenzhen-police")["parent"] = "cn-gd-shenzhen-nanshan-police"
    _fails(data, entry="cn-gd-shenzhen-police", field="parent", says="cannot be above")
    data = _data()
    _unit_in(data, "cn-ah-hefei-police")["parent"] = "cn-gd-police"
    _fails(data, entry="cn-ah-hefei-police", field="parent", says="is not inside cn-gd-police")
    data = _data()
    _unit_in(data, "in-up-108")["parent"] = "in-up-police"
    _fails(data, entry="in-up-108", field="parent", says="cannot be above")


def test_a_code_belongs_to_one_unit_per_kind() -> None:
    data = _data()
    _unit_in(data, "cn-gd-shenzhen-futian-police")["area"]["admin_codes"] = ["440305"]
    _fails(
        data,
        entry="cn-gd-shenzhen-futian-police",
        field="area.admin_codes",
        says="440305 is already the area of cn-gd-shenzhen-nanshan-police",
    )


def test_a_placeholder_channel_cannot_be_active() -> None:
    data = _data()
    _unit_in(data, "cn-gd-shenzhen-police")["channels"][0]["status"] = "active"
    _fails(data, entry="cn-gd-shenzhen-police", field="channels[0].status", says="placeholder address")


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"area": {"admin_codes": [340100]}}, "area.admin_codes[0]", "quoted strings"),
        ({"area": {"admin_codes": ["IN-UP"]}}, "area.admin_codes[0]", "IN-UP is not in CN"),
        (
            {"area": {"admin_codes": ["340000"]}},
            "area.admin_codes[0]",
            "is a province code but the unit's level is city",
        ),
        ({"area": {"admin_codes": ["34x"]}}, "area.admin_codes[0]", "neither a GB/T 2260"),
        ({"area": {}}, "area", "must be a mapping with admin_codes"),
        ({"area": {"polygon": {"type": "Polygon", "coordinates": [[[0, 0]]]}}}, "area.polygon", "at least four"),
        ({"hours": "office hours"}, "hours", "24/7"),
        ({"kind": "army"}, "kind", "'army' is not one of"),
        ({"level": "street"}, "level", "'street' is not one of"),
        ({"country": "CHN"}, "country", "alpha-2"),
        ({"channels": [{"type": "pigeon", "value": "x", "status": "active"}]}, "channels[0].type", "'pigeon'"),
        (
            {"channels": [{"type": "webhook", "value": "http://x.cn/h", "status": "active"}]},
            "channels[0].value",
            "valid",
        ),
        ({"channels": [{"type": "phone", "value": "110", "status": "maybe"}]}, "channels[0].status", "'maybe'"),
        ({"channels": []}, "channels", "non-empty list"),
        ({"email": "x@y.cn"}, "email", "unknown field"),
        ({"name": {"local": "合肥"}}, "name", "exactly 'local' and 'en'"),
    ],
)
def test_a_malformed_unit_names_its_field(change: dict[str, Any], field: str, says: str) -> None:
    data = _data()
    _unit_in(data, "cn-ah-hefei-police").update(change)
    _fails(data, entry="cn-ah-hefei-police", field=field, says=says)


def test_files_that_cannot_be_read_or_parsed_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(UnitsFileError, match="nowhere.yaml: cannot read"):
        load_units(tmp_path / "nowhere.yaml")
    broken = tmp_path / "units.yaml"
    broken.write_text("units: [", encoding="utf-8")
    with pytest.raises(UnitsFileError, match="units.yaml: not valid YAML"):
        load_units(broken)
    with pytest.raises(UnitsFileError, match="'version' must be a positive integer"):
        parse_units({"units": []}, file="units.yaml")
