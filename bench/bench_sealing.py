"""Sealing speed and memory: the app's SealedWriter (age + both SHA-256s + fsynced checkpoints)
against Debian `age -r` encrypting the same file alone and `sha256sum` of it, in one run.

Two placements: RAM (/dev/shm, where fsync is free, so the ratio is the CPU cost of the
pipeline and the hashes) and the data disk (the writer fsyncs as it goes; the baseline is
`age` followed by `sync`, so both end with the data durable). Peak RSS is measured in a fresh
subprocess for 1 GiB and for 100 MiB.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure, Report, run_cmd_timed

WRITER = r"""
import sys, time
from pathlib import Path
from kasuhara_recorder.evidence.sealed_writer import SealedWriter
src, out, recipient = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
t = time.perf_counter()
w = SealedWriter(out, [recipient])
with open(src, "rb", buffering=0) as f:
    buf = bytearray(1 << 20)
    view = memoryview(buf)
    while n := f.readinto(buf):
        w.write(view[:n])
r = w.close()
wall = time.perf_counter() - t
# VmHWM, not ru_maxrss: Linux carries the parent's peak into a child across fork and exec.
with open("/proc/self/status") as f:
    rss = next(int(line.split()[1]) for line in f if line.startswith("VmHWM:"))  # KiB
print(wall, rss, r.pcm_sha256)
"""


def _make_input(path: Path, size: int) -> None:
    block = os.urandom(1 << 20)  # incompressible; repeated blocks are fine for timing
    with open(path, "wb") as f:
        for _ in range(size >> 20):
            f.write(block)


def _writer(src: Path, out: Path, recipient: str) -> tuple[float, float, str]:
    for p in (out, Path(str(out) + ".journal")):
        p.unlink(missing_ok=True)
    res = subprocess.run(
        [sys.executable, "-c", WRITER, str(src), str(out), recipient],
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    wall, rss, digest = res.stdout.split()
    return float(wall), float(rss) / 1024, digest


def _age(src: Path, out: Path, recipient: str, then_sync: bool) -> float:
    out.unlink(missing_ok=True)
    t = time.perf_counter()
    subprocess.run(["age", "-r", recipient, "-o", str(out), str(src)], check=True)
    if then_sync:
        subprocess.run(["sync", str(out)], check=True)
    return time.perf_counter() - t


def run(report: Report, quick: bool) -> None:
    import pyrage

    if not shutil.which("age"):
        print("age not installed; skipping the sealing bench")
        return
    size = (128 if quick else 1024) << 20
    label = f"{size >> 20} MiB"
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    disk_dir = Path(tempfile.mkdtemp(prefix="kasuhara-bench-", dir=Path.home()))
    shm = Path("/dev/shm")
    ram_dir = Path(tempfile.mkdtemp(prefix="kasuhara-bench-", dir=shm)) if shm.is_dir() else None
    try:
        src = disk_dir / "input.pcm"
        _make_input(src, size)
        subprocess.run(["cat", str(src)], stdout=subprocess.DEVNULL, check=True)  # warm cache

        sha_wall, _ = run_cmd_timed(["sha256sum", str(src)], stdout=subprocess.DEVNULL)
        if ram_dir is not None:
            # best of three each, alternating writer and age, to damp other load on the machine
            ws, ages = [], []
            for _ in range(3):
                ws.append(_writer(src, ram_dir / "w.age", recipient)[0])
                ages.append(_age(src, ram_dir / "a.age", recipient, False))
            w, a = min(ws), min(ages)
            report.add(Figure(f"seal {label} to RAM (age + 2×SHA-256)", w, "s",
                              "age -r alone", a, target_ratio=1.5))  # fmt: skip
            report.add(Figure(f"seal {label} to RAM vs sha256sum", w, "s", "sha256sum", sha_wall))
            # the settled guard: what sealing replaces, age and the two hashes run one by one
            report.add(Figure(f"seal {label} to RAM vs age + two sha256sum", w, "s",
                              "age -r + 2× sha256sum", a + 2 * sha_wall,
                              target_ratio=0.35))  # fmt: skip
            (ram_dir / "w.age").unlink(missing_ok=True)
            (ram_dir / "a.age").unlink(missing_ok=True)
        subprocess.run(["sync"], check=True)
        w_disk, rss_big, _ = _writer(src, disk_dir / "w.age", recipient)
        subprocess.run(["sync"], check=True)
        a_disk = _age(src, disk_dir / "a.age", recipient, True)
        report.add(Figure(f"seal {label} to disk, fsynced", w_disk, "s",
                          "age -r + sync", a_disk, target_ratio=1.5))  # fmt: skip
        for p in ("w.age", "w.age.journal", "a.age"):
            (disk_dir / p).unlink(missing_ok=True)

        small = disk_dir / "small.pcm"
        _make_input(small, 100 << 20)
        _, rss_small, _ = _writer(small, disk_dir / "s.age", recipient)
        report.add(Figure(f"writer peak RSS, {label}", rss_big, "MiB",
                          "peak RSS, 100 MiB", rss_small, target_abs=rss_small + 8))  # fmt: skip
    finally:
        shutil.rmtree(disk_dir, ignore_errors=True)
        if ram_dir is not None:
            shutil.rmtree(ram_dir, ignore_errors=True)
