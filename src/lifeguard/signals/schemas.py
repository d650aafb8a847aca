"""The shapes of events a platform sends, validated strictly: unknown fields are refused, times need an offset."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._:@/+=-]+$")]
AdminCode = Annotated[str, StringConstraints(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9-]+$")]
Locale = Annotated[
    str, StringConstraints(min_length=2, max_length=35, pattern=r"^[A-Za-z]{2,3}([_-][A-Za-z0-9]{2,8})*$")
]
CurrencyCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]

DEFAULT_MAX_TEXT = 10_000
MAX_FUTURE_SKEW = timedelta(minutes=5)  # how far ahead of the server's clock an occurred_at may be
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, frozen=True)


class Location(Strict):
    admin_code: AdminCode | None = None
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)

    @model_validator(mode="after")
    def _something_and_pairs(self) -> Location:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon come together")
        if self.admin_code is None and self.lat is None:
            raise ValueError("a location needs admin_code or lat/lon")
        return self


def _check_text(value: str, info: ValidationInfo, *, field: str) -> str:
    limit = (info.context or {}).get("max_text_chars", DEFAULT_MAX_TEXT)
    if not value.strip():
        raise ValueError(f"{field} is empty")
    if len(value) > limit:
        raise ValueError(f"{field} has {len(value)} characters; the limit is {limit}")
    if _CONTROL.search(value):
        raise ValueError(f"{field} contains control characters")
    return value


class EventBase(Strict):
    event_id: Identifier
    subject: Identifier
    occurred_at: AwareDatetime
    locale: Locale | None = None
    location: Location | None = None

    @field_validator("occurred_at", mode="before")
    @classmethod
    def _rfc3339_string(cls, value: Any) -> Any:
        # JSON has no datetime: accept only a string, so numbers (epoch guesses) are refused explicitly.
        if not isinstance(value, str):
            raise ValueError("occurred_at must be an RFC 3339 string with an offset, e.g. 2026-11-23T20:05:00+08:00")
        return value

    @field_validator("occurred_at")
    @classmethod
    def _not_in_the_future(cls, value: datetime, info: ValidationInfo) -> datetime:
        now = (info.context or {}).get("now")
        if now is not None and value - now > MAX_FUTURE_SKEW:
            ahead = int((value - now).total_seconds())
            raise ValueError(
                f"occurred_at is {ahead} s ahead of the server's clock ({now.isoformat(timespec='seconds')}); "
                f"at most {int(MAX_FUTURE_SKEW.total_seconds())} s of clock skew is accepted"
            )
        return value


class TextEvent(EventBase):
    text: str

    @field_validator("text")
    @classmethod
    def _text(cls, value: str, info: ValidationInfo) -> str:
        return _check_text(value, info, field="text")


class SpeakerRole(StrEnum):
    USER = "user"
    AGENT = "agent"
    MERCHANT = "merchant"


class MessageEvent(TextEvent):
    kind: Literal["message"]
    conversation_id: Identifier
    speaker_role: SpeakerRole


class PostEvent(TextEvent):
    kind: Literal["post"]


class CommentEvent(TextEvent):
    kind: Literal["comment"]
    parent_id: Identifier | None = None


class SearchEvent(EventBase):
    kind: Literal["search"]
    query: Annotated[str, StringConstraints(max_length=1000)]

    @field_validator("query")
    @classmethod
    def _query(cls, value: str, info: ValidationInfo) -> str:
        return _check_text(value, info, field="query")


class Price(Strict):
    amount: Decimal = Field(ge=0, max_digits=14, decimal_places=4)
    currency: CurrencyCode

    @field_validator("amount", mode="before")
    @classmethod
    def _string_amount(cls, value: Any) -> Any:
        # Money as a string ("12.50") so that no float rounding creeps in; plain integers are fine too.
        if isinstance(value, float):
            raise ValueError('amount must be a decimal string such as "12.50", not a float')
        return value


class OrderItem(Strict):
    product_id: Identifier
    title: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    category: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    quantity: int = Field(ge=1, le=100_000, strict=True)
    price: Price | None = None


class OrderEvent(EventBase):
    kind: Literal["order"]
    order_id: Identifier
    items: list[OrderItem] = Field(min_length=1, max_length=200)
    shipping_region: AdminCode | None = None


class ReporterKind(StrEnum):
    USER = "user"
    MERCHANT = "merchant"
    AGENT = "agent"
    FAMILY = "family"
    POLICE = "police"


class Reporter(Strict):
    kind: ReporterKind
    id: Identifier | None = None


class ReportEvent(TextEvent):
    kind: Literal["report"]
    reporter: Reporter


Event = Annotated[
    MessageEvent | PostEvent | CommentEvent | SearchEvent | OrderEvent | ReportEvent,
    Field(discriminator="kind"),
]
EVENT_KINDS = ("message", "post", "comment", "search", "order", "report")


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class FieldError(BaseModel):
    path: str  # e.g. "events[3].items[0].quantity"
    code: str  # machine-readable, e.g. "missing", "greater_than_equal", "unknown_kind"
    message: str


class ItemResult(BaseModel):
    index: int
    event_id: str | None = None
    status: ItemStatus
    errors: list[FieldError] = Field(default_factory=list)


class BatchResult(BaseModel):
    accepted: int
    duplicates: int
    rejected: int
    items: list[ItemResult]


class BatchRequest(BaseModel):
    """Documented shape of the request body (the handler validates the raw JSON itself for precise errors)."""

    events: list[dict[str, Any]] = Field(min_length=1, max_length=1000)
