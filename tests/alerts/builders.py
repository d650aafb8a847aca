"""Realistic alert inputs for the tests: a child missing in Zhengzhou, an elderly man missing in Lucknow."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone

from lifeguard.alerts.cap import Issuer
from lifeguard.alerts.model import AlertContent, Category, ContactUnit, LastSeen, MissingPerson, PhotoRef, Sex

CST = timezone(timedelta(hours=8), "CST")
IST = timezone(timedelta(hours=5, minutes=30), "IST")
T0 = datetime(2026, 11, 23, 6, 30, tzinfo=UTC)  # 14:30 in Zhengzhou

ISSUER = Issuer(sender="alerts@mps.example.cn", identifier_prefix="cn.mps.missing")


def photo(n: int = 1) -> PhotoRef:
    return PhotoRef(
        uri=f"https://cdn.example.cn/alerts/p{n}.jpg",
        mime_type="image/jpeg",
        size_bytes=120_000 + n,
        sha1_hex=f"{n:040x}",
    )


def child_content(alert_id: str = "2026-0042", **changes: object) -> AlertContent:
    content = AlertContent(
        alert_id=alert_id,
        category=Category.CHILD,
        person=MissingPerson(
            name="李小明",
            age=8,
            sex=Sex.MALE,
            height_cm=125,
            clothing="红色上衣，蓝色牛仔裤，白色运动鞋",
            distinguishing_marks=("左脸颊有一颗痣",),
            photos=(photo(1), photo(2)),
        ),
        last_seen=LastSeen(
            lat=34.7466, lon=113.6253, place="郑州市二七广场", at=datetime(2026, 11, 23, 14, 5, tzinfo=CST)
        ),
        contact=ContactUnit(name="郑州市公安局", phone="110"),
        web_url=f"https://alerts.example.cn/a/{alert_id}",
        languages=("zh-CN", "en-US", "hi-IN"),
    )
    return replace(content, **changes)  # type: ignore[arg-type]


def elderly_content(alert_id: str = "UP-2026-0007") -> AlertContent:
    return AlertContent(
        alert_id=alert_id,
        category=Category.ELDERLY_DEMENTIA,
        person=MissingPerson(
            name="Ram Prakash Verma",
            age=78,
            sex=Sex.MALE,
            height_cm=165,
            clothing="white kurta, grey shawl, brown sandals",
            distinguishing_marks=("walks with a stick", "hearing aid in left ear"),
        ),
        last_seen=LastSeen(
            lat=26.8467,
            lon=80.9462,
            place="Charbagh railway station, Lucknow",
            at=datetime(2026, 11, 23, 9, 0, tzinfo=IST),
        ),
        contact=ContactUnit(name="Lucknow Police Control Room", phone="112"),
        web_url=f"https://alerts.example.in/a/{alert_id}",
        languages=("hi-IN", "en-IN"),
    )


CHILD_FACTS = {"age": 8, "police_confirmed_risk": True, "has_description": True}
