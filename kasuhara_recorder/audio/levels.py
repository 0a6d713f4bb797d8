"""Input level for the meter: RMS and peak in dBFS over ~50 ms windows (about 20 a second).

Fed by the writer thread; ``latest`` is one immutable object swapped in whole, so the GUI can
read it from any thread without a lock.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

import numpy as np

FLOOR_DBFS = -120.0
FULL_SCALE = 32768.0


@dataclass(frozen=True)
class Levels:
    rms_dbfs: float
    peak_dbfs: float
    at: float  # time.monotonic() of the window's end

    @classmethod
    def silent(cls) -> Levels:
        return cls(FLOOR_DBFS, FLOOR_DBFS, time.monotonic())


def to_dbfs(value: float) -> float:
    if value <= 0:
        return FLOOR_DBFS
    return max(FLOOR_DBFS, 20.0 * math.log10(value / FULL_SCALE))


class LevelMeter:
    def __init__(self, samplerate: int, updates_per_second: int = 20) -> None:
        self._window = max(1, samplerate // updates_per_second)  # frames per update
        self._sum_sq = 0.0
        self._peak = 0
        self._samples = 0
        self._frames = 0
        self.latest = Levels.silent()

    def feed(self, block: bytes | memoryview, channels: int) -> None:
        x = np.frombuffer(block, dtype="<i2")
        if not len(x):
            return
        x64 = x.astype(np.int64)  # int16² summed over a block overflows int32
        self._sum_sq += float(np.dot(x64, x64))
        self._peak = max(self._peak, int(np.max(np.abs(x64))))
        self._samples += len(x)
        self._frames += len(x) // channels
        if self._frames >= self._window:
            rms = math.sqrt(self._sum_sq / self._samples)
            self.latest = Levels(to_dbfs(rms), to_dbfs(self._peak), time.monotonic())
            self._sum_sq, self._peak, self._samples, self._frames = 0.0, 0, 0, 0
