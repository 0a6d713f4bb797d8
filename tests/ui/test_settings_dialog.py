"""設定: an invalid value is refused with a message naming its field (nothing saved, its tab
shown), a valid change is written to settings.json and entered in the chain as settings.change
with what changed, and the roles are editable only where none are set up or by an officer."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.ui.main_window import MainWindow
from kasuhara_recorder.ui.settings_dialog import SettingsDialog
from tests.ui.conftest import language, settle

# The dialog lists the input devices when it opens: PortAudio is first loaded with the test
# PulseAudio server up (a PortAudio loaded without it lists no device for the rest of the run).
pytestmark = pytest.mark.pulse


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


@pytest.fixture
def dialog(qtbot, pulse_sink, service):
    d = SettingsDialog(service)
    qtbot.addWidget(d)
    d.show()
    yield d
    d.tasks.wait()


def refused(qtbot, dialog) -> str:
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: not dialog.busy and dialog.message.isVisible(), timeout=10_000)
    assert dialog.isVisible()
    return dialog.message.text()


def test_a_role_without_a_user_is_refused_naming_the_row(qtbot, dialog, service):
    before = service.paths.settings.read_bytes()
    dialog.tabs.setCurrentIndex(0)
    click(qtbot, dialog.add_role)
    text = refused(qtbot, dialog)
    assert "「役割 1 行目のOS ユーザー」の値が正しくありません" in text
    assert "保存していません" in text
    assert dialog.tabs.currentIndex() == 2  # the roles tab, where the row is
    assert service.paths.settings.read_bytes() == before
    assert [e.event for e in service.audit.entries()] == ["workstation.setup"]


def test_a_policy_profile_that_does_not_load_is_refused(qtbot, dialog, service, tmp_path):
    bad = tmp_path / "policy.toml"
    bad.write_text("[profile\nid = 1\n", encoding="utf-8")
    dialog.profile.setText(str(bad))
    text = refused(qtbot, dialog)
    assert "「対応方針ファイル」の値が正しくありません" in text and str(bad) in text
    assert dialog.tabs.currentIndex() == 1
    assert service.settings.profile == ""


def test_a_valid_change_is_saved_and_entered_in_the_chain(qtbot, dialog, service):
    dialog.idle_lock.setValue(25)
    dialog.pre_event.setValue(5)
    dialog.counter.samplerate.setCurrentIndex(dialog.counter.samplerate.findData(16000))
    row = dialog.add_role_row(RoleGrant("", "supervisor"))
    dialog.roles.item(row, 0).setText("tanaka")
    dialog.roles.item(row, 2).setText("市民課、税務課")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click(qtbot, dialog.save_button)
    assert not dialog.isVisible()
    change = saved.args[0]
    assert set(change.changed) == {"idle_lock_minutes", "pre_event_seconds", "counter", "roles"}

    on_disk = json.loads(service.paths.settings.read_bytes())
    assert on_disk["idle_lock_minutes"] == 25 and on_disk["pre_event_seconds"] == 5
    assert on_disk["counter"]["samplerate"] == 16000
    assert on_disk["roles"] == [
        {"user": "tanaka", "role": "supervisor", "departments": ["市民課", "税務課"]}
    ]
    entry = service.audit.entries()[-1]
    assert entry.event == "settings.change"
    assert entry.data["changed"]["idle_lock_minutes"] == {"from": 10, "to": 25}
    assert entry.data["changed"]["counter"]["to"]["samplerate"] == 16000
    assert service.verify_audit().ok


def test_nothing_changed_writes_nothing(qtbot, dialog, service):
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click(qtbot, dialog.save_button)
    assert saved.args[0].changed == {}
    assert [e.event for e in service.audit.entries()] == ["workstation.setup"]


def test_only_an_officer_changes_the_roles(qtbot, pulse_sink, service):
    grants = (RoleGrant("officer-1", "officer"), RoleGrant("sup-1", "supervisor", ("市民課",)))
    service.save_settings(service.settings.with_changes(roles=grants))
    d = SettingsDialog(service)
    qtbot.addWidget(d)
    assert not d.roles_editable and not d.add_role.isEnabled()
    assert d.roles.rowCount() == 2 and d.read_roles() == grants
    d.idle_lock.setValue(30)  # what the role may change still saves
    with qtbot.waitSignal(d.saved, timeout=10_000):
        d.save()
    assert service.settings.idle_lock_minutes == 30
    with pytest.raises(RoleRefused):  # the service refuses it too, not only the table
        service.settings_changes.save(service.settings.with_changes(roles=grants[:1]))
    assert service.settings.roles == grants


def test_the_dialog_opens_from_the_menu_and_in_english(qtbot, pulse_sink, service):
    with language("en"):
        window = MainWindow(service)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.dialog_opened) as opened:
            window.menu_actions["settings"].trigger()
        d = opened.args[0]
        assert isinstance(d, SettingsDialog)
        assert d.windowTitle() == "Settings"
        d.add_role_row(RoleGrant("", "officer"))
        click(qtbot, d.save_button)
        qtbot.waitUntil(lambda: d.message.isVisible(), timeout=10_000)
        assert "roles, row 1: OS user" in d.message.text()
        d.reject()
        settle(qtbot, window)


def test_a_language_change_rebuilds_the_window_in_it(qtbot, pulse_sink, gui, service):
    controller = gui("ja")
    window = controller.show()
    with qtbot.waitSignal(window.dialog_opened) as opened:
        window.open_settings()
    d = opened.args[0]
    d.language.setCurrentIndex(d.language.findData("en"))
    with qtbot.waitSignal(d.saved, timeout=10_000):
        d.save()
    qtbot.waitUntil(lambda: controller.window is not window, timeout=10_000)
    assert controller.window.menu_actions["settings"].text() == "Settings…"
    assert service.settings.language == "en"
    assert service.audit.entries()[-1].data["changed"]["language"] == {"from": "ja", "to": "en"}
    settle(qtbot, controller.window)


def test_the_organisation_tab_sets_retention_and_the_tsa_and_refuses_a_bad_ca(
    qtbot, dialog, service, tmp_path, tsa_keys
):
    not_a_ca = tmp_path / "ca.txt"
    not_a_ca.write_text("これは証明書ではありません", encoding="utf-8")
    dialog.tsa_url.setText("http://127.0.0.1:9/tsa")
    text = refused(qtbot, dialog)  # a TSA without its CA file
    assert "タイムスタンプ局の CA 証明書" in text and dialog.tabs.currentIndex() == 3
    dialog.tsa_ca.setText(str(not_a_ca))
    assert "タイムスタンプ局の CA 証明書" in refused(qtbot, dialog)
    assert service.settings.tsa_url == ""

    dialog.tsa_ca.setText(str(tsa_keys.ca))
    dialog.retention_routine.setValue(60)
    dialog.organisation_name.setText("テスト市")
    with qtbot.waitSignal(dialog.saved, timeout=10_000) as saved:
        click(qtbot, dialog.save_button)
    assert set(saved.args[0].changed) == {
        "tsa_url", "tsa_ca", "retention_routine_days", "organisation_name",
    }  # fmt: skip
    s = service.settings
    assert (s.tsa_url, s.tsa_ca, s.retention_routine_days) == (
        "http://127.0.0.1:9/tsa", str(tsa_keys.ca), 60,
    )  # fmt: skip
    entry = service.audit.entries()[-1]
    assert entry.event == "settings.change"
    assert entry.data["changed"]["retention_routine_days"] == {"from": 30, "to": 60}


def test_only_an_officer_changes_the_organisations_settings(qtbot, pulse_sink, service):
    service.save_settings(service.settings.with_changes(
        roles=(RoleGrant("officer-1", "officer"),)))  # fmt: skip
    d = SettingsDialog(service)
    qtbot.addWidget(d)
    assert not d.organisation_editable and not d.retention_closed.isEnabled()
    assert d.findChild(QLabel, "organisation_locked") is not None
    with pytest.raises(RoleRefused):  # a shorter retention deletes evidence sooner
        service.settings_changes.save(service.settings.with_changes(retention_closed_days=30))
    assert service.settings.retention_closed_days == 1826
    d.tasks.wait()
