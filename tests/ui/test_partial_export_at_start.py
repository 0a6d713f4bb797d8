"""The desktop app's start-up removes what a killed export left on its destination.

A real `kasuhara-recorder export` on the portable path (the O_TMPFILE seam unavailable, as on a
FAT stick or Windows) is SIGKILLed while it writes; the hidden partial file, plaintext audio, is
on the destination (a tmpfs made for the test). The main window is then opened on the same data
folder: before 録音開始 is enabled the partial file is gone, the removal is in the audit chain,
and no byte of the exported PCM is left in any file on that filesystem.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.main_window import MainWindow
from tests.bundle.conftest import make_workstation
from tests.support.export_kill import (
    assert_clean,
    clean_up_and_search,
    kill_export,
    pcm_needles,
    scan_for_pcm,
)


@pytest.fixture
def stick(tmp_path: Path):
    point = tmp_path / "stick"
    point.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(point)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the destination (needs root): {r.stderr}")
    yield point
    subprocess.run(["umount", str(point)], check=False)


def test_start_up_removes_the_partial_bundle_a_killed_export_left(qtbot, tmp_path, stick):
    ws = make_workstation(tmp_path / "ws", seconds=30.0)
    reference = tmp_path / "reference.zip"
    ws.export(reference)
    needles, size = pcm_needles(reference), reference.stat().st_size
    reference.unlink()

    rng = random.Random()
    trial = kill_export(ws, stick, "fallback", "writing", rng, tmp_path / "child.log", size,
                        below=size // 2)  # fmt: skip
    assert trial.killed, trial.line()
    (partial,) = stick.iterdir()
    assert partial.name.startswith(".bundle.zip.") and partial.name.endswith(".partial")

    service = AppService(ws.data)
    windows = []

    def start_the_app() -> dict:
        window = MainWindow(service)
        qtbot.addWidget(window)
        windows.append(window)
        assert window.recovering and not window.record_panel.record_button.isEnabled()
        with qtbot.waitSignal(window.partial_exports_swept, timeout=60_000) as swept:
            window.show()
        qtbot.waitUntil(lambda: not window.recovering, timeout=30_000)
        return {"partial_exports": [
            {"action": o.action, "path": str(o.path), "size": o.size, "complete": o.complete}
            for o in swept.args[0]
        ]}  # fmt: skip

    try:
        trial = clean_up_and_search(ws, stick, trial, needles, start_the_app)
        print(trial.line())
        assert [f.path for f in trial.before] == [partial], trial.line()  # plaintext was there
        assert list(stick.iterdir()) == [] and scan_for_pcm(stick, needles) == []
        (o,) = trial.recover["partial_exports"]
        assert (o["action"], o["path"]) == ("removed", str(partial))
        (entry,) = [e for e in service.audit.entries() if e.event == "bundle.partial_removed"]
        assert entry.subject == f"incident:{ws.incident_id}"
        assert entry.data["path"] == str(partial) and entry.data["size"] == o["size"] > 0
        window = windows[0]
        assert "中断した書き出しが残したファイルを削除しました（1 件）" in (
            window.statusBar().currentMessage()
        )
        assert window.record_panel.record_button.isEnabled()
    finally:
        for w in windows:
            w.close()
        service.close()
    assert_clean(trial, ws)
