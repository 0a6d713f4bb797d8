"""The idle app with its input kept open (issue 11): CPU per second while nothing is recorded,
with no pre-event buffer and with a 30 s one, next to a bare PortAudio stream (a no-op
callback) and to the idle recorder with its input closed, as before; the memory a 60 s buffer
takes at 48 kHz mono (RSS after the buffer filled, less RSS with none).

Each figure is a child process on the PulseAudio null sink of this run, with a tone playing:
the service opens the 窓口 preset's device exactly as the desktop app does after start-up
(``app.recording.warm_up``); no Qt, whose idle cost is the same either way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyrage

from bench.bench_recording import BARE_STREAM, _long_wav, _proc_cpu
from bench.report import Figure, Report
from tests.support.pulse import PulseServer

IDLE = r"""
import sys, time
from pathlib import Path
from kasuhara_recorder.app.service import AppService
app = AppService(Path(sys.argv[1]))
if sys.argv[2] == "open":
    assert app.recording.warm_up("counter"), "the input could not be kept open"
print("idle", flush=True)
time.sleep(float(sys.argv[3]))
app.close()
"""


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _idle(cmd: list[str], env: dict, settle: float, window: float) -> tuple[float, float]:
    """(CPU seconds per second over ``window`` after ``settle`` s, RSS MiB at the end)."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)  # fmt: skip
    try:
        proc.stdout.readline()  # "idle" / "flowing": the input is open
        time.sleep(settle)
        c0, t0 = _proc_cpu(proc.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = _proc_cpu(proc.pid), time.monotonic()
        rss = _rss_mib(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    return (c1 - c0) / (t1 - t0), rss


def _data(tmp: Path, pre_event: int) -> Path:
    data = Path(tempfile.mkdtemp(prefix=f"data-{pre_event}-", dir=tmp))
    env = dict(os.environ, KASUHARA_DATA_DIR=str(data))
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    subprocess.run([sys.executable, "-m", "kasuhara_recorder", "setup", "--org-recipient",
                    recipient, "--workstation-name", "bench", "--pre-event-seconds",
                    str(pre_event)], env=env, check=True, capture_output=True)  # fmt: skip
    s = json.loads((data / "settings.json").read_text())
    s["counter"] = {"device": "pulse", "channels": 1, "samplerate": 48000}
    (data / "settings.json").write_text(json.dumps(s))
    return data


def run(report: Report, quick: bool) -> None:
    window = 10 if quick else 30
    server = PulseServer.start()
    try:
        sink = server.new_sink(rate=48000, channels=1)
        try:
            with tempfile.TemporaryDirectory(prefix="kasuhara-bench-idle-") as t:
                _bench(report, Path(t), sink, window, quick)
        finally:
            sink.remove()
    finally:
        server.stop()


def _bench(report: Report, tmp: Path, sink, window: int, quick: bool) -> None:
    env = dict(os.environ)
    player = sink.play(_long_wav(tmp / "tone.wav", 400))
    try:
        run_for = str(window + 80)
        bare, _ = _idle([sys.executable, "-c", BARE_STREAM, run_for], env, 2, window)
        closed, _ = _idle([sys.executable, "-c", IDLE, str(_data(tmp, 0)), "closed", run_for],
                          env, 2, window)  # fmt: skip
        no_buf, rss_0 = _idle([sys.executable, "-c", IDLE, str(_data(tmp, 0)), "open", run_for],
                              env, 2, window)  # fmt: skip
        buf30, _ = _idle(
            [sys.executable, "-c", IDLE, str(_data(tmp, 30)), "open", run_for], env, 32, window
        )  # fmt: skip (settle: the buffer full first)
        hold = 20 if quick else 60
        _, rss_60 = _idle([sys.executable, "-c", IDLE, str(_data(tmp, hold)), "open", run_for],
                          env, hold + 2, 1)  # fmt: skip
    finally:
        player.kill()
        player.wait()
    floor = 1 / os.sysconf("SC_CLK_TCK") / window  # /proc's resolution over the window
    bare = max(bare, floor)
    report.add(Figure("idle, input kept open: CPU per second", no_buf * 1000, "ms/s",
                      "bare PortAudio stream", bare * 1000, target_ratio=1.5))  # fmt: skip
    report.add(Figure("idle, input kept open, 30 s buffer: CPU per second", buf30 * 1000,
                      "ms/s", "bare PortAudio stream", bare * 1000, target_ratio=1.5))  # fmt: skip
    report.add(Figure("idle, input kept open: CPU per second", no_buf * 1000, "ms/s",
                      "idle recorder, input closed (before)",
                      max(closed, floor) * 1000))  # fmt: skip
    mib = rss_60 - rss_0
    scaled = ""
    if hold != 60:  # quick run: scaled from a shorter buffer
        mib, scaled = mib * 60 / hold, ", scaled"
    audio = 60 * 48000 * 2 / 2**20
    report.add(Figure(f"memory of a 60 s pre-event buffer, 48 kHz mono (RSS{scaled})", mib,
                      "MiB", "its audio alone", audio, target_abs=12))  # fmt: skip
