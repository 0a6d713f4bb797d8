"""The timestamps table (migration 7): every RFC 3161 time-stamp this PC asked for — a capture
manifest at stop, the audit chain's head daily and at each sync, a bundle manifest at export —
queued until a TSA answered, then what the token proves and when it came. A capture
manifest's token itself is the vault file ``<id>.manifest.json.tsr`` (evidence/vault.py); a
head's or a bundle's is kept here."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kasuhara_recorder.store.database import Database

QUEUED, ADDED, REFUSED = "queued", "added", "refused"


@dataclass(frozen=True)
class TimestampRow:
    kind: str  # manifest | audit_head | bundle
    item: str  # the recording id, "<seq>:<hash>" of a head, the bundle id
    data_sha256: str
    state: str
    requested_at: str
    added_at: str = ""
    attempts: int = 0
    last_error: str = ""
    gen_time: str = ""
    tsa_name: str = ""
    clock_skew_s: int = 0
    token: bytes | None = None
    chain_pem: str = ""


_COLS = (
    "kind, item, data_sha256, state, requested_at, added_at, attempts, last_error, gen_time, "
    "tsa_name, clock_skew_s, token, chain_pem"
)


class TimestampRepository:
    def __init__(self, db: Database) -> None:
        self.db = db

    def queue(self, kind: str, item: str, data_sha256: str, requested_at: str) -> None:
        """A request to make (again): kept until a token came or was refused."""
        with self.db.transaction() as c:
            c.execute(
                "INSERT INTO timestamps (kind, item, data_sha256, state, requested_at) "
                "VALUES (?, ?, ?, 'queued', ?) ON CONFLICT (kind, item) DO NOTHING",
                (kind, item, data_sha256, requested_at),
            )

    def failed(self, kind: str, item: str, error: str) -> None:
        with self.db.transaction() as c:
            c.execute(
                "UPDATE timestamps SET attempts = attempts + 1, last_error = ? "
                "WHERE kind = ? AND item = ?",
                (error, kind, item),
            )

    def settle(self, row: TimestampRow) -> None:
        """The answer: ``added`` with what the token proves, or ``refused`` with why."""
        with self.db.transaction() as c:
            c.execute(
                "UPDATE timestamps SET state = ?, added_at = ?, attempts = attempts + 1, "
                "last_error = ?, gen_time = ?, tsa_name = ?, clock_skew_s = ?, token = ?, "
                "chain_pem = ? WHERE kind = ? AND item = ?",
                (row.state, row.added_at, row.last_error, row.gen_time, row.tsa_name,
                 row.clock_skew_s, row.token, row.chain_pem, row.kind, row.item),
            )  # fmt: skip

    def get(self, kind: str, item: str) -> TimestampRow | None:
        rows = self.db.query(
            f"SELECT {_COLS} FROM timestamps WHERE kind = ? AND item = ?", (kind, item)
        )
        return _row(rows[0]) if rows else None

    def rows(self, state: str | None = None, kind: str | None = None) -> list[TimestampRow]:
        sql, params = f"SELECT {_COLS} FROM timestamps WHERE 1 = 1", list[str]()
        if state is not None:
            sql, params = sql + " AND state = ?", [*params, state]
        if kind is not None:
            sql, params = sql + " AND kind = ?", [*params, kind]
        return [_row(r) for r in self.db.query(sql + " ORDER BY requested_at, item", params)]


def _row(r: sqlite3.Row) -> TimestampRow:
    v = tuple(r)
    return TimestampRow(
        kind=v[0], item=v[1], data_sha256=v[2], state=v[3], requested_at=v[4], added_at=v[5],
        attempts=int(v[6]), last_error=v[7], gen_time=v[8], tsa_name=v[9],
        clock_skew_s=int(v[10]), token=None if v[11] is None else bytes(v[11]), chain_pem=v[12],
    )  # fmt: skip
