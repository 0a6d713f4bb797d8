"""Recording engine: CPU next to parecord, stop-to-sealed latency, peak RSS against length.

Starts its own PulseAudio server and null sink (tests/support/pulse.py); the app records the
sink's monitor through ``kasuhara-recorder record`` in a subprocess, exactly as a user would,
and ``parecord`` records the same source to a WAV file in the same run as the baseline.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyrage
import soundfile as sf

from bench.report import Figure, PeakRss, Report
from tests.support.pulse import PulseServer

RATE = 48000
APP = [sys.executable, "-m", "kasuhara_recorder"]
BARE_STREAM = """
import sys, threading, time, sounddevice as sd
flowing = threading.Event()
st = sd.RawInputStream(device="pulse", samplerate=48000, channels=1, dtype="int16",
                       blocksize=2400, latency=0.1, callback=lambda *a: flowing.set())
st.start(); flowing.wait(10); print("flowing", flush=True)
time.sleep(float(sys.argv[1])); st.stop(); st.close()
"""
TICK = os.sysconf("SC_CLK_TCK")


def _proc_cpu(pid: int) -> float:
    """CPU seconds (user+sys) a live process has used so far, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _steady_cpu(cmd: list[str], env: dict, ready, window: float) -> float:
    """CPU seconds per second of a running recorder, measured over ``window`` seconds once
    ``ready(proc)`` says audio flows: the start-up (and the null sink's first-block spin in
    ALSA's pulse plugin) is left out on every side."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        ready(proc)
        time.sleep(1.0)
        c0, t0 = _proc_cpu(proc.pid), time.monotonic()
        time.sleep(window)
        c1, t1 = _proc_cpu(proc.pid), time.monotonic()
    finally:
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    return (c1 - c0) / (t1 - t0)


def _run(cmd: list[str], env: dict, stop_after: float | None = None) -> tuple[str, float, float]:
    """(stdout, CPU seconds user+sys, peak RSS MiB) of one child; SIGINT after ``stop_after``."""
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    rss = PeakRss(proc.pid)
    if stop_after is not None:
        time.sleep(stop_after)
        proc.send_signal(signal.SIGINT)
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    # Zombie until reaped: its /proc status still holds VmHWM only while alive, so the poller
    # keeps the last value it saw.
    _, status, ru = os.wait4(proc.pid, 0)
    peak = rss.stop()
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, -signal.SIGINT, 130) and stop_after is None:
        raise RuntimeError(f"{cmd[:4]}… failed ({proc.returncode}): {err[-2000:]}")
    return out, ru.ru_utime + ru.ru_stime, peak


def _long_wav(path: Path, seconds: int) -> Path:
    """A quiet 440 Hz tone with a little noise, written in blocks (never all in memory)."""
    rng = np.random.default_rng(7)
    block = RATE * 10
    with sf.SoundFile(path, "w", RATE, 1, subtype="PCM_16") as f:
        for start in range(0, seconds * RATE, block):
            t = (np.arange(block) + start) / RATE
            x = 0.2 * np.sin(2 * np.pi * 440 * t) + 0.01 * rng.standard_normal(block)
            f.write(x.astype(np.float32))
    return path


def run(report: Report, quick: bool) -> None:
    live_s = 10 if quick else 60
    long_s = 300 if quick else 1800
    server = PulseServer.start()
    sink = server.new_sink(rate=RATE, channels=1)
    try:
        with tempfile.TemporaryDirectory(prefix="kasuhara-bench-rec-") as tmp:
            _bench(report, Path(tmp), sink, live_s, long_s)
    finally:
        sink.remove()
        server.stop()


def _bench(report: Report, tmp: Path, sink, live_s: int, long_s: int) -> None:
    env = dict(os.environ, KASUHARA_DATA_DIR=str(tmp / "data"))
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    _run([*APP, "setup", "--org-recipient", recipient, "--workstation-name", "bench"], env)
    settings = tmp / "data" / "settings.json"
    s = json.loads(settings.read_text())
    s["counter"] = {"device": "pulse", "channels": 1, "samplerate": RATE}
    settings.write_text(json.dumps(s))

    # Something to hear for the whole of both recordings (its own CPU is not counted: it is
    # reaped only after the measurements).
    tone_wav = _long_wav(tmp / "tone.wav", 2 * live_s + 30)
    player = sink.play(tone_wav)
    try:
        t = time.monotonic()
        out, app_cpu, app_rss = _run([*APP, "--json", "record", "--seconds", str(live_s)], env)
        app_wall = time.monotonic() - t
        live = json.loads(out)
        # parecord for the same wall time (both lose the null sink's slow first block alike)
        _, pa_cpu, _ = _run(
            ["parecord", "--file-format=wav", f"--rate={RATE}", "--channels=1",
             "--format=s16le", str(tmp / "parecord.wav")],
            env, stop_after=app_wall,
        )  # fmt: skip
        _, startup_cpu, _ = _run([*APP, "--json", "record", "--seconds", "0.5"], env)
        # The floor of any PortAudio client here: the same stream with a callback that does
        # nothing (ALSA's pulse plugin spins while the null sink delivers its first block).
        _, bare_cpu, _ = _run([sys.executable, "-c", BARE_STREAM, str(app_wall)], env)
        _, bare_short_cpu, _ = _run([sys.executable, "-c", BARE_STREAM, "0.5"], env)
    finally:
        player.kill()
        player.wait()

    report.add(
        Figure(f"record {live_s} s 48 kHz mono: CPU (user+sys)", app_cpu, "s",
               "parecord", pa_cpu, target_ratio=1.5)
    )  # fmt: skip
    report.add(
        Figure(f"record {live_s} s: CPU", app_cpu, "s", "bare PortAudio stream, no-op callback",
               bare_cpu, target_ratio=1.5)
    )  # fmt: skip
    report.add(
        Figure(f"record {live_s} s: CPU without the fixed start-up", app_cpu - startup_cpu, "s",
               "parecord", pa_cpu)
    )  # fmt: skip
    report.add(Figure("record: fixed start-up CPU (record 0.5 s)", startup_cpu, "s",
                      "bare stream 0.5 s", bare_short_cpu))  # fmt: skip
    # Steady state, start-up left out: CPU per second while audio flows.
    window = live_s - 5
    vault = tmp / "data" / "vault"

    def app_ready(proc) -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if any(p.stat().st_size > 200 for p in vault.glob("*.age.journal")
                   if not Path(str(p)[: -len(".journal")].replace(".age", ".manifest.json"))
                   .exists()):  # fmt: skip
                return
            time.sleep(0.05)
        raise RuntimeError("the app recorder never checkpointed audio")

    player = sink.play(tone_wav)
    try:
        app_rate = _steady_cpu([*APP, "record", "--seconds", str(live_s + 30)], env, app_ready,
                               window)  # fmt: skip
        bare_rate = _steady_cpu([sys.executable, "-c", BARE_STREAM, str(live_s + 30)], env,
                                lambda p: p.stdout.readline(), window)  # fmt: skip
        pa_rate = _steady_cpu(
            ["parecord", "--file-format=wav", f"--rate={RATE}", "--channels=1",
             "--format=s16le", str(tmp / "parecord2.wav")],
            env, lambda p: time.sleep(2.5), window,
        )  # fmt: skip
    finally:
        player.kill()
        player.wait()
    floor = 1 / TICK / window  # one clock tick over the window: the resolution of /proc
    bare_rate, pa_rate = max(bare_rate, floor), max(pa_rate, floor)
    report.add(Figure("steady state: app recording CPU per second", app_rate * 1000, "ms/s",
                      "bare PortAudio stream", bare_rate * 1000, target_ratio=1.5))  # fmt: skip
    report.add(Figure("steady state: app recording CPU per second", app_rate * 1000, "ms/s",
                      "parecord", pa_rate * 1000, target_ratio=1.5))  # fmt: skip
    report.add(Figure(f"record {live_s} s: dropped frames", live["dropped_frames"], "frames",
                      target_abs=0))  # fmt: skip
    report.add(Figure("record: start() to stream running", live["start_latency_ms"], "ms",
                      target_abs=150))  # fmt: skip
    report.add(
        Figure(f"stop-to-sealed, {live_s} s from the device", live["stop_latency_ms"], "ms",
               target_abs=300)
    )  # fmt: skip
    report.add(Figure(f"peak RSS, {live_s} s from the device", app_rss, "MiB"))

    # Length must not matter: the same file path, short and long, unpaced.
    long_wav = _long_wav(tmp / "long.wav", long_s)
    cmd = [*APP, "--json", "record", "--input-file", str(long_wav), "--unpaced"]
    out_short, _, rss_short = _run([*cmd, "--seconds", str(live_s)], env)
    t = time.monotonic()
    out_long, long_cpu, rss_long = _run(cmd, env)
    long_wall = time.monotonic() - t
    short, long_ = json.loads(out_short), json.loads(out_long)
    assert long_["duration_ms"] == long_s * 1000, long_
    report.add(
        Figure(f"stop-to-sealed, {long_s // 60} min file unpaced", long_["stop_latency_ms"],
               "ms", f"{live_s} s file", short["stop_latency_ms"], target_abs=300)
    )  # fmt: skip
    report.add(
        Figure(f"peak RSS, {long_s // 60} min recording", rss_long, "MiB",
               f"{live_s} s recording", rss_short, target_ratio=1.2)
    )  # fmt: skip
    report.add(
        Figure(f"seal {long_s // 60} min unpaced: wall (x real time)", long_wall / long_s * 100,
               "% of real time")
    )  # fmt: skip
    del long_cpu
