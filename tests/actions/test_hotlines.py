"""The hotline directory: the shipped file is complete and honest about what is verified, lookups fall back
subdivision -> country -> international and are never empty, and malformed files fail naming entry and field."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from lifeguard.actions.datafile import DataFileError
from lifeguard.actions.hotlines import (
    HotlineDirectory,
    default_path,
    hotlines_for,
    load_directory,
    normalize_region,
    parse_directory,
)


@pytest.fixture(scope="module")
def directory() -> HotlineDirectory:
    return load_directory()


def _numbers(directory: HotlineDirectory, region: str) -> set[str]:
    return {number for hotline in directory.for_region(region) for number in hotline.numbers}


# -- the shipped file ------------------------------------------------------------------------------------------


def test_the_shipped_file_covers_the_story_countries_and_at_least_fifteen_more(directory: HotlineDirectory) -> None:
    countries = {region.split("-")[0] for region in directory.regions}
    assert {"CN", "IN", "US", "GB", "PH"} <= countries
    assert len(countries - {"CN", "IN", "US", "GB", "PH"}) >= 15
    assert {"CN-BJ", "IN-UP"} <= set(directory.regions)


@pytest.mark.parametrize(
    ("region", "number"),
    [
        ("CN", "12356"),
        ("CN-BJ", "010-82951332"),
        ("IN", "14416"),
        ("IN", "1-800-891-4416"),
        ("US", "988"),
        ("GB", "116 123"),
        ("PH", "1553"),
    ],
)
def test_the_official_numbers_named_in_the_brief_are_listed(
    directory: HotlineDirectory, region: str, number: str
) -> None:
    assert number in _numbers(directory, region)


def test_every_entry_cites_its_source_and_says_whether_it_is_verified(directory: HotlineDirectory) -> None:
    for hotline in (*directory.hotlines, *directory.international):
        assert hotline.source.title and hotline.source.organisation, hotline.id
        assert hotline.source.url and hotline.source.url.startswith("http"), hotline.id
        assert isinstance(hotline.verified, bool)
        assert hotline.last_checked == dt.date(2026, 11, 23)
        assert hotline.name_local and hotline.name_en and hotline.languages and hotline.hours


def test_only_the_numbers_the_maintainers_are_certain_of_are_marked_verified(directory: HotlineDirectory) -> None:
    # A change to this set is a deliberate act: someone checked (or doubted) a number against its source.
    verified = {hotline.id for hotline in directory.hotlines if hotline.verified}
    assert verified == {"cn-12356", "cn-bj-crisis-center", "in-telemanas", "us-988", "gb-samaritans", "ph-ncmh"}
    assert not any(hotline.verified for hotline in directory.international)


def test_regional_entries_can_be_called_or_texted_and_international_ones_point_to_a_directory(
    directory: HotlineDirectory,
) -> None:
    for hotline in directory.hotlines:
        assert hotline.numbers, hotline.id
        assert set(hotline.channels) <= {"call", "text", "chat"}
    for hotline in directory.international:
        assert not hotline.numbers and hotline.channels == ("chat",)


# -- lookup ----------------------------------------------------------------------------------------------------


def test_a_subdivision_lists_its_own_line_first_then_the_country(directory: HotlineDirectory) -> None:
    ids = [hotline.id for hotline in directory.for_region("CN-BJ", "zh")]
    assert ids[0] == "cn-bj-crisis-center"
    assert "cn-12356" in ids


def test_a_subdivision_entry_can_stand_in_for_the_country_entry_it_replaces(directory: HotlineDirectory) -> None:
    ids = [hotline.id for hotline in directory.for_region("IN-UP", "hi")]
    assert ids[0] == "in-up-telemanas"
    assert "in-telemanas" not in ids  # same service: listed once
    assert "in-aasra" in ids


def test_a_subdivision_without_its_own_lines_falls_back_to_the_country(directory: HotlineDirectory) -> None:
    assert [h.id for h in directory.for_region("CN-GD")] == [h.id for h in directory.for_region("CN")]
    assert [h.id for h in directory.for_region("IN-MH")] == [h.id for h in directory.for_region("IN")]


@pytest.mark.parametrize("region", [None, "", "XX", "ZZ-99", "not a region", "🙂"])
def test_an_unknown_region_gets_the_international_directory(directory: HotlineDirectory, region: str | None) -> None:
    found = directory.for_region(region, "en")
    assert [h.id for h in found] == [h.id for h in directory.international]


def test_region_codes_are_read_leniently(directory: HotlineDirectory) -> None:
    assert normalize_region(" cn_bj ") == "CN-BJ"
    assert normalize_region("in-up") == "IN-UP"
    assert normalize_region("China") is None
    assert [h.id for h in directory.for_region("cn_bj")] == [h.id for h in directory.for_region("CN-BJ")]


def test_hong_kong_and_taiwan_get_their_own_lines_under_either_code(directory: HotlineDirectory) -> None:
    assert [h.id for h in directory.for_region("CN-HK")] == [h.id for h in directory.for_region("HK")]
    assert "12356" not in _numbers(directory, "CN-TW")
    assert _numbers(directory, "CN-TW") == _numbers(directory, "TW")


def test_lines_that_speak_the_language_come_first_but_none_are_dropped(directory: HotlineDirectory) -> None:
    english = [h.id for h in directory.for_region("SG", "en")]
    chinese = [h.id for h in directory.for_region("SG", "zh")]
    assert sorted(english) == sorted(chinese)
    in_hindi = directory.for_region("IN", "hi-Latn")
    assert in_hindi[0].speaks("hi")


def test_names_are_given_in_the_script_the_reader_reads(directory: HotlineDirectory) -> None:
    telemanas = directory.get("in-telemanas")
    assert telemanas.name_for("hi") == "टेली-मानस"
    assert telemanas.name_for("hi-Latn").startswith("Tele-MANAS")
    assert telemanas.name_for("en").startswith("Tele-MANAS")
    assert directory.get("cn-12356").name_for("zh-Hans") == "全国统一心理援助热线"


def test_the_module_function_uses_the_shipped_directory() -> None:
    assert hotlines_for("US", "en")[0].id == "us-988"


@settings(max_examples=200)
@given(region=st.one_of(st.none(), st.text(max_size=12)), language=st.one_of(st.none(), st.text(max_size=8)))
def test_lookup_never_raises_and_is_never_empty(region: str | None, language: str | None) -> None:
    assert hotlines_for(region, language)


# -- validation ------------------------------------------------------------------------------------------------


def _shipped_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(default_path().read_text(encoding="utf-8"))
    return data


@pytest.fixture()
def data() -> dict[str, Any]:
    return copy.deepcopy(_SHIPPED)


_SHIPPED = _shipped_data()


def _entry(data: dict[str, Any], hotline_id: str) -> dict[str, Any]:
    return next(item for item in data["hotlines"] if item["id"] == hotline_id)


def _fails(data: dict[str, Any], *, entry: str | None, field: str | None, says: str) -> None:
    with pytest.raises(DataFileError) as caught:
        parse_directory(data, file="hotlines.yaml")
    assert caught.value.file == "hotlines.yaml"
    assert caught.value.entry == entry
    assert caught.value.field == field
    assert says in str(caught.value)


def test_the_shipped_data_parses(data: dict[str, Any]) -> None:
    assert parse_directory(data).version == 1


def test_a_bad_region_code_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "us-988")["region"] = "USA"
    _fails(data, entry="us-988", field="region", says="ISO 3166")


def test_a_number_that_is_not_a_phone_number_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "us-988")["contacts"][0]["value"] = "call us"
    _fails(data, entry="us-988", field="contacts[0].value", says="not a phone number")


def test_a_number_written_as_a_yaml_integer_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "gb-samaritans")["contacts"][0]["value"] = 116123
    _fails(data, entry="gb-samaritans", field="contacts[0].value", says="must be a string")


def test_a_chat_contact_must_be_https(data: dict[str, Any]) -> None:
    _entry(data, "us-988")["contacts"][2]["value"] = "http://988lifeline.org/chat"
    _fails(data, entry="us-988", field="contacts[2].value", says="https")


def test_an_unknown_channel_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "us-988")["contacts"][0]["channel"] = "fax"
    _fails(data, entry="us-988", field="contacts[0].channel", says="'fax'")


def test_a_regional_line_needs_a_number(data: dict[str, Any]) -> None:
    _entry(data, "br-cvv")["contacts"] = [{"channel": "chat", "value": "https://cvv.org.br"}]
    _fails(data, entry="br-cvv", field="contacts", says="at least one phone number")


def test_a_missing_source_title_is_refused(data: dict[str, Any]) -> None:
    del _entry(data, "ph-ncmh")["source"]["title"]
    _fails(data, entry="ph-ncmh", field="source.title", says="non-empty string")


def test_a_bad_last_checked_date_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "ph-ncmh")["last_checked"] = "last week"
    _fails(data, entry="ph-ncmh", field="last_checked", says="YYYY-MM-DD")


def test_verified_must_be_said_explicitly(data: dict[str, Any]) -> None:
    del _entry(data, "ph-ncmh")["verified"]
    _fails(data, entry="ph-ncmh", field="verified", says="true or false")


def test_duplicate_ids_and_unknown_fields_are_refused(data: dict[str, Any]) -> None:
    broken = copy.deepcopy(data)
    broken["hotlines"][1]["id"] = broken["hotlines"][0]["id"]
    _fails(broken, entry=broken["hotlines"][0]["id"], field="id", says="another entry")
    _entry(data, "us-988")["phone"] = "988"
    _fails(data, entry="us-988", field="phone", says="unknown field")


def test_replaces_must_name_an_entry_of_the_same_country(data: dict[str, Any]) -> None:
    _entry(data, "in-up-telemanas")["replaces"] = ["us-988"]
    _fails(data, entry="in-up-telemanas", field="replaces[0]", says="not an entry of the country")


def test_an_international_entry_has_no_region(data: dict[str, Any]) -> None:
    data["international"][0]["region"] = "US"
    _fails(data, entry="intl-findahelpline", field="region", says="no region")


def test_a_bad_language_tag_is_refused(data: dict[str, Any]) -> None:
    _entry(data, "us-988")["languages"] = ["English"]
    _fails(data, entry="us-988", field="languages[0]", says="BCP 47")


def test_unreadable_and_invalid_files_name_the_file(tmp_path: Path) -> None:
    with pytest.raises(DataFileError, match="missing.yaml: cannot read"):
        load_directory(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("hotlines: [\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="broken.yaml: not valid YAML"):
        load_directory(broken)


def test_a_platform_can_load_its_own_copy(tmp_path: Path) -> None:
    data = copy.deepcopy(_SHIPPED)
    data["hotlines"] = [item for item in data["hotlines"] if item["region"] == "IN"]
    path = tmp_path / "hotlines.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    own = load_directory(path)
    assert own.regions == ("IN",)
    assert [h.id for h in hotlines_for("US", directory=own)] == [h.id for h in own.international]
