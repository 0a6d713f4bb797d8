"""For the officer playback tests: an officer (settings roles, a passphrase-protected identity
file for the workstation's organisation key), a recording made through a null sink, the sink's
monitor captured into memory (parec, never a file), and a search of files for the PCM."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kasuhara_recorder.config import InputPreset, RoleGrant
from tests.support.waiting import wait_until

PASSPHRASE = "correct horse battery staple 42"


@dataclass(frozen=True)
class Officer:
    identity_file: Path
    passphrase: str


def make_officer(service, org_identity, folder: Path, role: str = "officer") -> Officer:
    """The signed-in OS user becomes ``role``; the organisation identity the workstation seals
    for is written passphrase-protected into ``folder`` (as ``keys init-org`` writes it)."""
    from kasuhara_recorder.evidence.org_identity import init_org

    files = init_org(folder, PASSPHRASE, identity=org_identity)
    deps = (service.settings.department,) if role == "supervisor" else ()
    service.save_settings(service.settings.with_changes(
        roles=(RoleGrant(user=service.os_user, role=role, departments=deps),),
    ))  # fmt: skip
    return Officer(files.identity, PASSPHRASE)


def play_raw(sink, pcm: np.ndarray, rate: int = 48000) -> None:
    """Play int16 mono ``pcm`` into ``sink`` from memory (pacat), until it has all gone in."""
    proc = subprocess.Popen(
        ["pacat", "--playback", f"--device={sink.name}", "--raw", "--format=s16le",
         f"--rate={rate}", "--channels=1", "--latency-msec=20"],
        stdin=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    _, err = proc.communicate(pcm.astype("<i2").tobytes(), timeout=120)
    if proc.returncode != 0:
        raise RuntimeError(f"pacat failed: {err.decode(errors='replace')}")


def record_through(service, sink, pcm: np.ndarray):
    """A routine recording of ``pcm`` played into ``sink`` and recorded from its monitor."""
    service.save_settings(service.settings.with_changes(
        counter=InputPreset(device="pulse", channels=1)))  # fmt: skip
    session = service.recording.start("counter")
    assert session.recorder.wait_for_audio(10)
    play_raw(sink, pcm)
    played = session.position_s
    wait_until(lambda: session.position_s >= played + 0.5, 10, "0.5 s more audio")
    manifest = session.stop()
    service.incidents.keep_routine(manifest, [])
    return manifest


class MonitorCapture:
    """What a sink plays, from its monitor, into memory (``parec`` to a pipe)."""

    def __init__(self, sink, rate: int = 48000) -> None:
        self.rate = rate
        self._proc = subprocess.Popen(
            ["parec", f"--device={sink.name}.monitor", "--raw", "--format=s16le",
             f"--rate={rate}", "--channels=1", "--latency-msec=10"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        self._data = bytearray()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._read, name="test-parec", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        assert self._proc.stdout is not None
        while chunk := self._proc.stdout.read1(65536):
            with self._lock:
                self._data += chunk

    @property
    def frames(self) -> int:
        return len(self._data) // 2

    def samples(self) -> np.ndarray:
        with self._lock:
            n = len(self._data) // 2 * 2
            return np.frombuffer(bytes(self._data[:n]), dtype="<i2").copy()

    def stop(self) -> np.ndarray:
        self._proc.terminate()
        self._proc.wait(10)
        self._thread.join(10)
        return self.samples()


def pcm_windows(pcm: np.ndarray, count: int = 4, size: int = 4096) -> list[bytes]:
    """``count`` 4 KiB windows of loud audio, spread over the recording."""
    raw = pcm.astype("<i2").tobytes()
    step = max(size, (len(raw) - size) // (count + 1))
    out = [raw[k : k + size] for k in range(step, len(raw) - size, step)][:count]
    assert out and all(len(set(w)) > 64 for w in out), "windows of silence prove nothing"
    return out


def files_holding(windows: list[bytes], roots: Iterable[Path], since: float | None = None):
    """Every regular file under ``roots`` (changed since ``since``, when given) that holds one
    of ``windows``."""
    found = []
    keep = max(len(w) for w in windows)
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(folder, d))]
            for name in files:
                path = os.path.join(folder, name)
                try:
                    st = os.lstat(path)
                    if not os.path.isfile(path) or os.path.islink(path):
                        continue
                    if since is not None and max(st.st_mtime, st.st_ctime) < since:
                        continue
                    if _holds(path, windows, keep):
                        found.append(path)
                except OSError:
                    continue
    return found


def _holds(path: str, windows: list[bytes], keep: int) -> bool:
    tail = b""
    with open(path, "rb") as f:
        while block := f.read(8 << 20):
            data = tail + block
            if any(w in data for w in windows):
                return True
            tail = data[-keep:]
    return False
