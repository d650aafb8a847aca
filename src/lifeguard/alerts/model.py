"""The missing person, where and when they were last seen, and who to call: plain values, checked on creation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from lifeguard.alerts.errors import InvalidAlertInput
from lifeguard.alerts.geo import validate_point


class Category(StrEnum):
    CHILD = "child"
    ELDERLY_DEMENTIA = "elderly_dementia"
    VULNERABLE_ADULT = "vulnerable_adult"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"  # not known to the police, or not to be stated


# A language tag as CAP's xs:language accepts it (BCP 47 shape, e.g. "zh-CN", "en", "hi-IN").
_LANGUAGE_TAG = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
# Ids end up inside CAP identifiers and references, where spaces, commas, "<" and "&" are forbidden.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


def require_aware(value: datetime, name: str) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidAlertInput(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidAlertInput(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return value


def require_safe_id(value: str, name: str) -> str:
    if not isinstance(value, str) or not _SAFE_ID.match(value):
        raise InvalidAlertInput(
            f"{name} {value!r} must be 1-64 characters of letters, digits, '.', '_', ':' or '-' "
            "(it is used inside CAP identifiers, which forbid spaces, commas, '<' and '&')"
        )
    return value


def require_languages(languages: tuple[str, ...]) -> tuple[str, ...]:
    if not languages:
        raise InvalidAlertInput("an alert needs at least one language")
    for tag in languages:
        if not isinstance(tag, str) or not _LANGUAGE_TAG.match(tag):
            raise InvalidAlertInput(f"language {tag!r} is not a language tag such as 'zh-CN', 'en' or 'hi-IN'")
    if len({t.lower() for t in languages}) != len(languages):
        raise InvalidAlertInput(f"languages repeat: {list(languages)}")
    return languages


@dataclass(frozen=True)
class PhotoRef:
    """A photo stored elsewhere (object store, CDN), named by URI; the bytes were checked by ``check_photo``."""

    uri: str
    mime_type: str
    size_bytes: int
    sha1_hex: str  # CAP 1.2 <digest> is SHA-1 by the standard's definition
    description: str = "Photo"

    def __post_init__(self) -> None:
        if not self.uri.startswith(("https://", "http://")):
            raise InvalidAlertInput(f"photo URI must be http(s), got {self.uri!r}")
        if self.mime_type not in ("image/jpeg", "image/png", "image/webp"):
            raise InvalidAlertInput(f"photo type {self.mime_type!r} is not one of JPEG, PNG, WebP")
        if self.size_bytes <= 0:
            raise InvalidAlertInput("photo size must be positive")
        if not re.fullmatch(r"[0-9a-f]{40}", self.sha1_hex):
            raise InvalidAlertInput("photo sha1_hex must be 40 lowercase hex digits")


@dataclass(frozen=True)
class MissingPerson:
    name: str
    age: int | None
    sex: Sex
    height_cm: int | None = None
    clothing: str = ""
    distinguishing_marks: tuple[str, ...] = ()
    photos: tuple[PhotoRef, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise InvalidAlertInput("the missing person needs a name (or the name the public would know)")
        if len(self.name) > 200:
            raise InvalidAlertInput("name is longer than 200 characters")
        if self.age is not None and not 0 <= self.age <= 130:
            raise InvalidAlertInput(f"age {self.age} is out of range 0..130")
        if self.height_cm is not None and not 30 <= self.height_cm <= 260:
            raise InvalidAlertInput(f"height {self.height_cm} cm is out of range 30..260")
        if len(self.clothing) > 1000:
            raise InvalidAlertInput("clothing description is longer than 1000 characters")
        if len(self.photos) > 10:
            raise InvalidAlertInput("at most 10 photos per alert")

    @property
    def has_description(self) -> bool:
        """Enough for a stranger to recognise the person: a photo, or words about how they look."""
        return bool(self.photos or self.clothing.strip() or self.distinguishing_marks or self.height_cm)


@dataclass(frozen=True)
class LastSeen:
    lat: float
    lon: float
    place: str
    at: datetime

    def __post_init__(self) -> None:
        validate_point(self.lat, self.lon)
        require_aware(self.at, "last seen time")
        if not self.place.strip():
            raise InvalidAlertInput("last seen place needs a description the public understands")


@dataclass(frozen=True)
class ContactUnit:
    """The police unit that owns the alert and takes calls about it."""

    name: str
    phone: str
    email: str | None = None

    def __post_init__(self) -> None:
        if not self.name.strip() or not self.phone.strip():
            raise InvalidAlertInput("the contact unit needs a name and a phone number")


@dataclass(frozen=True)
class AlertContent:
    """Everything a CAP message about one missing person says, in every language it is issued in."""

    alert_id: str
    category: Category
    person: MissingPerson
    last_seen: LastSeen
    contact: ContactUnit
    web_url: str
    languages: tuple[str, ...] = ("zh-CN", "en-US")
    abduction_suspected: bool = False
    parameters: tuple[tuple[str, str], ...] = ()  # free CAP <parameter>s, e.g. ("caseNumber", "2026-0042")

    def __post_init__(self) -> None:
        require_safe_id(self.alert_id, "alert id")
        require_languages(self.languages)
        if not self.web_url.startswith("https://"):
            raise InvalidAlertInput(f"the public page must be an https URL, got {self.web_url!r}")
