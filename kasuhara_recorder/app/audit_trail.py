"""The audit trail as people read it: the chain of one incident (its own entries, its
recordings' and its attachments') or the whole chain, and the chain check.

Reached as ``app.audit_trail``; the audit viewer (ui/audit_viewer.py) calls it. Reading needs
``audit.view`` (app/roles.py), and a supervisor reads only their departments' incidents. On a
PC joined to a central store, ``verify_central`` is ``audit verify --central``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from kasuhara_recorder.app.incident_service import IncidentNotFound
from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.config import Settings
from kasuhara_recorder.evidence.audit_chain import AuditEntry, ChainReport
from kasuhara_recorder.store.interface import AuditStore, IncidentStore, RecordingStore

if TYPE_CHECKING:
    from kasuhara_recorder.central.verify import CentralReport


class AuditTrail:
    def __init__(
        self,
        audit: Callable[[], AuditStore],
        incidents: Callable[[], IncidentStore],
        recordings: Callable[[], RecordingStore],
        roles: Roles,
        verify: Callable[[], ChainReport],
        verify_central: Callable[[], CentralReport],
        settings: Callable[[], Settings],
    ) -> None:
        self._audit = audit
        self._incidents = incidents
        self._recordings = recordings
        self._roles = roles
        self._verify = verify
        self._verify_central = verify_central
        self._settings = settings

    def subjects(self, incident_id: str) -> set[str]:
        """The subjects whose entries are the incident's custody, as a bundle carries them."""
        inc = self._incidents().get(incident_id)
        if inc is None:
            raise IncidentNotFound(incident_id)
        self._roles.require("audit.view", department=inc.draft.department)
        recordings = set(inc.recordings) | {r.id for r in self._recordings().list(incident_id)}
        return (
            {f"incident:{incident_id}"}
            | {f"recording:{r}" for r in recordings}
            | {f"attachment:{a.id}" for a in inc.attachments}
        )

    def entries(self, incident_id: str | None = None) -> list[AuditEntry]:
        """Every entry of the chain in order, or those of one incident."""
        if incident_id is None:
            self._roles.require("audit.view")
            return self._audit().entries()
        subjects = self.subjects(incident_id)
        return [e for e in self._audit().entries() if e.subject in subjects]

    def verify(self) -> ChainReport:
        """The chain check of ``audit verify`` (the whole chain: one broken link breaks all)."""
        self._roles.require("audit.view")
        return self._verify()

    @property
    def has_central(self) -> bool:
        """This PC is joined to a central store (its chains can be checked there too)."""
        return bool(self._settings().central_url)

    def verify_central(self) -> CentralReport:
        """``audit verify --central``: every PC's chain, manifests, blobs and heads."""
        self._roles.require("audit.view")
        return self._verify_central()
