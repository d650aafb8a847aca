"""An alert's life: publish, widen on schedule, revise, close with an outcome; deliveries, cancels, statistics."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from h3.api import basic_int as h3

from lifeguard.alerts.cap import MsgType, parse_cap
from lifeguard.alerts.errors import CriteriaNotMet, InvalidAlertInput, InvalidAlertTransition, UnknownAlert
from lifeguard.alerts.lifecycle import (
    TRANSITIONS,
    AlertBook,
    AlertState,
    MissingPersonAlert,
    Outcome,
    close,
    monthly_stats,
    new_alert,
    plan_delivery,
    publish,
    record_recipients,
    refresh_due,
    revise,
    widen,
)
from lifeguard.alerts.model import LastSeen
from lifeguard.alerts.targeting import TargetIndex, TargetIndexBuilder

from .builders import CHILD_FACTS, CST, ISSUER, T0, child_content
from .test_targeting import destination

ZZ = (34.7466, 113.6253)  # Zhengzhou, where the child was last seen


def _index() -> TargetIndex:
    builder = TargetIndexBuilder()
    builder.add_partner("maps-zz", [h3.latlng_to_cell(*ZZ, 5)])
    builder.add_partner("news-kaifeng", [h3.latlng_to_cell(*destination(*ZZ, 90, 70), 6)])
    builder.add_partner("bikes-luoyang", [h3.latlng_to_cell(*destination(*ZZ, 270, 120), 7)])
    builder.add_partner("app-beijing", [h3.latlng_to_cell(39.9042, 116.4074, 5)])
    builder.add_subscriber("u-near", *destination(*ZZ, 10, 20))
    builder.add_subscriber("u-80km", *destination(*ZZ, 180, 80))
    builder.add_subscriber("u-far", 39.9042, 116.4074)
    return builder.build()


def _published() -> MissingPersonAlert:
    alert, _ = publish(new_alert(child_content(), now=T0), issuer=ISSUER, facts=CHILD_FACTS, now=T0)
    return alert


def test_publishing_checks_the_criteria_first() -> None:
    draft = new_alert(child_content(), now=T0)
    with pytest.raises(CriteriaNotMet) as caught:
        publish(draft, issuer=ISSUER, facts={**CHILD_FACTS, "police_confirmed_risk": False}, now=T0)
    assert caught.value.unmet == [
        "the police must confirm that the child is at risk (needs police_confirmed_risk is true, given False)"
    ]
    assert caught.value.to_json()["error"]["code"] == "alert_criteria_not_met"
    assert draft.state is AlertState.DRAFT


def test_the_whole_life_of_an_alert() -> None:
    index = _index()
    alert, first = publish(new_alert(child_content(), now=T0), issuer=ISSUER, facts=CHILD_FACTS, now=T0)
    assert (alert.state, alert.radius_km, alert.done_steps, alert.published_at) == (
        AlertState.PUBLISHED,
        50,
        {0},
        T0,
    )
    assert first.msg_type is MsgType.ALERT and first.sequence == 1

    plan = plan_delivery(alert, index)
    assert plan.partner_ids == {"maps-zz"} and plan.subscriber_ids == {"u-near"}
    alert = record_recipients(alert, plan.partner_ids)

    alert, nothing = widen(alert, issuer=ISSUER, now=T0 + timedelta(minutes=30))
    assert nothing is None and alert.radius_km == 50

    alert, wider = widen(alert, issuer=ISSUER, now=T0 + timedelta(hours=1))
    assert wider is not None and wider.msg_type is MsgType.UPDATE and alert.state is AlertState.UPDATED
    assert alert.radius_km == 100 and wider.references == (first.reference(),)
    assert parse_cap(wider.xml).note == "Alert area widened to 100 km."
    plan = plan_delivery(alert, index)
    assert plan.partner_ids == {"maps-zz", "news-kaifeng"} and plan.subscriber_ids == {"u-near", "u-80km"}
    alert = record_recipients(alert, plan.partner_ids)

    # The scheduler was down from 1 h to 3 h 10 min: one Update at 300 km covers the 200 km step too.
    alert, catch_up = widen(alert, issuer=ISSUER, now=T0 + timedelta(hours=3, minutes=10))
    assert catch_up is not None and alert.radius_km == 300 and alert.done_steps == {0, 1, 2, 3}
    assert len(catch_up.references) == 2
    alert = record_recipients(alert, plan_delivery(alert, index).partner_ids)
    assert alert.recipients == {"maps-zz", "news-kaifeng", "bikes-luoyang"}

    # A confirmed sighting moves the last known place; the radius stays.
    seen = LastSeen(lat=34.80, lon=113.70, place="郑州东站", at=datetime(2026, 11, 23, 18, 0, tzinfo=CST))
    alert, revision = revise(
        alert,
        issuer=ISSUER,
        now=T0 + timedelta(hours=3, minutes=40),
        content=replace(alert.content, last_seen=seen),
        note="Confirmed sighting at Zhengzhou East station.",
    )
    assert alert.radius_km == 300 and revision.sequence == 4 and len(revision.references) == 3
    assert parse_cap(revision.xml).infos[1].areas[0].description == "Within 300 km of 郑州东站"

    closure = close(alert, issuer=ISSUER, outcome=Outcome.FOUND_ALIVE, now=T0 + timedelta(hours=5))
    closed = closure.alert
    assert closure.cancel is not None and closure.cancel.msg_type is MsgType.CANCEL
    assert closure.cancel.references == tuple(m.reference() for m in alert.messages)
    assert closure.cancel_partners == {"maps-zz", "news-kaifeng", "bikes-luoyang"}  # everyone who got anything
    assert (closed.state, closed.outcome, closed.photos_withdrawn, closed.tips_sealed) == (
        AlertState.CLOSED,
        Outcome.FOUND_ALIVE,
        True,
        True,
    )
    assert closed.time_to_close() == timedelta(hours=5)
    assert plan_delivery(closed, index).partner_ids == closure.cancel_partners
    assert plan_delivery(closed, index).subscriber_ids == {"u-near", "u-80km"}

    with pytest.raises(InvalidAlertTransition, match="only open alerts widen"):
        widen(closed, issuer=ISSUER, now=T0 + timedelta(hours=6))
    with pytest.raises(InvalidAlertTransition, match="from closed to closed"):
        close(closed, issuer=ISSUER, outcome=Outcome.OTHER, now=T0 + timedelta(hours=6))
    with pytest.raises(InvalidAlertTransition, match="closed"):
        record_recipients(closed, ["late-app"])


def test_a_discarded_draft_sends_nothing() -> None:
    closure = close(new_alert(child_content(), now=T0), issuer=ISSUER, outcome=Outcome.OTHER, now=T0)
    assert closure.cancel is None and closure.cancel_partners == frozenset()
    assert closure.alert.state is AlertState.CLOSED and closure.alert.photos_withdrawn
    assert monthly_stats([closure.alert]) == []  # never published: not counted


@pytest.mark.parametrize(
    ("state", "target"),
    [(s, t) for s in AlertState for t in AlertState],
)
def test_the_transition_table(state: AlertState, target: AlertState) -> None:
    allowed = target in TRANSITIONS[state]
    expected = {
        (AlertState.DRAFT, AlertState.PUBLISHED),
        (AlertState.DRAFT, AlertState.CLOSED),
        (AlertState.PUBLISHED, AlertState.UPDATED),
        (AlertState.PUBLISHED, AlertState.CLOSED),
        (AlertState.UPDATED, AlertState.UPDATED),
        (AlertState.UPDATED, AlertState.CLOSED),
    }
    assert allowed == ((state, target) in expected)


def test_publishing_twice_or_revising_a_draft_is_refused() -> None:
    alert = _published()
    with pytest.raises(InvalidAlertTransition, match="from published to published"):
        publish(alert, issuer=ISSUER, facts=CHILD_FACTS, now=T0 + timedelta(minutes=1))
    with pytest.raises(InvalidAlertTransition, match="publish it first"):
        revise(new_alert(child_content(), now=T0), issuer=ISSUER, now=T0, content=child_content(), note="x")


def test_revisions_keep_the_id_and_category() -> None:
    from lifeguard.alerts.model import Category

    alert = _published()
    with pytest.raises(InvalidAlertInput, match="keeps the alert id and category"):
        revise(alert, issuer=ISSUER, now=T0, content=child_content(alert_id="other"), note="x")
    with pytest.raises(InvalidAlertInput, match="keeps the alert id and category"):
        revise(
            alert, issuer=ISSUER, now=T0, content=replace(child_content(), category=Category.VULNERABLE_ADULT), note="x"
        )


def test_a_clock_going_backwards_cannot_send_a_message_before_the_last() -> None:
    alert = _published()
    with pytest.raises(InvalidAlertInput, match="before the last message"):
        revise(alert, issuer=ISSUER, now=T0 - timedelta(minutes=5), content=alert.content, note="x")


def test_naive_times_are_refused_everywhere() -> None:
    with pytest.raises(InvalidAlertInput, match="timezone-aware"):
        new_alert(child_content(), now=datetime(2026, 11, 23, 12, 0))  # noqa: DTZ001 - the point of the test


def test_refresh_before_partners_let_the_alert_expire() -> None:
    alert = _published()
    assert not refresh_due(alert, issuer=ISSUER, now=T0 + timedelta(hours=20), margin=timedelta(hours=2))
    assert refresh_due(alert, issuer=ISSUER, now=T0 + timedelta(hours=22), margin=timedelta(hours=2))
    refreshed, message = revise(
        alert, issuer=ISSUER, now=T0 + timedelta(hours=22), content=alert.content, note="Still missing."
    )
    assert parse_cap(message.xml).infos[0].expires == T0 + timedelta(hours=46)
    assert not refresh_due(refreshed, issuer=ISSUER, now=T0 + timedelta(hours=23), margin=timedelta(hours=2))


def test_cancelling_an_unknown_alert_is_a_clear_error() -> None:
    book = AlertBook()
    with pytest.raises(UnknownAlert, match="no alert '2026-9999'") as caught:
        book.cancel("2026-9999", issuer=ISSUER, outcome=Outcome.FOUND_ALIVE, now=T0)
    assert caught.value.status_code == 404
    book.add(_published())
    with pytest.raises(InvalidAlertInput, match="exists already"):
        book.add(_published())
    closure = book.cancel("2026-0042", issuer=ISSUER, outcome=Outcome.FOUND_DECEASED, now=T0 + timedelta(hours=1))
    assert book.get("2026-0042").state is AlertState.CLOSED and closure.cancel is not None
    assert [a.alert_id for a in book] == ["2026-0042"]


# --- statistics ---------------------------------------------------------------------------------------------


def _life(alert_id: str, published: datetime, outcome: Outcome | None, hours: float) -> MissingPersonAlert:
    alert, _ = publish(
        new_alert(child_content(alert_id=alert_id), now=published), issuer=ISSUER, facts=CHILD_FACTS, now=published
    )
    if outcome is None:
        return alert
    return close(alert, issuer=ISSUER, outcome=outcome, now=published + timedelta(hours=hours)).alert


def test_monthly_statistics_tell_found_alive_from_found() -> None:
    oct_ = datetime(2026, 10, 3, 8, 0, tzinfo=UTC)
    nov = datetime(2026, 11, 10, 8, 0, tzinfo=UTC)
    alerts = [
        _life("o1", oct_, Outcome.FOUND_ALIVE, 2),
        _life("o2", oct_, Outcome.FOUND_ALIVE, 10),
        _life("o3", oct_, Outcome.FOUND_DECEASED, 30),
        _life("o4", oct_, Outcome.OTHER, 1),
        _life("n1", nov, Outcome.FOUND_ALIVE, 4),
        _life("n2", nov, None, 0),
        new_alert(child_content(alert_id="d1"), now=nov),  # a draft: not counted
    ]
    october, november = monthly_stats(alerts)
    assert (october.month, october.published, october.found_alive, october.found_deceased) == ("2026-10", 4, 2, 1)
    assert (october.closed_other, october.still_open, october.found) == (1, 0, 3)
    assert october.median_time_to_found == timedelta(hours=10)  # of 2, 10 and 30 hours
    assert (november.month, november.published, november.found_alive, november.still_open) == ("2026-11", 2, 1, 1)
    assert november.median_time_to_found == timedelta(hours=4)


def test_months_are_counted_in_the_reporting_time_zone_and_may_have_no_found() -> None:
    late_utc = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)  # already 1 December in Beijing
    alerts = [_life("x1", late_utc, Outcome.OTHER, 1)]
    assert [m.month for m in monthly_stats(alerts)] == ["2026-11"]
    (december,) = monthly_stats(alerts, tz=CST)
    assert december.month == "2026-12"
    assert december.median_time_to_found is None
