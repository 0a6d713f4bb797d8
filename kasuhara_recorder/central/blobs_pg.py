"""Blobs as PostgreSQL large objects, through the schema's blob functions (central/schema.py):
the large object belongs to the schema's owner, the app's login only appends to an upload in
progress and can neither rewrite nor unlink a finished one.

An upload sends 1 MiB pieces, committed a few at a time (each commit is a WAL flush); after a
connection loss the next ``put`` resumes at the last committed piece. ``blob_finish`` has the
server read its stored copy back and compare each piece's SHA-256 with the client's, whose whole
SHA-256 is the blob's name: only then is the blob accepted.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO

from kasuhara_recorder.central.blobs import CHUNK
from kasuhara_recorder.central.connection import Session
from kasuhara_recorder.central.errors import BlobMismatch, BlobMissing

if TYPE_CHECKING:
    import psycopg

PIECES_PER_COMMIT = 16


class LargeObjectBlobs:
    def __init__(self, connect: Callable[[], psycopg.Connection[Any]], where: str = "") -> None:
        self._session = Session(connect, where)

    def _call(self, fn: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        import psycopg

        try:
            return self._session.run(fn)
        except psycopg.errors.UndefinedObject as e:  # a blob row whose large object is gone
            raise BlobMismatch("(large object)", str(e).strip().splitlines()[0]) from e

    def _value(self, sql: str, params: tuple[Any, ...]) -> Any:
        """The first column of the one row ``sql`` gives."""

        def run(c: psycopg.Connection[Any]) -> Any:
            row = c.execute(sql, params).fetchone()
            assert row is not None  # a SELECT of a function always gives one row
            return row[0]

        return self._call(run)

    def put(self, sha256: str, size: int, source: BinaryIO) -> None:
        written = int(self._value("SELECT blob_begin(%s, %s)", (sha256, size)))
        if written < 0:
            return  # already complete under that name
        whole = hashlib.sha256()
        pieces: list[str] = []
        batch: list[tuple[int, bytes]] = []
        offset = 0
        while offset < size:
            piece = source.read(min(CHUNK, size - offset))
            if not piece:
                break
            whole.update(piece)
            pieces.append(hashlib.sha256(piece).hexdigest())
            if offset >= written:
                batch.append((offset, piece))
                if len(batch) == PIECES_PER_COMMIT:
                    self._send(sha256, batch)
                    batch = []
            offset += len(piece)
        if offset != size or whole.hexdigest() != sha256:
            self._call(lambda c: c.execute("SELECT blob_abort(%s)", (sha256,)))
            raise BlobMismatch(sha256, f"the file gave {offset} bytes hashing to "
                                       f"{whole.hexdigest()}")  # fmt: skip
        if batch:
            self._send(sha256, batch)
        outcome = self._value("SELECT blob_finish(%s, %s)", (sha256, pieces))
        if outcome != "ok":
            raise BlobMismatch(sha256, f"the server's read-back: {outcome}")

    def _send(self, sha256: str, batch: list[tuple[int, bytes]]) -> None:
        def send(c: psycopg.Connection[Any]) -> None:
            with c.transaction(), c.cursor() as cur:
                for offset, piece in batch:
                    cur.execute("SELECT blob_write(%s, %s, %b)", (sha256, offset, piece))

        self._call(send)

    def confirm(self, sha256: str, size: int) -> bool:
        n = self._value("SELECT blob_check(%s)", (sha256,))
        return int(n) == size

    def size(self, sha256: str) -> int | None:
        row = self._call(
            lambda c: c.execute("SELECT size FROM blobs WHERE sha256 = %s", (sha256,)).fetchone()
        )
        return None if row is None else int(row[0])

    def open(self, sha256: str) -> Iterator[bytes]:
        size = self.size(sha256)
        if size is None:
            raise BlobMissing(sha256)
        offset = 0
        while offset < size:
            piece = bytes(self._value("SELECT blob_read(%s, %s, %s)", (sha256, offset, CHUNK)))
            if not piece:
                raise BlobMismatch(sha256, f"the server's copy ends at {offset} of {size} bytes")
            yield piece
            offset += len(piece)

    def close(self) -> None:
        self._session.close()
