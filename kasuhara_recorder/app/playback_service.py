"""Officer playback (``AppService.playback``): a recording decrypted into memory only, its tags,
and every contiguous played segment in the audit chain as ``recording.play``.

``open(recording_id)`` asks the role first (``recording.listen``: nothing is decrypted for a
role that may not listen), then the officer's session for the unlocked identity, checks the
capture manifest's signature and that its workstation key is registered, and starts decrypting
(``bundle/decrypted_recording.py``: hashes checked as it goes). A recording only in the central
store is fetched, as ciphertext, into the central evidence cache first, and the cache is removed
when the playback is closed. ``Playback.player(device)`` makes the ``audio.player.Player`` whose
segments are entered: who, which recording, from/to in ms, speed, device.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.app.central_evidence import CentralEvidence
from kasuhara_recorder.app.incident_service import RecordingNotFound
from kasuhara_recorder.app.officer_session import OfficerSession
from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.audio.player import PlayedSegment, Player
from kasuhara_recorder.bundle.decrypted_recording import (
    CHECKS,
    DecryptedRecording,
)
from kasuhara_recorder.errors import EvidenceError, UsageError
from kasuhara_recorder.evidence.manifest import (
    ManifestError,
    ManifestSignatureInvalid,
    RecordingManifest,
    TagEntry,
    verify_manifest_bytes,
)
from kasuhara_recorder.evidence.vault import Vault
from kasuhara_recorder.evidence.workstation_key import BadPublicKey
from kasuhara_recorder.store.interface import AuditStore, RecordingStore
from kasuhara_recorder.text import Text


class NotPlayable(UsageError):
    template = Text(
        "録音 {recording} は再生できません（{reason}）。",
        "recording {recording} cannot be played ({reason})",
    )
    fields = ("recording", "reason")


class ManifestRefused(EvidenceError):
    template = Text(
        "録音 {recording} の封印時の記録（マニフェスト）を確認できないため、再生しません"
        "（{reason}）。",
        "recording {recording}: its capture manifest does not check out ({reason}); not played",
    )
    fields = ("recording", "reason")


@dataclass(frozen=True)
class PlaybackTag:
    code: str
    offset_ms: int
    note: str
    who: str
    later: bool  # added after the recording (not in its capture manifest)


class Playback:
    """One recording open for listening: its audio (in memory), its tags, its played segments."""

    def __init__(
        self,
        manifest: RecordingManifest,
        audio: DecryptedRecording,
        tags: tuple[PlaybackTag, ...],
        enter: Callable[[str, dict[str, object]], None],
        touch: Callable[[], None],
        cleanup: Callable[[], None] = lambda: None,
    ) -> None:
        self.manifest = manifest
        self.audio = audio
        self.tags = tags
        self._enter = enter
        self._touch = touch
        self._cleanup = cleanup
        self._players: list[Player] = []
        self.segments: list[PlayedSegment] = []

    @property
    def recording_id(self) -> str:
        return self.manifest.id

    def player(self, device: int | str | None = None) -> Player:
        """A player on ``device`` (None: the default output), already open."""

        def entered(seg: PlayedSegment) -> None:
            self._touch()  # listening is using the key: the session is not idle
            self._enter("recording.play", {
                "from_ms": seg.from_ms, "to_ms": seg.to_ms, "speed": f"{seg.speed:g}",
                "device": "" if device is None else str(device),
            })  # fmt: skip
            self.segments.append(seg)

        p = Player(self.audio, device=device, on_segment=entered).open()
        self._players.append(p)
        return p

    def close_player(self, player: Player) -> None:
        player.close()
        if player in self._players:
            self._players.remove(player)

    def close(self) -> None:
        """Every player closed (its last segment entered), the samples zeroed."""
        for p in list(self._players):
            self.close_player(p)
        self.audio.close()
        self._cleanup()


class PlaybackService:
    def __init__(
        self,
        *,
        roles: Roles,
        officer: OfficerSession,
        vault: Vault,
        recordings: Callable[[], RecordingStore],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        central: Callable[[], CentralEvidence | None] = lambda: None,
    ) -> None:
        self._roles = roles
        self._officer = officer
        self._vault = vault
        self._recordings = recordings
        self._audit = audit
        self._actor = actor
        self._central = central

    def open(self, recording_id: str) -> Playback:
        """RoleRefused before anything else; IdentityLocked when the key is not open."""
        self._roles.require("recording.listen")
        identity = self._officer.identity()
        rec = self._recordings().get(recording_id)
        cleanup = _nothing
        if rec is not None:
            json_, sig = rec.manifest_json, rec.manifest_signature
            sealed = self._vault.file(rec.sealed_file)
            later = self._recordings().tags(recording_id)
            keys = frozenset(self._audit().keys())
        else:
            central = self._central()
            got = central.fetch_recording(recording_id) if central is not None else None
            if got is None or central is None:
                raise RecordingNotFound(recording_id)
            json_, sig, sealed, later = got.manifest_json, got.signature, got.sealed, got.tags
            keys, cleanup = got.known_keys, got.remove
        try:
            m = self._checked(recording_id, json_, sig, keys)
            if m.sample_format != "s16le":
                raise NotPlayable(recording_id, reason=Text(
                    "取り込んだ音声ファイルは、証拠パッケージに書き出して再生してください",
                    "an imported audio file is played from an exported bundle"))  # fmt: skip
            if not Path(sealed).is_file():
                raise NotPlayable(recording_id, reason=CHECKS["short"])
            audio = DecryptedRecording(m, sealed, identity).start()
        except BaseException:
            cleanup()
            raise
        captured = len(m.tags)
        tags = tuple(
            PlaybackTag(t.code, t.offset_ms, t.note, t.who, later=k >= captured)
            for k, t in enumerate(_all_tags(m.tags, later))
        )

        def enter(event: str, data: dict[str, object]) -> None:
            self._audit().append(self._actor(), event, f"recording:{recording_id}", data)

        return Playback(m, audio, tags, enter, self._officer.touch, cleanup)

    def _checked(
        self, recording_id: str, json_: bytes, sig: bytes, keys: frozenset[str]
    ) -> RecordingManifest:
        try:
            m = verify_manifest_bytes(json_, sig)
        except (ManifestSignatureInvalid, ManifestError, BadPublicKey) as e:
            raise ManifestRefused(recording_id, reason=e.text) from None
        if m.id != recording_id:
            other = Text("別の録音の記録です", "it names another recording")
            raise ManifestRefused(recording_id, reason=other)
        if m.workstation.fingerprint not in keys:
            raise ManifestRefused(recording_id, reason=Text(
                "登録されていない端末の鍵で署名されています",
                "signed by a workstation key not registered"))  # fmt: skip
        return m


def _nothing() -> None:
    return None


def _all_tags(captured: tuple[TagEntry, ...], stored: tuple[TagEntry, ...]) -> list[TagEntry]:
    """The capture manifest's tags, then those added later (the store holds both: the capture
    tags first, as the export reads them)."""
    return list(captured) + list(stored[len(captured) :])
