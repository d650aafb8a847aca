"""OASIS CAP 1.2 messages for missing-person alerts: Alert, Update, Cancel; validation; parsing.

Every message this module returns has passed the official CAP 1.2 XML schema (``schema/CAP-v1.2.xsd``) and the
rules the standard states in words only (identifier characters, ``references`` and ``circle`` syntax). A partner
can feed our messages to any CAP tool, and a message that would not pass never leaves this module.

Identifiers are ``{prefix}.{alert id}.{sequence}``: unique per sender (one alert id, one counter) and stable (the
same message built twice, e.g. after a crash between build and send, has the same identifier, so partners can
drop the duplicate).
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
import xml.etree.ElementTree as ET  # noqa: S405 - builds our own XML; parsing is guarded in parse_cap
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum
from importlib import resources
from typing import Final

import xmlschema

from lifeguard.alerts.cap_texts import AlertTexts, texts_for
from lifeguard.alerts.errors import CapValidationError, InvalidAlertInput
from lifeguard.alerts.geo import validate_point, validate_radius_km
from lifeguard.alerts.model import AlertContent, Category, require_aware, require_safe_id

CAP_NS: Final = "urn:oasis:names:tc:emergency:cap:1.2"
MAX_MESSAGE_BYTES: Final = 512 * 1024  # CAP alerts are a few KB; anything near this is not one of ours
HEADLINE_MAX: Final = 160  # the standard asks headlines to stay under 160 characters (SMS-sized)
_FORBIDDEN_IN_IDS = re.compile(r"[\s,<&]")


class MsgType(StrEnum):
    ALERT = "Alert"
    UPDATE = "Update"
    CANCEL = "Cancel"


class Status(StrEnum):
    ACTUAL = "Actual"
    EXERCISE = "Exercise"  # drills with partners: partners show nothing to the public
    SYSTEM = "System"
    TEST = "Test"
    DRAFT = "Draft"


@dataclass(frozen=True)
class Issuer:
    """Who signs the messages: the CAP ``sender`` and the namespace of our identifiers."""

    sender: str  # e.g. "alerts@mps.example.cn"
    identifier_prefix: str  # e.g. "cn.mps.missing"
    status: Status = Status.ACTUAL
    # Partners drop an alert that was not refreshed within this time, so an alert whose issuer went silent (or
    # was lost) does not stay on screens forever. The lifecycle sends an Update before it runs out.
    validity: timedelta = timedelta(hours=24)

    def __post_init__(self) -> None:
        if not self.sender or _FORBIDDEN_IN_IDS.search(self.sender):
            raise InvalidAlertInput(f"CAP sender {self.sender!r} must be non-empty without spaces, ',', '<', '&'")
        require_safe_id(self.identifier_prefix, "identifier prefix")
        if self.validity <= timedelta(0):
            raise InvalidAlertInput("validity must be positive")


def format_cap_time(value: datetime) -> str:
    """CAP 1.2 date-time: seconds, explicit offset, and UTC written ``-00:00`` as the standard demands (no 'Z')."""
    require_aware(value, "CAP time")
    offset = value.utcoffset()
    assert offset is not None  # require_aware checked it
    text = value.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%S")
    if offset == timedelta(0):
        return text + "-00:00"
    total_minutes = int(offset.total_seconds() // 60)
    sign = "+" if total_minutes > 0 else "-"
    hours, minutes = divmod(abs(total_minutes), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def parse_cap_time(text: str) -> datetime:
    match = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)([-+])(\d\d):(\d\d)", text.strip())
    if match is None:
        raise CapValidationError(f"CAP time {text!r} is not of the form YYYY-MM-DDThh:mm:ss+hh:mm")
    base, sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    tz = UTC if delta == timedelta(0) else timezone(delta if sign == "+" else -delta)
    return datetime.fromisoformat(base).replace(tzinfo=tz)


@dataclass(frozen=True)
class CapReference:
    sender: str
    identifier: str
    sent: datetime

    def __str__(self) -> str:
        return f"{self.sender},{self.identifier},{format_cap_time(self.sent)}"

    @classmethod
    def parse(cls, text: str) -> CapReference:
        parts = text.split(",")
        if len(parts) != 3 or not all(parts):
            raise CapValidationError(f"reference {text!r} is not 'sender,identifier,sent'")
        return cls(parts[0], parts[1], parse_cap_time(parts[2]))


@dataclass(frozen=True)
class CapMessage:
    identifier: str
    sender: str
    sent: datetime
    msg_type: MsgType
    alert_id: str
    sequence: int
    references: tuple[CapReference, ...]
    xml: bytes = field(repr=False)

    def reference(self) -> CapReference:
        return CapReference(self.sender, self.identifier, self.sent)


def message_identifier(issuer: Issuer, alert_id: str, sequence: int) -> str:
    require_safe_id(alert_id, "alert id")
    if sequence < 1:
        raise InvalidAlertInput(f"message sequence starts at 1, got {sequence}")
    return f"{issuer.identifier_prefix}.{alert_id}.{sequence}"


# --- building -------------------------------------------------------------------------------------------------


def _q(tag: str) -> str:
    return f"{{{CAP_NS}}}{tag}"


def _sub(parent: ET.Element, tag: str, text: str | None = None) -> ET.Element:
    child = ET.SubElement(parent, _q(tag))
    if text is not None:
        child.text = text
    return child


def _pair(parent: ET.Element, tag: str, name: str, value: str) -> None:
    holder = _sub(parent, tag)
    _sub(holder, "valueName", name)
    _sub(holder, "value", value)


def format_radius(radius_km: float) -> str:
    return f"{radius_km:.3f}".rstrip("0").rstrip(".")


def _circle(content: AlertContent, radius_km: float) -> str:
    # 4 decimals is ~11 m: the precision of a described place, no more.
    return f"{content.last_seen.lat:.4f},{content.last_seen.lon:.4f} {format_radius(radius_km)}"


def _texts(language: str) -> AlertTexts:
    texts = texts_for(language)
    if texts is None:
        raise InvalidAlertInput(f"no alert texts for language {language!r}; available: zh, en, hi")
    return texts


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _local_time(value: datetime) -> str:
    offset = format_cap_time(value)[-6:]
    return f"{value:%Y-%m-%d %H:%M} (UTC{'+00:00' if offset == '-00:00' else offset})"


def _describe(content: AlertContent, texts: AlertTexts) -> tuple[str, str]:
    """(who, description): a short "who" for the headline, the full description for the body."""
    person = content.person
    who_parts = [person.name]
    sex = texts.sex(person.sex, content.category)
    if sex:
        who_parts.append(sex)
    if person.age is not None:
        who_parts.append(texts.age.format(age=person.age))
    who = texts.list_separator.join(who_parts)
    sentences = [who]
    if person.height_cm is not None:
        sentences[0] += texts.list_separator + texts.height.format(height=person.height_cm)
    if person.clothing.strip():
        sentences.append(texts.clothing.format(clothing=person.clothing.strip()))
    if person.distinguishing_marks:
        marks = texts.list_separator.join(m.strip() for m in person.distinguishing_marks if m.strip())
        sentences.append(texts.marks.format(marks=marks))
    sentences.append(
        texts.last_seen.format(place=content.last_seen.place.strip(), time=_local_time(content.last_seen.at))
    )
    if content.category is not Category.CHILD:
        sentences.append(texts.may_be_confused)
    return who, texts.separator.join(sentences) + texts.sentence_end


@dataclass(frozen=True)
class AlertWords:
    """What one language block of an Alert or Update says, for the other places that say it (the public page,
    the e-mails to people who opted in): the same words as the CAP message, from one place."""

    event: str
    headline: str
    description: str
    instruction: str


def alert_words(content: AlertContent, language: str) -> AlertWords:
    texts = _texts(language)
    who, description = _describe(content, texts)
    event = texts.event(content.category)
    headline = texts.headline.format(event=event, who=who, place=content.last_seen.place)
    instruction = texts.instruction.format(
        name=content.person.name, phone=content.contact.phone, unit=content.contact.name, web=content.web_url
    )
    return AlertWords(
        event=event, headline=_clip(headline, HEADLINE_MAX), description=description, instruction=instruction
    )


def cancel_words(content: AlertContent, language: str) -> AlertWords:
    """A Cancel's words: that the alert ended, nothing about the person."""
    texts = _texts(language)
    event = texts.event(content.category)
    return AlertWords(
        event=event,
        headline=texts.cancel_headline.format(event=event),
        description=texts.cancel_description,
        instruction="",
    )


