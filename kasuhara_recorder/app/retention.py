"""Retention: what is no longer needed goes, what matters never goes, every deletion is traced.

Recordings are personal information (個人情報保護法). The rules (settings IT distributes):

- a recording no incident holds (kept as routine, or recovered and never attached) is deleted
  ``retention_routine_days`` after it ended (default 30);
- an incident's recordings and file attachments are kept while it is open (any status but
  完了) and ``retention_closed_days`` after it was closed (default 5 years);
- nothing of an incident under legal hold is ever deleted, whatever the dates.

Only the audio and the attachment files go. The recording's row and signed manifest stay, and
one audit entry per item says what went (id, hashes, size), by which rule and why, so the chain
still verifies and shows it. The entry and the mark in ``purges`` are written in one
transaction *before* a file is removed: a crash between leaves a marked item whose files the
next run removes, never a file gone without a trace.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.config import Settings
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.store.incident_model import Incident
from kasuhara_recorder.store.interface import (
    AuditStore,
    IncidentStore,
    PurgeStore,
    RecordingStore,
    Store,
)
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.retention")

RULES: dict[str, Text] = {
    "routine": Text(
        "事案に添付されていない録音の保存期間（{days} 日）が過ぎた",
        "a recording no incident holds, past its {days}-day retention",
    ),
    "closed": Text(
        "完了した事案の保存期間（完了から {days} 日）が過ぎた",
        "its incident was closed more than {days} days ago",
    ),
}


@dataclass(frozen=True)
class PurgeItem:
    """One recording or attachment retention deletes, with what its audit entry records."""

    kind: str  # recording | attachment
    id: str
    incident_id: str | None
    rule: str  # routine | closed
    days: int  # the rule's period
    since: str  # the time the period counts from (ended, closed)
    files: tuple[Path, ...]
    size: int  # bytes the sealed files take now
    hashes: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> Text:
        return RULES[self.rule].format(days=self.days)


@dataclass(frozen=True)
class RetentionPlan:
    """What a run deletes (or a dry run would), and what it keeps because of a hold."""

    items: tuple[PurgeItem, ...]
    held: tuple[str, ...]  # incidents under legal hold whose period is over: kept

    @property
    def size(self) -> int:
        return sum(i.size for i in self.items)


@dataclass(frozen=True)
class RetentionResult:
    plan: RetentionPlan
    dry_run: bool
    purged: tuple[str, ...] = ()  # "kind:id" done by this run
    freed: int = 0  # bytes actually removed (earlier interrupted runs' leftovers included)


def _parse(ts: str) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(ts)
    except (TypeError, ValueError):
        return None
    return t if t.tzinfo else t.astimezone()


def _size(paths: tuple[Path, ...]) -> int:
    total = 0
    for p in paths:
        try:
            total += p.stat().st_size
        except OSError:
            pass
    return total


class RetentionService:
    def __init__(
        self,
        settings: Callable[[], Settings],
        vault: Vault,
        data_dir: Path,
        store: Callable[[], Store],
        recordings: Callable[[], RecordingStore],
        incidents: Callable[[], IncidentStore],
        purges: Callable[[], PurgeStore],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        roles: Roles,
        clock: Callable[[], dt.datetime] | None = None,
    ) -> None:
        self._settings = settings
        self._vault = vault
        self._data_dir = data_dir
        self._store = store
        self._recordings = recordings
        self._incidents = incidents
        self._purges = purges
        self._audit = audit
        self._actor = actor
        self._roles = roles
        self.clock = clock or (lambda: dt.datetime.now().astimezone())

    # --- deciding ------------------------------------------------------------------------------
    def plan(self) -> RetentionPlan:
        now = self.clock()
        s = self._settings()
        done_rec = self._purges().purged("recording")
        done_att = self._purges().purged("attachment")
        items: list[PurgeItem] = []
        routine = dt.timedelta(days=s.retention_routine_days)
        for r in self._recordings().list_unattached():
            ended = _parse(r.ended_at) or _parse(r.started_at)
            if r.id in done_rec or ended is None or now - ended <= routine:
                continue
            items.append(self._recording_item(r, None, "routine", s.retention_routine_days,
                                              ended))  # fmt: skip
        held: list[str] = []
        closed_for = dt.timedelta(days=s.retention_closed_days)
        incidents = self._incidents()
        for iid in incidents.ids(statuses=("closed",)):
            inc = incidents.get(iid)
            closed = _parse(inc.updated_at) if inc else None
            if inc is None or closed is None or now - closed <= closed_for:
                continue
            if inc.legal_hold:
                held.append(inc.id)
                continue
            items.extend(self._incident_items(inc, closed, s.retention_closed_days,
                                              done_rec, done_att))  # fmt: skip
        return RetentionPlan(tuple(items), tuple(held))

    def _recording_item(
        self, r: Any, incident_id: str | None, rule: str, days: int, since: dt.datetime
    ) -> PurgeItem:
        tail = r.manifest.tail
        files = self._vault.audio_files(r.id, tail.file if tail else None)
        hashes: dict[str, Any] = {
            "sealed_file": r.sealed_file, "sealed_sha256": r.sealed_sha256,
            "sealed_size": r.sealed_size, "pcm_sha256": r.pcm_sha256,
            "duration_ms": r.duration_ms, "started_at": r.started_at,
        }  # fmt: skip
        if tail is not None:
            hashes["tail"] = {"file": tail.file, "sealed_sha256": tail.sealed_sha256,
                              "sealed_size": tail.sealed_size}  # fmt: skip
        when = since.isoformat(timespec="seconds")
        return PurgeItem("recording", r.id, incident_id, rule, days, when, files, _size(files),
                         hashes)  # fmt: skip

    def _incident_items(
        self, inc: Incident, closed: dt.datetime, days: int,
        done_rec: dict[str, str], done_att: dict[str, str],
    ) -> list[PurgeItem]:  # fmt: skip
        out = []
        for rid in inc.recordings:
            r = self._recordings().get(rid)
            if r is not None and rid not in done_rec:
                out.append(self._recording_item(r, inc.id, "closed", days, closed))
        for a in inc.attachments:
            if a.kind != "file" or not a.sealed_path or a.id in done_att:
                continue
            files = (self._data_dir / a.sealed_path,)
            out.append(PurgeItem(
                "attachment", a.id, inc.id, "closed", days, closed.isoformat(timespec="seconds"),
                files, _size(files),
                {"name": a.name, "sha256": a.sha256, "sealed_sha256": a.sealed_sha256,
                 "size": a.size, "sealed_path": a.sealed_path},
            ))  # fmt: skip
        return out

    # --- doing -------------------------------------------------------------------------------
    def run(self, *, dry_run: bool = False, trigger: str = "cli") -> RetentionResult:
        """Delete what the rules say (nothing on a dry run). ``trigger`` says who asked: a
        person from the CLI needs the role; the app's start and the sync run it themselves."""
        if trigger == "cli" and not dry_run:
            self._roles.require("retention")
        plan = self.plan()
        if dry_run:
            return RetentionResult(plan, dry_run=True)
        done: list[str] = []
        freed = self._finish_interrupted()
        for item in plan.items:
            if not self._still_due(item):
                continue
            now = self.clock().isoformat(timespec="milliseconds")
            with self._store().transaction():
                self._purges().mark(item.kind, item.id, now, item.rule)
                self._audit().append(self._actor(), "retention.purge", f"{item.kind}:{item.id}", {
                    "kind": item.kind, "incident": item.incident_id, "rule": item.rule,
                    "rule_days": item.days, "since": item.since, "reason": item.reason.ja,
                    "size": item.size, "trigger": trigger, **item.hashes,
                })  # fmt: skip
            freed += self._vault.remove_files(item.files)
            done.append(f"{item.kind}:{item.id}")
            log.info("retention: purged %s %s (%s, %d bytes)", item.kind, item.id, item.rule,
                     item.size)  # fmt: skip
        return RetentionResult(plan, dry_run=False, purged=tuple(done), freed=freed)

    def _still_due(self, item: PurgeItem) -> bool:
        """Checked again right before the deletion: a hold set, an incident reopened or a
        recording attached since the plan keeps the item."""
        if item.incident_id is None:
            r = self._recordings().get(item.id)
            return r is not None and r.incident_id is None
        inc = self._incidents().get(item.incident_id)
        return inc is not None and inc.status == "closed" and not inc.legal_hold

    def _finish_interrupted(self) -> int:
        """Files of items marked purged that a crash left on disk."""
        freed = 0
        for rid in self._purges().purged("recording"):
            r = self._recordings().get(rid)
            if r is not None:
                tail = r.manifest.tail
                freed += self._vault.remove_files(
                    self._vault.audio_files(rid, tail.file if tail else None)
                )
        marked = self._purges().purged("attachment")
        if marked:
            for iid in self._incidents().ids(statuses=("closed",)):
                inc = self._incidents().get(iid)
                for a in inc.attachments if inc else ():
                    if a.id in marked and a.sealed_path:
                        freed += self._vault.remove_files((self._data_dir / a.sealed_path,))
        return freed

    def purged_recordings(self) -> dict[str, str]:
        return self._purges().purged("recording")
