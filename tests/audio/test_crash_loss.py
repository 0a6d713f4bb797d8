"""A crash loses at most one second of audio at every preset rate (DESIGN invariant 5).

At 48, 16 and 8 kHz mono, real recorder processes — the CLI `record` and the GUI app driven by
F9, both recording a known signal played into the PulseAudio null sink, and the CLI fed a WAV in
real time — are SIGKILLed at random moments the test chooses, spread over the first nine seconds
of capture, so kills before the first 64 KiB chunk (4.1 s at 8 kHz) are among them. Every time,
`recover` in another process closes the recording; Debian `age` decrypts it (sealed file, then
sealed tail); its SHA-256 is the newest the journal attested; it is the signal up to the cut
(the fed file byte for byte; the played one located by correlation); and at most 1.0 s of what
was played (fed) before the kill is missing; a second `recover` finds nothing to do.

Capture from the null sink can start a second or more after the recorder opens (its first
block), so for the device the moment counts from the first sealed tail, which proves capture
began; the fed file starts at once, so those kills also land before the first tail (an empty
recording). tests/evidence/test_sealed_tail.py covers each recovery outcome on purpose.

`make test` makes 3 kills per rate; `make soak` 30 (KASUHARA_KILLS_PER_RATE) and prints the
worst and median loss per rate. KASUHARA_CRASH_SEED replays a run's kill moments.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from tests.support.crash import kill_and_recover, set_counter_preset, summary, write_signal

pytestmark = pytest.mark.pulse

RATES = (48000, 16000, 8000)
KILLS = int(os.environ.get("KASUHARA_KILLS_PER_RATE", "3"))
FIRST_S, LAST_S = 0.05, 9.0  # kill moments, after the recorder's journal is opened
# who records, from where: in turn, so every kind is killed at early and late moments alike
KINDS = (("cli", "pulse"), ("gui", "pulse"), ("cli", "file"))


def kill_moments(rng: random.Random, n: int) -> list[float]:
    """``n`` random moments, one in each of ``n`` equal slices of the span, in random order."""
    step = (LAST_S - FIRST_S) / n
    moments = [rng.uniform(FIRST_S + i * step, FIRST_S + (i + 1) * step) for i in range(n)]
    rng.shuffle(moments)
    return moments


@pytest.fixture
def workstation(data_dir: Path, org_identity) -> Path:
    app = AppService(data_dir)
    try:
        app.workstation.setup([org_identity.recipient], "test-crash-01")
    finally:
        app.close()
    return data_dir


@pytest.mark.parametrize("rate", RATES)
def test_a_recorder_killed_at_any_moment_loses_at_most_one_second(
    rate, workstation, org_identity, pulse_server, tmp_path
):
    seed = int(os.environ.get("KASUHARA_CRASH_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed + rate)
    print(f"\nKASUHARA_CRASH_SEED={seed}")
    set_counter_preset(workstation, rate)
    wav, samples = write_signal(tmp_path, rate)
    sink = pulse_server.new_sink(rate=rate, channels=1)
    kills = []
    try:
        for i, moment in enumerate(kill_moments(rng, KILLS)):
            recorder, source = KINDS[i % len(KINDS)]
            kill = kill_and_recover(
                data_dir=workstation, identity_file=org_identity.identity_file, rate=rate,
                kill_after_s=moment, recorder=recorder, source=source, sink=sink, wav=wav,
                samples=samples,
            )  # fmt: skip
            print(kill.line(), flush=True)
            kills.append(kill)
    finally:
        sink.remove()
        for line in summary(kills):
            print(line, flush=True)
        report = os.environ.get("KASUHARA_SOAK_REPORT")
        if report:
            with open(report, "a", encoding="utf-8") as f:
                f.write(f"seed {seed}\n")
                f.writelines(k.line() + "\n" for k in kills)
                f.writelines(line + "\n" for line in summary(kills))
    assert len(kills) == KILLS
