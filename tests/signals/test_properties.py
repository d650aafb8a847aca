"""Random events never crash the API, always get one verdict each, and never leave half a batch behind."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=40)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=8,
)

valid_event = st.sampled_from(["message", "post", "comment", "search", "order", "report"]).flatmap(
    lambda kind: st.builds(
        lambda text, subject: {
            "message": lambda: f.message(text, subject=subject),
            "post": lambda: f.post(text, subject=subject),
            "comment": lambda: dict(f.post(text, subject=subject), kind="comment"),
            "search": lambda: f.search(text, subject=subject),
            "order": lambda: f.order([f.item(text[:500])], subject=subject),
            "report": lambda: f.report(text, subject=subject),
        }[kind](),
        st.text(min_size=1, max_size=200).filter(
            lambda t: t.strip() and not any(ord(c) < 32 and c not in "\t\n\r" for c in t)
        ),
        st.from_regex(r"\A[a-z0-9-]{1,20}\Z"),
    )
)


def _mutate(event: dict[str, Any], key: str, value: Any) -> dict[str, Any]:
    return {**event, key: value}


broken_event = st.one_of(
    json_values,
    st.builds(
        _mutate,
        valid_event,
        st.sampled_from(["kind", "event_id", "subject", "occurred_at", "text", "items", "locale", "location"]),
        json_values,
    ),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(events=st.lists(st.one_of(valid_event, broken_event), min_size=1, max_size=15))
def test_random_batches_get_one_verdict_per_event(client: TestClient, api_key: str, events: list[Any]) -> None:
    response = client.post("/v1/signals", headers={"Authorization": f"Bearer {api_key}"}, json={"events": events})
    assert response.status_code == 200, response.text
    body = response.json()
    assert len(body["items"]) == len(events)
    assert body["accepted"] + body["duplicates"] + body["rejected"] == len(events)
    for index, item in enumerate(body["items"]):
        assert item["index"] == index
        assert item["status"] in {"accepted", "duplicate", "rejected"}
        assert (item["status"] == "rejected") == bool(item["errors"])
        for error in item["errors"]:
            assert error["path"].startswith(f"events[{index}]") and error["code"] and error["message"]
