"""The evidence officer's session: the organisation identity unlocked once, held in memory only,
shared by export and playback, and locked again when it is not used.

``unlock(file, passphrase, purpose)`` needs the role that may unlock (``identity.unlock``) and
enters every attempt in the audit chain, subject ``identity-file:<SHA-256 of the file, 16 hex>``:
``key.unlock`` when it opened, ``key.unlock_failed`` (a wrong passphrase, or a damaged file)
with ``attempt``, the failures in a row on that file since it last opened (also on the error,
``attempt``, for the dialogs and ``--json``). ``purpose`` says what it was opened for (export,
playback). The identity never touches the disk: it lives in this object until ``lock()``.

It locks itself (``key.lock``, with the reason) after ``Settings.idle_lock_minutes`` without
``touch()`` (the UI calls it on the officer's activity), and when the UI reports the app was
minimised for longer than ``MINIMISED_LOCK_S``. The clock is injectable, so tests need not wait.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pyrage

from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.config import Settings
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.evidence.org_identity import (
    DamagedIdentity,
    WrongPassphrase,
    unlock_identity,
)
from kasuhara_recorder.store.interface import AuditStore
from kasuhara_recorder.text import Text

MINIMISED_LOCK_S = 60.0  # minimised this long (and not recording): the key is locked
PURPOSES = ("export", "playback")


class IdentityLocked(UsageError):
    template = Text(
        "組織の鍵が開いていません（{reason}）。組織の鍵ファイルとパスフレーズで開いてください。",
        "the organisation identity is locked ({reason}); unlock it with its file and passphrase",
    )
    fields = ("reason",)


LOCK_REASONS: dict[str, Text] = {
    "never": Text("まだ開いていません", "not unlocked yet"),
    "idle": Text("しばらく操作がなかったため閉じました", "locked after idle minutes"),
    "minimised": Text("アプリを最小化していたため閉じました", "locked while minimised"),
    "officer": Text("閉じる操作で閉じました", "locked by the officer"),
    "closed": Text("アプリを終了しました", "the app was closed"),
}


class OfficerSession:
    def __init__(
        self,
        *,
        settings: Callable[[], Settings],
        roles: Roles,
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._settings = settings
        self._roles = roles
        self._audit = audit
        self._actor = actor
        self._clock = clock
        self._lock = threading.Lock()
        self._identity: pyrage.x25519.Identity | None = None
        self._subject = ""
        self._last_use = 0.0
        self._minimised_since: float | None = None
        self.locked_reason = "never"  # why it is locked now (LOCK_REASONS)
        self.identity_file: Path | None = None  # the file last opened (shown in the dialog)

    # --- unlocking -----------------------------------------------------------------------
    def unlock(
        self, identity_file: Path, passphrase: str, purpose: str = "export"
    ) -> pyrage.x25519.Identity:
        """Open the organisation identity and keep it for this session; WrongPassphrase if the
        phrase is wrong, DamagedIdentity if the file is not an identity. Both are in the chain."""
        if purpose not in PURPOSES:
            raise ValueError(f"unknown purpose {purpose!r}")
        self._roles.require("identity.unlock")
        path = Path(identity_file)
        try:
            file_sha: str | None = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            file_sha = None  # unreadable: unlock_identity says why; nothing to count
        subject = f"identity-file:{file_sha[:16]}" if file_sha else ""
        try:
            identity = unlock_identity(path, passphrase)
        except (WrongPassphrase, DamagedIdentity) as e:
            if file_sha:
                attempt = 1 + self._failures_in_a_row(subject)
                self._audit().append(
                    self._actor(),
                    "key.unlock_failed",
                    subject,
                    {
                        "purpose": purpose,
                        "identity_file": path.name,
                        "identity_file_sha256": file_sha,
                        "reason": "wrong_passphrase"
                        if isinstance(e, WrongPassphrase)
                        else "damaged_identity",
                        "attempt": attempt,
                    },
                )
                e.attempt = attempt
                e.json_fields = {**getattr(e, "json_fields", {}), "attempt": attempt}
            raise
        subject = subject or f"identity:{str(identity.to_public())[:20]}"
        self._audit().append(
            self._actor(),
            "key.unlock",
            subject,
            {
                "purpose": purpose,
                "identity_file": path.name,
                "identity_file_sha256": file_sha,
                "recipient": str(identity.to_public()),
                "failed_attempts": self._failures_in_a_row(subject) if file_sha else 0,
            },
        )
        with self._lock:
            self._identity, self._subject = identity, subject
            self._last_use = self._clock()
            self._minimised_since = None
            self.identity_file = path
            self.locked_reason = ""
        return identity

    def _failures_in_a_row(self, subject: str) -> int:
        n = 0
        for e in self._audit().entries(subject):
            n = n + 1 if e.event == "key.unlock_failed" else 0
        return n

    # --- using it ----------------------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        """Unlocked now (a session idle past its minutes is locked by asking)."""
        self.lock_if_due()
        return self._identity is not None

    def identity(self) -> pyrage.x25519.Identity:
        """The unlocked identity, and a use of it (``touch``); IdentityLocked when locked."""
        self.lock_if_due()
        with self._lock:
            if self._identity is None:
                raise IdentityLocked(LOCK_REASONS[self.locked_reason or "never"])
            self._last_use = self._clock()
            return self._identity

    def touch(self) -> None:
        """The officer did something (a key, a click, playback running): not idle."""
        with self._lock:
            if self._identity is not None:
                self._last_use = self._clock()

    def minimised(self, yes: bool) -> None:
        """The UI says the app was minimised (or shown again)."""
        with self._lock:
            if not yes:
                self._minimised_since = None
                if self._identity is not None:
                    self._last_use = self._clock()
            elif self._minimised_since is None:
                self._minimised_since = self._clock()

    def idle_seconds(self) -> float:
        return max(0.0, self._clock() - self._last_use) if self._identity is not None else 0.0

    def lock_if_due(self) -> str | None:
        """Lock when idle past ``idle_lock_minutes`` or minimised past ``MINIMISED_LOCK_S``;
        returns the reason it locked now, else None."""
        if self._identity is None:
            return None
        now = self._clock()
        reason = None
        if now - self._last_use >= self._settings().idle_lock_minutes * 60:
            reason = "idle"
        elif self._minimised_since is not None and now - self._minimised_since >= MINIMISED_LOCK_S:
            reason = "minimised"
        if reason is not None:
            self.lock(reason)
        return reason

    def forget(self) -> None:
        """Drop the identity without a chain entry: the CLI's process ends after its command
        (its unlock and what it did with the key are the entries)."""
        with self._lock:
            self._identity = None
            self.locked_reason = "closed"

    def lock(self, reason: str = "officer") -> None:
        """Forget the identity (entered in the chain as ``key.lock`` when it was unlocked)."""
        if reason not in LOCK_REASONS:
            raise ValueError(f"unknown reason {reason!r}")
        with self._lock:
            if self._identity is None:
                return
            subject, self._identity = self._subject, None
            idle = max(0.0, self._clock() - self._last_use)
            self.locked_reason = reason
        self._audit().append(
            self._actor(), "key.lock", subject, {"reason": reason, "idle_s": round(idle)}
        )
