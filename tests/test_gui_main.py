"""The GUI-only entry of the frozen app (``KasuharaRecorder``, console=False): on Windows it has
no console, so Python starts with ``sys.stdout`` and ``sys.stderr`` None. Here a fresh
interpreter is started the same way and must open the window until it is ready to record."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyrage

CHILD = """
import sys
sys.stdout = None  # as a console=False Windows build starts
sys.stderr = None
result = sys.argv[2]
sys.argv = ["KasuharaRecorder", "--data-dir", sys.argv[1]]
from kasuhara_recorder.cli import gui_main
code = gui_main()
with open(result, "w") as f:  # what the user would see: the app ran and ended cleanly
    f.write(str(code))
"""


def test_the_console_less_gui_entry_starts_without_stdout_or_stderr(
    tmp_path: Path, data_dir: Path
) -> None:
    recipient = str(pyrage.x25519.Identity.generate().to_public())
    setup = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data_dir), "setup",
         "--org-recipient", recipient, "--keep-input-open", "no"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert setup.returncode == 0, setup.stderr
    result = tmp_path / "exit-code"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "KASUHARA_SMOKE_READY": "1"}
    proc = subprocess.run(
        [sys.executable, "-c", CHILD, str(data_dir), str(result)],
        capture_output=True, text=True, timeout=60, env=env,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert result.read_text() == "0"  # READY went nowhere, and the window quit when ready
    log = (data_dir / "logs" / "kasuhara.log").read_text(encoding="utf-8")
    assert "Traceback" not in log and "uncaught" not in log
