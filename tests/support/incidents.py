"""Many incidents at once, for the incident list's tests and bench: written in one transaction
through the embedded store's repository (no chain entries: the list reads the incident tables
only). Deterministic: incident ``n`` is the same in every run."""

from __future__ import annotations

import datetime as dt

from kasuhara_recorder.store.incident_model import Incident, IncidentDraft, OtherParty

DEPARTMENTS = ("市民課", "福祉課", "税務課")
STATUSES = ("draft", "submitted", "reviewed", "referred", "closed")
LOCATIONS = ("counter", "phone", "meeting_room", "other")
CATEGORIES = ("conduct.mental", "conduct.intimidation", "conduct.persistent", "conduct.restraint",
              "demand.apology", "conduct.physical")  # fmt: skip
START = dt.datetime(2025, 4, 1, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))


def generated(n: int) -> Incident:
    when = (START + dt.timedelta(hours=7 * n + n % 5)).isoformat()
    draft = IncidentDraft(
        occurred_at=when,
        duration_seconds=(n * 37) % 5400,  # every 5th or so over the hour
        location=LOCATIONS[n % len(LOCATIONS)],
        location_detail=f"第{n % 9 + 1}窓口",
        department=DEPARTMENTS[n % len(DEPARTMENTS)],
        other_party=OtherParty(description=f"来庁者 {n % 40} 番"),
        demand=f"手数料の返金を求めた（受付 {n:05d}）",
        narrative=f"大声で職員を非難した。記録番号 {n:05d}。",
        categories=(CATEGORIES[n % len(CATEGORIES)], CATEGORIES[(n // 3 + 2) % len(CATEGORIES)]),
    )
    return Incident(
        id=f"20250401-{n:06x}", status=STATUSES[n % len(STATUSES)], draft=draft,
        created_at=when, created_by="生成", updated_at=when, legal_hold=n % 50 == 0,
    )  # fmt: skip


def generate(service, count: int, start: int = 0) -> list[str]:
    """``count`` incidents in the service's embedded store, in one transaction; their ids."""
    repo = service.backend.incidents()
    ids = []
    with service.database.transaction():
        for n in range(start, start + count):
            inc = generated(n)
            repo.insert(inc)
            ids.append(inc.id)
    return ids
