"""事案一覧 over the central store (a real PostgreSQL, tests/support/central.py): two counter PCs
synced, the officer's list shows both PCs' incidents with the PC that made each, filtered in
SQL; a supervisor's login sees only its department's; the detail of another PC's incident is
read-only."""

from __future__ import annotations

from PySide6.QtCore import Qt

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.store.incident_model import IncidentDraft
from tests.ui.conftest import type_ja


def _synced(central, tmp_path) -> dict[str, str]:
    made = {}
    for name, dept in (("counter-shimin", "市民課"), ("counter-fukushi", "福祉課")):
        app = central.workstation(tmp_path, name, department=dept)
        inc = app.incidents.create(IncidentDraft(
            occurred_at="2026-11-25T10:00:00+09:00", duration_seconds=600, location="phone",
            department=dept, demand=f"{name} の窓口で返金を要求",
        ))  # fmt: skip
        made[dept] = inc.id
        assert app.sync.sync().ok
    return made


def _central_list(qtbot, service):
    from kasuhara_recorder.ui.incident_list import IncidentListWindow

    window = IncidentListWindow(service)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: not window.model.loading, timeout=10_000)
    source = window.source
    assert source.isVisible()
    source.setCurrentIndex(source.findData("central"))
    source.activated.emit(source.currentIndex())
    qtbot.waitUntil(lambda: not window.model.loading, timeout=15_000)
    return window


def test_the_officers_list_shows_both_pcs_and_a_supervisor_only_its_department(
    qtbot, central, tmp_path
):
    made = _synced(central, tmp_path)
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    window = _central_list(qtbot, officer)
    model = window.model
    assert model.total == 2
    assert {(r.id, r.workstation) for r in model.rows} == {
        (made["市民課"], "counter-shimin"), (made["福祉課"], "counter-fukushi"),
    }  # fmt: skip
    assert model.columnCount() == 11 and model.headerData(10, Qt.Orientation.Horizontal) == "端末"
    box = window.filters.department
    qtbot.waitUntil(lambda: box.count() == 3, timeout=15_000)
    assert sorted(box.itemText(i) for i in (1, 2)) == sorted(["市民課", "福祉課"])
    type_ja(qtbot, window.filters.search, "counter-fukushi の窓口")
    qtbot.waitUntil(lambda: not model.loading and model.total == 1, timeout=15_000)
    assert model.rows[0].id == made["福祉課"]

    detail = window.open_detail(made["福祉課"])
    qtbot.waitUntil(lambda: detail.data is not None, timeout=15_000)
    assert "counter-fukushi" in detail.note.text() and detail.note.isVisible()
    for b in (detail.hold_button, detail.respond_button, detail.status_button,
              detail.form_button):  # fmt: skip
        assert not b.isVisible()  # changed on the PC that made it
    window.close()
    qtbot.waitUntil(lambda: window.tasks.pending == 0 and detail.tasks.pending == 0)

    login = central.login("supervisor", departments=("市民課",))
    sup = AppService(tmp_path / "supervisor")
    central.apps.append(sup)
    sup.save_settings(sup.settings.with_changes(central_url=central.url(login)))
    window = _central_list(qtbot, sup)
    assert [r.id for r in window.model.rows] == [made["市民課"]]
    assert window.model.total == 1
    window.close()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)
