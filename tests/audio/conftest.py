"""Audio-layer fixtures: a test organisation identity (generated now, never stored in the repo)
and decryption of sealed files with Debian's ``age``, the tool a recipient would use."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyrage
import pytest


@dataclass(frozen=True)
class OrgIdentity:
    identity_file: Path
    recipient: str

    def decrypt(self, sealed: Path, *, allow_cut: bool = False) -> bytes:
        """Plaintext of a sealed file via ``age -d -i``. A crash-cut (recovered) file makes age
        report the missing last chunk after writing every complete one: ``allow_cut`` accepts
        that, and only that."""
        r = subprocess.run(
            ["age", "-d", "-i", str(self.identity_file), str(sealed)],
            capture_output=True, timeout=120,
        )  # fmt: skip
        if r.returncode != 0 and not allow_cut:
            raise AssertionError(f"age -d failed: {r.stderr.decode(errors='replace')}")
        return r.stdout

    def decrypt_pcm(self, sealed: Path, **kw) -> np.ndarray:
        return np.frombuffer(self.decrypt(sealed, **kw), dtype="<i2")

    def decrypt_recording(self, sealed: Path, tail: dict | None) -> bytes:
        """The whole audio of a recording as an officer gets it by hand: ``age -d`` of the
        sealed file, then (recovered with its tail) of the tail named in the manifest, joined.
        Only the main file of a recovered recording may be cut; the tail must be whole."""
        data = self.decrypt(sealed, allow_cut=True)
        if tail is not None:
            data += self.decrypt(sealed.parent / tail["file"])
        return data


@pytest.fixture
def org_identity(tmp_path: Path) -> OrgIdentity:
    ident = pyrage.x25519.Identity.generate()
    f = tmp_path / "org-identity.txt"
    f.write_text(str(ident) + "\n")
    f.chmod(0o600)
    return OrgIdentity(identity_file=f, recipient=str(ident.to_public()))


class CollectingSink:
    """A PCM sink that keeps everything in memory (for tests of the capture side only)."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = False

    def write(self, data: bytes | memoryview) -> None:
        self.data += data

    def close(self) -> int:
        self.closed = True
        return len(self.data)

    def pcm(self) -> np.ndarray:
        return np.frombuffer(bytes(self.data), dtype="<i2")


@pytest.fixture
def collecting_sink() -> CollectingSink:
    return CollectingSink()
