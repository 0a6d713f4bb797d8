"""Crash a real recorder and measure what recovery gives back: used by the crash test
(tests/audio/test_crash_loss.py), `make soak` and `make bench`.

One kill: a recorder process — the CLI (`kasuhara-recorder record`) or the GUI app driven by
F9 in a subprocess — records a known signal, from the PulseAudio null sink (played by `paplay`)
or from a WAV file fed in real time (`--input-file`, paced). At a moment the caller chose it is
SIGKILLed; `kasuhara-recorder recover` runs in another process; the recovered audio is decrypted
with Debian `age` (the sealed file, then its sealed tail if the manifest names one) and checked:
its SHA-256 is the one recovery reported and the newest the journal attested, and it is the
signal up to the cut. The loss is how much of the signal had been played (or fed) when the kill
came and is not in the recovered audio.

Nothing here waits a fixed time: it waits for conditions with deadlines (the journal's open line,
a sink input playing), and the only clock it reads is for the moment of the kill and the loss.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

from tests.support.journal import newest_attested

APP = [sys.executable, "-m", "kasuhara_recorder"]
REPO = Path(__file__).resolve().parents[2]
SIGNAL_SECONDS = 40.0  # longer than any kill: the signal is still playing when it comes

GUI_DRIVER = r"""
import sys
from pathlib import Path
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.main_window import MainWindow

app = QApplication([])
window = MainWindow(AppService(Path(sys.argv[1])))

def press_f9():  # as the worker does, once the window is ready and active
    if window.recovering or QApplication.activeWindow() is not window:
        window.activateWindow()
        QTimer.singleShot(20, press_f9)
        return
    QTest.keyClick(window, Qt.Key.Key_F9)

