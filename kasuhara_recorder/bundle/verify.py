"""Verify a bundle ZIP without extracting it: every file, signature, audio hash and custody link.

Check names (shared with verify.html): present, listed, sha256sums, manifest, zip-crc,
manifest-signature, sums-signature, capture-signature, capture-key, pcm-sha256,
original-sha256, custody-hash, custody-signature, custody-data, custody-link, custody-key,
readable.

Which audio check a recording gets is decided by its signed capture manifest, never by a file
name: ``sample_format`` ``s16le`` (captured) → the WAV's data chunk against ``pcm_sha256``;
``original`` (imported, byte for byte, whatever the extension, ``.wav`` included) → the whole
file against ``pcm_sha256`` and ``import.original_sha256``.
Exit codes: 0 intact, 1 something failed (each file and check named), 2 not a bundle or hostile
(raised as ``HostileArchive`` before any check is reported).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from kasuhara_recorder.bundle.assemble import MANIFEST, MANIFEST_SIG, SUMS, SUMS_SIG
from kasuhara_recorder.bundle.custody import check_custody
from kasuhara_recorder.bundle.errors import (
    DamagedEntry,
    HostileArchive,
    HostileJson,
    JsonTooDeep,
    ZipBomb,
)
from kasuhara_recorder.bundle.handover import Handover, bundle_sha256
from kasuhara_recorder.bundle.sha256sums import Sha256SumsError, parse_sha256sums
from kasuhara_recorder.bundle.timestamps import CHAIN as TS_CHAIN
from kasuhara_recorder.bundle.timestamps import MANIFEST_TOKEN as TS_MANIFEST_TOKEN
from kasuhara_recorder.bundle.timestamps import PREFIX as TS_PREFIX
from kasuhara_recorder.bundle.timestamps import check_bundle_tokens
from kasuhara_recorder.bundle.wav import parse_wav_header
from kasuhara_recorder.bundle.zip_reader import SafeZipReader, parse_json_limited
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.evidence.manifest import RecordingManifest
from kasuhara_recorder.evidence.workstation_key import (
    BadPublicKey,
    fingerprint_of,
    load_public_pem,
    verify_signature,
)
from kasuhara_recorder.text import Text

META = {SUMS, SUMS_SIG, MANIFEST, MANIFEST_SIG}
UNLISTED = {SUMS, SUMS_SIG}  # SHA256SUMS lists every file but itself and its signature
MANIFEST_SHAPE = {"files": list, "recordings": list, "signing_key": dict}
CUSTODY = "custody/audit.jsonl"


def parsed(name: str) -> bool:
    """Files verify reads as well as hashes. Everything else (audio, attachments, the report)
    is only hashed: an attachment may be a 200 MiB ``.json``, or a ``.pem`` that is no key."""
    return (
        name in META
        or name == CUSTODY
        or (name.startswith("keys/") and name.endswith(".pem"))
        or (name.startswith(TS_PREFIX) and name.endswith((".tsr", ".pem")))
        or (name.startswith("recordings/") and name.endswith((".json", ".json.sig")))
    )


CHECK_TEXT: dict[str, Text] = {
    "present": Text(
        "ファイルがありません",
        "file is missing",
    ),
    "listed": Text(
        "SHA256SUMS に記載のないファイルです（追加された）",
        "not listed in SHA256SUMS (added)",
    ),
    "sha256sums": Text(
        "SHA-256 が SHA256SUMS と一致しません",
        "SHA-256 differs from SHA256SUMS",
    ),
    "manifest": Text(
        "サイズか SHA-256 が manifest.json と一致しません",
        "size or SHA-256 differs from manifest.json",
    ),
    "zip-crc": Text(
        "ZIP 内のデータが壊れています",
        "damaged inside the ZIP (CRC)",
    ),
    "manifest-signature": Text(
        "manifest.json の署名が正しくありません",
        "manifest.json signature does not verify",
    ),
    "sums-signature": Text(
        "SHA256SUMS の署名が正しくありません（SHA256SUMS が書き換えられた）",
        "SHA256SUMS signature does not verify (SHA256SUMS was changed)",
    ),
    "capture-signature": Text(
        "録音時マニフェストの署名が正しくありません",
        "capture manifest signature does not verify",
    ),
    "capture-key": Text(
        "録音時マニフェストの鍵が keys/ の鍵と一致しません",
        "capture manifest key differs from keys/",
    ),
    "pcm-sha256": Text(
        "WAV の音声データが録音時の pcm_sha256 と一致しません",
        "WAV audio differs from the capture-time pcm_sha256",
    ),
    "original-sha256": Text(
        "取り込んだ原本が録音時の SHA-256 と一致しません",
        "imported original differs from its capture-time SHA-256",
    ),
    "custody-hash": Text(
        "管理記録の項目が書き換えられています",
        "custody entry was edited",
    ),
    "custody-signature": Text(
        "管理記録の署名が正しくありません",
        "custody entry signature does not verify",
    ),
    "custody-data": Text(
        "管理記録の内容が data_sha256 と一致しません",
        "custody entry data differs from data_sha256",
    ),
    "custody-link": Text(
        "管理記録の連結が切れています",
        "custody chain link is broken",
    ),
    "custody-key": Text(
        "管理記録の署名鍵が keys/ にありません",
        "custody entry signed by a key not in keys/",
    ),
    "custody-format": Text(
        "管理記録の形式が不正です",
        "custody file is malformed",
    ),
    "readable": Text(
        "読み込めません",
        "cannot be read",
    ),
    "timestamp-imprint": Text(
        "タイムスタンプが別のデータに対するものです（ハッシュ不一致）",
        "time-stamp token is for other data (its imprint is not the file's SHA-256)",
    ),
    "timestamp-signature": Text(
        "タイムスタンプの署名が正しくありません",
        "time-stamp token signature does not verify",
    ),
    "timestamp-chain": Text(
        "タイムスタンプ局の証明書が timestamps/tsa-chain.pem の CA につながりません",
        "the TSA certificate does not chain to timestamps/tsa-chain.pem",
    ),
    "timestamp-time": Text(
        "タイムスタンプの時刻が書き出しより後です",
        "time-stamp genTime is after the export",
    ),
    "timestamp-target": Text(
        "タイムスタンプの対象ファイルがバンドルにありません",
        "the file this time-stamp is for is not in the bundle",
    ),
    "timestamp-readable": Text(
        "タイムスタンプを読み込めません",
        "time-stamp token cannot be read",
    ),
    "timestamp-status": Text(
        "タイムスタンプ局が発行を拒否した応答です",
        "the TSA did not grant this time-stamp",
    ),
}


class NotABundle(HostileArchive):
    template = Text(
        "証拠バンドルではありません（{detail}）",
        "not an evidence bundle ({detail})",
    )


def unicode_text(text: str) -> str:
    """``text`` as text every output takes: JSON allows a lone surrogate (``"\\ud800"``) and
    a file name that is not UTF-8 arrives with them; UTF-8 cannot encode one, so printing it
    (--json) raised UnicodeEncodeError. Such a character is kept visible as its escape."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def shown(text: str) -> str:
    """``text`` from a bundle, safe to print: control and format characters (escape sequences,
    newlines, bidi overrides) are written as escapes, so a name cannot rewrite the terminal."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@dataclass(frozen=True)
class Failure:
    file: str
    check: str
    detail: str = ""

    @property
    def text(self) -> Text:
        """``file: what failed (detail)``; the file and the detail are the bundle's words."""
        check = CHECK_TEXT.get(self.check, Text.same(self.check))
        detail = f" ({shown(self.detail)})" if self.detail else ""
        return Text.same(f"{shown(self.file)}: ") + check + Text.same(detail)

    def message(self, lang: str) -> str:
        return self.text.pick(lang)

    def as_json(self) -> dict[str, Any]:
        return {"file": self.file, "check": self.check, "detail": self.detail}


