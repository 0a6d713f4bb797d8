"""The workstation's Ed25519 signing key: created once, signs manifests and audit entries.

Private key: PKCS#8 PEM, unencrypted (the workstation must sign unattended), file mode 0600,
written atomically. Public key: SubjectPublicKeyInfo PEM beside it. The fingerprint is the
SHA-256 of the 32 raw public-key bytes, lower-case hex (docs/FORMAT.md).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.config import DataPaths
from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.text import Text


class WorkstationKeyError(EvidenceError):
    template = Text(
        "端末の署名鍵 {detail} を読み込めません。情報システム担当者に連絡してください。",
        "cannot load the workstation signing key {detail}",
    )


class BadPublicKey(EvidenceError):
    template = Text(
        "公開鍵が正しくありません: {detail}",
        "bad public key: {detail}",
    )


def fingerprint_of(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def load_public_pem(pem: bytes | str) -> Ed25519PublicKey:
    if isinstance(pem, str):
        pem = pem.encode("ascii", "replace")
    try:
        key = serialization.load_pem_public_key(pem)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        # A flipped bit in the key's algorithm OID gives UnsupportedAlgorithm, not ValueError.
        raise BadPublicKey(str(e)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise BadPublicKey("not an Ed25519 key")
    return key


def verify_signature(public_pem: bytes | str, data: bytes, signature: bytes) -> bool:
    """True if ``signature`` (64 raw bytes) is ``public_pem``'s Ed25519 signature of ``data``."""
    key = load_public_pem(public_pem)
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True


@dataclass(frozen=True)
class WorkstationKey:
    private_key: Ed25519PrivateKey

    @property
    def public_key(self) -> Ed25519PublicKey:
        return self.private_key.public_key()

    @property
    def public_pem(self) -> bytes:
        return self.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

    @property
    def fingerprint(self) -> str:
        return fingerprint_of(self.public_key)

    def sign(self, data: bytes) -> bytes:
        return self.private_key.sign(data)

    def verify(self, data: bytes, signature: bytes) -> bool:
        try:
            self.public_key.verify(signature, data)
        except InvalidSignature:
            return False
        return True


def load_or_create(paths: DataPaths) -> WorkstationKey:
    """The workstation key of ``paths``, created (0600, atomically) on first use."""
    path = paths.workstation_key
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        make_private_dir(paths.keys)
        key = WorkstationKey(Ed25519PrivateKey.generate())
        pem = key.private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        write_atomic(path, pem, mode=0o600)
        write_atomic(paths.workstation_public_key, key.public_pem, mode=0o644)
        return key
    except OSError as e:
        raise WorkstationKeyError(f"{path}: {e}") from None
    try:
        private = serialization.load_pem_private_key(raw, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm) as e:
        raise WorkstationKeyError(f"{path}: {e}") from None
    if not isinstance(private, Ed25519PrivateKey):
        raise WorkstationKeyError(f"{path}: not an Ed25519 key")
    key = WorkstationKey(private)
    if not paths.workstation_public_key.exists():
        write_atomic(paths.workstation_public_key, key.public_pem, mode=0o644)
    return key