def _info_common(
    alert: ET.Element, content: AlertContent, language: str, texts: AlertTexts, *, cancel: bool
) -> ET.Element:
    info = _sub(alert, "info")
    _sub(info, "language", language)
    _sub(info, "category", "Rescue")
    if content.abduction_suspected and not cancel:
        _sub(info, "category", "Safety")  # someone may be holding the person: a public-safety matter too
    _sub(info, "event", texts.event(content.category))
    _sub(info, "responseType", "AllClear" if cancel else "Monitor")
    _sub(info, "urgency", "Past" if cancel else "Immediate")
    _sub(info, "severity", "Minor" if cancel else "Severe")
    _sub(info, "certainty", "Observed" if cancel else "Likely")
    _pair(info, "eventCode", "lifeguard:category", content.category.value)
    return info


def _add_area(info: ET.Element, content: AlertContent, texts: AlertTexts, radius_km: float) -> None:
    area = _sub(info, "area")
    place = content.last_seen.place.strip()
    _sub(area, "areaDesc", texts.area.format(radius=format_radius(radius_km), place=place))
    _sub(area, "circle", _circle(content, radius_km))


def _alert_info(
    alert: ET.Element, content: AlertContent, language: str, radius_km: float, sent: datetime, issuer: Issuer
) -> None:
    texts = _texts(language)
    words = alert_words(content, language)
    info = _info_common(alert, content, language, texts, cancel=False)
    _sub(info, "onset", format_cap_time(content.last_seen.at))
    _sub(info, "expires", format_cap_time(sent + issuer.validity))
    _sub(info, "senderName", content.contact.name)
    _sub(info, "headline", words.headline)
    _sub(info, "description", words.description)
    _sub(info, "instruction", words.instruction)
    _sub(info, "web", content.web_url)
    _sub(info, "contact", f"{content.contact.name}, {content.contact.phone}")
    _pair(info, "parameter", "lifeguard:alertId", content.alert_id)
    _pair(info, "parameter", "lifeguard:radiusKm", format_radius(radius_km))
    for name, value in content.parameters:
        _pair(info, "parameter", name, value)
    for photo in content.person.photos:
        resource = _sub(info, "resource")
        _sub(resource, "resourceDesc", texts.photo)
        _sub(resource, "mimeType", photo.mime_type)
        _sub(resource, "size", str(photo.size_bytes))
        _sub(resource, "uri", photo.uri)
        _sub(resource, "digest", photo.sha1_hex)
    _add_area(info, content, texts, radius_km)


