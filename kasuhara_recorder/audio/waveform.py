"""The waveform of a whole recording: the lowest and highest sample of each bucket of frames,
computed while the recording is decrypted (pure numpy, no Qt), so the player draws it as it
grows. Every channel counts: a bucket's peaks are over all its interleaved samples."""

from __future__ import annotations

import numpy as np

BUCKETS = 4000  # about one per pixel of a wide player window


class Peaks:
    def __init__(self, frames: int, channels: int, buckets: int = BUCKETS) -> None:
        self.frames = max(0, frames)
        self.channels = max(1, channels)
        self.bucket_frames = max(1, -(-self.frames // max(1, buckets)))
        self.count = -(-self.frames // self.bucket_frames) if self.frames else 0
        self.mins = np.zeros(self.count, dtype=np.int16)
        self.maxs = np.zeros(self.count, dtype=np.int16)
        self.ready = 0  # buckets complete (read by the GUI; only ``add`` writes it)

    def add(self, pcm: np.ndarray, filled_frames: int) -> None:
        """``pcm``: the recording's interleaved int16 samples, of which the first
        ``filled_frames`` frames are decrypted now; the buckets they complete are computed."""
        filled_frames = min(filled_frames, self.frames)
        end = self.count if filled_frames >= self.frames else filled_frames // self.bucket_frames
        if end <= self.ready:
            return
        start, bf, ch = self.ready, self.bucket_frames, self.channels
        whole = min(end, self.frames // bf)  # buckets of bf frames each
        if whole > start:
            block = pcm[start * bf * ch : whole * bf * ch].reshape(whole - start, bf * ch)
            self.mins[start:whole] = block.min(axis=1)
            self.maxs[start:whole] = block.max(axis=1)
        if end > whole:  # the last, shorter bucket
            rest = pcm[whole * bf * ch : self.frames * ch]
            if len(rest):
                self.mins[whole] = rest.min()
                self.maxs[whole] = rest.max()
        self.ready = end

    def bucket_ms(self, samplerate: int) -> float:
        return self.bucket_frames * 1000 / samplerate