window.recovery_finished.connect(lambda *_: QTimer.singleShot(0, press_f9))
window.show()
window.windowHandle().requestActivate()
app.exec()
"""


@dataclass(frozen=True)
class Kill:
    rate: int
    recorder: str  # "cli" or "gui"
    source: str  # "pulse" or "file"
    killed_at_s: float  # after capture began (file: the journal's open line)
    recovered_s: float
    loss_s: float
    recovered_from: str  # checkpoint / tail / empty

    def line(self) -> str:
        return (
            f"{self.rate:>5} Hz {self.recorder}/{self.source:<5}"
            f" killed at {self.killed_at_s:5.2f} s"
            f"  recovered {self.recovered_s:5.2f} s ({self.recovered_from:<10})"
            f"  lost {self.loss_s:5.2f} s"
        )


def noise_signal(rate: int, seconds: float = SIGNAL_SECONDS, seed: int = 9) -> np.ndarray:
    """Seeded noise: every 0.1 s of it is unlike any other, so a piece locates itself."""
    rng = np.random.default_rng(seed)
    return (0.25 * rng.standard_normal(int(rate * seconds))).clip(-0.9, 0.9).astype(np.float32)


def write_signal(folder: Path, rate: int) -> tuple[Path, np.ndarray]:
    """The signal as a 16-bit WAV, and its exact int16 samples."""
    path = folder / f"signal-{rate}.wav"
    sf.write(path, noise_signal(rate), rate, subtype="PCM_16")
    return path, sf.read(path, dtype="int16")[0]


def set_counter_preset(data_dir: Path, rate: int) -> None:
    """The 窓口 preset records the PulseAudio default source (the null sink's monitor)."""
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.config import InputPreset

    app = AppService(data_dir)
    try:
        app.save_settings(
            app.settings.with_changes(
                counter=InputPreset(device="pulse", channels=1, samplerate=rate)
            )
        )
    finally:
        app.close()


def _opened_line(journal: Path) -> dict | None:
    try:
        first = journal.read_bytes().split(b"\n", 1)
    except FileNotFoundError:
        return None
    if len(first) < 2:
        return None  # not complete yet
    rec = json.loads(first[0])
    return rec if rec.get("kind") == "open" else None


def _wait_for_new_recording(vault: Path, before: set[Path], proc, deadline: float) -> Path:
    while True:
        for sealed in set(vault.glob("rec-*.age")) - before:
            if _opened_line(Path(f"{sealed}.journal")) is not None:
                return sealed
        if proc.poll() is not None:
            raise AssertionError(f"the recorder exited: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("the recorder never opened a recording")
        time.sleep(0.01)


def _wait_for_playing(player, deadline: float) -> None:
    """Until PulseAudio lists paplay's stream (it connected and plays)."""
    while True:
        out = subprocess.run(["pactl", "list", "short", "sink-inputs"], capture_output=True,
                             text=True, timeout=15).stdout  # fmt: skip
        if out.strip():
            return
        if player.poll() is not None:
            raise AssertionError(f"paplay exited: {player.stderr.read().decode()[-500:]}")
        if time.monotonic() > deadline:
            raise AssertionError("paplay never started playing")
        time.sleep(0.01)


def _capture_start(sealed: Path, rate: int, proc, deadline: float) -> float:
    """When the recorder's first audio was captured, from its first sealed tail line: that
    tail's audio ended, at the latest, when the line was written. So the estimate is late, if
    anything, and a loss measured from it leaves out the device's start-up and nothing else."""
    journal = Path(f"{sealed}.journal")
    while True:
        for line in journal.read_bytes().splitlines():
            try:
                rec = json.loads(line)
            except ValueError:
                continue
            if rec.get("kind") == "tail":
                return _epoch(rec["written_at"]) - rec["pcm_bytes"] / (2 * rate)
        if proc.poll() is not None:
            raise AssertionError(f"the recorder exited: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > deadline:
            raise AssertionError("the recorder never sealed any audio")
        time.sleep(0.01)


def _epoch(iso: str) -> float:
    return dt.datetime.fromisoformat(iso).timestamp()


def _stop(proc) -> None:
    if proc is not None and proc.poll() is None:
        proc.kill()
    if proc is not None:
        proc.wait(30)


def kill_and_recover(
    *,
    data_dir: Path,
    identity_file: Path,
    rate: int,
    kill_after_s: float,
    recorder: str = "cli",
    source: str = "pulse",
    sink=None,
    wav: Path,
    samples: np.ndarray,
    max_loss_s: float | None = 1.0,
) -> Kill:
    """One recorder killed ``kill_after_s`` after capture began, then recovered and
    checked (AssertionError on any failure). The processes are gone when it returns or raises."""
    vault = data_dir / "vault"
    vault.mkdir(parents=True, exist_ok=True)
    before = set(vault.glob("rec-*.age"))
    env = {**os.environ, "KASUHARA_DATA_DIR": str(data_dir), "QT_QPA_PLATFORM": "offscreen"}
    player = proc = None
    try:
        t_play = None
        if source == "pulse":
            t_play = time.time()  # before paplay can start: the loss is overestimated, if at all
            player = sink.play(wav)
            _wait_for_playing(player, time.monotonic() + 30)
        if recorder == "gui":
            assert source == "pulse", "the GUI records from the preset device"
            cmd = [sys.executable, "-c", GUI_DRIVER, str(data_dir)]
        elif source == "pulse":
            cmd = [*APP, "record", "--seconds", "600"]
        else:
            cmd = [*APP, "record", "--input-file", str(wav)]
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE)  # fmt: skip
        sealed = _wait_for_new_recording(vault, before, proc, time.monotonic() + 60)
        t_open = _epoch(_opened_line(Path(f"{sealed}.journal"))["written_at"])
        t_start = t_open  # a file is fed from the moment the recorder opens
        if source == "pulse":
            # A device's first block can take a second or more to come (ALSA's pulse plugin
            # and a null sink): the moment counts from when capture began, which the first
            # sealed tail proves (its audio ends when it was written).
            t_start = _capture_start(sealed, rate, proc, time.monotonic() + 60)
        t_target = t_start + kill_after_s
        while time.time() < t_target:  # the moment chosen by the caller
            if proc.poll() is not None:
                raise AssertionError(f"recorder exited early: {proc.stderr.read().decode()}")
            time.sleep(min(0.005, max(0.0, t_target - time.time())))
        proc.send_signal(signal.SIGKILL)
        t_kill = time.time()
        proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
    finally:
        _stop(proc)
        _stop(player)

    attested_bytes, attested_sha = newest_attested(sealed)
    r = subprocess.run([*APP, "--json", "recover"], env=env, cwd=REPO, capture_output=True,
                       text=True, timeout=120)  # fmt: skip
    assert r.returncode == 0, r.stdout + r.stderr
    items = {x["id"]: x for x in json.loads(r.stdout)["recovered"]}
    rid = sealed.name.removesuffix(".age")
    assert set(items) == {rid}, items
    item = items[rid]
    assert item["pcm_sha256"] == attested_sha

    audio = _age_decrypt_recording(identity_file, sealed, item)
    assert len(audio) == attested_bytes
    assert hashlib.sha256(audio).hexdigest() == item["pcm_sha256"]
    got = np.frombuffer(audio, dtype="<i2")
    recovered_s = len(got) / rate
    if source == "file":
        # fed in real time from the file's start: byte for byte its prefix
        assert np.array_equal(got, samples[: len(got)])
        loss = (t_kill - t_open) - recovered_s
    else:
        loss = _pulse_loss(got, samples, rate, t_kill - t_play, t_kill - t_start)
    kill = Kill(rate, recorder, source, t_kill - t_start, recovered_s, loss, item["recovered_from"])
    if max_loss_s is not None:
        assert loss <= max_loss_s, kill.line()
    again = subprocess.run([*APP, "--json", "recover"], env=env, cwd=REPO,
                           capture_output=True, text=True, timeout=120)  # fmt: skip
    assert json.loads(again.stdout)["recovered"] == []  # idempotent: nothing left to do
    return kill


def _age_decrypt_recording(identity_file: Path, sealed: Path, item: dict) -> bytes:
    """Debian `age -d`: the sealed file (a recovered one may be cut at a chunk: age then says
    so after writing every complete chunk), then the sealed tail, which must be whole."""
    main = subprocess.run(["age", "-d", "-i", str(identity_file), str(sealed)],
                          capture_output=True, timeout=120)  # fmt: skip
    data = main.stdout
    if item.get("tail"):
        assert main.returncode != 0  # cut exactly at the chunk the tail follows
        assert len(data) == item["tail"]["pcm_offset"]
        tail = subprocess.run(
            ["age", "-d", "-i", str(identity_file), str(sealed.parent / item["tail"]["file"])],
            capture_output=True, timeout=120,
        )  # fmt: skip
        assert tail.returncode == 0, tail.stderr
        data += tail.stdout
    elif item["recovered_from"] in ("tail", "empty"):
        assert main.returncode == 0, main.stderr  # the tail (or nothing) is a whole age file
    return data


def _pulse_loss(
    got: np.ndarray, samples: np.ndarray, rate: int, played_s: float, since_start_s: float
) -> float:
    """Where the recovered audio ends in the played signal, against how much had played. The
    recording starts somewhere in the signal (it was already playing): the last 0.25 s with
    sound locate it; what comes before is checked against the signal as well."""
    loud = np.flatnonzero(np.abs(got) > 200)
    if len(loud) < rate // 50:
        # Less than 20 ms of the signal came back: nothing to locate it by. The loss is then
        # at most the time since capture began.
        return since_start_s - len(got) / rate
    end = int(loud[-1]) + 1
    piece = got[max(0, end - rate // 4) : end].astype(np.float64)
    ref = samples.astype(np.float64)
    n = len(ref) + len(piece)
    size = 1 << (n - 1).bit_length()
    xc = np.fft.irfft(np.fft.rfft(ref, size) * np.conj(np.fft.rfft(piece, size)), size)
    at = int(np.argmax(xc[: len(ref)]))  # piece == ref[at : at + len(piece)]
    seg = ref[at : at + len(piece)]
    corr = float(np.dot(seg, piece) / (np.linalg.norm(seg) * np.linalg.norm(piece)))
    assert corr > 0.99, f"the recovered audio is not the played signal (correlation {corr:.3f})"
    start = at + len(piece) - end  # the signal sample the recording's first sample is
    lo = max(0, -start)
    whole = got[lo:end].astype(np.float64)
    ref_whole = ref[start + lo : start + end]
    corr = float(
        np.dot(ref_whole, whole) / (np.linalg.norm(ref_whole) * np.linalg.norm(whole) or 1)
    )
    assert corr > 0.99, f"the recovered audio drifts from the signal (correlation {corr:.3f})"
    return played_s - (start + len(got)) / rate  # the signal's position at the last sample


def summary(kills: list[Kill]) -> list[str]:
    """Worst and median loss per rate, one line each."""
    out = []
    for rate in sorted({k.rate for k in kills}, reverse=True):
        losses = [k.loss_s for k in kills if k.rate == rate]
        out.append(
            f"{rate:>5} Hz mono: {len(losses)} kills, loss worst {max(losses):.2f} s, "
            f"median {statistics.median(losses):.2f} s"
        )
    return out