def _cancel_info(alert: ET.Element, content: AlertContent, language: str, radius_km: float) -> None:
    # No name, description or photo: the person has been found (or the alert withdrawn) and their details
    # should leave public screens, not be repeated once more.
    texts = _texts(language)
    words = cancel_words(content, language)
    info = _info_common(alert, content, language, texts, cancel=True)
    _sub(info, "senderName", content.contact.name)
    _sub(info, "headline", words.headline)
    _sub(info, "description", words.description)
    _sub(info, "web", content.web_url)
    _pair(info, "parameter", "lifeguard:alertId", content.alert_id)
    _add_area(info, content, texts, radius_km)


def _envelope(
    issuer: Issuer,
    identifier: str,
    sent: datetime,
    msg_type: MsgType,
    content: AlertContent,
    references: tuple[CapReference, ...],
    note: str | None,
) -> ET.Element:
    alert = ET.Element(_q("alert"))
    _sub(alert, "identifier", identifier)
    _sub(alert, "sender", issuer.sender)
    _sub(alert, "sent", format_cap_time(sent))
    _sub(alert, "status", issuer.status.value)
    _sub(alert, "msgType", msg_type.value)
    _sub(alert, "scope", "Public")
    if note:
        _sub(alert, "note", note)
    if references:
        _sub(alert, "references", " ".join(str(r) for r in references))
    _sub(alert, "incidents", content.alert_id)  # groups every message of one alert, whatever its type
    return alert


def _serialise(alert: ET.Element) -> bytes:
    ET.indent(alert)
    return ET.tostring(alert, encoding="utf-8", xml_declaration=True, default_namespace=CAP_NS)


