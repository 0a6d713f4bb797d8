"""Decrypts a sealed (age) file as a stream of plaintext chunks, hashing the sealed bytes beside.

Three threads so the work overlaps on two cores: pyrage decrypts file → OS pipe (C-level reads
and writes, no Python callback per 8 KiB), a second thread hashes the sealed file, and the caller
reads plaintext from the pipe. A recovered recording is a truncated age file: its complete
chunks decrypt and then pyrage raises; ``error`` tells the caller, who decides whether the
plaintext it needed was all there.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Generator, Iterator
from pathlib import Path

import pyrage

from kasuhara_recorder.platform_seam import set_pipe_size

CHUNK = 1 << 20
PIPE_SIZE = 1 << 20


class SealedReader:
    def __init__(self, path: Path, identity: pyrage.x25519.Identity) -> None:
        self.path = Path(path)
        self._identity = identity
        self.error: str | None = None
        self.sealed_sha256 = ""
        self.sealed_size = 0
        self._threads: list[threading.Thread] = []
        self._r = -1
        self.beyond = 0  # plaintext bytes past the target of ``fill``

    def _decrypt(self, w: int) -> None:
        try:
            with open(self.path, "rb", buffering=0) as src, open(w, "wb", buffering=0) as out:
                pyrage.decrypt_io(src, out, [self._identity])
        except BrokenPipeError:
            pass  # the reader stopped early (cancel or failure elsewhere)
        except (pyrage.DecryptError, OSError, ValueError) as e:
            self.error = str(e) or type(e).__name__

    def _hash(self) -> None:
        h = hashlib.sha256()
        n = 0
        try:
            with open(self.path, "rb", buffering=0) as f:
                while chunk := f.read(4 * CHUNK):
                    h.update(chunk)
                    n += len(chunk)
        except OSError as e:
            self.error = self.error or str(e)
        self.sealed_sha256, self.sealed_size = h.hexdigest(), n

    def _start(self) -> int:
        r, w = os.pipe()
        set_pipe_size(w, PIPE_SIZE)
        self._r = r
        self._threads = [
            threading.Thread(target=self._decrypt, args=(w,), name="bundle-decrypt", daemon=True),
            threading.Thread(target=self._hash, name="bundle-sealed-hash", daemon=True),
        ]
        for t in self._threads:
            t.start()
        return r

    def _finish(self, r: int) -> None:
        os.close(r)  # an early stop makes the decryptor's next write fail and end
        for t in self._threads:
            t.join()

    def chunks(self) -> Iterator[bytes]:
        """Plaintext in chunks of about 1 MiB until the decryptor stops (see ``error``)."""
        r = self._start()
        try:
            with open(r, "rb", buffering=0, closefd=False) as pipe:
                buf = bytearray(CHUNK)
                view = memoryview(buf)
                while True:
                    filled = 0
                    while filled < CHUNK:
                        n = pipe.readinto(view[filled:])
                        if not n:
                            break
                        filled += n
                    if not filled:
                        break
                    yield bytes(view[:filled])
                    if filled < CHUNK:
                        # A short fill means EOF was seen; one more read confirms it.
                        continue
        finally:
            self._finish(r)

    def fill(self, target: memoryview, step: int = CHUNK) -> Generator[int, None, None]:
        """Plaintext straight into ``target`` (no copy in between), yielding how many bytes it
        holds after each read of up to ``step``; plaintext beyond it is read to the end and
        counted in ``beyond`` (never kept), so the sealed hash covers the whole file."""
        self.beyond = 0
        r = self._start()
        try:
            with open(r, "rb", buffering=0, closefd=False) as pipe:
                filled = 0
                while filled < len(target):
                    n = pipe.readinto(target[filled : min(len(target), filled + step)])
                    if not n:
                        return
                    filled += n
                    yield filled
                scratch = memoryview(bytearray(min(step, 1 << 16)))
                while n := pipe.readinto(scratch):
                    self.beyond += n
                scratch[:] = bytes(len(scratch))
        finally:
            self._finish(r)
