"""The English UI walked as a worker sees it: the main window while recording, the after-stop
choice and the incident form after a refused submission, each visible widget's text, tooltip,
placeholder, title and list/table entries. No Japanese may be left but the user's own data and
the policy's own labels."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QTableWidget, QWidget

from tests.ui.conftest import DEPARTMENT, STAFF, activate, wait_stop_allowed

pytestmark = pytest.mark.pulse

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff00-\uffef]")
ALLOWED = (
    STAFF, DEPARTMENT,  # the signed-in user's data
    "§3(2)ア", "§3(2)イ",  # the policy's own section numbers
    "言語",  # the language menu is named in both languages on purpose
    "要綱",  # in the policy profile's English label of response.referral (policy data)
    # the 録音告知 the worker says to the visitor: Japanese whatever the screen's language
    "トラブル防止のため、会話を録音させていただきます。",
)  # fmt: skip


def texts_of(w: QWidget) -> Iterator[tuple[tuple, str]]:
    """(where, text) for every text a widget shows: its own, a combo's items, a table's cells."""
    name = (type(w).__name__, w.objectName())
    for attr in ("text", "toolTip", "placeholderText", "windowTitle", "title", "suffix"):
        getter = getattr(w, attr, None)
        if callable(getter):
            try:
                value = getter()
            except TypeError:
                continue
            if isinstance(value, str):
                yield (*name, attr), value
    if isinstance(w, QComboBox):
        for i in range(w.count()):
            yield (*name, i), w.itemText(i)
    if isinstance(w, QTableWidget):
        for c in range(w.columnCount()):
            header = w.horizontalHeaderItem(c)
            yield (*name, "header"), header.text() if header else ""
        for r in range(w.rowCount()):
            for c in range(w.columnCount()):
                item = w.item(r, c)
                if item is not None:
                    yield (*name, r, c), item.text() + item.toolTip()


def japanese_left(window: QWidget) -> list[tuple]:
    found = []
    for w in [window, *window.findChildren(QWidget)]:
        if not w.isVisible():
            continue
        for where, text in texts_of(w):
            for allowed in ALLOWED:
                text = text.replace(allowed, "")
            if CJK.search(text):
                found.append((*where, text))
    return found


@pytest.fixture
def english(gui):
    return gui("en")


def test_no_japanese_left_in_the_english_counter_workflow(qtbot, service, pulse_sink, english):
    service.incidents.create(service.incidents.prefill(None, []))  # one to choose from
    controller = english
    window = controller.show()
    activate(qtbot, window)
    assert japanese_left(window) == []
    for menu in window.menuBar().actions():
        texts = [menu.text()] + [a.text() for a in menu.menu().actions()]
        assert [t for t in texts if CJK.search(t.replace("日本語", "").replace("言語", ""))] == []

    qtbot.keyClick(window, Qt.Key.Key_F9)
    qtbot.waitUntil(lambda: window.controller.recording, timeout=10_000)
    qtbot.keyClick(window, Qt.Key.Key_1)
    qtbot.waitUntil(lambda: window.tag_panel.table.rowCount() == 1)
    assert japanese_left(window) == []

    wait_stop_allowed(qtbot, window)
    with qtbot.waitSignal(window.after_stop_shown, timeout=15_000) as shown:
        qtbot.keyClick(window, Qt.Key.Key_F9)
    dialog = shown.args[0]
    assert japanese_left(dialog) == []

    with qtbot.waitSignal(window.incident_form_opened) as opened:
        dialog.new_button.click()
    form = opened.args[0]
    qtbot.addWidget(form)
    form.people.staff_name.setText(STAFF)
    form.people.add_staff()  # refused: already listed
    form.attach_url("ftp://example.org")  # refused: not a web address
    assert not form.submit()  # refused: the section errors and the summary show
    assert japanese_left(form) == []
    form.close()


def test_the_walk_finds_japanese_it_is_not_told_to_allow(qtbot):
    from PySide6.QtWidgets import QLabel, QLineEdit, QVBoxLayout

    box = QWidget()
    qtbot.addWidget(box)
    lay = QVBoxLayout(box)
    lay.addWidget(QLabel(f"{STAFF} / Staff", box))
    edit = QLineEdit(box)
    edit.setPlaceholderText("例：1階")
    lay.addWidget(edit)
    box.show()
    assert [hit[-1] for hit in japanese_left(box)] == ["例：1階"]
