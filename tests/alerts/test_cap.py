"""CAP 1.2 messages: every one we build passes the official OASIS schema, reads back as built, and links up."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from lifeguard.alerts.cap import (
    CAP_NS,
    CapMessage,
    CapReference,
    Issuer,
    Status,
    build_alert,
    build_cancel,
    build_update,
    cap_schema,
    format_cap_time,
    message_identifier,
    parse_cap,
    parse_cap_time,
    parse_circle,
    validate_cap,
)
from lifeguard.alerts.errors import CapValidationError, InvalidAlertInput
from lifeguard.alerts.model import AlertContent

from .builders import CST, ISSUER, T0, child_content, elderly_content

SCHEMA = Path(__file__).resolve().parents[2] / "src/lifeguard/alerts/schema/CAP-v1.2.xsd"


def _chain() -> tuple[AlertContent, CapMessage, CapMessage, CapMessage]:
    content = child_content()
    alert = build_alert(content, issuer=ISSUER, radius_km=50, sent=T0)
    update = build_update(
        content, issuer=ISSUER, radius_km=100, sent=T0 + timedelta(hours=1), sequence=2, previous=[alert]
    )
    cancel = build_cancel(
        content,
        issuer=ISSUER,
        radius_km=100,
        sent=T0 + timedelta(hours=1, minutes=20),
        sequence=3,
        previous=[alert, update],
    )
    return content, alert, update, cancel


# --- the schema file itself ---------------------------------------------------------------------------------


def test_the_schema_is_the_official_oasis_cap_1_2_schema() -> None:
    """The structure and value lists of CAP 1.2 (OASIS Standard, 1 July 2010), element for element."""
    text = SCHEMA.read_text(encoding="utf-8")
    assert "<!-- Copyright OASIS Open 2010 All Rights Reserved -->" in text
    schema = cap_schema()
    assert schema.target_namespace == CAP_NS == "urn:oasis:names:tc:emergency:cap:1.2"
    assert schema.version == "1.2"
    ns = {"cap": CAP_NS}

    def element(path: str) -> Any:  # xmlschema's component types are a wide union; these paths are elements
        return schema.find(path, ns)

    def children(path: str) -> list[str | None]:
        return [e.local_name for e in element(path).type.content.iter_elements()]

    def values(path: str) -> list[str]:
        return list(element(path).type.enumeration)

    assert children("cap:alert") == [
        "identifier",
        "sender",
        "sent",
        "status",
        "msgType",
        "source",
        "scope",
        "restriction",
        "addresses",
        "code",
        "note",
        "references",
        "incidents",
        "info",
        None,  # None: the xs:any for an XML signature
    ]
    assert children("cap:alert/cap:info") == [
        "language",
        "category",
        "event",
        "responseType",
        "urgency",
        "severity",
        "certainty",
        "audience",
        "eventCode",
        "effective",
        "onset",
        "expires",
        "senderName",
        "headline",
        "description",
        "instruction",
        "web",
        "contact",
        "parameter",
        "resource",
        "area",
    ]
    area = ["areaDesc", "polygon", "circle", "geocode", "altitude", "ceiling"]
    assert children("cap:alert/cap:info/cap:area") == area
    assert values("cap:alert/cap:status") == ["Actual", "Exercise", "System", "Test", "Draft"]
    assert values("cap:alert/cap:msgType") == ["Alert", "Update", "Cancel", "Ack", "Error"]
    assert values("cap:alert/cap:scope") == ["Public", "Restricted", "Private"]
    assert values("cap:alert/cap:info/cap:category") == [
        "Geo",
        "Met",
        "Safety",
        "Security",
        "Rescue",
        "Fire",
        "Health",
        "Env",
        "Transport",
        "Infra",
        "CBRNE",
        "Other",
    ]
    assert values("cap:alert/cap:info/cap:urgency") == ["Immediate", "Expected", "Future", "Past", "Unknown"]
    assert values("cap:alert/cap:info/cap:severity") == ["Extreme", "Severe", "Moderate", "Minor", "Unknown"]
    assert values("cap:alert/cap:info/cap:certainty") == ["Observed", "Likely", "Possible", "Unlikely", "Unknown"]


# --- building -----------------------------------------------------------------------------------------------


def test_alert_update_and_cancel_all_pass_the_schema() -> None:
    _, alert, update, cancel = _chain()
    for message in (alert, update, cancel):
        validate_cap(message.xml)  # the builders validated already; independent second check with the raw schema
        assert cap_schema().is_valid(message.xml.decode("utf-8"))
    assert [m.msg_type.value for m in (alert, update, cancel)] == ["Alert", "Update", "Cancel"]


def test_identifiers_are_stable_and_unique() -> None:
    content, alert, update, cancel = _chain()
    again = build_alert(content, issuer=ISSUER, radius_km=50, sent=T0)
    assert again.identifier == alert.identifier == "cn.mps.missing.2026-0042.1"
    assert again.xml == alert.xml  # byte-identical: a resend after a crash is the same message
    assert len({alert.identifier, update.identifier, cancel.identifier}) == 3
    other = build_alert(child_content(alert_id="2026-0043"), issuer=ISSUER, radius_km=50, sent=T0)
    assert other.identifier != alert.identifier
    assert message_identifier(ISSUER, "2026-0042", 3) == cancel.identifier


def test_updates_and_cancels_reference_every_earlier_message_as_sender_identifier_sent() -> None:
    _, alert, update, cancel = _chain()
    parsed = parse_cap(cancel.xml)
    assert parsed.references == (alert.reference(), update.reference())
    assert str(alert.reference()) == "alerts@mps.example.cn,cn.mps.missing.2026-0042.1,2026-11-23T06:30:00-00:00"
    assert parsed.incidents == "2026-0042"


def test_round_trip_of_an_alert() -> None:
    content = child_content(abduction_suspected=True, parameters=(("caseNumber", "ZZ-2026-118"),))
    message = build_alert(content, issuer=ISSUER, radius_km=50, sent=T0)
    parsed = parse_cap(message.xml)
    assert (parsed.identifier, parsed.sender, parsed.sent) == (message.identifier, ISSUER.sender, T0)
    assert (parsed.status, parsed.msg_type, parsed.scope) == ("Actual", "Alert", "Public")
    assert [i.language for i in parsed.infos] == ["zh-CN", "en-US", "hi-IN"]
    zh, en, hi = parsed.infos
    assert (zh.event, en.event, hi.event) == ("儿童失踪", "Missing child", "लापता बच्चा")
    assert en.categories == ("Rescue", "Safety")  # abduction suspected: public safety too
    assert (en.urgency, en.severity, en.certainty) == ("Immediate", "Severe", "Likely")
    assert en.onset == content.last_seen.at and en.onset.utcoffset() == timedelta(hours=8)
    assert en.expires == T0 + ISSUER.validity
    assert en.headline == "Missing child: 李小明, boy, 8 years old, last seen at 郑州市二七广场"
    assert en.description is not None and "about 125 cm tall" in en.description and "红色上衣" in en.description
    assert "Last seen at 郑州市二七广场 on 2026-11-23 14:05 (UTC+08:00)" in en.description
    assert en.instruction is not None and "call 110 (郑州市公安局)" in en.instruction
    assert zh.headline == "儿童失踪：李小明，男孩，8岁，最后出现在郑州市二七广场"
    assert en.web == content.web_url
    assert en.contact == "郑州市公安局, 110"
    assert ("caseNumber", "ZZ-2026-118") in en.parameters
    assert ("lifeguard:radiusKm", "50") in en.parameters
    assert [(r.uri, r.mime_type, r.size, r.digest) for r in en.resources] == [
        (p.uri, p.mime_type, p.size_bytes, p.sha1_hex) for p in content.person.photos
    ]
    assert en.areas[0].description == "Within 50 km of 郑州市二七广场"
    assert en.areas[0].circles[0].lat == pytest.approx(34.7466)
    assert en.areas[0].circles[0].lon == pytest.approx(113.6253)
    assert en.areas[0].circles[0].radius_km == 50
    assert zh.areas[0].description == "郑州市二七广场周边50公里"


def test_elderly_alert_in_hindi_and_english() -> None:
    message = build_alert(elderly_content(), issuer=ISSUER, radius_km=12.5, sent=T0)
    hi, en = parse_cap(message.xml).infos
    assert (hi.language, hi.event, en.event) == ("hi-IN", "लापता व्यक्ति", "Missing person")
    assert en.categories == ("Rescue",)
    assert en.description is not None and "May be confused" in en.description
    assert "walks with a stick, hearing aid in left ear" in en.description
    assert en.areas[0].circles[0].radius_km == 12.5
    assert hi.areas[0].description == "Charbagh railway station, Lucknow से 12.5 किमी के भीतर"


def test_the_cancel_tells_nothing_of_the_person() -> None:
    content, _, _, cancel = _chain()
    parsed = parse_cap(cancel.xml)
    text = cancel.xml.decode("utf-8")
    assert content.person.name not in text
    assert "红色上衣" not in text
    assert all(not info.resources for info in parsed.infos)  # photos withdrawn
    assert all(info.urgency == "Past" and info.certainty == "Observed" for info in parsed.infos)
    assert parsed.infos[1].headline == "Missing child alert ended"
    assert parsed.note == "Alert closed by the issuing police unit."


def test_local_send_times_keep_their_offset() -> None:
    sent = datetime(2026, 11, 23, 14, 30, 15, 999_999, tzinfo=CST)
    message = build_alert(child_content(), issuer=ISSUER, radius_km=50, sent=sent)
    assert b"<sent>2026-11-23T14:30:15+08:00</sent>" in message.xml
    assert message.sent == sent.replace(microsecond=0)


def test_cap_time_format() -> None:
    assert format_cap_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)) == "2026-01-02T03:04:05-00:00"
    assert format_cap_time(datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-3, minutes=-30)))) == (
        "2026-01-02T03:04:05-03:30"
    )
    assert parse_cap_time("2026-01-02T03:04:05-00:00") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    with pytest.raises(CapValidationError, match="not of the form"):
        parse_cap_time("2026-01-02T03:04:05Z")


def test_test_and_exercise_status_for_drills() -> None:
    drill = Issuer(sender=ISSUER.sender, identifier_prefix="cn.mps.drill", status=Status.EXERCISE)
    parsed = parse_cap(build_alert(child_content(), issuer=drill, radius_km=5, sent=T0).xml)
    assert parsed.status == "Exercise"


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: build_alert(child_content(), issuer=ISSUER, radius_km=0, sent=T0), "greater than 0"),
        (lambda: build_alert(child_content(), issuer=ISSUER, radius_km=25_000, sent=T0), "half the planet"),
        (lambda: build_alert(child_content(), issuer=ISSUER, radius_km=5, sent=T0.replace(tzinfo=None)), "aware"),
        (lambda: build_alert(child_content(languages=("fr",)), issuer=ISSUER, radius_km=5, sent=T0), "zh, en, hi"),
        (
            lambda: build_update(child_content(), issuer=ISSUER, radius_km=5, sent=T0, sequence=2, previous=[]),
            "reference the earlier",
        ),
        (
            lambda: build_update(
                child_content(), issuer=ISSUER, radius_km=5, sent=T0, sequence=1, previous=[CapReference("a", "b", T0)]
            ),
            "sequence must be >= 2",
        ),
        (
            lambda: build_cancel(
                child_content(),
                issuer=ISSUER,
                radius_km=5,
                sent=T0,
                sequence=2,
                previous=[CapReference("a", "b", T0 + timedelta(1))],
            ),
            "sent after this message",
        ),
        (lambda: Issuer(sender="alerts mps", identifier_prefix="x"), "without spaces"),
        (lambda: Issuer(sender="a@b", identifier_prefix="x y"), "identifier prefix"),
    ],
)
def test_bad_build_inputs_are_refused(call: Callable[[], object], words: str) -> None:
    with pytest.raises(InvalidAlertInput, match=words):
        call()


def test_headlines_are_kept_short() -> None:
    long_place = "Platform 3 of the long-distance bus station " * 6
    content = child_content(last_seen=replace(child_content().last_seen, place=long_place))
    parsed = parse_cap(build_alert(content, issuer=ISSUER, radius_km=50, sent=T0).xml)
    headlines = [info.headline or "" for info in parsed.infos]
    assert all(0 < len(h) <= 160 for h in headlines)
    assert headlines[1].endswith("…")


# --- hand-broken messages -----------------------------------------------------------------------------------


def _broken(old: str, new: str) -> bytes:
    _, alert, _, _ = _chain()
    text = alert.xml.decode("utf-8")
    assert old in text
    return text.replace(old, new, 1).encode("utf-8")


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("<urgency>Immediate</urgency>", "<urgency>Now</urgency>", "urgency"),
        ("<msgType>Alert</msgType>", "<msgType>Notice</msgType>", "msgType"),
        ("<sender>alerts@mps.example.cn</sender>", "", "sender"),
        ("<sent>2026-11-23T06:30:00-00:00</sent>", "<sent>2026-11-23T06:30:00Z</sent>", "sent"),
        ("<category>Rescue</category>", "<category>Missing</category>", "category"),
        ("<scope>Public</scope>", "<scope>Public</scope><scope>Public</scope>", "scope"),
        ("<event>Missing child</event>", "<event>Missing child</event><colour>red</colour>", "colour"),
    ],
)
def test_a_hand_broken_message_fails_the_schema_with_a_clear_error(old: str, new: str, words: str) -> None:
    with pytest.raises(CapValidationError, match="CAP 1.2 schema") as caught:
        validate_cap(_broken(old, new))
    assert words in caught.value.message
    assert "/alert" in caught.value.message or "alert" in caught.value.message
    assert caught.value.details["errors"]


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        ("<identifier>cn.mps.missing.2026-0042.1</identifier>", "<identifier>cn mps 1</identifier>", "identifier"),
        ("<circle>34.7466,113.6253 50</circle>", "<circle>34.7466;113.6253 50</circle>", "circle"),
        ("<circle>34.7466,113.6253 50</circle>", "<circle>134.7466,113.6253 50</circle>", "latitude"),
        ("<msgType>Alert</msgType>", "<msgType>Update</msgType>", "must reference"),
    ],
)
def test_cap_rules_the_schema_cannot_express_are_enforced(old: str, new: str, words: str) -> None:
    with pytest.raises(CapValidationError, match="CAP 1.2 rules") as caught:
        validate_cap(_broken(old, new))
    assert words in caught.value.message


def test_not_xml_at_all() -> None:
    with pytest.raises(CapValidationError, match="not well-formed"):
        validate_cap(b"<alert xmlns='urn:oasis:names:tc:emergency:cap:1.2'><identifier>")


def test_wrong_namespace_is_not_cap_1_2() -> None:
    with pytest.raises(CapValidationError):
        validate_cap(_broken(CAP_NS, "urn:oasis:names:tc:emergency:cap:1.1"))


def test_doctype_and_entities_are_refused_before_parsing() -> None:
    bomb = b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xx">]><alert>&x;</alert>'
    with pytest.raises(CapValidationError, match="DOCTYPE"):
        validate_cap(bomb)
    with pytest.raises(CapValidationError, match="byte limit"):
        validate_cap(b" " * (512 * 1024 + 1))


def test_circle_parsing() -> None:
    circle = parse_circle("-33.8688,151.2093 12.5")
    assert (circle.lat, circle.lon, circle.radius_km) == (-33.8688, 151.2093, 12.5)
    with pytest.raises(CapValidationError, match="lat,lon radius_km"):
        parse_circle("-33.8688,151.2093")
    with pytest.raises(CapValidationError, match="malformed"):
        parse_circle("1.2.3,4 5")


def _ack(references: str) -> bytes:
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n"
        f'<alert xmlns="{CAP_NS}"><identifier>maps.ack.77</identifier><sender>cap@maps.example.cn</sender>'
        "<sent>2026-11-23T14:31:02+08:00</sent><status>Actual</status><msgType>Ack</msgType>"
        f"<scope>Private</scope>{references}</alert>"
    ).encode()


def test_a_partners_ack_reads_back_with_its_reference() -> None:
    _, alert, _, _ = _chain()
    parsed = parse_cap(_ack(f"<references>{alert.reference()}</references>"))
    assert parsed.msg_type == "Ack" and parsed.references == (alert.reference(),)
    assert parsed.sent == datetime(2026, 11, 23, 6, 31, 2, tzinfo=UTC)
    with pytest.raises(CapValidationError, match="an Ack must reference"):
        parse_cap(_ack(""))
