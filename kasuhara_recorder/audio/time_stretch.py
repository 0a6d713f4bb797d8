"""Speech played faster or slower at its own pitch: WSOLA (waveform-similarity overlap-add),
numpy only, pulling from a source it can read anywhere (the decrypted recording in memory).

Each output hop of ``hop`` frames takes a window of ``2 × hop`` frames from near the ideal
analysis position (``speed × hop`` further on each time), shifted by up to ``tolerance`` frames
so that it continues the previous window's waveform best (cross-correlation, searched on every
4th sample, then refined), and overlap-adds it with a Hann window (50 % overlap sums to one).
The output frame ``j`` stands for source frame ``start + j × speed``, which is what the player
reports as the position.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

WINDOW_S = 0.040  # a window of 40 ms: about four pitch periods of a low voice
TOLERANCE_S = 0.010
DECIMATE = 4

ReadFn = Callable[[int, int], np.ndarray]  # (start frame, count) -> float32 (count, channels)


class Wsola:
    def __init__(self, samplerate: int, channels: int, speed: float, start: int) -> None:
        self.speed = float(speed)
        self.channels = channels
        self.hop = max(16, int(samplerate * WINDOW_S) // 2)
        self.size = 2 * self.hop
        self.tolerance = max(DECIMATE, int(samplerate * TOLERANCE_S))
        n = np.arange(self.size)
        self.window = (0.5 - 0.5 * np.cos(2 * np.pi * n / self.size)).astype(np.float32)
        self.start = start
        self.hops = 0  # output hops made
        self._prev: int | None = None  # where the previous window was taken
        self._overlap = np.zeros((self.hop, channels), dtype=np.float32)

    def next_hop(self, read: ReadFn) -> np.ndarray:
        """The next ``hop`` output frames, shape (hop, channels)."""
        ideal = self.start + round(self.hops * self.hop * self.speed)
        at = ideal if self._prev is None else self._best(read, ideal, self._prev)
        frame = read(at, self.size) * self.window[:, None]
        out = self._overlap + frame[: self.hop]
        self._overlap = frame[self.hop :].copy()
        self._prev = at
        self.hops += 1
        return out

    def _best(self, read: ReadFn, ideal: int, prev: int) -> int:
        """The analysis start near ``ideal`` whose window best continues the previous one
        (taken at ``prev``)."""
        tol, d = self.tolerance, DECIMATE
        target = read(prev + self.hop, self.size).mean(axis=1)
        region = read(ideal - tol, self.size + 2 * tol).mean(axis=1)
        coarse = np.correlate(region[::d], target[::d], mode="valid")
        k = int(np.argmax(coarse)) * d
        lo, hi = max(0, k - d), min(2 * tol, k + d)
        fine = np.correlate(region[lo : hi + self.size], target, mode="valid")
        return ideal - tol + lo + int(np.argmax(fine))

    def source_position(self, output_frames: int) -> float:
        """The source frame that output frame ``output_frames`` (from the start) stands for."""
        return self.start + output_frames * self.speed
