"""Retention at app start, as a counter PC meets it: a routine recording past its period is
deleted in the background once the window is ready, the status bar says so, and the chain has
the entry; a recording inside its period stays."""

from __future__ import annotations

import datetime as dt

from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.recordings import routine_recording


def test_the_window_purges_what_is_past_its_period_after_it_is_ready(qtbot, service, tmp_path):
    old = routine_recording(service, tmp_path)
    recent = routine_recording(service, tmp_path)
    # the clock between the two recordings' 30th day: only the first is due
    first = dt.datetime.fromisoformat(old.ended_at)
    second = dt.datetime.fromisoformat(recent.ended_at)
    service.retention.clock = lambda: first + dt.timedelta(days=30) + (second - first) / 2

    window = MainWindow(service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.retention_ran, timeout=30_000) as ran:
        window.show()
    assert ran.args[0].purged == (f"recording:{old.id}",)
    assert "1 件を削除しました" in window.statusBar().currentMessage()
    assert not service.vault.sealed(old.id).exists()
    assert service.vault.sealed(recent.id).exists()
    assert window.record_panel.record_button.isEnabled()
    assert [e.data["trigger"] for e in service.audit.entries()
            if e.event == "retention.purge"] == ["app_start"]  # fmt: skip
    assert service.verify_audit().ok
