"""事案一覧 and the incident's detail, driven as a supervisor or officer would: find one incident
among 10,000 by typing, filter, sort by a header click, scroll for the next page, open it; set
legal hold with a reason (the chain has it); the play button only for a role that may listen."""

from __future__ import annotations

import getpass
import json

import pytest
from PySide6.QtCore import QPoint, Qt

from kasuhara_recorder.app.roles import RoleRefused
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.store.incident_model import IncidentDraft, Marker
from tests.support.incidents import generate, generated
from tests.support.recordings import routine_recording
from tests.ui.conftest import DEPARTMENT, type_ja

ME = getpass.getuser()


def list_window(qtbot, service):
    from kasuhara_recorder.ui.incident_list import IncidentListWindow

    window = IncidentListWindow(service)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
    return window


def close(qtbot, window) -> None:
    window.close()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)


def as_role(service, role: str, departments: tuple[str, ...] = ()) -> None:
    grants = [RoleGrant("someone-else", "officer")]
    if role != "counter":
        grants.append(RoleGrant(ME, role, departments))
    service.save_settings(service.settings.with_changes(roles=tuple(grants)))


def submitted_with_recording(service, tmp_path):
    m = routine_recording(service, tmp_path, tags=(("conduct.mental", 200, "怒鳴る"),))
    inc = service.incidents.create_from_recording(m, [Marker("conduct.mental", 200, "怒鳴る")])
    repo = service.backend.incidents()
    with service.database.transaction():
        repo.set_status(inc.id, "submitted", inc.updated_at, submitted_at=inc.updated_at)
    return service.incidents.get(inc.id), m.id


def test_find_one_incident_among_ten_thousand_sort_and_page(qtbot, service):
    generate(service, 10_000)
    window = list_window(qtbot, service)
    model = window.model
    assert model.total == 10_000 and len(model.rows) == 100
    assert "10000 件" in window.count_label.text()

    type_ja(qtbot, window.filters.search, "受付 04321")
    target = generated(4321)
    qtbot.waitUntil(lambda: model.total == 1 and len(model.rows) == 1, timeout=10_000)
    assert model.rows[0].id == target.id
    cell = model.index(0, 9).data()  # 概要
    assert cell.startswith("手数料の返金を求めた")

    # the departments on the incidents are offered; one chosen narrows the list
    box = window.filters.department
    qtbot.waitUntil(lambda: box.count() == 4)
    assert [box.itemText(i) for i in range(1, 4)] == ["市民課", "福祉課", "税務課"]
    for department, found in (("税務課", 0), ("福祉課", 1)):  # 4321 is 福祉課's
        box.setCurrentIndex(box.findData(department))
        box.activated.emit(box.currentIndex())
        qtbot.waitUntil(lambda found=found: not model.loading and model.total == found)
    assert window.filters.query().departments == ("福祉課",)

    # the filters narrow it further; a contradicting one empties the list
    window.filters.status.setCurrentIndex(window.filters.status.findData("reviewed"))
    window.filters.status.activated.emit(window.filters.status.currentIndex())
    qtbot.waitUntil(lambda: not model.loading and model.total == 0)
    window.filters.clear()
    qtbot.waitUntil(lambda: not model.loading and model.total == 10_000)
    qtbot.mouseClick(window.filters.over_limit, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not model.loading and 0 < model.total < 10_000)
    over = model.total
    assert all(r.duration_seconds > 3600 for r in model.rows)
    assert over == sum(1 for n in range(10_000) if (n * 37) % 5400 > 3600)

    # a click on 時間 sorts by duration, shortest first; another, longest first
    header = window.view.horizontalHeader()
    x = header.sectionViewportPosition(6) + 5
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )
    qtbot.waitUntil(lambda: model.query.sort == "duration" and not model.loading)
    assert len(model.rows) == 100
    first = [r.duration_seconds for r in model.rows]
    assert first == sorted(first)
    qtbot.mouseClick(
        header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2)
    )
    qtbot.waitUntil(lambda: model.query.descending and not model.loading and bool(model.rows))
    again = [r.duration_seconds for r in model.rows]
    assert again == sorted(again, reverse=True) and again[0] > first[-1]

    # scrolling to the end loads the next page
    window.view.scrollToBottom()
    qtbot.waitUntil(lambda: len(model.rows) == 200, timeout=10_000)
    assert len({r.id for r in model.rows}) == 200
    close(qtbot, window)


