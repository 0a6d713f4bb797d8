"""``audit verify``: the hash chain, and the store around it.

The chain covers the audit entries only: a damaged store elsewhere (recordings, incidents) must
not pass as "intact", so its own integrity check runs first.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.store.interface import AuditStore, Store

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.audit_chain import ChainReport


def verify_audit(store: Store, audit: AuditStore, where: Path) -> ChainReport:
    """The chain's report; DatabaseDamaged (naming ``where``) if the store itself is damaged."""
    problem = store.integrity_problem()
    if problem:
        from kasuhara_recorder.store.database import DatabaseDamaged

        raise DatabaseDamaged(where, problem)
    return audit.verify()
