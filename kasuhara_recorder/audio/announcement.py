"""The phone announcement (録音告知): the organisation's WAV, played once to the caller through
the phone adapter's output when a 電話 recording starts.

The WAV is read whole and cut into blocks before the stream starts (a notice is seconds long),
so the PortAudio callback only copies the next prepared block out (silence after the last) and
notes, once, the DAC time of the first frame, mapped to ``time.monotonic()`` as the input's ADC
times are (``audio/stream_source.block_time``): the two give the notice's offset in the
recording.
"""

from __future__ import annotations

import contextlib
import hashlib
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from kasuhara_recorder.audio.devices import sounddevice
from kasuhara_recorder.audio.errors import AnnouncementUnreadable, OutputUnavailable

BLOCK_S = 0.02


@dataclass(frozen=True)
class Announcement:
    path: str
    samples: np.ndarray  # float32, frames × channels
    samplerate: int
    sha256: str  # of the WAV file's bytes

    @property
    def channels(self) -> int:
        return int(self.samples.shape[1])

    @property
    def duration_ms(self) -> int:
        return len(self.samples) * 1000 // self.samplerate


def load_announcement(path: str | Path) -> Announcement:
    """The WAV, read and hashed; AnnouncementUnreadable for anything that is not a sound."""
    import soundfile as sf

    p = Path(path)
    try:
        raw = p.read_bytes()
        data, rate = sf.read(p, dtype="float32", always_2d=True)
    except (OSError, RuntimeError, sf.LibsndfileError) as e:
        raise AnnouncementUnreadable(str(p), str(e)) from None
    if not len(data) or rate <= 0:
        raise AnnouncementUnreadable(str(p), "no audio")
    return Announcement(
        str(p), np.ascontiguousarray(data), int(rate), hashlib.sha256(raw).hexdigest()
    )


def dac_time(time_info: Any, now: float | None = None) -> float:
    """time.monotonic() when an output block's first frame reaches the DAC."""
    now = time.monotonic() if now is None else now
    dac, current = time_info.outputBufferDacTime, time_info.currentTime
    if dac > 0 and dac >= current:
        return now + (dac - current)
    return now  # a host API without stream times


class AnnouncementPlayer:
    """One announcement on one output device: ``open()``, ``start()``, then read
    ``first_frame_t`` and ``finished``; ``close()`` from any thread but the callback's."""

    def __init__(self, announcement: Announcement, device: int | str | None = None) -> None:
        self.announcement = announcement
        self.device = device
        a = announcement
        self.block = max(64, int(a.samplerate * BLOCK_S))
        n = -(-len(a.samples) // self.block)
        padded = np.zeros((n * self.block, a.channels), dtype=np.float32)
        padded[: len(a.samples)] = a.samples
        self._blocks = [padded[k * self.block : (k + 1) * self.block] for k in range(n)]
        self._next = 0
        self.first_frame_t: float | None = None  # monotonic, the first frame's DAC time
        self.finished = False  # every block handed to the device
        self.underruns = 0
        self._stream: Any = None

    def open(self) -> AnnouncementPlayer:
        sd = sounddevice()
        a = self.announcement
        try:
            self._stream = sd.OutputStream(
                samplerate=a.samplerate, blocksize=self.block, device=self.device,
                channels=a.channels, dtype="float32", latency="low", callback=self._callback,
            )  # fmt: skip
        except (sd.PortAudioError, ValueError) as e:
            raise OutputUnavailable(str(self.device or "default"), reason=str(e)) from None
        return self

    def start(self) -> None:
        sd = sounddevice()
        try:
            self._stream.start()
        except sd.PortAudioError as e:
            self.close()
            raise OutputUnavailable(str(self.device or "default"), reason=str(e)) from None

    def _callback(self, outdata, frames, time_info, status) -> None:  # PortAudio thread
        k = self._next
        if k < len(self._blocks) and frames == self.block:
            if k == 0:
                self.first_frame_t = dac_time(time_info)
            outdata[:] = self._blocks[k]
            self._next = k + 1
            return
        outdata.fill(0)
        if k < len(self._blocks):
            self.underruns += 1  # a block size PortAudio was not asked for: skipped
        else:
            self.finished = True

    @property
    def playing(self) -> bool:
        return self._stream is not None and not self.finished

    def close(self) -> None:
        if self._stream is None:
            return
        sd = sounddevice()
        with contextlib.suppress(sd.PortAudioError):
            self._stream.stop()
        with contextlib.suppress(sd.PortAudioError):
            self._stream.close()
        self._stream = None
