"""監査記録: the chain of one incident or all, filtered by event and by actor, and the chain
check that names and selects the first broken entry after a byte of one row was flipped in the
SQLite file; a counter worker gets no viewer (the menu has none and the service refuses)."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt

from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.ui.audit_viewer import AuditViewer
from kasuhara_recorder.ui.main_window import MainWindow
from tests.support.workstation import STAFF
from tests.ui.conftest import language, settle

SUPERVISOR = "所属長 次郎"


@pytest.fixture(autouse=True)
def _sound_server_first(pulse_server):
    """The task runner (ui/preload.py) and the window load PortAudio, which lists the devices
    it finds then, once: the test PulseAudio server is up before, whatever ran first."""


def two_incidents(service):
    first = service.incidents.create()
    second = service.incidents.create()
    service.save_settings(service.settings.with_changes(staff_name=SUPERVISOR))
    service.incidents.set_legal_hold(first.id, True, "訴訟の予告")
    service.save_settings(service.settings.with_changes(staff_name=STAFF))
    return first, second


def open_viewer(qtbot, service, incident_id=None) -> AuditViewer:
    viewer = AuditViewer(service, incident_id=incident_id)
    qtbot.addWidget(viewer)
    with qtbot.waitSignal(viewer.loaded, timeout=10_000):
        viewer.show()
    return viewer


def test_the_chain_filters_by_event_and_by_actor(qtbot, service):
    first, second = two_incidents(service)
    viewer = open_viewer(qtbot, service)
    events = [e.event for e in viewer.shown_entries()]
    assert events == ["workstation.setup", "incident.create", "incident.create",
                      "incident.legal_hold"]  # fmt: skip
    assert viewer.model.rowCount() == 4

    viewer.event_filter.setCurrentIndex(viewer.event_filter.findText("incident.create"))
    shown = viewer.shown_entries()
    assert [e.subject for e in shown] == [f"incident:{first.id}", f"incident:{second.id}"]
    assert "4 件中 2 件を表示" in viewer.count_label.text()

    viewer.event_filter.setCurrentIndex(0)  # すべての種類
    viewer.actor_filter.setCurrentIndex(viewer.actor_filter.findText(SUPERVISOR))
    (held,) = viewer.shown_entries()
    assert held.event == "incident.legal_hold"
    row_text = [viewer.proxy.index(0, c).data() for c in range(6)]
    assert row_text[2] == SUPERVISOR and "訴訟の予告" in row_text[5]
    assert "legal_hold: true" in row_text[5]

    viewer.event_filter.setCurrentIndex(viewer.event_filter.findText("incident.create"))
    assert viewer.shown_entries() == []  # both filters at once: he made none


def test_one_incidents_chain_holds_its_entries_only(qtbot, service):
    first, _second = two_incidents(service)
    viewer = open_viewer(qtbot, service, first.id)
    assert first.id in viewer.scope_label.text()
    assert [(e.event, e.subject) for e in viewer.shown_entries()] == [
        ("incident.create", f"incident:{first.id}"),
        ("incident.legal_hold", f"incident:{first.id}"),
    ]


def test_a_flipped_byte_in_one_audit_row_is_shown_and_selected(qtbot, service):
    two_incidents(service)
    viewer = open_viewer(qtbot, service)
    with qtbot.waitSignal(viewer.checked, timeout=10_000) as intact:
        qtbot.mouseClick(viewer.verify_button, Qt.MouseButton.LeftButton)
    assert intact.args[0].ok
    assert "改ざんされていません（4 件を確認）" in viewer.result_label.text()

    viewer.actor_filter.setCurrentIndex(viewer.actor_filter.findText(SUPERVISOR))
    c = sqlite3.connect(service.paths.database)
    (raw,) = c.execute("SELECT data_json FROM audit_log WHERE seq = 3").fetchone()
    flipped = bytearray(raw.encode("utf-8"))
    flipped[len(flipped) // 2] ^= 0x01
    c.execute("UPDATE audit_log SET data_json = ? WHERE seq = 3", (flipped.decode("utf-8"),))
    c.commit()
    c.close()

    with qtbot.waitSignal(viewer.checked, timeout=10_000) as broken:
        qtbot.mouseClick(viewer.verify_button, Qt.MouseButton.LeftButton)
    report = broken.args[0]
    assert not report.ok and report.first_bad_seq == 3
    assert "第 3 件目に問題があります: 内容が書き換えられています" in viewer.result_label.text()
    assert viewer.selected_entry().seq == 3  # shown although the filter hid it
    assert viewer.actor_filter.currentIndex() == 0
    assert viewer.shown_entries()[2].data_json == flipped.decode("utf-8")  # as stored now


def test_the_check_speaks_english(qtbot, service):
    with language("en"):
        viewer = open_viewer(qtbot, service)
        with qtbot.waitSignal(viewer.checked, timeout=10_000):
            viewer.verify()
        assert "audit chain intact (1 entries checked)" in viewer.result_label.text()
        assert viewer.model.headerData(2, Qt.Orientation.Horizontal) == "Actor"


@pytest.mark.pulse  # the main window opens its input: PortAudio loaded with the server up
def test_a_counter_worker_has_no_audit_viewer(qtbot, pulse_sink, service):
    service.save_settings(
        service.settings.with_changes(roles=(RoleGrant("someone-else", "officer"),))
    )
    with pytest.raises(RoleRefused):
        service.audit_trail.entries()
    window = MainWindow(service)
    qtbot.addWidget(window)
    assert "audit" not in window.menu_actions
    with qtbot.waitSignal(window.dialog_opened) as opened:
        assert window.open_audit_viewer() is None
    box = opened.args[0]
    assert box.objectName() == "AuditRefused" and "監査記録の閲覧" in box.text()
    box.close()
    settle(qtbot, window)


@pytest.mark.pulse
def test_the_main_window_opens_an_incidents_chain(qtbot, pulse_sink, service):
    first, _ = two_incidents(service)
    window = MainWindow(service)
    qtbot.addWidget(window)
    assert "audit" in window.menu_actions  # no role set-up: everyone may
    with qtbot.waitSignal(window.dialog_opened) as opened:
        window.open_audit_viewer(first.id)
    viewer = opened.args[0]
    qtbot.waitUntil(lambda: not viewer.busy, timeout=10_000)
    assert {e.subject for e in viewer.shown_entries()} == {f"incident:{first.id}"}
    viewer.close()
    settle(qtbot, window)


def test_a_pc_without_a_central_store_has_no_central_check(qtbot, service):
    viewer = open_viewer(qtbot, service)
    assert not viewer.central_button.isVisible()


def test_the_central_store_is_checked_from_the_viewer(qtbot, central, tmp_path):
    officer = central.workstation(tmp_path, "officer-pc", role="officer")
    officer.incidents.create()
    officer.sync.sync()
    viewer = open_viewer(qtbot, officer)
    assert viewer.central_button.isVisible()
    with qtbot.waitSignal(viewer.central_checked, timeout=30_000) as done:
        qtbot.mouseClick(viewer.central_button, Qt.MouseButton.LeftButton)
    report = done.args[0]
    assert report is not None and report.ok and report.workstations == 1
    assert viewer.result_label.text() == report.text.ja


@pytest.mark.pulse
def test_the_incident_details_audit_button_opens_its_chain(qtbot, pulse_sink, gui, service):
    first, _ = two_incidents(service)
    window = gui("ja").show()
    qtbot.waitUntil(lambda: not window.recovering, timeout=10_000)
    listing = window.open_incident_list()
    detail = listing.open_detail(first.id)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    viewers: list = []
    window.dialog_opened.connect(
        lambda d: viewers.append(d) if isinstance(d, AuditViewer) else None
    )
    qtbot.mouseClick(detail.audit_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(viewers) and not viewers[0].busy, timeout=10_000)
    assert viewers[0].incident_id == first.id
    assert {e.subject for e in viewers[0].shown_entries()} == {f"incident:{first.id}"}
    viewers[0].close()
    listing.close()
    settle(qtbot, window)
