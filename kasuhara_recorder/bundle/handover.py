"""The two values an officer sends apart from the bundle, and the recipient compares.

A key that travels inside the same ZIP proves nothing by itself: the signing key's fingerprint
(SHA-256 of its 32 raw Ed25519 bytes, docs/FORMAT.md §5) and the SHA-256 of the bundle file
are told to the recipient by another channel (phone, letter). The export (CLI and wizard) and
``verify`` (CLI and dialog) compute and show them with these functions only, so both sides read
the same digits in the same groups.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

_BLOCK = 4 << 20
GROUP = 4  # hex digits per group: "3f2a 91bc …", 16 groups for a SHA-256
PER_LINE = 8  # groups per line when shown on two lines


def sha256_of_stream(f: BinaryIO) -> str:
    """SHA-256 of ``f`` from its current position to the end."""
    h = hashlib.sha256()
    while block := f.read(_BLOCK):
        h.update(block)
    return h.hexdigest()


def bundle_sha256(path: str | Path) -> str:
    """SHA-256 of the bundle file, as ``sha256sum``/``certutil -hashfile … SHA256`` print it."""
    with open(path, "rb") as f:
        return sha256_of_stream(f)


def grouped(hex_digest: str, *, lines: bool = False) -> str:
    """``hex_digest`` in groups of four to read aloud: ``"3f2a 91bc …"``; with ``lines``, eight
    groups a line. Lower-case hex as the tools print it; nothing else is changed."""
    d = hex_digest.strip().lower()
    groups = [d[i : i + GROUP] for i in range(0, len(d), GROUP)]
    if not lines:
        return " ".join(groups)
    return "\n".join(" ".join(groups[i : i + PER_LINE]) for i in range(0, len(groups), PER_LINE))


def fingerprint_command(key_file: str) -> str:
    """The one OpenSSL line that prints the fingerprint of ``key_file`` (SubjectPublicKeyInfo
    PEM of an Ed25519 key): its DER ends with the 32 raw key bytes."""
    return f"openssl pkey -pubin -in {key_file} -outform DER | tail -c 32 | openssl dgst -sha256"


@dataclass(frozen=True)
class Handover:
    """What the officer tells the recipient by another channel."""

    signing_fingerprint: str
    bundle_sha256: str

    def shown(self) -> tuple[str, str]:
        """The fingerprint and the bundle's SHA-256 as every screen and the CLI show them:
        groups of four, eight groups a line."""
        return grouped(self.signing_fingerprint, lines=True), grouped(
            self.bundle_sha256, lines=True
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "signing_fingerprint": self.signing_fingerprint,
            "signing_fingerprint_grouped": grouped(self.signing_fingerprint),
            "bundle_sha256": self.bundle_sha256,
            "bundle_sha256_grouped": grouped(self.bundle_sha256),
        }
