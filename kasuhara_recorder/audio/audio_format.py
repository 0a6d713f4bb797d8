"""What the recorder captures: always 16-bit little-endian PCM, interleaved."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AudioFormat:
    samplerate: int = 48000
    channels: int = 1
    sample_format: str = "s16le"
    sample_width: int = 2

    @property
    def bytes_per_frame(self) -> int:
        return self.sample_width * self.channels

    @property
    def bytes_per_second(self) -> int:
        return self.bytes_per_frame * self.samplerate

    def frames(self, nbytes: int) -> int:
        return nbytes // self.bytes_per_frame

    def seconds(self, nbytes: int) -> float:
        return nbytes / self.bytes_per_second
