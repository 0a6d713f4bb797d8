"""The phone announcement (録音告知) of one 電話 recording: prepared from the settings before the
capture starts, started together with it on the phone adapter's output, and turned into the
manifest's ``notice`` once the output's DAC time and the input's ADC time of their first frames
are both known (offset = DAC − ADC). Never blocks a recording: a WAV that cannot be read or an
output that cannot be opened is an event, and the recording goes on saying no notice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kasuhara_recorder.audio.announcement import AnnouncementPlayer, load_announcement
from kasuhara_recorder.config import Settings
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.evidence.manifest import NoticeInfo
from kasuhara_recorder.policy import PolicyProfile

log = logging.getLogger("kasuhara.app.phone_notice")
START_WAIT_S = 10.0  # the input's first audio: a stream opened at the press may take 2 s


class AnnouncementRun:
    def __init__(self, player: AnnouncementPlayer, text: str) -> None:
        self.player = player
        self.text = text
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread: threading.Thread | None = None

    @classmethod
    def prepare(cls, settings: Settings, profile: PolicyProfile) -> AnnouncementRun | None:
        """None when the phone announcement is off or has no WAV; AnnouncementUnreadable for a
        WAV that cannot be read (the caller records without it)."""
        pn = settings.phone_notice
        if not pn.enabled or not pn.wav:
            return None
        announcement = load_announcement(pn.wav)
        player = AnnouncementPlayer(announcement, device=pn.output_device)
        return cls(player, pn.text or profile.notice.phone.ja)

    def start(
        self, audio_flows: Callable[[float], bool], on_error: Callable[[KasuharaError], object]
    ) -> None:
        """Open the output now (OutputUnavailable when it cannot be used) and start it as soon
        as the input delivers audio (``audio_flows(timeout)``), so the recording holds the
        whole announcement: at once with an input kept open, later with one opened now."""
        self.player.open()
        self._thread = threading.Thread(
            target=self._start_when_ready, args=(audio_flows, on_error),
            name="announcement-start", daemon=True,
        )  # fmt: skip
        self._thread.start()

    def _start_when_ready(
        self, audio_flows: Callable[[float], bool], on_error: Callable[[KasuharaError], object]
    ) -> None:
        waited = 0.0
        while not audio_flows(0.005):
            waited += 0.005
            if self._closed.is_set() or waited > START_WAIT_S:
                return
        with self._lock:
            if self._closed.is_set():
                return
            try:
                self.player.start()
            except KasuharaError as e:
                on_error(e)

    def notice(self, first_sample_t: float | None) -> NoticeInfo | None:
        """The played notice, once both first-frame times are known; else None."""
        t = self.player.first_frame_t
        if t is None or first_sample_t is None:
            return None
        a = self.player.announcement
        offset_ms = max(0, round((t - first_sample_t) * 1000))
        return NoticeInfo(
            kind="played", offset_ms=offset_ms, duration_ms=a.duration_ms, text=self.text,
            wav_sha256=a.sha256,
        )  # fmt: skip

    @property
    def finished(self) -> bool:
        return self.player.finished

    def close(self) -> None:
        self._closed.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        with self._lock:
            self.player.close()
