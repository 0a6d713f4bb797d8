"""Sealed blobs (recordings, attachments) in the central store, content-addressed by SHA-256.

One interface, two backends: PostgreSQL large objects (``blobs_pg.py``, the default: one server
to run and back up) and S3-compatible object storage with Object Lock (``blobs_s3.py``). A blob
is written once under its hash and never changed; ``put`` of a blob already there is a no-op, so
a retried upload never duplicates. Data is streamed in chunks, never held whole in memory.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Protocol, runtime_checkable

CHUNK = 1 << 20  # 1 MiB: the unit of streaming and of the server-side read-back


@runtime_checkable
class BlobStore(Protocol):
    def put(self, sha256: str, size: int, source: BinaryIO) -> None:
        """Store ``size`` bytes read from ``source`` under ``sha256`` (lowercase hex). Idempotent:
        a blob already complete under that hash is left as it is. A blob whose bytes do not hash
        to ``sha256`` is refused (BlobMismatch) and not kept. An interrupted put leaves nothing
        that ``confirm`` accepts; the next put completes it. As the central store uses them,
        a put returns only once the stored copy was read back and matched (large objects:
        the server's ``blob_finish``; S3: ``client.IndexedBlobs`` confirms after the upload)."""
        ...

    def confirm(self, sha256: str, size: int) -> bool:
        """The server's stored copy read back and hashed: True only if it is there, ``size``
        bytes long, and hashes to ``sha256``. What makes an item count as synced."""
        ...

    def open(self, sha256: str) -> Iterator[bytes]:
        """The blob's bytes in chunks of at most CHUNK (BlobMissing if it is not there)."""
        ...

    def close(self) -> None: ...