def test_a_double_click_opens_the_detail_with_recordings_tags_and_custody(qtbot, service, tmp_path):
    inc, rid = submitted_with_recording(service, tmp_path)
    window = list_window(qtbot, service)
    assert window.model.total == 1
    index = window.model.index(0, 0)
    rect = window.view.visualRect(index)
    qtbot.waitExposed(window)
    qtbot.mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(window.detail_opened) as opened:
        qtbot.mouseDClick(window.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    detail = opened.args[0]
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    assert inc.id in detail.header.text()
    assert detail.recordings.rowCount() == 1 and detail.recordings.item(0, 4).text() == rid
    assert detail.markers.item(0, 4).text() == "怒鳴る"
    events = [detail.custody.item(r, 2).toolTip() for r in range(detail.custody.rowCount())]
    assert detail.custody.item(0, 2).text() == "録音開始"
    # the recording's own entries (started, tagged, stopped) and the incident's, in chain order
    assert events.index("recording.stop") < events.index("incident.create")
    assert {"recording.start", "recording.tag"} <= set(events)
    # no role set-up: everything allowed, so 再生 is there and asks for the player
    with qtbot.waitSignal(window.play_requested) as asked:
        qtbot.mouseClick(detail.play_buttons[rid], Qt.MouseButton.LeftButton)
    assert asked.args == [rid]
    close(qtbot, window)


def test_a_supervisor_sets_legal_hold_with_a_reason_and_cannot_play(qtbot, service, tmp_path):
    inc, rid = submitted_with_recording(service, tmp_path)
    as_role(service, "supervisor", (DEPARTMENT,))
    window = list_window(qtbot, service)
    detail = window.open_detail(inc.id)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    assert detail.play_buttons == {} and detail.recordings.cellWidget(0, 5) is None
    with pytest.raises(RoleRefused):
        service.roles.require("recording.listen")
    assert detail.hold_button.isVisible() and detail.hold_button.text() == "保全を設定…"
    assert detail.respond_button.isVisible()
    assert [detail.status_choice.itemData(i) for i in range(detail.status_choice.count())] == [
        "reviewed", "draft",
    ]  # fmt: skip

    with qtbot.waitSignal(detail.dialog_shown) as shown:
        qtbot.mouseClick(detail.hold_button, Qt.MouseButton.LeftButton)
    dialog = shown.args[0]
    assert not dialog.ok_button.isEnabled()  # no reason, no hold
    type_ja(qtbot, dialog.reason, "損害賠償請求の予告があったため")
    assert dialog.ok_button.isEnabled()
    with qtbot.waitSignal(detail.changed):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "保全中" in detail.header.text(), timeout=10_000)
    assert service.incidents.get(inc.id).legal_hold
    entries = service.audit.entries(f"incident:{inc.id}")
    assert entries[-1].event == "incident.legal_hold"
    assert json.loads(entries[-1].data_json)["reason"] == "損害賠償請求の予告があったため"
    assert detail.hold_button.text() == "保全を解除…"
    qtbot.waitUntil(lambda: not window.model.loading and window.model.rows[0].legal_hold)
    close(qtbot, window)


