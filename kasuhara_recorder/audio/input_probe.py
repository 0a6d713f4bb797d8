"""A short test of an input device for the level meter: the device opened in the recording's
format, its levels computed as a recording's are, nothing kept and nothing written anywhere.

The PortAudio callback only copies the block into a BlockQueue (as a recording's does); a
small thread drains it into a ``LevelMeter`` and drops the audio. ``levels`` (and ``loudest``,
the highest RMS since the start) can be read from any thread; ``close()`` ends the stream and
the thread.
"""

from __future__ import annotations

import threading

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.block_queue import BlockQueue
from kasuhara_recorder.audio.devices import InputDevice
from kasuhara_recorder.audio.levels import FLOOR_DBFS, LevelMeter, Levels
from kasuhara_recorder.audio.stream_source import StreamSource

QUEUE_BYTES = 1 << 20


class InputProbe:
    def __init__(self, device: InputDevice, fmt: AudioFormat) -> None:
        self.device = device
        self.format = fmt
        self._source = StreamSource(device, fmt)
        self._queue = BlockQueue(QUEUE_BYTES)
        self._meter = LevelMeter(fmt.samplerate)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.loudest_dbfs = FLOOR_DBFS  # the highest RMS window so far
        self.frames = 0

    def open(self) -> InputProbe:
        """Open and start the device (DeviceUnavailable if it refuses)."""
        self._source.open(self._queue)
        try:
            self._source.start()
        except BaseException:
            self._source.close()
            raise
        self._thread = threading.Thread(target=self._drain, name="input-probe", daemon=True)
        self._thread.start()
        return self

    def _drain(self) -> None:
        channels = self.format.channels
        width = 2 * channels
        while not self._stop.wait(0.02):
            for block in self._queue.drain():
                self._meter.feed(block, channels)
                self.frames += len(block) // width
                self.loudest_dbfs = max(self.loudest_dbfs, self._meter.latest.rms_dbfs)

    @property
    def levels(self) -> Levels:
        return self._meter.latest

    @property
    def alive(self) -> bool:
        return self._source.alive

    def close(self) -> None:
        self._stop.set()
        self._source.close()
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
