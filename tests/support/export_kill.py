"""An export SIGKILLed for real, at a moment chosen by what it has done (never by a clock), and
a search of the destination's raw bytes for the exported audio afterwards.

Used by tests/bundle/test_export_kill.py (3 kills in `make test`), tests/ui (the start-up path)
and scripts/soak_export.py (`make soak-export`, 20 kills).

The child is the real `kasuhara-recorder export` (``python -m kasuhara_recorder``), or the same
command with the O_TMPFILE seam saying "not here" (``export_without_tmpfile.py``), so that it
takes the path of a vfat stick, an SMB share or Windows: a hidden partial file recorded in the
data folder first.

Moments: ``record`` (its partial-export record is in the data folder), ``writing`` (the bundle
file it has open on the destination — named, or unnamed and seen through /proc/PID/fd — has
reached a random size) and ``named`` (the bundle has its name; the chain entry may or may not be
written yet).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SUPPORT = Path(__file__).resolve().parent
WITHOUT_TMPFILE = SUPPORT / "export_without_tmpfile.py"
MODES = ("unnamed", "fallback")  # O_TMPFILE + linkat, or the recorded hidden partial file
MOMENTS = ("record", "writing", "named")
NEEDLE = 64  # bytes of PCM per needle
DEADLINE_S = 120.0  # a condition not met by then fails the trial (a hang, not a slow machine)


def kr(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data), *args],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    if check and r.returncode != 0:
        raise AssertionError(f"{args}: rc={r.returncode}\n{r.stdout}\n{r.stderr}")
    return r


# --- the audio to look for ----------------------------------------------------------------
def pcm_needles(bundle: Path, count: int = 48) -> list[bytes]:
    """Slices of the WAV data of a complete bundle: the first bytes (any partial that got past
    the header holds them: recordings are written first) and slices spread over the rest."""
    with zipfile.ZipFile(bundle) as z:
        (wav,) = [n for n in z.namelist() if n.endswith(".wav")]
        data = z.read(wav)
    pcm = data[data.index(b"data") + 8 :]
    assert len(pcm) > NEEDLE * count, len(pcm)
    step = (len(pcm) - NEEDLE) // (count - 1)
    needles = [pcm[i * step : i * step + NEEDLE] for i in range(count)]
    assert len(set(needles)) == count and all(n.strip(b"\0") for n in needles)
    return needles


@dataclass(frozen=True)
class Found:
    path: Path
    size: int
    needles: int  # how many of the PCM slices are in it


def scan_for_pcm(root: Path, needles: list[bytes]) -> list[Found]:
    """Every file under ``root`` (hidden ones too, links not followed), raw bytes."""
    found = []
    for folder, dirs, files in os.walk(root):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            p = Path(folder) / name
            if p.is_symlink() or not p.is_file():
                continue
            raw = p.read_bytes()
            hits = sum(1 for n in needles if n in raw)
            if hits:
                found.append(Found(p, len(raw), hits))
    return found


# --- the child --------------------------------------------------------------------------
def export_argv(ws, out: Path, mode: str, *extra: str) -> list[str]:
    head = [sys.executable, str(WITHOUT_TMPFILE)] if mode == "fallback" else [
        sys.executable, "-m", "kasuhara_recorder"]  # fmt: skip
    return [
        *head, "--data-dir", str(ws.data), "export", ws.incident_id,
        "--identity", str(ws.identity), "--passphrase-file", str(ws.passphrase_file),
        "--out", str(out), *extra,
    ]  # fmt: skip


@contextlib.contextmanager
def running(argv: list[str], log: Path) -> Iterator[subprocess.Popen]:
    """The child, always killed and reaped, whatever the test does."""
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
        try:
            yield proc
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=60)


def open_destination_file(pid: int, folder: Path) -> Path | None:
    """The /proc link of the file the child has open in ``folder``: its hidden partial, or an
    unnamed O_TMPFILE file (shown as ``folder/#inode (deleted)``)."""
    fd_dir = Path(f"/proc/{pid}/fd")
    prefix = str(folder).rstrip("/") + "/"
    try:
        fds = list(fd_dir.iterdir())
    except OSError:
        return None
    for fd in fds:
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(prefix):
            return fd
    return None


def wait_until(what: str, cond: Callable[[], object], proc: subprocess.Popen) -> object:
    """Poll ``cond`` until it gives something true; fail if the child ends first or at the
    deadline. The short pause only yields the CPU; nothing depends on its length."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        value = cond()
        if value:
            return value
        if proc.poll() is not None:
            return None  # the export ended before the moment came
        if time.monotonic() > deadline:
            pytest.fail(f"waited {DEADLINE_S:.0f} s for {what}")
        time.sleep(0.0005)


@dataclass
class Trial:
    mode: str
    moment: str
    chain_start: int = 0  # audit entries before the child started
    threshold: int = 0
    killed: bool = False
    exit_code: int | None = None
    seen: str = ""  # what the child had done when it was killed
    before: list[Found] = field(default_factory=list)  # PCM on the destination before cleanup
    recover: dict = field(default_factory=dict)  # `recover --json`'s partial_exports
    after: list[Found] = field(default_factory=list)  # PCM on the destination after cleanup
    exported: bool = False  # the chain has this export's bundle.export: the bundle may stay
    events: list[str] = field(default_factory=list)  # audit events the cleanup added

    def line(self) -> str:
        removed = [f"{o['action']} {Path(o['path']).name} ({o['size']} B"
                   f"{', finished' if o.get('complete') else ''})"
                   for o in self.recover.get("partial_exports", [])]  # fmt: skip
        return (
            f"{self.mode:8} {self.moment:7} killed={'yes' if self.killed else 'no '} "
            f"at: {self.seen or '-'}; PCM before cleanup: "
            f"{', '.join(f'{f.path.name} {f.needles} slices' for f in self.before) or 'none'}; "
            f"cleanup: {'; '.join(removed) or 'nothing to do'}; "
            f"PCM after: {', '.join(f'{f.path.name}' for f in self.after) or 'none'}"
            f"{' (the exported bundle, in the chain)' if self.exported else ''}"
        )


def audit_events(data: Path) -> list[dict]:
    from kasuhara_recorder.app.service import AppService

    app = AppService(data)
    try:
        return [{"event": e.event, **e.data} for e in app.audit.entries()]
    finally:
        app.close()


def kill_export(ws, dest: Path, mode: str, moment: str, rng: random.Random, log: Path,
                expected_size: int, below: int | None = None) -> Trial:  # fmt: skip
    """Start the export into ``dest``, SIGKILL it at ``moment``, and look at the destination."""
    trial = Trial(mode, moment, chain_start=len(audit_events(ws.data)))
    out = dest / "bundle.zip"
    records = ws.data / "partial-exports"
    with running(export_argv(ws, out, mode), log) as proc:
        if moment == "record":

            def recorded() -> bool:
                return records.is_dir() and any(n.endswith(".json") for n in os.listdir(records))

            hit = wait_until("the partial-export record", recorded, proc)
            trial.seen = "its record in the data folder"
        elif moment == "writing":
            trial.threshold = rng.randrange(0, below or int(expected_size * 0.95))

            def big_enough() -> str | None:
                link = open_destination_file(proc.pid, dest)
                try:
                    size = os.stat(link).st_size if link else -1
                except OSError:
                    return None
                if size < trial.threshold:
                    return None
                return f"{os.readlink(link).removeprefix(str(dest) + '/')} at {size} B"

            hit = wait_until("the bundle file to grow", big_enough, proc)
            trial.seen = f"{hit} (wanted ≥ {trial.threshold} B)" if hit else ""
        else:
            hit = wait_until("the bundle's name", lambda: os.path.lexists(out), proc)
            trial.seen = "the bundle named"
        if hit and proc.poll() is None:
            proc.kill()
            trial.killed = True
        proc.wait(timeout=60)
        trial.exit_code = proc.returncode
    if not trial.killed:
        trial.seen = f"(ended by itself, exit {trial.exit_code})"
    return trial


def clean_up_and_search(ws, dest: Path, trial: Trial, needles: list[bytes],
                        cleanup: Callable[[], dict]) -> Trial:  # fmt: skip
    """The next start's cleanup (``cleanup``: the CLI's `recover`, or the GUI start-up), then
    the raw bytes of every file on the destination."""
    trial.before = scan_for_pcm(dest, needles)
    n_before = len(audit_events(ws.data))
    trial.recover = cleanup()
    events = audit_events(ws.data)
    trial.events = [e["event"] for e in events[n_before:]]
    trial.after = scan_for_pcm(dest, needles)
    # Only the exported bundle itself may hold the audio, and only with its chain entry (the
    # kill came after the export was complete and entered).
    entered = any(e["event"] == "bundle.export" for e in events[trial.chain_start :])
    trial.exported = entered and [f.path for f in trial.after] == [dest / "bundle.zip"]
    return trial


def kill_and_clean(ws, dest: Path, mode: str, moment: str, rng: random.Random, log: Path,
                   expected_size: int, needles: list[bytes],
                   cleanup: Callable[[], dict]) -> list[Trial]:  # fmt: skip
    """One kill, checked. An export that finished before its moment came (a busy machine can
    starve the watcher) is checked too and tried again, lower down, until a kill lands."""
    trials: list[Trial] = []
    below = None
    for _ in range(8):
        trial = kill_export(ws, dest, mode, moment, rng, log, expected_size, below)
        trials.append(clean_up_and_search(ws, dest, trial, needles, cleanup))
        assert_clean(trial, ws)
        if trial.killed:
            return trials
        (dest / "bundle.zip").unlink()  # the finished, entered bundle: out of the next one's way
        below = max(trial.threshold, 1)
        moment = "writing" if moment == "named" else moment
    pytest.fail("the export always finished before it could be killed:\n"
                + "\n".join(t.line() for t in trials))  # fmt: skip


def recover_cli(ws) -> dict:
    r = kr(ws.data, "--json", "recover")
    return json.loads(r.stdout)


def assert_clean(trial: Trial, ws) -> None:
    assert not trial.after or trial.exported, trial.line()
    if trial.exported:  # what stays is the complete bundle, and it verifies
        assert kr(ws.data, "verify", str(trial.after[0].path), check=False).returncode == 0
    removed = [o for o in trial.recover.get("partial_exports", []) if o["action"] == "removed"]
    assert trial.events.count("bundle.partial_removed") == len(removed), trial.line()
    assert all(o["action"] == "removed" for o in trial.recover.get("partial_exports", [])), (
        trial.line()
    )
    assert not list((ws.data / "partial-exports").glob("*.json")), trial.line()
    again = recover_cli(ws)  # idempotent: the second start finds nothing
    assert again.get("partial_exports", []) == [], again
    assert kr(ws.data, "audit", "verify", check=False).returncode == 0
