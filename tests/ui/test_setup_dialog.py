"""First run: a workstation with no organisation recipient (a fresh `make run`) does not pretend
it can record. The banner says so, 録音開始 and F9 do nothing, and IT's 端末設定 dialog refuses a
bad recipient (nothing saved) and, with good ones, makes recording possible at once."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from PySide6.QtCore import Qt

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.main_window import MainWindow
from kasuhara_recorder.ui.setup_dialog import SetupDialog
from tests.ui.conftest import activate, language, type_ja, wait_for_audio, wait_stop_allowed


@pytest.fixture
def fresh(data_dir: Path):
    app = AppService(data_dir)
    yield app
    app.close()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def new_recipient() -> str:
    return str(pyrage.x25519.Identity.generate().to_public())


@pytest.mark.pulse
def test_not_set_up_window_refuses_to_record_until_setup(qtbot, fresh, pulse_sink, tmp_path):
    window = MainWindow(fresh)
    qtbot.addWidget(window)
    activate(qtbot, window)
    assert window.setup_banner.isVisible()
    assert (
        "この端末は未設定です"
        in window.findChild(type(window.status_label), "SetupBannerText").text()
    )
    button = window.record_panel.record_button
    assert not button.isEnabled()
    qtbot.keyClick(window, Qt.Key.Key_F9)  # the shortcut does nothing either
    assert window.tasks.pending == 0  # F9 acts at once: a start would be a task by now
    assert not window.controller.active and not window.record_panel.busy

    with qtbot.waitSignal(window.dialog_opened) as opened:  # the banner opens the wizard
        window.menu_actions["setup"].trigger()
    dialog: SetupDialog = opened.args[0]
    assert isinstance(dialog, SetupDialog)

    # a bad recipient: a plain message, nothing saved
    type_ja(qtbot, dialog.recipients, "age1thisisnotarealkey")
    type_ja(qtbot, dialog.staff_name, "窓口 花子")
    click(qtbot, dialog.save_button)
    assert dialog.message.isVisible()
    assert "公開鍵が正しくありません" in dialog.message.text()
    assert "何も保存していません" in dialog.message.text()
    assert not fresh.paths.settings.exists()
    assert not fresh.paths.workstation_key.exists()
    assert not window.is_set_up() and not button.isEnabled()

    # good ones: one pasted, one from the officer's org-recipient.txt
    pasted, from_file = new_recipient(), new_recipient()
    dialog.recipients.clear()
    type_ja(qtbot, dialog.recipients, pasted)
    rfile = tmp_path / "org-recipient.txt"
    rfile.write_text(f"# officer 2\n{from_file}\n")
    assert dialog.load_file(rfile)
    dialog.department.clear()
    type_ja(qtbot, dialog.department, "市民課 住民係")
    dialog.workstation_name.clear()
    type_ja(qtbot, dialog.workstation_name, "counter-07")
    with qtbot.waitSignal(dialog.setup_done, timeout=10_000):
        click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not window.setup_banner.isVisible())
    assert button.isEnabled()
    s = fresh.settings
    assert s.org_recipients == (pasted, from_file)
    assert (s.workstation_name, s.staff_name, s.department) == (
        "counter-07", "窓口 花子", "市民課 住民係",
    )  # fmt: skip
    assert "窓口 花子" in window.status_label.text()
    assert [e.event for e in fresh.audit.entries()] == ["workstation.setup"]

    # and 録音開始 now records, sealed for both recipients
    with qtbot.waitSignal(window.controller.started, timeout=10_000):
        click(qtbot, button)
    wait_for_audio(qtbot, window, 0.5)
    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        click(qtbot, button)
    shown.args[0].reject()
    (rec,) = fresh.recordings.list()
    assert rec.manifest.recipients == (pasted, from_file)


def test_recipient_file_with_a_bad_line_changes_nothing(qtbot, fresh, tmp_path):
    dialog = SetupDialog(fresh)
    qtbot.addWidget(dialog)
    dialog.show()
    good = new_recipient()
    type_ja(qtbot, dialog.recipients, good)
    bad = tmp_path / "recipients.txt"
    bad.write_text(f"{new_recipient()}\nAGE-SECRET-KEY-1NOTAPUBLICKEY\n")
    assert not dialog.load_file(bad)
    assert "公開鍵が正しくありません" in dialog.message.text()
    assert dialog.recipients.toPlainText() == good
    assert not fresh.paths.settings.exists()


def test_empty_recipients_are_refused(qtbot, fresh):
    with language("en"):
        dialog = SetupDialog(fresh)
        qtbot.addWidget(dialog)
        dialog.show()
        click(qtbot, dialog.save_button)
        assert dialog.message.isVisible() and dialog.isVisible()
    assert not fresh.workstation.is_set_up
