"""The incident list's filter bar alone: what a person sets is what it asks, typing is asked
once it pauses, and クリア asks for everything again."""

from __future__ import annotations

from PySide6.QtCore import QDate, Qt

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.store.incident_query import IncidentQuery
from tests.ui.conftest import type_ja


def bar(qtbot):
    from kasuhara_recorder.ui.incident_filters import IncidentFilterBar

    widget = IncidentFilterBar(load_profile(None), ("市民課",))
    qtbot.addWidget(widget)
    return widget


def choose(box, code) -> None:
    box.setCurrentIndex(box.findData(code))
    box.activated.emit(box.currentIndex())


def test_what_is_set_is_what_is_asked(qtbot):
    b = bar(qtbot)
    assert b.query() == IncidentQuery()
    asked = []
    b.changed.connect(lambda: asked.append(b.query()))
    with qtbot.waitSignal(b.changed):  # once, after the typing pauses
        type_ja(qtbot, b.search, "返金")
    assert len(asked) == 1 and asked[0].text == "返金"
    choose(b.status, "referred")
    choose(b.category, "conduct.dogeza")
    choose(b.channel, "phone")
    choose(b.department, "市民課")
    b.date_from.setDate(QDate(2026, 4, 1))
    b.date_to.setDate(QDate(2026, 4, 30))
    qtbot.mouseClick(b.over_limit, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(b.legal_hold, Qt.MouseButton.LeftButton)
    q = b.query()
    assert (q.text, q.statuses, q.categories, q.channels, q.departments) == (
        "返金", ("referred",), ("conduct.dogeza",), ("phone",), ("市民課",),
    )  # fmt: skip
    assert (q.occurred_from, q.occurred_to, q.over_limit, q.legal_hold) == (
        "2026-04-01", "2026-04-30", True, True,
    )  # fmt: skip
    assert q.limit_seconds == 3600

    b.department.setEditText("福祉課")  # a department not listed, typed in
    assert b.query().departments == ("福祉課",)
    with qtbot.waitSignal(b.changed):
        qtbot.mouseClick(b.clear_button, Qt.MouseButton.LeftButton)
    assert b.query() == IncidentQuery()
    assert b.date_from.text() == "指定なし"


def test_the_departments_listed_follow_the_store_and_keep_the_choice(qtbot):
    b = bar(qtbot)
    choose(b.department, "市民課")
    b.set_departments(["市民課", "福祉課", "税務課"])
    assert [b.department.itemText(i) for i in range(b.department.count())] == [
        "すべて", "市民課", "福祉課", "税務課",
    ]  # fmt: skip
    assert b.query().departments == ("市民課",)
