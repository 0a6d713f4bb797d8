"""Trusted time: RFC 3161 tokens from the TSA the organisation configures (`setup --tsa-url URL
--tsa-ca FILE`) for each capture manifest at stop, each bundle manifest at export and the audit
chain's head daily and at every sync.

Nothing waits for the TSA longer than a short timeout, and only after the evidence is already
sealed and entered: a request is queued (the ``timestamps`` table) before it is sent, and one
that fails stays queued for the next sync, app start or `kasuhara-recorder timestamp retry`.
Each token is checked when it arrives (evidence/timestamp.py); the fetch is audited
(``timestamp.added`` with genTime and the TSA's name, ``timestamp.refused``), and a genTime far
from the PC's clock adds a ``timestamp.clock_warning`` entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.config import Settings
from kasuhara_recorder.errors import EvidenceError, UsageError
from kasuhara_recorder.evidence.audit_chain import head_bytes
from kasuhara_recorder.evidence.timestamp import (
    MEDIA_QUERY,
    CheckedToken,
    TimestampRefused,
    build_request,
    check_response,
    load_anchors,
)
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.store.interface import AuditStore, Store
from kasuhara_recorder.store.timestamps import (
    ADDED,
    QUEUED,
    REFUSED,
    TimestampRepository,
    TimestampRow,
)
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.timestamp")

TIMEOUT_S = 3.0  # a TSA on the office network answers in well under a second
STOP_TIMEOUT_S = 1.0  # at 停止 the worker waits for the seal: at most this long more
MAX_REPLY = 1 << 20
MANIFEST, AUDIT_HEAD, BUNDLE = "manifest", "audit_head", "bundle"
HEAD_EVERY = dt.timedelta(hours=24)
UNREACHED = "unreachable: "  # last_error of a request the TSA never answered

Post = Callable[[str, bytes, float], bytes]


class TsaUnreachable(EvidenceError):
    template = Text(
        "タイムスタンプ局 {url} に接続できません（{detail}）。要求は保存され、次の同期・起動・"
        "`kasuhara-recorder timestamp retry` で再送されます。録音には影響しません。",
        "cannot reach the time-stamping authority {url} ({detail}); the request is kept and "
        "sent again at the next sync, start or `kasuhara-recorder timestamp retry`",
    )
    fields = ("url", "detail")


class TsaSettingRefused(UsageError):
    template = Text(
        "タイムスタンプ局の設定 {option} が正しくありません（{detail}）。",
        "the time-stamping setting {option} is wrong ({detail})",
    )
    fields = ("option", "detail")


def http_post(url: str, body: bytes, timeout: float) -> bytes:
    """POST a TimeStampReq (``application/timestamp-query``); the reply's bytes."""
    req = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": MEDIA_QUERY}
    )
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            data: bytes = r.read(MAX_REPLY + 1)
    except (urllib.error.URLError, OSError, ValueError) as e:
        raise TsaUnreachable(url, str(getattr(e, "reason", e))) from None
    if len(data) > MAX_REPLY:
        raise TsaUnreachable(url, "reply over 1 MiB")
    return data


@dataclass(frozen=True)
class RetryResult:
    added: tuple[str, ...]
    refused: tuple[str, ...]
    queued: tuple[str, ...]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _iso(t: dt.datetime) -> str:
    return t.astimezone().isoformat(timespec="milliseconds")


