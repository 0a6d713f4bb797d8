"""Recording the organisation's phone announcement (録音告知): a take from an input device held
in memory, with its level for the meter, to be played back and saved as a plain WAV (it is not
evidence: it is what the app plays to callers).

The callback copies the block into a BlockQueue (no lock, no allocation beyond ``bytes``); the
GUI's timer calls ``poll()``, which moves the blocks into the take and feeds the level meter."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.audio.announcement import Announcement
from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.devices import InputDevice
from kasuhara_recorder.audio.levels import LevelMeter, Levels
from kasuhara_recorder.audio.stream_source import open_input_stream

MAX_SECONDS = 60  # an announcement is a sentence or two


class AnnouncementTake:
    def __init__(self, device: InputDevice, samplerate: int = 48000) -> None:
        self.format = AudioFormat(samplerate=samplerate, channels=1)
        self._queue = BlockQueue(self.format.bytes_per_second * 2)
        self._meter = LevelMeter(samplerate)
        self._blocks: list[bytes] = []
        self._frames = 0
        self._stream = open_input_stream(device, self.format, self._callback, lambda: None)
        self.recording = False

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        self._queue.offer(bytes(indata))

    def start(self) -> None:
        self._blocks, self._frames = [], 0
        self._stream.start()
        self.recording = True

    def poll(self) -> Levels:
        """Move what the device delivered into the take (up to MAX_SECONDS); the level."""
        for block in self._queue.drain():
            if self._frames < MAX_SECONDS * self.format.samplerate:
                self._blocks.append(block)
                self._frames += len(block) // 2
            self._meter.feed(block, 1)
        return self._meter.latest

    @property
    def seconds(self) -> float:
        return self._frames / self.format.samplerate

    def stop(self) -> np.ndarray:
        """Stop; the take as int16 samples."""
        if self.recording:
            self._stream.stop()
            self.recording = False
        self.poll()
        return self.pcm()

    def pcm(self) -> np.ndarray:
        return np.frombuffer(b"".join(self._blocks), dtype="<i2").copy()

    def announcement(self) -> Announcement:
        """The take as an announcement to play back (not saved yet: no file, no hash)."""
        x = (self.pcm().astype(np.float32) / 32768).reshape(-1, 1)
        return Announcement("", x, self.format.samplerate, "")

    def close(self) -> None:
        if self._stream is not None:
            if self.recording:
                self._stream.stop()
            self._stream.close()
            self._stream = None
            self.recording = False


def write_announcement_wav(path: Path, pcm: np.ndarray, samplerate: int) -> None:
    """A plain 16-bit PCM mono WAV, written atomically."""
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, pcm.astype("<i2"), samplerate, format="WAV", subtype="PCM_16")
    write_atomic(path, buf.getvalue())
