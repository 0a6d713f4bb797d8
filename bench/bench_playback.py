"""Officer playback of a 60-minute recording (48 kHz mono s16 = 346 MB of PCM; 5 min with
--quick), sealed now with the real sealed writer and signed through the workstation facade:

  waveform ready   app.playback.open(id) until every peak is computed and every hash checked,
                   decrypting into memory as it goes        target < 1 s
                   baseline: ``age -d -i id sealed > /dev/null`` of the same file
  playback start   a click on the waveform (seek + play) until PortAudio takes the first block
                   of the new position, the player's stream open and flowing (the window opens
                   it as it opens)                                   target < 150 ms
                   baseline: a bare sounddevice OutputStream, start() to its first callback

Both on this run's own PulseAudio null sink (tests/support/pulse.py).
"""

from __future__ import annotations

import datetime as dt
import shutil
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from bench.report import Figure, Report
from tests.support.pulse import PulseServer

RATE = 48000


def _workstation(root: Path, seconds: int):
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.evidence.manifest import CaptureRecord, new_recording_id
    from kasuhara_recorder.evidence.org_identity import init_org
    from kasuhara_recorder.evidence.sealed_writer import SealedWriter

    org = init_org(root / "org", "bench passphrase")
    app = AppService(root / "data", actor="bench")
    app.workstation.setup([org.recipient], "bench-ws")
    rid = new_recording_id()
    writer = SealedWriter(app.vault.sealed(rid), app.identity.recipients)
    rng = np.random.default_rng(1)
    block = (rng.standard_normal(RATE) * 3000).astype("<i2").tobytes()  # 1 s, noise-like
    for _ in range(seconds):
        writer.write(block)
    result = writer.close()
    now = dt.datetime.now().astimezone()
    app.registry.finalize(
        result,
        CaptureRecord(
            id=rid, channel="counter", device="bench", samplerate=RATE, channels=1,
            started_at=(now - dt.timedelta(seconds=seconds)).isoformat(),
            ended_at=now.isoformat(),
        ),
    )  # fmt: skip
    app.officer.unlock(org.identity, "bench passphrase", purpose="playback")
    return app, rid, org.identity


def _bare_stream_start() -> float:
    """start() of a bare OutputStream to its first callback, seconds."""
    import sounddevice as sd

    first = threading.Event()
    at = [0.0]

    def callback(outdata, frames, time_info, status) -> None:
        outdata.fill(0)
        if not first.is_set():
            at[0] = time.perf_counter()
            first.set()

    stream = sd.OutputStream(samplerate=RATE, blocksize=RATE // 50, device="pulse", channels=1,
                             dtype="float32", latency="low", callback=callback)  # fmt: skip
    try:
        t = time.perf_counter()
        stream.start()
        first.wait(10)
        return at[0] - t
    finally:
        stream.stop()
        stream.close()


def _waveform_ready(app, rid: str) -> tuple[float, int]:
    t = time.perf_counter()
    playback = app.playback.open(rid)
    try:
        playback.audio.wait(120)
        took = time.perf_counter() - t
        assert playback.audio.checked and playback.audio.peaks.ready == playback.audio.peaks.count
        return took, playback.audio.frames * playback.audio.channels * 2
    finally:
        playback.close()


def _click_to_play(app, rid: str, clicks: int) -> list[float]:
    playback = app.playback.open(rid)
    try:
        playback.audio.wait(120)
        player = playback.player("pulse")
        # the window opens its player when it opens: the officer clicks on a flowing stream
        deadline = time.perf_counter() + 10
        while player.callbacks < 25 and time.perf_counter() < deadline:  # 0.5 s of blocks
            time.sleep(0.01)
        rng = np.random.default_rng(2)
        out = []
        for _ in range(clicks):
            ms = int(rng.integers(0, playback.audio.duration_ms - 5000))
            before = player.heard_at
            t = time.perf_counter()
            player.seek_ms(ms)
            player.play()
            deadline = t + 5
            while player.heard_at == before and time.perf_counter() < deadline:
                time.sleep(0.0005)
            out.append(player.heard_at - t)
            time.sleep(0.2)  # a little listening
            player.pause()
        return out
    finally:
        playback.close()


def run(report: Report, quick: bool) -> None:
    if not shutil.which("age"):
        print("age not installed: skipped")
        return
    seconds = 300 if quick else 3600
    root = Path(tempfile.mkdtemp(prefix="kasuhara-bench-playback-"))
    server = PulseServer.start()
    try:
        sink = server.new_sink(rate=RATE, channels=1)
        try:
            app, rid, identity_file = _workstation(root, seconds)
            sealed = app.vault.sealed(rid)
            key = root / "id.txt"
            from kasuhara_recorder.evidence.org_identity import unlock_identity

            key.write_text(f"{unlock_identity(identity_file, 'bench passphrase')}\n")
            key.chmod(0o600)
            subprocess.run(["cat", str(sealed)], stdout=subprocess.DEVNULL, check=True)

            def age_d() -> float:
                t = time.perf_counter()
                subprocess.run(["age", "-d", "-i", str(key), "-o", "/dev/null", str(sealed)],
                               check=True)  # fmt: skip
                return time.perf_counter() - t

            base = min(age_d() for _ in range(2))
            runs = [_waveform_ready(app, rid) for _ in range(2)]
            took, pcm_bytes = min(r[0] for r in runs), runs[0][1]
            minutes = seconds // 60
            report.add(Figure(f"waveform of {minutes} min ready (decrypt+check)", took, "s",
                              "age -d > /dev/null", base, target_abs=1.0))  # fmt: skip
            print(f"  the recording in memory: {pcm_bytes / 2**20:.0f} MiB "
                  f"({RATE} Hz mono s16, {minutes} min)")  # fmt: skip
            bare = statistics.median(_bare_stream_start() for _ in range(5))
            clicks = _click_to_play(app, rid, 5 if quick else 10)
            report.add(Figure("playback start after a click (median)", statistics.median(clicks),
                              "s", "bare OutputStream start→first callback", bare,
                              target_abs=0.150))  # fmt: skip
            print(f"  clicks: {', '.join(f'{c * 1000:.0f}' for c in clicks)} ms")
            app.close()
        finally:
            sink.remove()
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)