@dataclass(frozen=True)
class VerifyReport:
    path: str
    files: int
    failures: tuple[Failure, ...]
    bundle_id: str = ""
    incident_id: str = ""
    signing_fingerprint: str = ""
    checks_passed: int = 0
    recordings: tuple[str, ...] = field(default_factory=tuple)
    file_names: tuple[str, ...] = field(default_factory=tuple)  # every file in the ZIP
    bundle_sha256: str = ""  # of the ZIP file: compared with the value the sender told
    # (member, genTime ISO 8601 UTC) of every RFC 3161 token that verified
    timestamps: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    @property
    def ok(self) -> bool:
        return not self.failures

    @property
    def handover(self) -> Handover:
        """The two values the recipient compares with those the sender gave by another
        channel (the same two the export printed)."""
        return Handover(self.signing_fingerprint, self.bundle_sha256)

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "path": self.path,
            "files": self.files,
            "bundle_id": self.bundle_id,
            "incident_id": self.incident_id,
            **self.handover.as_json(),
            "checks_passed": self.checks_passed,
            "recordings": list(self.recordings),
            "failures": [f.as_json() for f in self.failures],
            "failed_files": sorted({f.file for f in self.failures}),
            "timestamps": [{"file": f, "gen_time": t} for f, t in self.timestamps],
        }


