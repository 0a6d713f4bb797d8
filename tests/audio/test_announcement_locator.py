"""Finding the phone announcement in the recording (audio/announcement_locator.py): the offset a
court reads in the manifest must be where the announcement is heard, not where two clocks say."""

from __future__ import annotations

import numpy as np

from kasuhara_recorder.audio.announcement_locator import AnnouncementLocator, best_lag
from kasuhara_recorder.audio.audio_format import AudioFormat

RATE = 16000


def _recording(announcement: np.ndarray, at_s: float, total_s: float, gain: float,
               talk: float, seed: int = 3) -> bytes:  # fmt: skip
    """A phone call as the adapter's input hears it: the caller (noise at ``talk``) and, from
    ``at_s``, the announcement at ``gain``."""
    rng = np.random.default_rng(seed)
    x = rng.normal(0, talk, int(total_s * RATE))
    i = int(at_s * RATE)
    x[i : i + len(announcement)] += gain * announcement[: len(x) - i]
    return (np.clip(x, -1, 1) * 32767).astype("<i2").tobytes()


def _feed(loc: AnnouncementLocator, pcm: bytes, block: int = 1600) -> None:
    for k in range(0, len(pcm), block):  # as the writer thread hands it over, in blocks
        loc.feed(memoryview(pcm)[k : k + block])


def test_the_announcement_is_found_where_it_is_heard_not_where_the_clocks_say():
    ann = np.random.default_rng(16).uniform(-0.5, 0.5, int(1.5 * RATE))
    pcm = _recording(ann, at_s=0.437, total_s=5.0, gain=0.3, talk=0.05)
    loc = AnnouncementLocator(ann.reshape(-1, 1).astype(np.float32), RATE, AudioFormat(RATE, 1))
    _feed(loc, pcm[: 2 * RATE * 2])  # 2 s: not yet past the search window
    assert loc.locate(int(0.56 * RATE)) is None
    _feed(loc, pcm[2 * RATE * 2 :])
    frame = loc.locate(int(0.56 * RATE))  # the clocks: 123 ms late
    assert frame is not None and abs(frame - int(0.437 * RATE)) <= RATE // 1000
    # the caller talks over it (noise rms 0.05 against the announcement's 0.087): 0.87 expected
    assert loc.correlation is not None and loc.correlation > 0.8
    assert loc.frames == 0  # the plaintext kept for the search is gone


def test_an_announcement_the_input_never_heard_keeps_the_clocks_estimate():
    ann = np.random.default_rng(16).uniform(-0.5, 0.5, int(1.5 * RATE))
    pcm = _recording(ann, at_s=0.4, total_s=5.0, gain=0.0, talk=0.1)  # only the caller
    loc = AnnouncementLocator(ann.reshape(-1, 1).astype(np.float32), RATE, AudioFormat(RATE, 1))
    _feed(loc, pcm)
    assert loc.locate(int(0.5 * RATE)) == int(0.5 * RATE)
    assert loc.correlation is None


def test_a_recording_stopped_early_is_located_with_what_there_is():
    ann = np.random.default_rng(16).uniform(-0.5, 0.5, int(3 * RATE))
    pcm = _recording(ann, at_s=0.2, total_s=1.0, gain=0.5, talk=0.02)
    loc = AnnouncementLocator(ann.reshape(-1, 1).astype(np.float32), RATE, AudioFormat(RATE, 1))
    _feed(loc, pcm)
    assert loc.locate(int(0.3 * RATE)) is None  # still waiting for more audio
    # stopped after 1 s: the 2 s probe does not fit, the clocks' estimate is kept
    assert loc.locate(int(0.3 * RATE), final=True) == int(0.3 * RATE)


def test_a_stereo_announcement_at_another_rate_is_found_in_a_mono_recording():
    rate_wav = 44100
    ann = np.random.default_rng(7).uniform(-0.5, 0.5, (int(1.5 * rate_wav), 2))
    as_heard = np.interp(np.arange(int(1.5 * RATE)) * rate_wav / RATE,
                         np.arange(len(ann)), ann.mean(axis=1))  # fmt: skip
    pcm = _recording(as_heard, at_s=1.25, total_s=6.0, gain=0.4, talk=0.03)
    loc = AnnouncementLocator(ann.astype(np.float32), rate_wav, AudioFormat(RATE, 1))
    _feed(loc, pcm)
    frame = loc.locate(int(1.1 * RATE))
    assert frame is not None and abs(frame - int(1.25 * RATE)) <= 2 * RATE // 1000


def test_best_lag_is_gain_independent():
    rng = np.random.default_rng(1)
    probe = rng.normal(0, 1, 500)
    signal = rng.normal(0, 0.01, 4000)
    signal[1234 : 1234 + 500] += 0.05 * probe  # 5× the noise around it: the gain is not the match
    lag, corr = best_lag(probe, signal)
    assert lag == 1234 and corr > 0.95  # 1/sqrt(1 + 1/25) for that noise
