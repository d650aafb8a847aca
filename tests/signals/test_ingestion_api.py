"""POST /v1/signals end to end: accepted, duplicate, rejected; whole-batch errors store nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from lifeguard.cases.models import Case
from lifeguard.db.engine import unit_of_work
from lifeguard.detection.assessment import Detector
from lifeguard.runtime import Runtime
from lifeguard.signals.models import InboxEntry, Signal, SignalCount
from tests import factories as f
from tests.conftest import issue_key

IDEATION_ZH = "我真的不想活了，活着太累了"
ORDINARY = "请问这件衣服有M码吗？什么时候发货"


def post(client: TestClient, key: str, events: object) -> tuple[int, dict]:
    response = client.post("/v1/signals", headers={"Authorization": f"Bearer {key}"}, json={"events": events})
    return response.status_code, response.json()


def count(rt: Runtime, model: type) -> int:
    with unit_of_work(rt.sessions) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_accepts_a_batch_and_reports_per_item(client: TestClient, api_key: str, runtime: Runtime) -> None:
    events = [
        f.message(IDEATION_ZH, locale="zh-CN"),
        f.message(ORDINARY, subject="u-2"),
        f.search("dead sea mud mask", subject="u-3"),
    ]
    status, body = post(client, api_key, events)
    assert status == 200
    assert body["accepted"] == 3 and body["duplicates"] == 0 and body["rejected"] == 0
    assert [item["status"] for item in body["items"]] == ["accepted"] * 3
    assert [item["event_id"] for item in body["items"]] == [e["event_id"] for e in events]
    assert count(runtime, InboxEntry) == 3


def test_a_duplicate_event_id_has_no_second_effect(client: TestClient, api_key: str, runtime: Runtime) -> None:
    event = f.message(IDEATION_ZH)
    post(client, api_key, [event])
    status, body = post(client, api_key, [event, dict(event, text="a different text, same id")])
    assert status == 200
    assert [i["status"] for i in body["items"]] == ["duplicate", "duplicate"]
    assert count(runtime, Signal) == 1
    cases = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()
    assert cases["total"] == 1 and cases["cases"][0]["signal_count"] == 1


def test_same_event_id_from_two_platforms_is_two_events(client: TestClient, runtime: Runtime) -> None:
    key_a, key_b = issue_key(runtime, "shop-a"), issue_key(runtime, "shop-b")
    event = f.message(ORDINARY)
    assert post(client, key_a, [event])[1]["accepted"] == 1
    assert post(client, key_b, [event])[1]["accepted"] == 1


def test_invalid_items_are_rejected_with_field_paths_and_the_rest_accepted(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    good = f.message(ORDINARY)
    events = [
        good,
        {"kind": "telegram", "event_id": "x1", "subject": "u", "occurred_at": "2026-01-01T00:00:00Z"},
        f.order([f.item("百草枯", quantity=-2)]),
        f.message("hi", occurred_at="2026-11-23T20:00:00"),  # no offset
        f.message("hi", speaker_role="bot"),
        dict(f.message("hi"), unexpected_field=1),
        f.message("x" * 10_001),
        {k: v for k, v in f.message("hi").items() if k != "subject"},
        f.order([f.item("tea", price={"amount": 1.5, "currency": "CNY"})]),
        f.message("hi", location={"lat": 91, "lon": 0}),
        "not an object",
    ]
    status, body = post(client, api_key, events)
    assert status == 200
    assert body["accepted"] == 1 and body["rejected"] == len(events) - 1
    errors = {item["index"]: item["errors"] for item in body["items"] if item["status"] == "rejected"}
    assert errors[1][0] == {"path": "events[1].kind", "code": "unknown_kind", "message": errors[1][0]["message"]}
    assert errors[2][0]["path"] == "events[2].items[0].quantity"
    assert errors[3][0]["path"] == "events[3].occurred_at" and errors[3][0]["code"] == "timezone_aware"
    assert errors[4][0]["path"] == "events[4].speaker_role"
    assert errors[5][0] == {
        "path": "events[5].unexpected_field",
        "code": "extra_forbidden",
        "message": "Extra inputs are not permitted",
    }
    assert errors[6][0]["path"] == "events[6].text" and "limit is 10000" in errors[6][0]["message"]
    assert errors[7][0]["path"] == "events[7].subject" and errors[7][0]["code"] == "missing"
    assert errors[8][0]["path"] == "events[8].items[0].price.amount"
    assert errors[9][0]["path"] == "events[9].location.lat"
    assert errors[10][0]["code"] == "not_an_object"
    assert count(runtime, InboxEntry) == 1


def test_an_event_from_the_future_is_refused_with_the_server_time(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    now = runtime.clock.now()
    events = [
        f.message("hi", occurred_at=(now + timedelta(hours=1)).isoformat()),
        f.message("hi", occurred_at=(now + timedelta(days=365 * 70)).isoformat()),
        f.message("hi", occurred_at=(now + timedelta(minutes=2)).isoformat()),  # clock skew: accepted
        f.message("hi", occurred_at=(now - timedelta(days=400)).isoformat()),  # late but real: accepted
    ]
    status, body = post(client, api_key, events)
    assert status == 200 and body["accepted"] == 2 and body["rejected"] == 2
    for item in body["items"][:2]:
        (error,) = item["errors"]
        assert error["path"].endswith(".occurred_at") and error["code"] == "value_error"
        assert "ahead of the server's clock" in error["message"] and "at most 300 s" in error["message"]
    assert count(runtime, InboxEntry) == 2


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{not json", 400, "bad_request"),
        (b"[]", 400, "bad_request"),
        (b'{"events": {}}', 400, "bad_request"),
        (b'{"events": []}', 400, "bad_request"),
        (b'{"events": [], "extra": 1}', 400, "bad_request"),
        (b"\xff\xfe", 400, "bad_request"),
    ],
)
def test_a_malformed_batch_is_rejected_whole(
    client: TestClient, api_key: str, runtime: Runtime, body: bytes, status: int, code: str
) -> None:
    response = client.post(
        "/v1/signals", headers={"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}, content=body
    )
    assert response.status_code == status
    assert response.json()["error"]["code"] == code
    assert response.json()["error"]["details"][0]["path"] in {"", "events", "extra"}
    assert count(runtime, InboxEntry) == 0


def test_a_batch_over_the_limit_is_rejected_whole(client: TestClient, api_key: str, runtime: Runtime) -> None:
    events = [f.message(ORDINARY) for _ in range(1001)]
    response = client.post(
        "/v1/signals", headers={"Authorization": f"Bearer {api_key}"}, content=json.dumps({"events": events})
    )
    assert response.status_code == 413
    assert "at most 1000" in response.json()["error"]["message"]
    assert count(runtime, InboxEntry) == 0


def test_a_full_batch_of_1000_is_accepted(client: TestClient, api_key: str, runtime: Runtime) -> None:
    status, body = post(client, api_key, [f.message(ORDINARY, subject=f"u-{i}") for i in range(1000)])
    assert status == 200 and body["accepted"] == 1000
    assert count(runtime, Signal) == 0  # ordinary chat is counted, not kept


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (None, 401),
        ("Bearer", 401),
        ("Bearer lg_nope_nope", 401),
        ("Basic dXNlcjpwYXNz", 401),
        ("Bearer not-a-key", 401),
    ],
)
def test_a_missing_or_wrong_key_is_refused(
    client: TestClient, runtime: Runtime, header: str | None, status: int
) -> None:
    headers = {"Authorization": header} if header else {}
    response = client.post("/v1/signals", headers=headers, json={"events": [f.message(IDEATION_ZH)]})
    assert response.status_code == status
    assert response.json()["error"]["code"] == "unauthenticated"
    assert count(runtime, InboxEntry) == 0


def test_a_key_without_the_scope_is_forbidden(client: TestClient, runtime: Runtime) -> None:
    read_only = issue_key(runtime, "reader", scopes=["cases:read"])
    response = client.post(
        "/v1/signals", headers={"Authorization": f"Bearer {read_only}"}, json={"events": [f.message(IDEATION_ZH)]}
    )
    assert response.status_code == 403
    assert "signals:write" in response.json()["error"]["message"]


def test_below_the_floor_is_counted_not_stored(client: TestClient, api_key: str, runtime: Runtime) -> None:
    post(client, api_key, [f.message(ORDINARY), f.message("Do you ship to Hefei?")])
    assert count(runtime, Signal) == 0
    with unit_of_work(runtime.sessions) as s:
        below = s.scalar(select(func.sum(SignalCount.count)).where(SignalCount.outcome == "below_floor"))
        leftover = s.scalars(select(InboxEntry.payload)).all()
    assert below == 2
    assert leftover == [None, None]  # the inbox keeps the dedupe key, not the words


def test_risky_signal_is_stored_with_its_assessment_and_opens_a_case(
    client: TestClient, api_key: str, runtime: Runtime, detector: Detector
) -> None:
    event = f.message(IDEATION_ZH, locale="zh-CN", location={"admin_code": "440300"})
    post(client, api_key, [event])
    with unit_of_work(runtime.sessions) as s:
        signal = s.scalars(select(Signal)).one()
    assert signal.level in {"ideation", "behavior", "attempt"}
    assert signal.detector == detector.info.label
    assert signal.reasons and signal.spans
    assert all(0 <= span["start"] < span["end"] <= len(signal.text) for span in signal.spans)
    assert signal.location == {"admin_code": "440300"}
    assert signal.case_id is not None
    queue = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()
    assert queue["cases"][0]["subject"] == event["subject"]


def test_one_open_case_per_subject_and_later_signals_raise_priority(client: TestClient, api_key: str) -> None:
    post(client, api_key, [f.message("I want to die", subject="u-9")])
    first = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"]
    post(
        client,
        api_key,
        [
            f.message(
                "I have saved 60 sleeping pills and tonight after my parents sleep I will take them all", subject="u-9"
            )
        ],
    )
    later = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"]
    assert len(first) == len(later) == 1
    assert later[0]["id"] == first[0]["id"]
    assert later[0]["signal_count"] == 2
    assert later[0]["priority"] < first[0]["priority"]  # "P0" < "P2"


def test_queue_is_highest_priority_first_then_oldest(client: TestClient, api_key: str) -> None:
    post(client, api_key, [f.message("I want to die", subject="old-ideation")])
    post(client, api_key, [f.message("I want to die", subject="new-ideation")])
    post(client, api_key, [f.message("I already took all the pills, goodbye", subject="attempt")])
    subjects = [
        c["subject"] for c in client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"]
    ]
    assert subjects == ["attempt", "old-ideation", "new-ideation"]


def test_a_platform_sees_only_its_own_cases(client: TestClient, runtime: Runtime) -> None:
    key_a, key_b = issue_key(runtime, "shop-a"), issue_key(runtime, "shop-b")
    post(client, key_a, [f.message("I want to die", subject="a-1")])
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {key_b}"}).json()["total"] == 0
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {key_a}"}).json()["total"] == 1


def test_agent_words_never_open_a_case_for_the_customer(client: TestClient, api_key: str) -> None:
    post(client, api_key, [f.message("I want to die", speaker_role="agent")])
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["total"] == 0


def test_a_report_about_someone_opens_a_case_for_that_person(client: TestClient, api_key: str) -> None:
    status, body = post(
        client,
        api_key,
        [f.report("群里有个人说他今晚就跳楼，已经写好遗书了", subject="qq-777", reporter_kind="user", locale="zh-CN")],
    )
    assert body["accepted"] == 1
    cases = client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["cases"]
    assert [c["subject"] for c in cases] == ["qq-777"]


def test_asking_how_to_help_a_suicidal_friend_is_kept_as_support_and_opens_no_case_for_the_asker(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    post(client, api_key, [f.message("how do i help my suicidal friend? she won't answer her phone", subject="asker")])
    with unit_of_work(runtime.sessions) as s:
        signal = s.scalars(select(Signal)).one()
    assert (signal.level, signal.subject_level, signal.support) == ("none", "none", True)
    assert signal.third_party_level != "none" and signal.case_id is None
    assert client.get("/v1/cases", headers={"Authorization": f"Bearer {api_key}"}).json()["total"] == 0


def test_a_case_without_a_language_hint_takes_the_language_the_person_wrote_in(
    client: TestClient, api_key: str, runtime: Runtime
) -> None:
    # The case's language routes it to staff who read it and picks the outreach template. "see" and "app" once
    # read as the Hindi words "se" and "aap" (repeated letters are collapsed), so English cases went to Hinglish.
    post(
        client,
        api_key,
        [
            f.message("I see no way out, I want to die", subject="u-en"),
            f.message("main mar jaunga, zeher kha lunga", subject="u-hi-latn"),
        ],
    )
    with unit_of_work(runtime.sessions) as s:
        languages = {case.subject: case.language for case in s.scalars(select(Case))}
    assert languages == {"u-en": "en", "u-hi-latn": "hi-Latn"}
