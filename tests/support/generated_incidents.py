"""Generated incidents for the statistics tests and the bench: random but seeded, every field
the statistics and the incident list read, and fake personal data (never a real person).

``insert`` puts them into a PC's store in one transaction, through the store's repository, and
enters a referral (``incident.status`` to ``referred``) in the audit chain for those that were
referred, as the incident service does; it returns the time of each referral."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.store.incident_model import (
    Incident,
    IncidentDraft,
    OtherParty,
    ResponseAction,
    StaffMember,
)

DEPARTMENTS = ("市民課", "福祉課", "税務課", "こども課", "")
LOCATION_CODES = ("counter", "phone", "meeting_room", "other", "")
STATUSES = ("draft", "submitted", "reviewed", "referred", "closed")
JST = dt.timezone(dt.timedelta(hours=9))


@dataclass(frozen=True)
class Generated:
    incidents: list[Incident]
    referred: set[str]  # ids to enter as referred in the audit chain


def generate(
    n: int, seed: int, profile: PolicyProfile, year: int = 2025, departments=DEPARTMENTS,
    prefix: str = "G",
) -> Generated:  # fmt: skip
    rnd = random.Random(seed)
    validity = [c.code for c in profile.categories_in("validity")]
    conduct = [c.code for c in profile.categories if c.group != "validity"]
    responses = [r.code for r in profile.responses]
    start = dt.datetime(year, 1, 1, tzinfo=JST)
    out: list[Incident] = []
    referred: set[str] = set()
    for i in range(n):
        when = start + dt.timedelta(minutes=rnd.randrange(365 * 24 * 60))
        status = rnd.choice(STATUSES)
        staff = tuple(
            StaffMember(f"職員{rnd.randrange(1000):03d}", "担当") for _ in range(rnd.randrange(4))
        )
        codes = tuple(rnd.sample(responses, rnd.randrange(4)))
        if codes and rnd.random() < 0.1:
            codes += (codes[0],)  # the same response twice: counted once for the incident
        draft = IncidentDraft(
            occurred_at=when.isoformat(),
            duration_seconds=None if rnd.random() < 0.1 else rnd.randrange(60, 7200),
            location=rnd.choice(LOCATION_CODES),
            at_office=rnd.random() < 0.9,
            location_detail=f"第{rnd.randrange(1, 5)}面談室",
            department=rnd.choice(departments),
            staff=staff,
            other_party=OtherParty(f"相手方 {i:05d}", "50代男性・眼鏡"),
            demand=f"要求の内容 {i}「手数料を返せ」",
            validity=tuple(rnd.sample(validity, rnd.randrange(len(validity) + 1))),
            categories=tuple(rnd.sample(conduct, rnd.randrange(1, 4))),
            narrative=f"経過 {i}: 窓口で大声を出した。",
            responses=tuple(ResponseAction(c, when.isoformat(), "係長", "メモ") for c in codes),
            injuries="",
            recorded_from_start=rnd.random() < 0.5,
        )
        iid = f"{prefix}{seed}-{i:06d}"
        t = when.isoformat()
        out.append(Incident(
            id=iid, status=status, draft=draft, created_at=t, created_by=f"作成者{i % 7}",
            updated_at=t, submitted_at="" if status == "draft" else t,
            profile_id=profile.id, profile_version=profile.version,
        ))  # fmt: skip
        if status in ("referred", "closed") and rnd.random() < 0.6:
            referred.add(iid)
    return Generated(out, referred)


def insert(app: AppService, gen: Generated) -> dict[str, str]:
    """Into ``app``'s store in one transaction; the referral time of each referred incident."""
    repo = app.backend.incidents()
    audit = app.audit
    times: dict[str, str] = {}
    with app.database.transaction():
        for inc in gen.incidents:
            repo.insert(inc)
            if inc.id in gen.referred:
                data = {"from": "reviewed", "to": "referred", "note": ""}
                entry = audit.append(app.actor, "incident.status", f"incident:{inc.id}", data)
                times[inc.id] = entry.time
    return times
