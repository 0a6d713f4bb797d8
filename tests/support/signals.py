"""Known test signals and the comparisons the audio tests make."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf


def tone(freq: float, seconds: float, rate: int = 48000, amplitude: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def sweep(f0: float, f1: float, seconds: float, rate: int = 48000, amp: float = 0.5) -> np.ndarray:
    t = np.arange(int(seconds * rate)) / rate
    k = (f1 - f0) / seconds
    return (amp * np.sin(2 * np.pi * (f0 * t + 0.5 * k * t * t))).astype(np.float32)


def write_wav(path: Path, signal: np.ndarray, rate: int = 48000) -> Path:
    sf.write(path, signal, rate, subtype="PCM_16")
    return path


def espeak_phrase(path: Path, text: str, rate: int = 48000) -> Path:
    """A spoken Japanese phrase (espeak-ng), resampled to ``rate`` mono 16-bit with sox."""
    raw = path.with_suffix(".espeak.wav")
    subprocess.run(["espeak-ng", "-v", "ja", "-w", str(raw), text], check=True, timeout=60)
    if shutil.which("sox"):
        subprocess.run(
            ["sox", str(raw), "-r", str(rate), "-c", "1", "-b", "16", str(path)],
            check=True, timeout=60,
        )  # fmt: skip
    else:
        data, sr = sf.read(raw, dtype="float32")
        idx = np.arange(0, len(data), sr / rate)
        sf.write(path, np.interp(idx, np.arange(len(data)), data), rate, subtype="PCM_16")
    return path


def peak_frequency(signal: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(signal * np.hanning(len(signal))))
    return float(np.fft.rfftfreq(len(signal), 1 / rate)[int(np.argmax(spectrum))])


def aligned_correlation(reference: np.ndarray, recorded: np.ndarray) -> tuple[float, int]:
    """Best normalised correlation of ``reference`` inside ``recorded``, and the lag in samples."""
    ref = reference.astype(np.float64)
    rec = recorded.astype(np.float64)
    n = len(ref) + len(rec)
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(rec, size) * np.conj(np.fft.rfft(ref, size)), size)
    lag = int(np.argmax(xc[: len(rec)]))
    seg = rec[lag : lag + len(ref)]
    r = ref[: len(seg)]
    denom = np.linalg.norm(r) * np.linalg.norm(seg)
    return (float(np.dot(r, seg) / denom) if denom else 0.0), lag
