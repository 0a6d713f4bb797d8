"""Assembles the bundle ZIP: files in, then the signed manifest, SHA256SUMS, and the directory.

The exporter adds the big recordings first (streamed, hashed as they pass), then the small
files; ``finish`` writes ``manifest.json`` (canonical JSON listing every file with size and
SHA-256), its Ed25519 signature ``manifest.json.sig`` (raw 64 bytes, what
``openssl pkeyutl -verify -rawin`` reads), ``SHA256SUMS`` over every file but itself and its
signature, and ``SHA256SUMS.sig`` (raw 64 bytes, the same key): a recipient's
``openssl pkeyutl -verify`` of SHA256SUMS plus ``sha256sum -c SHA256SUMS`` proves every byte.
The ZIP's central directory is sorted by name, so listings are in a fixed order.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from kasuhara_recorder.bundle.sha256sums import format_sha256sums
from kasuhara_recorder.bundle.zip_writer import DeterministicZipWriter, ZipOutput
from kasuhara_recorder.evidence.canonical_json import canonical_json

MANIFEST = "manifest.json"
MANIFEST_SIG = "manifest.json.sig"
SUMS = "SHA256SUMS"
SUMS_SIG = "SHA256SUMS.sig"
FORMAT_ID = "kasuhara-evidence-bundle"
FORMAT_VERSION = 2  # 2: SHA256SUMS.sig; each recording says its "source"


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    sha256: str
    kind: str

    def as_json(self) -> dict[str, Any]:
        return {"path": self.path, "size": self.size, "sha256": self.sha256, "kind": self.kind}


class _BackgroundHash:
    """SHA-256 on a worker thread (hashlib drops the GIL on big buffers), chunks kept in order."""

    def __init__(self, pool: ThreadPoolExecutor) -> None:
        self._h = hashlib.sha256()
        self._pool = pool
        self._pending: Future[None] | None = None

    def update(self, chunk: bytes) -> None:
        if self._pending is not None:
            self._pending.result()  # at most one chunk in flight: bounded memory, kept order
        self._pending = self._pool.submit(self._h.update, chunk)

    def hexdigest(self) -> str:
        if self._pending is not None:
            self._pending.result()
        return self._h.hexdigest()


def _signed(sign: Callable[[bytes], bytes], data: bytes) -> bytes:
    signature = sign(data)
    if len(signature) != 64:
        raise ValueError("an Ed25519 signature is 64 bytes")
    return signature


class BundleAssembler:
    def __init__(self, out: ZipOutput) -> None:
        self._zip = DeterministicZipWriter(out)
        self._files: dict[str, FileRecord] = {}
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="bundle-hash")

    def close(self) -> None:
        self._pool.shutdown(wait=True)

    def add_bytes(self, path: str, data: bytes, kind: str) -> FileRecord:
        self._zip.add_bytes(path, data, deflate=not path.endswith((".wav", ".pdf")))
        rec = FileRecord(path, len(data), hashlib.sha256(data).hexdigest(), kind)
        self._files[path] = rec
        return rec

    def add_stream(self, path: str, size: int, chunks: Iterable[bytes], kind: str) -> FileRecord:
        """Stored entry of ``size`` bytes; SHA-256 runs beside the ZIP's CRC on another thread."""
        h = _BackgroundHash(self._pool)

        def tee() -> Iterator[bytes]:
            for c in chunks:
                h.update(c)
                yield c

        self._zip.add_stream(path, size, tee())
        rec = FileRecord(path, size, h.hexdigest(), kind)
        self._files[path] = rec
        return rec

    @property
    def files(self) -> list[FileRecord]:
        return sorted(self._files.values(), key=lambda r: r.path)

    def finish(
        self,
        fields: dict[str, Any],
        sign: Callable[[bytes], bytes],
        after_manifest: Callable[[bytes], Iterable[tuple[str, bytes, str]]] | None = None,
    ) -> bytes:
        """Write manifest, signature, SHA256SUMS and the directory; returns the manifest bytes.
        ``after_manifest(manifest bytes)`` gives members that can only follow the manifest
        (its RFC 3161 token): in SHA256SUMS, not in the manifest's own list."""
        manifest = {
            "format": FORMAT_ID,
            "format_version": FORMAT_VERSION,
            **fields,
            "files": [r.as_json() for r in self.files],
        }
        raw = canonical_json(manifest)
        self.add_bytes(MANIFEST, raw, "manifest")
        self.add_bytes(MANIFEST_SIG, _signed(sign, raw), "signature")
        for path, data, kind in after_manifest(raw) if after_manifest is not None else ():
            self.add_bytes(path, data, kind)
        sums = format_sha256sums((r.path, r.sha256) for r in self.files)
        self._zip.add_bytes(SUMS, sums)
        self._zip.add_bytes(SUMS_SIG, _signed(sign, sums))
        self._zip.finish()
        self.close()
        return raw
