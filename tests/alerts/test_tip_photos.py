"""Tips with a photo, a place and a time, on both databases: checked by content, refused over 5 MB before the
body is read whole, kept encrypted, linked to the tip, sealed with it, read back only through ``store.tip_photo``."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from lifeguard.alerts import store
from lifeguard.alerts.models import TipPhoto, TipRow
from lifeguard.alerts.photos import MAX_PHOTO_BYTES
from lifeguard.clock import FixedClock
from lifeguard.db.engine import unit_of_work
from lifeguard.errors import NotFound
from lifeguard.runtime import Runtime
from tests.alerts import test_alerts_fanout as fanout
from tests.alerts.test_alerts_fanout import alert_body, police
from tests.alerts.test_photos_and_acks import jpeg, png

World = tuple[Runtime, FixedClock, TestClient]
world = fanout.world


@pytest.fixture
def published(world: World) -> Iterator[World]:
    rt, _clock, client = world
    assert client.post("/v1/alerts", headers=police(rt), json=alert_body()).status_code == 201
    yield world


def test_a_tip_with_a_photo_place_and_time_through_the_form(published: World) -> None:
    rt, _clock, client = published
    photo = png(64, 48)
    sent = client.post(
        "/alerts/2026-0042/tips?lang=en",
        data={
            "text": "Boy in red at the bus station",
            "place": "郑州汽车站 <b>gate 2</b>",
            "seen_at": "2026-11-23T14:20",
        },
        files={"photo": ("IMG_0001.jpg", photo, "image/jpeg")},  # the name and the claimed type do not matter
    )
    assert sent.status_code == 201, sent.text
    assert "Your photo was received too." in sent.text and 'lang="en"' in sent.text
    with unit_of_work(rt.sessions) as s:
        tip = s.scalars(select(TipRow)).one()
        assert tip.place_text == "郑州汽车站 gate 2"  # markup removed, as in the text
        # The phone's field has no zone: it is read in the zone of the last known place (UTC+08:00).
        assert tip.seen_at == datetime(2026, 11, 23, 6, 20, tzinfo=UTC)
        mime, data = store.tip_photo(s, tip.id)
        assert (mime, data) == ("image/png", photo)
        kept = s.scalars(select(TipPhoto)).one()
        assert (kept.width, kept.height, kept.size_bytes) == (64, 48, len(photo))
        raw = s.execute(text("SELECT data FROM tip_photos")).scalar_one()
        assert raw.startswith("enc1:") and base64.b64encode(photo[:12]).decode()[:8] not in raw
        raw_place = s.execute(text("SELECT place_text FROM tips")).scalar_one()
        assert "郑州" not in raw_place


def test_a_tip_with_a_photo_as_json_and_without_one(published: World) -> None:
    rt, _clock, client = published
    photo = jpeg(640, 480)
    sent = client.post(
        "/alerts/2026-0042/tips",
        json={
            "text": "Saw him near the park",
            "photo_base64": base64.b64encode(photo).decode(),
            "lat": 34.75,
            "lon": 113.6,
        },
    )
    assert sent.status_code == 201 and sent.json()["photo"] is True
    plain = client.post("/alerts/2026-0042/tips", json={"text": "Another sighting, no photo"})
    assert plain.status_code == 201 and plain.json()["photo"] is False
    # A form without a chosen file sends an empty file part: that is no photo, not a bad one.
    empty = client.post(
        "/alerts/2026-0042/tips", data={"text": "Third"}, files={"photo": ("", b"", "application/octet-stream")}
    )
    assert empty.status_code == 201
    with unit_of_work(rt.sessions) as s:
        assert store.tip_photo(s, sent.json()["id"]) == ("image/jpeg", photo)
        with pytest.raises(NotFound):
            store.tip_photo(s, plain.json()["id"])


def test_photos_that_are_not_images_or_too_large_are_refused(published: World) -> None:
    rt, _clock, client = published
    svg = b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>"
    not_image = client.post(
        "/alerts/2026-0042/tips", data={"text": "look"}, files={"photo": ("x.png", svg, "image/png")}
    )
    assert not_image.status_code == 400 and "not a PNG, JPEG or WebP" in not_image.text
    json_bad = client.post("/alerts/2026-0042/tips", json={"text": "look", "photo_base64": "@@not base64@@"})
    assert json_bad.status_code == 400 and json_bad.json()["error"]["code"] == "invalid_photo"

    # Just over 5 MB: the photo check says so (413) ...
    big = png(100, 100) + bytes(MAX_PHOTO_BYTES - len(png(100, 100)) + 1)
    over = client.post(
        "/alerts/2026-0042/tips",
        data={"text": "big"},
        files={"photo": ("big.png", big, "image/png")},
        headers={"Accept": "application/json"},  # an app posting the form asks for JSON answers
    )
    assert over.status_code == 413 and over.json()["error"]["code"] == "photo_too_large"
    # ... and a body far over it is refused from its Content-Length, before it is read.
    huge = client.post(
        "/alerts/2026-0042/tips?lang=zh",
        data={"text": "huge"},
        files={"photo": ("huge.png", big + bytes(200_000), "image/png")},
        headers={"Accept": "text/html"},
    )
    assert huge.status_code == 413 and 'lang="zh"' in huge.text and "照片太大" in huge.text
    with unit_of_work(rt.sessions) as s:
        assert s.scalars(select(TipRow)).all() == []
        assert s.scalars(select(TipPhoto)).all() == []


def test_a_duplicate_brings_its_photo_to_the_original_and_photos_are_sealed_with_the_tips(published: World) -> None:
    rt, _clock, client = published
    first = client.post("/alerts/2026-0042/tips", json={"text": "Boy in red at gate 5"})
    assert first.status_code == 201
    photo = png(32, 32)
    again = client.post(
        "/alerts/2026-0042/tips", data={"text": "boy in red at GATE 5"}, files={"photo": ("p.png", photo, "image/png")}
    )
    assert again.status_code == 200  # a duplicate: the original's page, with thanks
    with unit_of_work(rt.sessions) as s:
        assert store.tip_photo(s, first.json()["id"]) == ("image/png", photo)
    closed = client.post("/v1/alerts/2026-0042/close", headers=police(rt), json={"outcome": "found_alive"})
    assert closed.status_code == 200
    with unit_of_work(rt.sessions) as s:
        (tip,) = s.scalars(select(TipRow))
        assert tip.sealed
        assert store.tip_photo(s, tip.id)[1] == photo  # kept for the police record
    late = client.post(
        "/alerts/2026-0042/tips", data={"text": "new"}, files={"photo": ("p.png", png(40, 40), "image/png")}
    )
    assert late.status_code == 409
    with unit_of_work(rt.sessions) as s:
        assert len(s.scalars(select(TipPhoto)).all()) == 1


def test_a_body_without_a_length_is_cut_off_at_the_limit(published: World) -> None:
    _rt, _clock, client = published

    def chunks() -> Iterator[bytes]:  # chunked transfer: no Content-Length to judge by
        yield b'--x\r\nContent-Disposition: form-data; name="photo"; filename="a.png"\r\n\r\n'
        for _ in range(7):
            yield bytes(1024 * 1024)

    answer = client.post(
        "/alerts/2026-0042/tips",
        content=chunks(),
        headers={"Content-Type": "multipart/form-data; boundary=x", "Accept": "application/json"},
    )
    assert answer.status_code == 413 and answer.json()["error"]["code"] == "photo_too_large"