def test_counter_staff_see_no_review_buttons_and_another_department_none(qtbot, service, tmp_path):
    inc, _rid = submitted_with_recording(service, tmp_path)
    as_role(service, "counter")
    window = list_window(qtbot, service)
    detail = window.open_detail(inc.id)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)
    for b in (detail.hold_button, detail.respond_button, detail.status_button,
              detail.audit_button):  # fmt: skip
        assert not b.isVisible()
    assert detail.play_buttons == {}
    close(qtbot, window)

    service.incidents.create(IncidentDraft(department="福祉課"))
    as_role(service, "supervisor", ("福祉課",))
    window = list_window(qtbot, service)
    assert window.model.total == 1 and window.model.rows[0].department == "福祉課"
    close(qtbot, window)


def test_the_menu_opens_the_list_in_place_of_the_old_chooser(qtbot, gui):
    window = gui("ja").show()
    qtbot.waitUntil(lambda: not window.recovering, timeout=10_000)
    action = window.menu_actions["incident_list"]
    assert action.text() == "事案一覧…"
    with qtbot.waitSignal(window.dialog_opened) as opened:
        action.trigger()
    listed = opened.args[0]
    assert listed is window.incident_list and listed.isVisible()
    qtbot.waitUntil(lambda: not listed.model.loading)
    assert window.open_incident_list() is listed  # one list, brought forward


def test_a_supervisor_moves_the_status_on_and_records_a_response(qtbot, service, tmp_path):
    inc, _rid = submitted_with_recording(service, tmp_path)
    as_role(service, "supervisor", (DEPARTMENT,))
    window = list_window(qtbot, service)
    detail = window.open_detail(inc.id)
    qtbot.waitUntil(lambda: detail.data is not None, timeout=10_000)

    detail.status_choice.setCurrentIndex(detail.status_choice.findData("reviewed"))
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(detail.status_button, Qt.MouseButton.LeftButton)
    assert service.incidents.get(inc.id).status == "reviewed"
    assert "確認済" in detail.header.text()
    choices = [detail.status_choice.itemData(i) for i in range(detail.status_choice.count())]
    assert choices == ["referred", "closed", "submitted"]  # TRANSITIONS["reviewed"]

    with qtbot.waitSignal(detail.dialog_shown) as shown:
        qtbot.mouseClick(detail.respond_button, Qt.MouseButton.LeftButton)
    dialog = shown.args[0]
    dialog.code.setCurrentIndex(dialog.code.findData("response.lawyer"))
    type_ja(qtbot, dialog.note, "顧問弁護士に相談")
    with qtbot.waitSignal(detail.loaded, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert detail.responses.rowCount() == 1
    assert detail.responses.item(0, 1).text() == "弁護士に相談した"
    assert detail.responses.item(0, 3).text() == "顧問弁護士に相談"
    (r,) = service.incidents.get(inc.id).draft.responses
    assert (r.code, r.note) == ("response.lawyer", "顧問弁護士に相談")
    events = [detail.custody.item(i, 2).toolTip() for i in range(detail.custody.rowCount())]
    assert events[-2:] == ["incident.status", "incident.response_add"]
    close(qtbot, window)


def test_a_central_store_that_cannot_be_reached_is_said_and_this_pcs_list_still_works(
    qtbot, service
):
    service.incidents.create(IncidentDraft(department=DEPARTMENT, demand="返金しろ"))
    # nothing listens on port 9: refused at once, as a server that is down
    url = "postgresql://counter01@127.0.0.1:9/kasuhara"
    service.save_settings(service.settings.with_changes(central_url=url))
    window = list_window(qtbot, service)
    assert window.model.total == 1
    source = window.source
    source.setCurrentIndex(source.findData("central"))
    source.activated.emit(source.currentIndex())
    qtbot.waitUntil(lambda: window.message.isVisible(), timeout=15_000)
    assert "中央保管庫" in window.message.text() and window.model.rows == []
    source.setCurrentIndex(source.findData("local"))
    source.activated.emit(source.currentIndex())
    qtbot.waitUntil(lambda: not window.model.loading and window.model.total == 1)
    assert not window.message.isVisible()
    close(qtbot, window)