class TimestampService:
    def __init__(
        self,
        settings: Callable[[], Settings],
        vault: Vault,
        store: Callable[[], Store],
        timestamps: Callable[[], TimestampRepository],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        save_settings: Callable[[Settings], None] | None = None,
        post: Post = http_post,
        clock: Callable[[], dt.datetime] = _now,
    ) -> None:
        self._settings = settings
        self._vault = vault
        self._store = store
        self._timestamps = timestamps
        self._audit = audit
        self._actor = actor
        self._save_settings = save_settings
        self._post = post
        self._clock = clock

    @property
    def configured(self) -> bool:
        return bool(self._settings().tsa_url)

    def anchors_pem(self) -> str:
        """The configured trust anchors as PEM (for a bundle's tsa-chain.pem)."""
        from kasuhara_recorder.evidence.timestamp import to_pem

        return to_pem(self.anchors())

    def anchors(self) -> list[bytes]:
        ca = self._settings().tsa_ca
        try:
            pem = Path(ca).read_bytes()
        except OSError as e:
            from kasuhara_recorder.evidence.timestamp import AnchorsUnreadable

            raise AnchorsUnreadable(ca, e.strerror or str(e)) from None
        return load_anchors(pem, ca)

    def configure(self, url: str, ca: str | None, fingerprint: str) -> None:
        """`setup --tsa-url URL [--tsa-ca FILE]`: the TSA and its trust anchors (PEM, read
        now so a wrong file is said at set-up); audited as ``timestamp.configured``."""
        s = self._settings()
        ca_path = str(Path(ca).resolve()) if ca else s.tsa_ca
        if not url.startswith(("http://", "https://")):
            raise TsaSettingRefused("--tsa-url", f"expected an http(s):// URL, got {url!r}")
        if not ca_path:
            raise TsaSettingRefused("--tsa-ca", "the TSA's CA certificates (PEM) are needed")
        try:
            pem = Path(ca_path).read_bytes()
        except OSError as e:
            raise TsaSettingRefused("--tsa-ca", f"{ca_path}: {e.strerror or e}") from None
        anchors = load_anchors(pem, ca_path)
        assert self._save_settings is not None
        self._save_settings(s.with_changes(tsa_url=url, tsa_ca=ca_path))
        self._audit().append(
            self._actor(), "timestamp.configured", f"workstation:{fingerprint}",
            {"tsa_url": url, "tsa_ca": ca_path, "anchors": len(anchors),
             "anchors_sha256": hashlib.sha256(pem).hexdigest()},
        )  # fmt: skip

    # --- what gets a token ---------------------------------------------------------------------
    def stamp_recording(self, recording_id: str, fetch: bool = True) -> TimestampRow | None:
        """At stop (and after an import or a recovery): queue the capture manifest's request,
        then (``fetch``) try it once. Never raises for the TSA: the recording is evidence."""
        if not self.configured:
            return None
        data = self._vault.manifest(recording_id).manifest.read_bytes()
        self._timestamps().queue(
            MANIFEST, recording_id, hashlib.sha256(data).hexdigest(), _iso(self._clock())
        )
        if not fetch:
            return self._timestamps().get(MANIFEST, recording_id)
        return self._attempt(MANIFEST, recording_id, timeout=STOP_TIMEOUT_S)

    def stamp_bundle_manifest(self, bundle_id: str, manifest: bytes) -> CheckedToken | None:
        """At export: a token over the bundle's manifest.json, now or never (the bundle is
        written once); None when the TSA cannot be reached or refused (logged and audited)."""
        if not self.configured:
            return None
        sha = hashlib.sha256(manifest).hexdigest()
        self._timestamps().queue(BUNDLE, bundle_id, sha, _iso(self._clock()))
        row = self._attempt(BUNDLE, bundle_id, manifest)
        if row is not None and row.state == QUEUED:
            # The bundle is written once: nothing to send again later. Closed as not reached.
            self._timestamps().settle(
                TimestampRow(
                    kind=BUNDLE,
                    item=bundle_id,
                    data_sha256=sha,
                    state=REFUSED,
                    requested_at=row.requested_at,
                    added_at=_iso(self._clock()),
                    last_error=f"not reached at export: {row.last_error}",
                )  # fmt: skip
            )
            return None
        if row is None or row.state != ADDED or row.token is None:
            return None
        return self._checked(row)

    def stamp_audit_head(self, trigger: str) -> TimestampRow | None:
        """The head of this workstation's audit chain (its signed body's bytes), at each sync
        and daily; a head already stamped is not asked again."""
        if not self.configured:
            return None
        head = self._audit().head()
        if head is None:
            return None
        item = f"{head.seq}:{head.hash}"
        if self._timestamps().get(AUDIT_HEAD, item) is None:
            body = head_bytes(head.seq, head.hash)
            self._timestamps().queue(
                AUDIT_HEAD, item, hashlib.sha256(body).hexdigest(), _iso(self._clock())
            )
        log.info("time-stamping audit head %s (%s)", item, trigger)
        return self._attempt(AUDIT_HEAD, item)

    def daily(self) -> TimestampRow | None:
        """At app start: the head, when no head was stamped in the last 24 hours."""
        if not self.configured:
            return None
        rows = [r for r in self._timestamps().rows(kind=AUDIT_HEAD) if r.state == ADDED]
        if rows:
            last = max(dt.datetime.fromisoformat(r.added_at) for r in rows)
            if self._clock() - last < HEAD_EVERY:
                return None
        return self.stamp_audit_head("daily")

    def retry(self) -> RetryResult:
        """Every queued request, once (the next sync, the app's start, `timestamp retry`)."""
        added: list[str] = []
        refused: list[str] = []
        queued: list[str] = []
        if not self.configured:
            return RetryResult((), (), tuple(r.item for r in self._timestamps().rows(QUEUED)))
        for r in self._timestamps().rows(QUEUED):
            if r.kind == BUNDLE:
                continue  # asked once, at export (stamp_bundle_manifest)
            got = self._attempt(r.kind, r.item)
            state = got.state if got is not None else QUEUED
            {ADDED: added, REFUSED: refused}.get(state, queued).append(f"{r.kind}:{r.item}")
            if state == QUEUED and got is not None and got.last_error.startswith(UNREACHED):
                # The TSA is down: the rest would wait their timeout for the same answer.
                queued.extend(f"{x.kind}:{x.item}" for x in self._timestamps().rows(QUEUED)
                              if f"{x.kind}:{x.item}" not in queued)  # fmt: skip
                break
        return RetryResult(tuple(added), tuple(refused), tuple(queued))

    def rows(self) -> list[TimestampRow]:
        return self._timestamps().rows()

    def row(self, kind: str, item: str) -> TimestampRow | None:
        return self._timestamps().get(kind, item)

    def stamped_recordings(self) -> list[str]:
        """The recordings whose capture manifest has its token (the sync sends those the
        central store lacks)."""
        return [r.item for r in self._timestamps().rows(ADDED, MANIFEST)]

    def recording_token(self, recording_id: str) -> tuple[bytes, TimestampRow] | None:
        """A capture manifest's token and its record, if it came (for the bundle)."""
        row = self._timestamps().get(MANIFEST, recording_id)
        path = self._vault.manifest_timestamp(recording_id)
        if row is None or row.state != ADDED or not path.exists():
            return None
        return path.read_bytes(), row

    # --- one attempt -----------------------------------------------------------------------------
    def _data(self, kind: str, item: str) -> tuple[bytes, str]:
        if kind == MANIFEST:
            path = self._vault.manifest(item).manifest
            return path.read_bytes(), path.name
        if kind == AUDIT_HEAD:
            seq, h = item.split(":", 1)
            return head_bytes(int(seq), h), f"audit-head:{seq}"
        raise ValueError(kind)

    def _attempt(
        self, kind: str, item: str, data: bytes | None = None, timeout: float = TIMEOUT_S
    ) -> TimestampRow | None:
        s = self._settings()
        if data is None:
            data, file = self._data(kind, item)
        else:
            file = "manifest.json"
        sha = hashlib.sha256(data).hexdigest()
        req = build_request(sha)
        try:
            reply = self._post(s.tsa_url, req.der, timeout)
        except TsaUnreachable as e:
            log.warning("%s", e.message("en"))
            self._timestamps().failed(kind, item, f"{UNREACHED}{e.message('en')}")
            return self._timestamps().get(kind, item)
        now = self._clock()
        try:
            token = check_response(
                reply, file=file, data_sha256=sha, nonce=req.nonce, anchors=self.anchors(),
                now=now, clock_warn_minutes=s.tsa_clock_warn_minutes,
            )  # fmt: skip
        except (TimestampRefused, EvidenceError) as e:
            return self._refused(kind, item, file, e)
        if kind == MANIFEST:
            write_atomic(self._vault.manifest_timestamp(item), token.response)
        row = self._timestamps().get(kind, item)
        assert row is not None
        done = TimestampRow(
            kind=kind, item=item, data_sha256=sha, state=ADDED, requested_at=row.requested_at,
            added_at=_iso(now), gen_time=token.gen_time_iso(), tsa_name=token.tsa_name,
            clock_skew_s=token.clock_skew_s,
            token=None if kind == MANIFEST else token.response, chain_pem=token.chain_pem,
        )  # fmt: skip
        subject = self._subject(kind, item)
        with self._store().transaction():
            self._timestamps().settle(done)
            self._audit().append(
                self._actor(), "timestamp.added", subject,
                {"kind": kind, "file": file, "data_sha256": sha, "gen_time": done.gen_time,
                 "tsa": token.tsa_name, "serial": token.serial, "policy": token.policy,
                 "requested_at": row.requested_at, "added_at": done.added_at,
                 "token_sha256": hashlib.sha256(token.response).hexdigest()},
            )  # fmt: skip
            if token.clock_warning:
                self._audit().append(
                    self._actor(), "timestamp.clock_warning", subject,
                    {"file": file, "gen_time": done.gen_time, "pc_time": done.added_at,
                     "skew_s": token.clock_skew_s, "limit_minutes": s.tsa_clock_warn_minutes},
                )  # fmt: skip
        if token.clock_warning:
            log.warning("%s: the PC clock is %d s from the TSA's", file, -token.clock_skew_s)
        return self._timestamps().get(kind, item)

    def _refused(self, kind: str, item: str, file: str, e: EvidenceError) -> TimestampRow | None:
        log.error("%s", e.message("en"))
        row = self._timestamps().get(kind, item)
        assert row is not None
        with self._store().transaction():
            self._timestamps().settle(
                TimestampRow(
                    kind=kind,
                    item=item,
                    data_sha256=row.data_sha256,
                    state=REFUSED,
                    requested_at=row.requested_at,
                    added_at=_iso(self._clock()),
                    last_error=e.message("en"),
                )  # fmt: skip
            )
            self._audit().append(
                self._actor(), "timestamp.refused", self._subject(kind, item),
                {"kind": kind, "file": file, "check": str(getattr(e, "check", "anchors")),
                 "reason": e.message("en")},
            )  # fmt: skip
        return self._timestamps().get(kind, item)

    @staticmethod
    def _subject(kind: str, item: str) -> str:
        if kind == MANIFEST:
            return f"recording:{item}"
        if kind == AUDIT_HEAD:
            return f"audit-head:{item.split(':', 1)[0]}"
        return f"bundle:{item}"

    def _checked(self, row: TimestampRow) -> CheckedToken:
        assert row.token is not None
        return CheckedToken(
            response=row.token, gen_time=dt.datetime.fromisoformat(row.gen_time),
            tsa_name=row.tsa_name, serial=0, policy="", sha256=row.data_sha256,
            chain_pem=row.chain_pem, clock_skew_s=row.clock_skew_s, clock_warning=False,
        )  # fmt: skip
