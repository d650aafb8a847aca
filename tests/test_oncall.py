"""Which team answers: the one speaking the person's language, preferring the one at work now."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.orm import Session

from lifeguard.oncall import service as oncall

NOW = datetime(2026, 12, 5, 3, 0, tzinfo=UTC)  # 11:00 in Shenzhen, 08:30 in Delhi, 03:00 in London


def _teams(session: Session) -> None:
    oncall.add_team(
        session,
        name="shenzhen",
        languages=["zh", "en"],
        timezone="Asia/Shanghai",
        hours="09:00-21:00",
        is_default=True,
        now=NOW,
        actor="t",
    )
    oncall.add_team(
        session,
        name="delhi",
        languages=["hi", "en"],
        timezone="Asia/Kolkata",
        hours="09:00-21:00",
        is_default=False,
        now=NOW,
        actor="t",
    )
    oncall.add_team(
        session,
        name="london-night",
        languages=["en"],
        timezone="Europe/London",
        hours="21:00-09:00",
        is_default=False,
        now=NOW,
        actor="t",
    )


def test_language_then_working_hours_then_default(session: Session) -> None:
    _teams(session)
    assert oncall.team_for(session, language="zh", now=NOW).name == "shenzhen"  # type: ignore[union-attr]
    assert oncall.team_for(session, language="hi", now=NOW).name == "delhi"  # type: ignore[union-attr]
    # English: Shenzhen is at work at 11:00; London's night team too (03:00 is inside 21:00-09:00).
    assert oncall.team_for(session, language="en", now=NOW).name == "shenzhen"  # type: ignore[union-attr]
    evening = datetime(2026, 12, 5, 14, 0, tzinfo=UTC)  # 22:00 Shenzhen (closed), 19:30 Delhi (open)
    assert oncall.team_for(session, language="en", now=evening).name == "delhi"  # type: ignore[union-attr]
    assert oncall.team_for(session, language="ta", now=NOW).name == "shenzhen"  # type: ignore[union-attr]


def test_hours_across_midnight() -> None:
    from lifeguard.oncall.models import Team

    night = Team(name="n", languages=[], timezone="Asia/Shanghai", work_start="20:00", work_end="08:00")
    assert oncall.in_working_hours(night, datetime(2026, 12, 5, 15, 0, tzinfo=UTC))  # 23:00 local
    assert not oncall.in_working_hours(night, datetime(2026, 12, 5, 4, 0, tzinfo=UTC))  # 12:00 local
