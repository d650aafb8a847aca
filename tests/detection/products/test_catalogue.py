"""The product risk catalogue: the shipped file loads, malformed files fail naming entry and field, and items
match by product id, ATC code, name (four languages, normalised) and category, with household quantities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lifeguard.detection.products import CatalogueError, Strength, load_catalogue
from lifeguard.detection.products.catalogue import default_catalogue_path, parse_catalogue


@pytest.fixture(scope="module")
def shipped() -> Any:
    return load_catalogue()


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(default_catalogue_path().read_text(encoding="utf-8"))
    return data


def test_shipped_catalogue_covers_the_means_the_stories_name(shipped: Any) -> None:
    for kind in (
        "sedative",
        "paracetamol",
        "pesticide",
        "rodenticide",
        "nitrite",
        "charcoal",
        "sealing",
        "ligature",
        "blade",
        "helium",
        "bag",
        "antiemetic",
    ):
        assert kind in shipped.means_kinds
    assert shipped.version >= 1
    for entry in shipped.entries.values():
        assert entry.names or entry.categories or entry.atc, entry.id


@pytest.mark.parametrize(
    ("title", "entry"),
    [
        ("艾司唑仑片 1mg*20片", "sedative_hypnotic"),
        ("Zolpidem tartrate 10mg", "sedative_hypnotic"),
        ("NEEND KI GOLI", "sedative_hypnotic"),
        ("नींद की गोलियां 10", "sedative_hypnotic"),
        ("百草枯 水剂", "paraquat"),
        ("Gramoxone 1L", "paraquat"),
        ("敌敌畏 乳油", "organophosphate"),
        ("Celphos tablets", "aluminium_phosphide"),
        ("亚硝酸钠 500g", "sodium_nitrite"),
        ("无烟木炭 5斤", "charcoal"),
        ("门窗密封条", "sealing"),
        ("Duct Tape, silver", "sealing"),
        ("Paracetamol 500mg", "paracetamol"),
        ("Ｔｙｌｅｎｏｌ", "paracetamol"),  # full-width letters fold
        ("Crocin Advance", "paracetamol"),
        ("氦气罐", "helium"),
        ("Razor blades, single edge", "blade"),
    ],
)
def test_items_match_by_name_in_four_languages(shipped: Any, title: str, entry: str) -> None:
    hits = shipped.match_item(title, None, None, 1)
    assert entry in [hit.entry for hit in hits], hits


def test_ordinary_products_do_not_match(shipped: Any) -> None:
    # "tape" and "rope" match whole words only: a tapestry and a ropeway are not means.
    for title in (
        "Apple iPhone case",
        "四川特辣朝天椒",
        "Dead Sea Mud Mask",
        "tapestry wall hanging",
        "ropeway ticket",
    ):
        assert shipped.match_item(title, None, None, 1) == [], title


def test_atc_code_in_category_and_prefix_match(shipped: Any) -> None:
    [hit] = shipped.match_item("Stilnoct", "N05CF02", None, 1)
    assert (hit.entry, hit.via, hit.term) == ("sedative_hypnotic", "atc", "N05CF02")
    assert shipped.match_item("x", "N02BE01", None, 1)[0].entry == "paracetamol"
    assert shipped.match_item("x", "A01AB03", None, 1) == []  # an ATC code that is not in the catalogue


def test_category_only_when_the_title_says_nothing_more(shipped: Any) -> None:
    [hit] = shipped.match_item("强效杀虫 1L", "农资/农药", None, 1)
    assert (hit.entry, hit.via) == ("pesticide_generic", "category")
    [hit] = shipped.match_item("百草枯 200ml", "农资/农药", None, 1)
    assert hit.entry == "paraquat"


def test_product_ids_from_a_platform_catalogue(tmp_path: Path) -> None:
    data = _raw()
    data["entries"][0]["product_ids"] = ["sku-123"]
    path = tmp_path / "cat.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    custom = load_catalogue(path)
    [hit] = custom.match_item("anything at all", None, "sku-123", 1)
    assert (hit.entry, hit.via) == (data["entries"][0]["id"], "product_id")


def test_household_quantity_by_packs_and_by_pieces(shipped: Any) -> None:
    [one] = shipped.match_item("Paracetamol 500mg 16 tablets", None, None, 1)
    assert not one.bulk and one.strength == Strength.NONE
    [packs] = shipped.match_item("Paracetamol 500mg 16 tablets", None, None, 3)
    assert packs.bulk and packs.strength == Strength.MODERATE and packs.pieces == 48
    [pieces] = shipped.match_item("Paracetamol 500mg 100 tablets", None, None, 1)
    assert pieces.bulk  # 100 tablets > 32 in one pack
    [multi] = shipped.match_item("艾司唑仑片 1mg 2x20片", None, None, 1)
    assert multi.pieces == 40 and multi.bulk


@pytest.mark.parametrize("quantity", [0, -5, 10**12, "3", "abc", None, 2.7, True])
def test_odd_quantities_never_raise(shipped: Any, quantity: Any) -> None:
    hits = shipped.match_item("百草枯", None, None, quantity)
    assert hits and 0 <= hits[0].quantity <= 1_000_000


def test_odd_titles_never_raise(shipped: Any) -> None:
    for title in ("", "   ", "مبيد حشري", "ยาฆ่าแมลง", "\u200b百\u200b草\u200b枯", "x" * 5000):
        shipped.match_item(title, None, None, 1)
    assert shipped.match_item(None, None, None, 1) == []  # type: ignore[arg-type]
    # Zero-width characters inside a name do not hide it.
    assert shipped.match_item("\u200b百\u200b草\u200b枯", None, None, 1)[0].entry == "paraquat"


def test_pairs_are_seen_from_both_sides(shipped: Any) -> None:
    assert ("sealing", Strength.STRONG) in [(p.with_, p.strength) for p in shipped.pairs_for("charcoal")]
    assert ("charcoal", Strength.STRONG) in [(p.with_, p.strength) for p in shipped.pairs_for("sealing")]
    assert "cue:closed_room" in [p.with_ for p in shipped.pairs_for("charcoal")]
    assert "nitrite" in [p.with_ for p in shipped.pairs_for("antiemetic")]


def test_ordinary_uses_per_means(shipped: Any) -> None:
    assert shipped.ordinary_uses("我家果园红蜘蛛多")["pesticide"] == "果园"
    assert "charcoal" in shipped.ordinary_uses("lamb skewers for the grill")
    uses = shipped.ordinary_uses("monthly clinic supply")
    assert {"paracetamol", "sedative"} <= set(uses)  # a longer phrase of one list does not hide another's word
    assert shipped.ordinary_uses("") == {}


def _error(data: Any) -> CatalogueError:
    with pytest.raises(CatalogueError) as caught:
        parse_catalogue(data)
    return caught.value


def test_errors_name_the_entry_and_the_field() -> None:
    data = _raw()
    data["entries"][1]["strength"]["alone"] = "deadly"
    error = _error(data)
    assert (error.entry, error.field) == (data["entries"][1]["id"], "strength.alone")
    assert "deadly" in str(error)

    data = _raw()
    data["entries"][2]["household"] = {"packs": 0}
    error = _error(data)
    assert (error.entry, error.field) == (data["entries"][2]["id"], "household.packs")

    data = _raw()
    data["entries"][0]["atc"] = ["N05CF02", "banana"]
    assert (_error(data).field) == "atc[1]"

    data = _raw()
    data["entries"][0]["names"]["fr"] = ["somnifère"]
    assert _error(data).field == "names.fr"

    data = _raw()
    data["entries"][3]["colour"] = "red"
    error = _error(data)
    assert error.entry == data["entries"][3]["id"] and "colour" in str(error)

    data = _raw()
    data["entries"][1]["id"] = data["entries"][0]["id"]
    assert _error(data).field == "id"

    data = _raw()
    data["entries"][1]["names"]["zh"].append(data["entries"][0]["names"]["zh"][0])
    error = _error(data)
    assert error.field == "names.zh" and "already used" in str(error)

    data = _raw()
    charcoal = next(e for e in data["entries"] if e["id"] == "charcoal")
    charcoal["pairs"][0]["with"] = "unicorn"
    error = _error(data)
    assert (error.entry, error.field) == ("charcoal", "pairs[0].with")

    data = _raw()
    charcoal = next(e for e in data["entries"] if e["id"] == "charcoal")
    charcoal["strength"] = {"alone": "strong", "bulk": "weak"}
    assert _error(data).field == "strength.bulk"

    data = _raw()
    data["entries"][0]["id"] = "Bad Id"
    assert (_error(data).entry, _error(data).field) == ("#0", "id")


def test_file_level_errors(tmp_path: Path) -> None:
    assert _error([]).entry is None
    assert _error({"version": 0, "entries": []}).field == "version"
    assert _error({"version": 1, "entries": []}).field == "entries"
    assert "unknown top-level" in str(_error({"version": 1, "entries": [{}], "extra": 1}))
    broken = tmp_path / "broken.yaml"
    broken.write_text("entries: [unclosed", encoding="utf-8")
    with pytest.raises(CatalogueError, match="not valid YAML"):
        load_catalogue(broken)
    with pytest.raises(CatalogueError, match="cannot read"):
        load_catalogue(tmp_path / "missing.yaml")
