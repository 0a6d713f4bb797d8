"""The purges table: which recordings and attachments retention deleted, when, by which rule.

Written in the same transaction as the audit entry that says so, before any file is removed:
a crash between the two leaves a marked item whose files the next run removes, never a file
gone without a trace.
"""

from __future__ import annotations

from kasuhara_recorder.store.database import Database


class PurgeRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def mark(self, kind: str, item: str, purged_at: str, rule: str) -> None:
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO purges (kind, item, purged_at, rule) VALUES (?, ?, ?, ?)",
                (kind, item, purged_at, rule),
            )

    def purged(self, kind: str) -> dict[str, str]:
        """Item id → when it was purged, for one kind (``recording`` | ``attachment``)."""
        rows = self.db.query("SELECT item, purged_at FROM purges WHERE kind = ?", (kind,))
        return {r[0]: r[1] for r in rows}