@dataclass
class _Digest:
    sha256: str
    size: int
    data_sha256: str | None = None
    raw: bytes | None = None


def _listed(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The manifest's file entries by path (entries of another shape are not files)."""
    out: dict[str, dict[str, Any]] = {}
    for f in manifest.get("files", []):
        if isinstance(f, dict) and isinstance(f.get("path"), str):
            out[f["path"]] = f
    return out


def _top_prefix(names: list[str]) -> str:
    """A re-zipped folder puts everything under one top folder: treat that as the root."""
    if SUMS in names or MANIFEST in names:
        return ""
    tops = {n.split("/", 1)[0] for n in names}
    if len(tops) == 1 and all("/" in n for n in names):
        return tops.pop() + "/"
    return ""


class _Verifier:
    def __init__(self, z: SafeZipReader, progress: Callable[[int, int], None] | None) -> None:
        self.z = z
        self.progress = progress or (lambda done, total: None)
        self.failures: list[Failure] = []
        self.passed = 0
        self.signing_fingerprint = ""  # of the key file that manifest.json.sig was checked with
        self.z_names: set[str] = set()  # bundle-relative names of every file in the ZIP
        self.pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verify-hash")
        self.times: dict[str, dt.datetime] = {}  # member → genTime of its verified token

    def fail(self, file: str, check: str, detail: str = "") -> None:
        self.failures.append(Failure(unicode_text(file), check, unicode_text(detail)))

    def check(self, ok: bool, file: str, check: str, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.fail(file, check, detail)
        return ok

    def digest(self, zname: str, name: str, is_wav: bool, done: int, total: int) -> _Digest:
        """One pass over the entry: its SHA-256, and for a WAV its data chunk's SHA-256 on a
        second thread (hashlib releases the GIL, so both run at once)."""
        keep = parsed(name)
        entry = self.z.entries[zname]
        if keep and entry.size > self.z.limits.max_json_bytes:
            raise HostileJson(name, f"{entry.size} bytes")
        h = hashlib.sha256()
        dh = hashlib.sha256() if is_wav else None
        head = bytearray()
        layout = None
        pos = 0
        kept = bytearray() if keep else None
        pending = None
        for chunk in self.z.iter_chunks(zname, chunk=4 << 20):
            if dh is not None:
                if layout is None and len(head) < (1 << 20):
                    head += chunk
                    try:
                        layout = parse_wav_header(bytes(head), entry.size)
                    except KasuharaError:
                        layout = None
                    if layout is not None:
                        s, e = layout.data_offset, layout.data_offset + layout.data_size
                        dh.update(bytes(head[s : min(e, len(head))]))
                elif layout is not None:
                    s = max(layout.data_offset, pos)
                    e = min(layout.data_offset + layout.data_size, pos + len(chunk))
                    if e > s:
                        if pending is not None:
                            pending.result()
                        pending = self.pool.submit(dh.update, chunk[s - pos : e - pos])
            h.update(chunk)
            if kept is not None:
                kept += chunk
            pos += len(chunk)
            self.progress(done + pos, total)
        if pending is not None:
            pending.result()
        data_sha = (dh.hexdigest() if layout is not None else "") if dh is not None else None
        return _Digest(h.hexdigest(), pos, data_sha, bytes(kept) if kept is not None else None)

    # --- the phases: open → digest every member → structure → per-member hashes → signatures →
    # recordings → custody → verdict. Each reports what it finds and lets the next run, so one
    # verify names every failure; only a hostile archive stops it (raised).
    def run(self, path: str) -> VerifyReport:
        names = self.open()
        digests = self.digest_all(names)
        sums = self.read_sums(names, digests)
        manifest = self.read_manifest(names, digests)
        listed = _listed(manifest)
        self.check_members(names, digests, sums, listed)
        self.check_sums_against_manifest(sums, listed, digests)
        keys = self._keys(manifest, digests)
        self._manifest_signature(manifest, digests)
        self._sums_signature(manifest, digests, SUMS_SIG in names)
        recs = self._recordings(manifest, digests, keys)
        self._custody(digests, keys)
        self._timestamps(manifest, digests)
        self.pool.shutdown()
        return self.verdict(path, names, manifest, recs)

    def open(self) -> dict[str, str]:
        """Bundle-relative name → name in the ZIP; NotABundle or ZipBomb from the directory."""
        z = self.z
        prefix = _top_prefix(z.names())
        names = {n[len(prefix) :]: n for n in z.names() if n.startswith(prefix)}
        self.z_names.update(names)
        if SUMS not in names and MANIFEST not in names:
            raise NotABundle("no SHA256SUMS and no manifest.json")
        # Parsed files are held in memory: bounded in all, from the ZIP directory alone, or a
        # ZIP of many files each under the per-file limit (deflated ~100:1) could fill it.
        kept = sum(z.entries[n].size for p, n in names.items() if parsed(p))
        if kept > z.limits.max_kept_bytes:
            raise ZipBomb(
                f"{kept} bytes of manifests, keys and signatures (limit {z.limits.max_kept_bytes})"
            )
        return names

    def digest_all(self, names: dict[str, str]) -> dict[str, _Digest]:
        z = self.z
        total = sum(z.entries[n].size for n in names.values())
        digests: dict[str, _Digest] = {}
        done = 0
        for name, zname in sorted(names.items()):
            is_wav = name.startswith("recordings/") and name.endswith(".wav")
            try:
                digests[name] = self.digest(zname, name, is_wav, done, total)
            except DamagedEntry as e:
                self.fail(name, "zip-crc", e.detail)
            done += z.entries[zname].size
        return digests

    def read_sums(self, names: dict[str, str], digests: dict[str, _Digest]) -> dict[str, str]:
        if SUMS not in names:
            self.fail(SUMS, "present")
        elif SUMS in digests:
            try:
                return parse_sha256sums(digests[SUMS].raw or b"")
            except Sha256SumsError as e:
                self.fail(SUMS, "readable", str(e))
        return {}

    def read_manifest(self, names: dict[str, str], digests: dict[str, _Digest]) -> dict[str, Any]:
        if MANIFEST not in names:
            self.fail(MANIFEST, "present")
        elif MANIFEST in digests:
            try:
                return self._manifest_shape(
                    parse_json_limited(digests[MANIFEST].raw or b"", MANIFEST, 64)
                )
            except JsonTooDeep:
                raise
            except HostileJson as e:
                self.fail(MANIFEST, "readable", e.detail)
        return {}

    def check_members(
        self,
        names: dict[str, str],
        digests: dict[str, _Digest],
        sums: dict[str, str],
        listed: dict[str, Any],
    ) -> None:
        """Every file against SHA256SUMS and the manifest; every file either lists is there."""
        for name in sorted(set(names) | set(sums) | set(listed)):
            if name not in names:
                self.fail(name, "present")
                continue
            d = digests.get(name)
            if d is None:
                continue  # already reported as damaged
            if name not in UNLISTED:
                if name not in sums:
                    self.fail(name, "listed")
                else:
                    self.check(sums[name] == d.sha256, name, "sha256sums")
            if name not in META and name != TS_MANIFEST_TOKEN:  # the token follows the manifest
                m = listed.get(name)
                ok = m is not None and m.get("sha256") == d.sha256 and m.get("size") == d.size
                self.check(ok, name, "manifest")

    def check_sums_against_manifest(
        self, sums: dict[str, str], listed: dict[str, Any], digests: dict[str, _Digest]
    ) -> None:
        """SHA256SUMS itself is covered by the signed manifest: each line must agree with it."""
        if not (sums and listed):
            return
        signed = {p: str(f.get("sha256")) for p, f in listed.items()}
        for p in (MANIFEST, MANIFEST_SIG, TS_MANIFEST_TOKEN):
            if p in digests:
                signed[p] = digests[p].sha256
        disagree = {p for p in set(sums) | set(signed) if sums.get(p) != signed.get(p)}
        self.check(not disagree, SUMS, "manifest", ", ".join(sorted(disagree)))

    def verdict(
        self, path: str, names: dict[str, str], manifest: dict[str, Any], recs: list[str]
    ) -> VerifyReport:
        return VerifyReport(
            path=path,
            files=len(names),
            failures=tuple(self.failures),
            bundle_id=unicode_text(str(manifest.get("bundle_id", ""))),
            incident_id=unicode_text(str(manifest.get("incident_id", ""))),
            signing_fingerprint=self.signing_fingerprint,
            checks_passed=self.passed,
            recordings=tuple(unicode_text(r) for r in recs),
            file_names=tuple(sorted(names)),
            timestamps=tuple(
                (unicode_text(f), t.astimezone(dt.UTC).isoformat(timespec="seconds"))
                for f, t in sorted(self.times.items())
            ),
        )

    def _keys(self, manifest: dict[str, Any], digests: dict[str, _Digest]) -> dict[str, str]:
        """fingerprint -> PEM, computed from the key files themselves (not taken on trust)."""
        out = {}
        for name, d in digests.items():
            if name.startswith("keys/") and name.endswith(".pem") and d.raw is not None:
                try:
                    out[fingerprint_of(load_public_pem(d.raw))] = d.raw.decode("ascii")
                except (BadPublicKey, UnicodeDecodeError):
                    self.fail(name, "readable", "not an Ed25519 public key")
        return out

    def _manifest_shape(self, obj: object) -> dict[str, Any]:
        """The manifest with every field the checks read of the kind they expect: a field of
        another kind (a changed or hand-made manifest) is named and read as empty, so the checks
        report failures instead of raising TypeError."""
        if not isinstance(obj, dict):
            self.fail(MANIFEST, "readable", f"not a JSON object ({type(obj).__name__})")
            return {}
        out = dict(obj)
        for key, kind in MANIFEST_SHAPE.items():
            if key in out and not isinstance(out[key], kind):
                what = "an array" if kind is list else "an object"
                self.fail(MANIFEST, "readable", f"{key!r} is not {what}")
                del out[key]
        return out

    def _manifest_signature(self, manifest: dict[str, Any], digests: dict[str, _Digest]) -> None:
        if MANIFEST not in digests:
            return  # missing or damaged: already reported
        # Checked whatever the manifest holds: an edited one that is no longer a full object
        # (``{}``, ``[]``) must still fail here, not skip the check.
        signing = manifest.get("signing_key", {})
        key = digests.get(str(signing.get("file", "")))
        sig = digests.get(MANIFEST_SIG)
        ok = False
        detail = ""
        if key is not None and key.raw and sig is not None and sig.raw is not None:
            try:
                ok = verify_signature(key.raw, digests[MANIFEST].raw or b"", sig.raw)
                fingerprint = fingerprint_of(load_public_pem(key.raw))
            except BadPublicKey:
                ok = False
            else:
                # The fingerprint shown to the recipient is the one they compare by phone or
                # letter: it must be the key that verified, never what the manifest claims
                # (a forger re-signing with their own key would claim the genuine one).
                self.signing_fingerprint = fingerprint
                if ok and signing.get("fingerprint") != fingerprint:
                    ok = False
                    detail = (
                        f"its fingerprint in manifest.json is not that of {signing.get('file')}"
                    )
        self.check(ok, MANIFEST_SIG, "manifest-signature", detail)

    def _sums_signature(
        self, manifest: dict[str, Any], digests: dict[str, _Digest], present: bool
    ) -> None:
        """SHA256SUMS.sig: the signing key's signature of SHA256SUMS, so that the recipient's two
        commands (openssl, sha256sum -c) prove every byte. Bundles of format 1 had none; the
        version is inside the signed manifest, so it cannot be lowered without a new signature."""
        if not present:
            if manifest.get("format_version") != 1:
                self.fail(SUMS_SIG, "present")
            return
        if SUMS not in digests or SUMS_SIG not in digests:
            return  # missing or damaged: already reported
        signing = manifest.get("signing_key", {})
        key = digests.get(str(signing.get("file", "")))
        ok = False
        if key is not None and key.raw:
            try:
                ok = verify_signature(
                    key.raw, digests[SUMS].raw or b"", digests[SUMS_SIG].raw or b""
                )
            except BadPublicKey:
                ok = False
        if self.check(ok, SUMS_SIG, "sums-signature"):
            return
        # The pair does not belong together: either file may be the changed one (an upper-case
        # digit in SHA256SUMS changes no digest, only the signed bytes), so both are named.
        self.fail(SUMS, "sums-signature")

    def _recordings(
        self, manifest: dict[str, Any], digests: dict[str, _Digest], keys: dict[str, str]
    ) -> list[str]:
        ids = []
        checked: set[str] = set()
        repeated: list[str] = []
        for rec in manifest.get("recordings", []):
            if not isinstance(rec, dict):
                continue
            mpath = str(rec.get("manifest", ""))
            if mpath in checked:
                # Each recording has its own capture manifest. Checked once: a manifest listing
                # one big file 100,000 times would otherwise keep verify busy for hours.
                repeated.append(mpath)
                continue
            checked.add(mpath)
            ids.append(str(rec.get("id", "")))
            m = self._capture_manifest(rec, mpath, digests)
            if m is not None:
                self._audio(rec, m, digests)
        if repeated:
            detail = f"{len(repeated)} recordings repeat a capture manifest ({repeated[0]})"
            self.fail(MANIFEST, "readable", detail)
        return ids

    def _capture_manifest(
        self, rec: dict[str, Any], mpath: str, digests: dict[str, _Digest]
    ) -> RecordingManifest | None:
        """The capture manifest's signature and key; the manifest when it can be read."""
        cap = digests.get(mpath)
        sig = digests.get(str(rec.get("signature", "")))
        key = digests.get(str(rec.get("key", "")))
        if cap is None or cap.raw is None or sig is None or key is None or not key.raw:
            self.fail(mpath or "recordings/", "capture-signature", "file missing")
            return None
        try:
            ok = verify_signature(key.raw, cap.raw, sig.raw or b"")
        except BadPublicKey:
            ok = False
        self.check(ok, mpath, "capture-signature")
        try:
            m = RecordingManifest.from_bytes(cap.raw, mpath)
        except KasuharaError as e:
            self.fail(mpath, "readable", e.message("en"))
            return None
        try:
            same_key = fingerprint_of(load_public_pem(key.raw)) == m.workstation.fingerprint
        except BadPublicKey:
            same_key = False
        self.check(same_key, mpath, "capture-key")
        return m

    def _audio(
        self, rec: dict[str, Any], m: RecordingManifest, digests: dict[str, _Digest]
    ) -> None:
        """The audio against the signed capture manifest, by its kind (not its file name)."""
        audio = str(rec.get("wav", rec.get("original", "")))
        d = digests.get(audio)
        if not audio:
            self.fail(MANIFEST, "readable", f"recording {rec.get('id')!s}: no audio file")
        elif d is None:
            reported = any(f.file == audio for f in self.failures)
            if audio not in self.z_names and not reported:
                self.fail(audio, "present")
            # else damaged inside the ZIP: already reported
        elif m.sample_format == "s16le":
            # Captured PCM: the WAV's data chunk is the sealed plaintext.
            self.check(d.data_sha256 == m.pcm_sha256, audio, "pcm-sha256")
        else:
            # Imported byte for byte (a .wav too): the whole file is the sealed plaintext.
            want = m.import_info.original_sha256 if m.import_info else m.pcm_sha256
            ok = d.sha256 == m.pcm_sha256 == want
            self.check(ok, audio, "original-sha256")

    def _timestamps(self, manifest: dict[str, Any], digests: dict[str, _Digest]) -> None:
        """Each ``timestamps/<member>.tsr`` over its member, chained to tsa-chain.pem
        (bundle/timestamps.py); a capture manifest's genTime not after the export."""
        tokens = {
            n: d.raw for n, d in digests.items()
            if n.startswith(TS_PREFIX) and n.endswith(".tsr") and d.raw is not None
        }  # fmt: skip
        if not tokens:
            return
        chain = digests.get(TS_CHAIN)
        problems, times = check_bundle_tokens(
            tokens, {n: d.sha256 for n, d in digests.items()},
            chain.raw if chain is not None else None, _exported_at(manifest),
        )  # fmt: skip
        for p in problems:
            self.fail(p.file, f"timestamp-{p.check}", p.detail)
        self.passed += len(times)
        self.times = times

    def _custody(self, digests: dict[str, _Digest], keys: dict[str, str]) -> None:
        name = CUSTODY
        d = digests.get(name)
        if d is None or d.raw is None:
            return
        lines: list[object] = []
        for i, raw in enumerate(d.raw.split(b"\n"), start=1):
            if raw.strip():
                try:
                    lines.append(parse_json_limited(raw, f"{name}:{i}", 64))
                except JsonTooDeep:
                    raise
                except HostileJson as e:
                    self.fail(name, "custody-format", e.detail)
                    return
        problems = check_custody(lines, keys)
        for p in problems:
            where = f"seq {p.seq}: " if p.seq is not None else ""
            self.fail(name, f"custody-{p.check}", where + p.detail)
        if not problems:
            self.passed += 1


def _exported_at(manifest: dict[str, Any]) -> dt.datetime | None:
    try:
        t = dt.datetime.fromisoformat(str(manifest.get("exported_at", "")))
    except ValueError:
        return None
    return t if t.tzinfo is not None else None


def verify_bundle(
    path: str | Path, progress: Callable[[int, int], None] | None = None
) -> VerifyReport:
    """Check a bundle ZIP. Raises HostileArchive (exit 2) if it cannot be read safely.

    The report carries the ZIP file's SHA-256 too (``handover``): the recipient compares it and
    the signing key's fingerprint with the values the sender told by another channel."""
    with SafeZipReader(path) as z:
        # A file name in another encoding (Shift-JIS from an old share) arrives with surrogates.
        report = _Verifier(z, progress).run(unicode_text(str(path)))
    return replace(report, bundle_sha256=bundle_sha256(path))
