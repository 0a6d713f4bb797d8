"""The audit chain, without storage: how an entry is hashed and signed, and how a chain is checked.

Entry hash (docs/FORMAT.md, "Audit entry"):

    body = {seq, time, actor, workstation, event, subject, data_sha256, prev_hash}
    hash = SHA-256(canonical_json(body)), hex          prev_hash of seq 1 = 64 × "0"
    signature = Ed25519(canonical_json(body)), hex     by the key whose fingerprint is
                                                       ``workstation``
    data_sha256 = SHA-256(canonical_json(data)), hex   data is stored beside as that exact text

The head record ``{format, seq, hash}`` is signed after every append, so cutting entries off the
end (which leaves a perfectly linked shorter chain) is reported as a truncated head.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from kasuhara_recorder.evidence.canonical_json import canonical_json, parse_json_object
from kasuhara_recorder.evidence.workstation_key import WorkstationKey, verify_signature
from kasuhara_recorder.text import Text

GENESIS = "0" * 64
HEAD_FORMAT = "kasuhara-audit-head/1"

# Why a chain is broken; stable codes (the CLI words them in Japanese/English).
EDITED = "edited"
DELETED = "deleted"
REORDERED = "reordered"
INSERTED = "inserted"
BAD_SIGNATURE = "bad_signature"
TRUNCATED_HEAD = "truncated_head"
UNKNOWN_KEY = "unknown_key"

REASON_TEXT: dict[str, Text] = {
    EDITED: Text("内容が書き換えられています", "entry was edited"),
    DELETED: Text("記録が削除されています", "entry was deleted"),
    REORDERED: Text("記録の順序が入れ替えられています", "entries were reordered"),
    INSERTED: Text("記録が後から挿入されています", "an entry was inserted"),
    BAD_SIGNATURE: Text("署名が一致しません", "signature does not verify"),
    TRUNCATED_HEAD: Text("末尾の記録が削除されています", "entries were cut off the end"),
    UNKNOWN_KEY: Text("署名した端末の鍵が登録されていません", "signed by an unregistered key"),
}


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    time: str
    actor: str
    workstation: str
    event: str
    subject: str
    data_json: str  # canonical JSON of the event's details
    data_sha256: str
    prev_hash: str
    hash: str
    signature: str

    @property
    def data(self) -> dict[str, Any]:
        return parse_json_object(self.data_json.encode("utf-8"), f"audit entry {self.seq}")

    def body(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "time": self.time,
            "actor": self.actor,
            "workstation": self.workstation,
            "event": self.event,
            "subject": self.subject,
            "data_sha256": self.data_sha256,
            "prev_hash": self.prev_hash,
        }

    def to_dict(self) -> dict[str, Any]:
        """The entry as exported (bundles): the body, hash, signature and the data itself."""
        return {**self.body(), "hash": self.hash, "signature": self.signature, "data": self.data}


@dataclass(frozen=True)
class ChainHead:
    seq: int
    hash: str
    workstation: str
    signature: str

    def signed_bytes(self) -> bytes:
        return head_bytes(self.seq, self.hash)


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    first_bad_seq: int | None = None
    reason: str | None = None
    entries_checked: int = 0
    head_seq: int = 0

    @property
    def text(self) -> Text:
        if self.ok:
            return CHAIN_INTACT.format(count=self.entries_checked)
        reason = REASON_TEXT.get(self.reason or "", Text.same(str(self.reason)))
        return CHAIN_BROKEN.format(seq=self.first_bad_seq, reason=reason)

    def message(self, lang: str = "ja") -> str:
        return self.text.pick(lang)


CHAIN_INTACT = Text(
    "監査ログは改ざんされていません（{count} 件を確認）。",
    "audit chain intact ({count} entries checked)",
)
CHAIN_BROKEN = Text(
    "監査ログの第 {seq} 件目に問題があります: {reason}",
    "audit chain broken at seq {seq}: {reason}",
)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def head_bytes(seq: int, hash_: str) -> bytes:
    return canonical_json({"format": HEAD_FORMAT, "seq": seq, "hash": hash_})


def make_entry(
    prev: AuditEntry | None,
    *,
    time: str,
    actor: str,
    event: str,
    subject: str,
    data: Mapping[str, Any],
    key: WorkstationKey,
) -> AuditEntry:
    data_json = canonical_json(dict(data))
    body: dict[str, Any] = {
        "seq": 1 if prev is None else prev.seq + 1,
        "time": time,
        "actor": actor,
        "workstation": key.fingerprint,
        "event": event,
        "subject": subject,
        "data_sha256": sha256_hex(data_json),
        "prev_hash": GENESIS if prev is None else prev.hash,
    }
    signed = canonical_json(body)
    return AuditEntry(
        **body,
        data_json=data_json.decode("utf-8"),
        hash=sha256_hex(signed),
        signature=key.sign(signed).hex(),
    )


def make_head(entry: AuditEntry, key: WorkstationKey) -> ChainHead:
    return ChainHead(
        entry.seq, entry.hash, key.fingerprint, key.sign(head_bytes(entry.seq, entry.hash)).hex()
    )


def _sig_ok(keys: Mapping[str, str], fingerprint: str, data: bytes, sig_hex: str) -> bool | None:
    """True/False, or None when the key is not registered."""
    pem = keys.get(fingerprint)
    if pem is None:
        return None
    # Only the canonical spelling (128 lower-case hex digits) counts: bytes.fromhex would also
    # take upper case or spaces, and a row changed that way must not verify.
    if len(sig_hex) != 128 or sig_hex.strip("0123456789abcdef"):
        return False
    sig = bytes.fromhex(sig_hex)
    return verify_signature(pem, data, sig)


def verify_chain(
    entries: Iterable[AuditEntry], head: ChainHead | None, keys: Mapping[str, str]
) -> ChainReport:
    """Walk ``entries`` (in stored seq order) and the signed head; report the first break.

    ``keys`` maps workstation fingerprints to their public PEM (the registered keys).
    """
    rows: Sequence[AuditEntry] = list(entries)
    all_hashes = {e.hash for e in rows}
    prev_hash = GENESIS
    expected = 1
    for i, e in enumerate(rows):
        if e.seq > expected:
            return ChainReport(False, expected, DELETED, i)
        if e.seq < expected:  # only possible if the store does not keep seq unique
            return ChainReport(False, e.seq, REORDERED, i)
        nxt = rows[i + 1] if i + 1 < len(rows) else None
        skipped = nxt is not None and nxt.prev_hash == prev_hash  # the next links past e
        signed = canonical_json(e.body())
        self_ok = (
            sha256_hex(e.data_json.encode("utf-8")) == e.data_sha256
            and sha256_hex(signed) == e.hash
        )
        if e.prev_hash != prev_hash:
            reason = _broken_link(e.prev_hash in all_hashes, skipped=skipped, self_ok=self_ok)
            return ChainReport(False, e.seq, reason, i)
        if not self_ok:
            return ChainReport(False, e.seq, INSERTED if skipped else EDITED, i)
        ok = _sig_ok(keys, e.workstation, signed, e.signature)
        if ok is None:
            return ChainReport(False, e.seq, UNKNOWN_KEY, i)
        if not ok:
            return ChainReport(False, e.seq, INSERTED if skipped else BAD_SIGNATURE, i)
        prev_hash = e.hash
        expected += 1
    return _check_head(head, len(rows), expected - 1, prev_hash, keys)


def _broken_link(links_elsewhere: bool, *, skipped: bool, self_ok: bool) -> str:
    """Why an entry does not link to its predecessor."""
    if links_elsewhere:
        return REORDERED  # a genuine link, to the wrong place
    if skipped:
        return INSERTED
    if self_ok:
        return DELETED  # a genuine entry whose predecessor is gone
    return EDITED


def _check_head(
    head: ChainHead | None, count: int, last_seq: int, last_hash: str, keys: Mapping[str, str]
) -> ChainReport:
    """The signed head against the end of an intact walk of ``count`` entries."""
    if head is None:
        if count:
            return ChainReport(False, last_seq, TRUNCATED_HEAD, count)
        return ChainReport(True, None, None, 0, 0)
    head_ok = _sig_ok(keys, head.workstation, head.signed_bytes(), head.signature)
    if head_ok is None:
        return ChainReport(False, head.seq, UNKNOWN_KEY, count, head.seq)
    if not head_ok:
        return ChainReport(False, head.seq, BAD_SIGNATURE, count, head.seq)
    if head.seq > last_seq:
        return ChainReport(False, last_seq + 1, TRUNCATED_HEAD, count, head.seq)
    if head.seq < last_seq:
        return ChainReport(False, head.seq + 1, INSERTED, count, head.seq)
    if head.hash != last_hash:
        return ChainReport(False, head.seq, EDITED, count, head.seq)
    return ChainReport(True, None, None, count, head.seq)
