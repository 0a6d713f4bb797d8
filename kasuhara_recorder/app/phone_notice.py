"""The phone announcement (録音告知) of one 電話 recording: prepared from the settings before the
capture starts, started together with it on the phone adapter's output, and turned into the
manifest's ``notice`` once the output's DAC time and the input's ADC time of their first frames
are both known (offset = DAC − ADC, an estimate) and the recording reaches past it: the
announcement is then looked for in the recording itself around the estimate
(audio/announcement_locator.py), whose match gives the offset when it is clear. Never blocks a
recording: a WAV that cannot be read or an output that cannot be opened is an event, and the
recording goes on saying no notice."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from kasuhara_recorder.audio.announcement import AnnouncementPlayer, load_announcement
from kasuhara_recorder.audio.announcement_locator import AnnouncementLocator
from kasuhara_recorder.audio.audio_format import AudioFormat
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
        self.locator: AnnouncementLocator | None = None
        self.located_by = ""  # "recording" or "clock", once stamped (logged)

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

    def listen(self, fmt: AudioFormat) -> Callable[[bytes], None]:
        """The recorder's tap (Recorder.add_tap) that keeps the recording's first seconds for
        locating the announcement in them."""
        a = self.player.announcement
        self.locator = AnnouncementLocator(a.samples, a.samplerate, fmt)
        return self.locator.feed

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

    def notice(self, first_sample_t: float | None, final: bool = False) -> NoticeInfo | None:
        """The played notice, once both first-frame times are known and (with a locator) the
        recording reaches past where it should be, or ``final``; else None."""
        t = self.player.first_frame_t
        if t is None or first_sample_t is None:
            return None
        a = self.player.announcement
        offset_ms = max(0, round((t - first_sample_t) * 1000))
        self.located_by = "clock"
        if self.locator is not None:
            rate = self.locator.format.samplerate
            frame = self.locator.locate(offset_ms * rate // 1000, final=final)
            if frame is None:
                return None
            if self.locator.correlation is not None:
                log.info(
                    "announcement found in the recording at %d ms (correlation %.2f); "
                    "the clocks said %d ms", frame * 1000 // rate, self.locator.correlation,
                    offset_ms,
                )  # fmt: skip
                self.located_by = "recording"
                offset_ms = frame * 1000 // rate
            else:
                log.info("announcement not clear in the recording: the clocks' %d ms", offset_ms)
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

    def forget(self) -> None:
        """Drop the recording's first seconds kept for the search (the output may have closed
        long before the notice could be located)."""
        if self.locator is not None:
            self.locator.clear()