def _references(previous: Sequence[CapMessage | CapReference], sent: datetime) -> tuple[CapReference, ...]:
    if not previous:
        raise InvalidAlertInput("an Update or Cancel must reference the earlier messages of the alert")
    refs: list[CapReference] = []
    for item in previous:
        ref = item.reference() if isinstance(item, CapMessage) else item
        if ref.sent > sent:
            raise InvalidAlertInput(f"reference {ref.identifier} was sent after this message ({ref.sent} > {sent})")
        if ref not in refs:
            refs.append(ref)
    return tuple(refs)


def _finish(
    alert: ET.Element,
    *,
    identifier: str,
    issuer: Issuer,
    sent: datetime,
    msg_type: MsgType,
    content: AlertContent,
    sequence: int,
    references: tuple[CapReference, ...],
) -> CapMessage:
    xml = _serialise(alert)
    validate_cap(xml)
    return CapMessage(
        identifier=identifier,
        sender=issuer.sender,
        sent=parse_cap_time(format_cap_time(sent)),
        msg_type=msg_type,
        alert_id=content.alert_id,
        sequence=sequence,
        references=references,
        xml=xml,
    )


def _check_inputs(content: AlertContent, radius_km: float, sent: datetime) -> None:
    require_aware(sent, "sent")
    validate_radius_km(radius_km)
    for language in content.languages:
        _texts(language)


def build_alert(content: AlertContent, *, issuer: Issuer, radius_km: float, sent: datetime) -> CapMessage:
    """The first message of an alert (sequence 1)."""
    _check_inputs(content, radius_km, sent)
    return _describing(
        content,
        issuer=issuer,
        radius_km=radius_km,
        sent=sent,
        msg_type=MsgType.ALERT,
        sequence=1,
        references=(),
        note=None,
    )


def build_update(
    content: AlertContent,
    *,
    issuer: Issuer,
    radius_km: float,
    sent: datetime,
    sequence: int,
    previous: Sequence[CapMessage | CapReference],
    note: str | None = None,
) -> CapMessage:
    """A full restatement (new area, new description, refreshed expiry) that supersedes the earlier messages."""
    _check_inputs(content, radius_km, sent)
    if sequence < 2:
        raise InvalidAlertInput(f"an Update follows the Alert: sequence must be >= 2, got {sequence}")
    references = _references(previous, sent)
    return _describing(
        content,
        issuer=issuer,
        radius_km=radius_km,
        sent=sent,
        msg_type=MsgType.UPDATE,
        sequence=sequence,
        references=references,
        note=note,
    )


def _describing(
    content: AlertContent,
    *,
    issuer: Issuer,
    radius_km: float,
    sent: datetime,
    msg_type: MsgType,
    sequence: int,
    references: tuple[CapReference, ...],
    note: str | None,
) -> CapMessage:
    """An Alert or an Update: the envelope plus one ``info`` block per language, each describing the person."""
    identifier = message_identifier(issuer, content.alert_id, sequence)
    alert = _envelope(issuer, identifier, sent, msg_type, content, references, note)
    for language in content.languages:
        _alert_info(alert, content, language, radius_km, sent, issuer)
    return _finish(
        alert,
        identifier=identifier,
        issuer=issuer,
        sent=sent,
        msg_type=msg_type,
        content=content,
        sequence=sequence,
        references=references,
    )


def build_cancel(
    content: AlertContent,
    *,
    issuer: Issuer,
    radius_km: float,
    sent: datetime,
    sequence: int,
    previous: Sequence[CapMessage | CapReference],
    note: str = "Alert closed by the issuing police unit.",
) -> CapMessage:
    """Withdraws the alert everywhere. Says nothing of the outcome: that is for the family, not the feed."""
    _check_inputs(content, radius_km, sent)
    if sequence < 2:
        raise InvalidAlertInput(f"a Cancel follows the Alert: sequence must be >= 2, got {sequence}")
    references = _references(previous, sent)
    identifier = message_identifier(issuer, content.alert_id, sequence)
    alert = _envelope(issuer, identifier, sent, MsgType.CANCEL, content, references, note)
    for language in content.languages:
        _cancel_info(alert, content, language, radius_km)
    return _finish(
        alert,
        identifier=identifier,
        issuer=issuer,
        sent=sent,
        msg_type=MsgType.CANCEL,
        content=content,
        sequence=sequence,
        references=references,
    )


