"""The custody part of a bundle: the incident's audit-chain entries and how to check them.

``custody/audit.jsonl`` holds one canonical-JSON object per line, in chain order:

- ``{"type": "entry", seq, time, actor, workstation, event, subject, data_sha256, prev_hash,
  hash, signature, data}`` for every entry about the incident, its recordings and attachments;
- ``{"type": "context", …the same without data…}`` for each entry that immediately precedes
  an included one and is not itself about the incident, so every included entry's
  ``prev_hash`` can be checked against a genuine, signed predecessor without revealing what
  the unrelated event was about beyond its header.

Checks (docs/FORMAT.md, "Audit entry"): hash = SHA-256 of the canonical body, signature by the
key whose fingerprint is ``workstation``, data_sha256 = SHA-256 of the canonical data, and
``prev_hash`` = the hash of the entry before it (seq 1: 64 zeros).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from kasuhara_recorder.evidence.audit_chain import GENESIS, AuditEntry
from kasuhara_recorder.evidence.canonical_json import NotCanonical, canonical_json
from kasuhara_recorder.evidence.workstation_key import BadPublicKey, verify_signature

BODY_FIELDS = (
    "seq",
    "time",
    "actor",
    "workstation",
    "event",
    "subject",
    "data_sha256",
    "prev_hash",
)


def select_custody(entries: Iterable[AuditEntry], subjects: set[str]) -> list[dict[str, Any]]:
    rows = list(entries)
    by_seq = {e.seq: e for e in rows}
    keep = {e.seq for e in rows if e.subject in subjects}
    context = {s - 1 for s in keep if s > 1 and (s - 1) not in keep and (s - 1) in by_seq}
    out = []
    for seq in sorted(keep | context):
        e = by_seq[seq]
        if seq in keep:
            out.append({"type": "entry", **e.to_dict()})
        else:
            out.append({"type": "context", **e.body(), "hash": e.hash, "signature": e.signature})
    return out


def custody_jsonl(lines: list[dict[str, Any]]) -> bytes:
    return b"".join(canonical_json(line) + b"\n" for line in lines)


@dataclass(frozen=True)
class CustodyProblem:
    seq: int | None
    check: str  # "format", "hash", "signature", "data", "link", "key"
    detail: str


def check_custody(lines: list[object], keys: Mapping[str, str]) -> list[CustodyProblem]:
    """Every problem found; ``keys`` maps fingerprints to public PEM (from the bundle's keys/)."""
    problems: list[CustodyProblem] = []
    hashes: dict[int, str] = {}
    entries: list[dict[str, Any]] = []
    for i, line in enumerate(lines, start=1):
        if not isinstance(line, dict) or line.get("type") not in ("entry", "context"):
            problems.append(CustodyProblem(None, "format", f"line {i} is not an entry"))
            continue
        try:
            body = {k: line[k] for k in BODY_FIELDS}
            seq = body["seq"]
            if not isinstance(seq, int) or isinstance(seq, bool):
                raise TypeError(f"seq {seq!r} is not an integer")
            # Floats and integers beyond 2**53 are outside canonical JSON: nothing was signed
            # over them, so the line is malformed (not an error that stops the whole check).
            signed = canonical_json(body)
        except (KeyError, TypeError, ValueError, NotCanonical) as e:
            problems.append(CustodyProblem(None, "format", f"line {i}: {e}"))
            continue
        if hashlib.sha256(signed).hexdigest() != line.get("hash"):
            problems.append(CustodyProblem(seq, "hash", "entry does not hash to its hash field"))
        pem = keys.get(str(body["workstation"]))
        if pem is None:
            problems.append(CustodyProblem(seq, "key", "signed by a key not in keys/"))
        else:
            try:
                ok = verify_signature(pem, signed, bytes.fromhex(str(line.get("signature"))))
            except (ValueError, BadPublicKey):
                ok = False
            if not ok:
                problems.append(CustodyProblem(seq, "signature", "signature does not verify"))
        if line["type"] == "entry":
            try:
                data_ok = (
                    hashlib.sha256(canonical_json(line.get("data"))).hexdigest()
                    == body["data_sha256"]
                )
            except Exception:  # noqa: BLE001 - any non-canonical data is simply a mismatch
                data_ok = False
            if not data_ok:
                problems.append(CustodyProblem(seq, "data", "data does not match data_sha256"))
            entries.append(line)
        hashes[seq] = str(line.get("hash"))
    for line in entries:
        seq = int(line["seq"])
        expected = GENESIS if seq == 1 else hashes.get(seq - 1)
        if expected is None:
            problems.append(CustodyProblem(seq, "link", f"entry {seq - 1} is missing"))
        elif line["prev_hash"] != expected:
            problems.append(CustodyProblem(seq, "link", "prev_hash does not match entry before"))
    return problems
