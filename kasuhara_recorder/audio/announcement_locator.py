"""Where the phone announcement is in the recording, found in the recording itself.

The output's DAC time minus the input's ADC time says roughly where the announcement starts,
but PortAudio's time stamps are only as good as the host API's: through PulseAudio's ALSA
plugin the output's first DAC time is its callback's time, without the sink's latency, and the
estimate came out 80–140 ms late (360 ms with an input just opened). A phone adapter's input
hears what its output plays, so the recording holds the announcement: the start of the WAV is
matched against the first seconds of the recording (normalised cross-correlation around the
estimate) and the match is used when it is clear; otherwise the clock estimate stands (an
adapter that records only the caller's side). An offset is never negative: an announcement
whose first milliseconds came before the recording's first frame starts at 0.

The recording's first seconds are kept in memory only, up to ``KEEP_S``, and zeroed once used.
"""

from __future__ import annotations

import threading

import numpy as np

from kasuhara_recorder.audio.audio_format import AudioFormat

PROBE_S = 1.5  # this much of the announcement is matched …
SKIP_S = 0.5  # … from this far into it: its first words (not a silent lead-in), and found even
# when its very start is not in the recording (a sink that mixes ahead, as PulseAudio's do)
BEFORE_S = 1.0  # searched this much before the clock estimate …
AFTER_S = 1.0  # … and this much after it
KEEP_S = 15.0  # the input may take up to 10 s to deliver before the announcement starts
MIN_CORRELATION = 0.6  # below, the recording does not clearly hold it: the clock estimate stands
MIN_PROBE_RMS = 1e-3  # an announcement that starts with 2 s of near-silence cannot be matched


def mono(samples: np.ndarray) -> np.ndarray:
    """Frames × channels (or one channel) as one float64 channel."""
    a = np.asarray(samples, dtype=np.float64)
    return a if a.ndim == 1 else a.mean(axis=1)


def resample(x: np.ndarray, rate_from: int, rate_to: int) -> np.ndarray:
    """Linear resampling: enough to line two signals up to a millisecond."""
    if rate_from == rate_to or not len(x):
        return x
    n = round(len(x) * rate_to / rate_from)
    t = np.arange(n) * (rate_from / rate_to)
    return np.interp(t, np.arange(len(x)), x)


def best_lag(probe: np.ndarray, signal: np.ndarray) -> tuple[int, float]:
    """The lag where ``signal[lag:lag+len(probe)]`` is most like ``probe`` (normalised
    correlation, gain-independent), and that correlation; (0, 0.0) when nothing fits."""
    n, m = len(probe), len(signal)
    if n == 0 or m < n:
        return 0, 0.0
    p = probe - probe.mean()
    p_norm = float(np.sqrt(np.dot(p, p)))
    if p_norm == 0.0:
        return 0, 0.0
    size = 1 << int(np.ceil(np.log2(n + m)))
    # correlation of every lag at once: signal ⋆ probe through the FFT
    num = np.fft.irfft(np.fft.rfft(signal, size) * np.conj(np.fft.rfft(p, size)), size)[: m - n + 1]
    sq = np.concatenate(([0.0], np.cumsum(signal * signal)))
    s = np.concatenate(([0.0], np.cumsum(signal)))
    win_sum = s[n:] - s[:-n]
    win_energy = np.maximum(sq[n:] - sq[:-n] - win_sum * win_sum / n, 0.0)
    denom = np.sqrt(win_energy) * p_norm
    with np.errstate(divide="ignore", invalid="ignore"):
        corr = np.where(denom > 1e-12, num / denom, 0.0)
    lag = int(np.argmax(corr))
    return lag, float(corr[lag])


class AnnouncementLocator:
    """Fed the recording's bytes by the recorder's writer thread (``feed``); asked, from the
    session's watch thread, where the announcement starts (``locate``)."""

    def __init__(self, samples: np.ndarray, samplerate: int, fmt: AudioFormat) -> None:
        if fmt.sample_format != "s16le":
            raise ValueError(f"unsupported sample format {fmt.sample_format}")
        self.format = fmt
        whole = mono(samples)
        skip = min(int(SKIP_S * samplerate), len(whole) // 3)
        probe = whole[skip : skip + int(PROBE_S * samplerate)]
        self._probe = resample(probe, samplerate, fmt.samplerate)
        self._skip = round(skip * fmt.samplerate / samplerate)  # at the recording's rate
        self._limit = int(KEEP_S * fmt.samplerate) * fmt.bytes_per_frame
        self._buf = bytearray()
        self._lock = threading.Lock()
        self.correlation: float | None = None  # of the match used, once located

    def feed(self, data: bytes | memoryview) -> None:
        room = self._limit - len(self._buf)
        if room > 0:
            with self._lock:
                self._buf += data[:room]

    @property
    def frames(self) -> int:
        return len(self._buf) // self.format.bytes_per_frame

    def locate(self, estimate_frame: int, final: bool = False) -> int | None:
        """The frame where the announcement starts, near ``estimate_frame``: the match in the
        recording when it is clear, else the estimate. None while the recording does not yet
        reach past the search window (unless ``final``: the recording is stopping)."""
        rate = self.format.samplerate
        lo = max(0, estimate_frame - int(BEFORE_S * rate) + self._skip)
        hi = estimate_frame + int(AFTER_S * rate) + self._skip + len(self._probe)
        full = len(self._buf) >= self._limit
        if self.frames < hi and not (final or full):
            return None
        found = self._match(lo, hi)
        self.clear()
        return estimate_frame if found is None else found

    def _match(self, lo: int, hi: int) -> int | None:
        probe = self._probe
        if not len(probe) or float(np.sqrt(np.mean(probe * probe))) < MIN_PROBE_RMS:
            return None
        ch = self.format.channels
        with self._lock:  # a view, not a copy of the plaintext; float copies are transient
            usable = len(self._buf) // self.format.bytes_per_frame * self.format.bytes_per_frame
            view = np.frombuffer(memoryview(self._buf)[:usable], dtype="<i2")
            window = mono(view.reshape(-1, ch)[lo:hi]) / 32768.0
            del view
        lag, corr = best_lag(probe, window)
        window[:] = 0.0
        if corr < MIN_CORRELATION:
            return None
        self.correlation = corr
        return max(0, lo + lag - self._skip)

    def clear(self) -> None:
        """Forget the recording's audio (zeroed first: it is plaintext)."""
        with self._lock:
            self._buf[:] = bytes(len(self._buf))
            self._buf = bytearray()
            self._limit = 0
