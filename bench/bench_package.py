"""The frozen app (`make package`): launch → ready-to-record window, next to the venv's launch of
the same entry point, and the size of the frozen folder and the .deb.

Both are fresh processes, offscreen, on one set-up data folder, timed from spawn until the app
prints READY (``KASUHARA_SMOKE_READY=1``, ui/ready_signal.py: painted, 録音開始 enabled), runs
interleaved so the machine's noise hits both alike; the median of each. Target ≤ 1.2× the venv.
The folder is built first when dist/ has none (packaging/build.py).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.report import Figure, Report
from kasuhara_recorder import __version__

ROOT = Path(__file__).resolve().parent.parent
FOLDER = ROOT / "dist" / "kasuhara-recorder"


def _deb() -> Path | None:
    found = sorted((ROOT / "dist").glob(f"kasuhara-recorder_{__version__}_*.deb"))
    return found[0] if found else None


def launch(binary: str, data: str) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KASUHARA_SMOKE_READY": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(
        [binary, "--data-dir", data], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=env, text=True,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        elapsed = time.perf_counter() - t
        if "READY" not in line:
            raise RuntimeError(f"{binary} did not become ready: {line!r}")
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return elapsed


def _mib(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.lstat().st_size for p in path.rglob("*") if not p.is_dir()) / 2**20


def run(report: Report, quick: bool) -> None:
    if not (FOLDER / "kasuhara-recorder").is_file() or _deb() is None:
        subprocess.run([sys.executable, str(ROOT / "packaging" / "build.py")], check=True)
    frozen = str(FOLDER / "kasuhara-recorder")
    venv = str(Path(sys.executable).with_name("kasuhara-recorder"))
    repeat = 3 if quick else 7
    # as installed (pip compiles bytecode): a checkout run with PYTHONDONTWRITEBYTECODE would
    # otherwise recompile every module at each venv launch (bench_startup.py does the same)
    package = str(ROOT / "kasuhara_recorder")
    subprocess.run([sys.executable, "-m", "compileall", "-q", package], check=True, timeout=120)
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "data")
        import pyrage

        recipient = str(pyrage.x25519.Identity.generate().to_public())
        subprocess.run(
            [frozen, "--data-dir", data, "setup", "--org-recipient", recipient,
             "--workstation-name", "bench-counter"],
            check=True, timeout=120, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        launch(frozen, data)  # the first run migrates nothing more and warms the file cache
        launch(venv, data)
        ours, base = [], []
        for _ in range(repeat):
            base.append(launch(venv, data))
            ours.append(launch(frozen, data))
    report.add(
        Figure(
            "package: frozen launch → ready window (median)",
            statistics.median(ours),
            "s",
            baseline_name="the venv's kasuhara-recorder",
            baseline=statistics.median(base),
            target_ratio=1.2,
        )  # fmt: skip
    )
    report.add(Figure("package: frozen folder dist/kasuhara-recorder", _mib(FOLDER), "MiB"))
    deb = _deb()
    if deb is not None:
        report.add(Figure(f"package: {deb.name}", _mib(deb), "MiB"))