# --- validating -----------------------------------------------------------------------------------------------


@functools.cache
def cap_schema() -> xmlschema.XMLSchema:
    """The official OASIS CAP 1.2 schema, compiled once (about 0.1 s)."""
    source = resources.files("lifeguard.alerts").joinpath("schema/CAP-v1.2.xsd")
    with resources.as_file(source) as path:
        return xmlschema.XMLSchema(str(path))


def _guard_untrusted(xml: bytes) -> None:
    if not isinstance(xml, bytes | bytearray):
        raise CapValidationError("a CAP message is bytes (UTF-8 XML)")
    if len(xml) > MAX_MESSAGE_BYTES:
        raise CapValidationError(f"CAP message of {len(xml)} bytes is over the {MAX_MESSAGE_BYTES} byte limit")
    # CAP needs no DTD; refusing any keeps entity-expansion tricks out before a parser sees them.
    if b"<!DOCTYPE" in xml or b"<!ENTITY" in xml:
        raise CapValidationError("CAP messages must not carry a DOCTYPE or entity declarations")


def _text_rule_errors(root: ET.Element) -> list[str]:
    """What the CAP 1.2 standard requires in words but its schema cannot express."""
    errors: list[str] = []
    for tag in ("identifier", "sender"):
        node = root.find(_q(tag))
        if node is not None and (not node.text or _FORBIDDEN_IN_IDS.search(node.text)):
            errors.append(f"/alert/{tag}: must not be empty or contain spaces, commas, '<' or '&'")
    msg_type = root.findtext(_q("msgType"))
    references = root.findtext(_q("references"))
    if msg_type in ("Update", "Cancel", "Ack", "Error") and not references:
        errors.append(f"/alert/references: an {msg_type} must reference the message(s) it is about")
    for ref in (references or "").split():
        try:
            CapReference.parse(ref)
        except CapValidationError as exc:
            errors.append(f"/alert/references: {exc.message}")
    for i, info in enumerate(root.findall(_q("info")), start=1):
        for j, area in enumerate(info.findall(_q("area")), start=1):
            for circle in area.findall(_q("circle")):
                try:
                    parse_circle(circle.text or "")
                except (CapValidationError, InvalidAlertInput) as exc:
                    errors.append(f"/alert/info[{i}]/area[{j}]/circle: {exc.message}")
    return errors


def validate_cap(xml: bytes) -> None:
    """Raise ``CapValidationError`` naming the place and the reason if ``xml`` is not a valid CAP 1.2 message."""
    _guard_untrusted(xml)
    schema = cap_schema()
    problems: list[str] = []
    try:
        for error in schema.iter_errors(io.BytesIO(bytes(xml))):
            where = error.path or "/"
            problems.append(f"{where}: {error.reason or error.message}")
            if len(problems) >= 5:
                break
    except (ET.ParseError, xmlschema.XMLSchemaException) as exc:
        raise CapValidationError(f"CAP 1.2: not well-formed XML: {exc}") from exc
    if problems:
        raise CapValidationError("CAP 1.2 schema: " + " | ".join(problems), details={"errors": problems})
    root = ET.fromstring(bytes(xml))  # noqa: S314 - guarded above and already parsed by the validator
    rule_errors = _text_rule_errors(root)
    if rule_errors:
        raise CapValidationError("CAP 1.2 rules: " + " | ".join(rule_errors), details={"errors": rule_errors})


# --- parsing --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Circle:
    lat: float
    lon: float
    radius_km: float


def parse_circle(text: str) -> Circle:
    match = re.fullmatch(r"\s*(-?[\d.]+),(-?[\d.]+)\s+([\d.]+)\s*", text)
    if match is None:
        raise CapValidationError(f"circle {text!r} is not 'lat,lon radius_km'")
    try:
        lat, lon, radius = (float(g) for g in match.groups())
    except ValueError as exc:
        raise CapValidationError(f"circle {text!r} has a malformed number") from exc
    validate_point(lat, lon)
    if radius < 0:  # CAP allows radius 0 for a point; our own builder never sends it
        raise CapValidationError(f"circle radius {radius} is negative")
    return Circle(lat, lon, radius)


