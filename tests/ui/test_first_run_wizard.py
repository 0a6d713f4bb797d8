"""初期設定: the app started on an empty data folder shows the first-run wizard, and it leads to
a window ready to record — with the officer's recipient imported, or with an evaluation
identity made here (the file is where the wizard said, opens with the passphrase, and decrypts
what this PC sealed); devices tested through the null sink (a tone shows on the meter, silence
does not); a central store that cannot be reached is said and can be skipped."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.evidence.org_identity import unlock_identity
from kasuhara_recorder.ui.app import GuiController
from kasuhara_recorder.ui.first_run_wizard import (
    PAGE_CENTRAL,
    PAGE_DEVICES,
    PAGE_ORG_CREATED,
    PAGE_RECIPIENT,
    PAGE_WORKSTATION,
    FirstRunWizard,
)
from tests.support.recordings import routine_recording
from tests.support.signals import tone, write_wav
from tests.ui.conftest import settle, type_ja

PASSPHRASE = "木曜日 river candle 42 orbit"


@pytest.fixture(autouse=True)
def _sound_server_first(pulse_server):
    """The task runner (ui/preload.py) and the window load PortAudio, which lists the devices
    it finds then, once: the test PulseAudio server is up before, whatever ran first."""


@pytest.fixture
def fresh(data_dir: Path):
    app = AppService(data_dir)
    yield app
    app.close()


@pytest.fixture
def started(fresh):
    """The app as started on the empty folder: its window, and the wizard it opened. A test
    with the null sink asks for ``pulse_sink`` first: the sink outlives the window, whose input
    kept open (after 完了) is closed before the sink goes."""
    controller = GuiController(fresh, "ja")
    window = controller.show()
    wizard = window.findChild(FirstRunWizard)
    yield window, wizard
    window.discard()
    controller.translators.install("ja")


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def next_page(qtbot, wizard, expect: int) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    qtbot.waitUntil(lambda: wizard.currentId() == expect, timeout=30_000)


def fill_workstation(qtbot, wizard) -> None:
    page = wizard.workstation_page
    page.department.clear()
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == PAGE_WORKSTATION
    assert "所属を入力してください" in page.message.text()
    page.workstation_name.setText("counter-07")
    type_ja(qtbot, page.department, "市民課 住民係")
    type_ja(qtbot, page.staff_name, "窓口 花子")
    next_page(qtbot, wizard, PAGE_DEVICES)


def finish(qtbot, wizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))


@pytest.mark.pulse
def test_evaluation_from_an_empty_folder_to_a_ready_window(
    qtbot, pulse_sink, started, fresh, tmp_path
):
    window, wizard = started
    assert wizard is not None and wizard.isVisible() and not window.is_set_up()
    assert not window.record_panel.record_button.isEnabled()
    page = wizard.recipient_page
    click(qtbot, page.evaluate_choice)
    key_folder = tmp_path / "officer-usb" / "org-key"
    page.key_folder.setText(str(key_folder))

    page.passphrase.setText("short")  # weak: said, nothing made
    page.passphrase_again.setText("short")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == PAGE_RECIPIENT
    assert "パスフレーズが弱すぎます" in page.message.text()
    page.passphrase.setText(PASSPHRASE)  # mistyped the second time: said, nothing made
    page.passphrase_again.setText(PASSPHRASE + "x")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert "一致しません" in page.message.text() and not key_folder.exists()

    page.passphrase_again.setText(PASSPHRASE)
    next_page(qtbot, wizard, PAGE_ORG_CREATED)
    identity_file = key_folder / "org-identity.age"
    said = wizard.org_created_page.text.text()
    assert str(identity_file) in said and identity_file.exists()
    warning = wizard.org_created_page.warning.text()
    assert "証拠管理担当者が保管する" in warning and "窓口の端末に置いたままにしないで" in warning
    assert page.passphrase.text() == ""  # not kept in the widget
    next_page(qtbot, wizard, PAGE_WORKSTATION)
    fill_workstation(qtbot, wizard)

    devices = wizard.devices_page
    with qtbot.waitSignal(devices.phone.tested, timeout=15_000) as silent:
        click(qtbot, devices.phone.test_button)  # nothing plays into the sink yet
    assert silent.args[0] <= -60 and "音声が届いていません" in devices.phone.result.text()
    player = pulse_sink.play(write_wav(tmp_path / "voice.wav", tone(440, 8.0, amplitude=0.3)))
    try:
        with qtbot.waitSignal(devices.counter.tested, timeout=15_000) as heard:
            click(qtbot, devices.counter.test_button)
            qtbot.waitUntil(lambda: devices.counter.meter.level_db > -30, timeout=10_000)
    finally:
        player.kill()
        player.wait()
    assert heard.args[0] > -30 and "音声が届いています" in devices.counter.result.text()
    devices.phone.samplerate.setCurrentIndex(devices.phone.samplerate.findData(16000))
    assert not fresh.paths.settings.exists()  # nothing saved before 完了
    next_page(qtbot, wizard, PAGE_CENTRAL)

    with qtbot.waitSignal(wizard.setup_done, timeout=20_000):
        finish(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    qtbot.waitUntil(lambda: window.record_panel.record_button.isEnabled(), timeout=10_000)
    assert not window.setup_banner.isVisible()
    s = fresh.settings
    recipient = (key_folder / "org-recipient.txt").read_text().strip()
    assert s.org_recipients == (recipient,)
    assert (s.workstation_name, s.department, s.staff_name) == (
        "counter-07", "市民課 住民係", "窓口 花子",
    )  # fmt: skip
    assert s.phone.samplerate == 16000
    assert "窓口 花子" in window.status_label.text()
    assert [e.event for e in fresh.audit.entries()] == ["workstation.setup"]
    assert not any(fresh.paths.root.rglob("org-identity.age"))  # not in the data folder

    # the identity unlocks with the passphrase and opens what this PC sealed
    identity = unlock_identity(identity_file, PASSPHRASE)
    assert str(identity.to_public()) == recipient
    settle(qtbot, window)
    manifest = routine_recording(fresh, tmp_path, seconds=0.5)
    rec = fresh.recordings.get(manifest.id)
    sealed = fresh.vault.file(rec.sealed_file).read_bytes()
    pcm = pyrage.decrypt(sealed, [identity])
    assert len(pcm) == manifest.frames * 2 and any(pcm)


@pytest.mark.pulse
def test_import_with_a_central_store_not_reached_is_skipped(
    qtbot, pulse_sink, started, fresh, tmp_path
):
    window, wizard = started
    page = wizard.recipient_page
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))  # nothing pasted
    assert "1 つ以上入力してください" in page.message.text()
    type_ja(qtbot, page.recipients_edit, "age1notarealkey")
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))
    assert wizard.currentId() == PAGE_RECIPIENT
    assert "公開鍵が正しくありません" in page.message.text()
    officer = pyrage.x25519.Identity.generate()
    rfile = tmp_path / "org-recipient.txt"
    rfile.write_text(f"# evidence officer\n{officer.to_public()}\n")
    page.recipients_edit.clear()
    assert page.load_file(rfile)
    next_page(qtbot, wizard, PAGE_WORKSTATION)
    fill_workstation(qtbot, wizard)
    next_page(qtbot, wizard, PAGE_CENTRAL)

    central = wizard.central_page
    central.url.setText("postgresql://counter07@127.0.0.1:9/kasuhara")  # nothing listens
    finish(qtbot, wizard)
    qtbot.waitUntil(lambda: central.skip.isVisible(), timeout=30_000)
    assert wizard.isVisible()
    assert "中央保管庫に参加できませんでした" in central.message.text()
    assert fresh.is_set_up  # the PC is set up; only the join failed
    click(qtbot, central.skip)
    with qtbot.waitSignal(wizard.setup_done, timeout=10_000):
        finish(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    qtbot.waitUntil(lambda: window.record_panel.record_button.isEnabled(), timeout=10_000)
    s = fresh.settings
    assert s.org_recipients == (str(officer.to_public()),) and s.central_url == ""
    assert [e.event for e in fresh.audit.entries()] == ["workstation.setup"]  # set up once
    settle(qtbot, window)


def test_cancelled_the_banner_brings_it_back(qtbot, started, fresh):
    window, wizard = started
    wizard.reject()
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert window.setup_banner.isVisible() and not fresh.paths.settings.exists()
    with qtbot.waitSignal(window.dialog_opened) as opened:
        click(qtbot, window.setup_button)
    again = opened.args[0]
    assert isinstance(again, FirstRunWizard)
    again.reject()


@pytest.mark.pulse
def test_the_central_store_it_gave_is_joined(qtbot, pulse_sink, started, fresh, central):
    window, wizard = started
    type_ja(qtbot, wizard.recipient_page.recipients_edit, str(central.org.to_public()))
    next_page(qtbot, wizard, PAGE_WORKSTATION)
    fill_workstation(qtbot, wizard)
    next_page(qtbot, wizard, PAGE_CENTRAL)
    url = central.url(central.login("counter"))
    wizard.central_page.url.setText(url)
    with qtbot.waitSignal(wizard.setup_done, timeout=30_000):
        finish(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert fresh.settings.central_url == url
    assert [e.event for e in fresh.audit.entries()][:2] == ["workstation.setup", "central.join"]
    fp = fresh.identity.key.fingerprint
    assert (
        central.sql(f"SELECT count(*) FROM kasuhara.workstations WHERE fingerprint = '{fp}'") == "1"
    )
    assert window.sync_line is not None  # the status bar's central-store line, without a restart
    settle(qtbot, window)