@dataclass(frozen=True)
class ParsedResource:
    description: str
    mime_type: str
    size: int | None
    uri: str | None
    digest: str | None


@dataclass(frozen=True)
class ParsedArea:
    description: str
    circles: tuple[Circle, ...]


@dataclass(frozen=True)
class ParsedInfo:
    language: str
    categories: tuple[str, ...]
    event: str
    urgency: str
    severity: str
    certainty: str
    onset: datetime | None
    expires: datetime | None
    headline: str | None
    description: str | None
    instruction: str | None
    web: str | None
    contact: str | None
    parameters: tuple[tuple[str, str], ...]
    resources: tuple[ParsedResource, ...]
    areas: tuple[ParsedArea, ...]


@dataclass(frozen=True)
class ParsedCap:
    identifier: str
    sender: str
    sent: datetime
    status: str
    msg_type: str
    scope: str
    note: str | None
    references: tuple[CapReference, ...]
    incidents: str | None
    infos: tuple[ParsedInfo, ...]


def _time_or_none(node: ET.Element, tag: str) -> datetime | None:
    text = node.findtext(_q(tag))
    return parse_cap_time(text) if text else None


def _pairs(node: ET.Element, tag: str) -> tuple[tuple[str, str], ...]:
    return tuple((p.findtext(_q("valueName")) or "", p.findtext(_q("value")) or "") for p in node.findall(_q(tag)))


def _resource(node: ET.Element) -> ParsedResource:
    size = node.findtext(_q("size"))
    return ParsedResource(
        description=node.findtext(_q("resourceDesc")) or "",
        mime_type=node.findtext(_q("mimeType")) or "",
        size=int(size) if size else None,
        uri=node.findtext(_q("uri")),
        digest=node.findtext(_q("digest")),
    )


def parse_cap(xml: bytes) -> ParsedCap:
    """Validate, then read a CAP 1.2 message into plain values (ours, or a partner's Ack or Error)."""
    validate_cap(xml)
    root = ET.fromstring(bytes(xml))  # noqa: S314 - validated and DOCTYPE-free (see _guard_untrusted)
    infos = []
    for info in root.findall(_q("info")):
        infos.append(
            ParsedInfo(
                language=info.findtext(_q("language")) or "en-US",  # the schema's default
                categories=tuple(c.text or "" for c in info.findall(_q("category"))),
                event=info.findtext(_q("event")) or "",
                urgency=info.findtext(_q("urgency")) or "",
                severity=info.findtext(_q("severity")) or "",
                certainty=info.findtext(_q("certainty")) or "",
                onset=_time_or_none(info, "onset"),
                expires=_time_or_none(info, "expires"),
                headline=info.findtext(_q("headline")),
                description=info.findtext(_q("description")),
                instruction=info.findtext(_q("instruction")),
                web=info.findtext(_q("web")),
                contact=info.findtext(_q("contact")),
                parameters=_pairs(info, "parameter"),
                resources=tuple(_resource(r) for r in info.findall(_q("resource"))),
                areas=tuple(
                    ParsedArea(
                        description=a.findtext(_q("areaDesc")) or "",
                        circles=tuple(parse_circle(c.text or "") for c in a.findall(_q("circle"))),
                    )
                    for a in info.findall(_q("area"))
                ),
            )
        )
    references_text = root.findtext(_q("references")) or ""
    return ParsedCap(
        identifier=root.findtext(_q("identifier")) or "",
        sender=root.findtext(_q("sender")) or "",
        sent=parse_cap_time(root.findtext(_q("sent")) or ""),
        status=root.findtext(_q("status")) or "",
        msg_type=root.findtext(_q("msgType")) or "",
        scope=root.findtext(_q("scope")) or "",
        note=root.findtext(_q("note")),
        references=tuple(CapReference.parse(r) for r in references_text.split()),
        incidents=root.findtext(_q("incidents")),
        infos=tuple(infos),
    )


def sha1_hex(data: bytes) -> str:
    """CAP's resource digest. SHA-1 is the standard's choice for identifying a file, not for security."""
    return hashlib.sha1(data, usedforsecurity=False).hexdigest()
