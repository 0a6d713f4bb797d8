"""Live tags: one button per live-tag category of the policy profile, grouped as §3(2)ア and イ,
with the profile's hotkeys; and the marker list (time, label, an editable note)."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kasuhara_recorder.policy import PolicyProfile
from kasuhara_recorder.ui.format import offset
from kasuhara_recorder.ui.i18n import localized

if TYPE_CHECKING:
    from kasuhara_recorder.store.incident_model import Marker

COLUMNS = 3


def short_label(label: str) -> str:
    """Without the parenthesised lists: "身体的な攻撃（暴行、傷害）" → "身体的な攻撃"."""
    return re.sub(r"（[^）]*）| ?\([^)]*\)", "", label).strip() or label


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class TagButton(QPushButton):
    """A push button whose label wraps, so long category names (and longer translations)
    never widen the window past the screen nor get cut off."""

    MARGIN = 6

    def __init__(self, hotkey: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._plain = f"{hotkey}  {text}" if hotkey else text
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        key = f"<b>{_escape(hotkey)}</b>&nbsp;&nbsp;" if hotkey else ""
        self.label.setText(key + _escape(text))
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(self.MARGIN, 3, self.MARGIN, 3)
        lay.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:  # the label is ours, not QPushButton's
        return self._plain

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        return max(34, self.label.heightForWidth(width - 2 * self.MARGIN) + 8)

    def sizeHint(self) -> QSize:
        hint = self.label.sizeHint()
        return QSize(min(hint.width(), 260) + 2 * self.MARGIN, max(34, hint.height() + 8))

    def minimumSizeHint(self) -> QSize:
        return QSize(80, 34)


class TagPanel(QWidget):
    tag_requested = Signal(str)  # category code
    markers_changed = Signal()

    def __init__(self, profile: PolicyProfile, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.profile = profile
        self.buttons: dict[str, TagButton] = {}
        self.shortcuts: list[QShortcut] = []
        self._markers: list[Marker] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        live = profile.live_tag_categories()
        for group in profile.groups:
            cats = [c for c in live if c.group == group.id]
            if not cats:
                continue
            box = QGroupBox(f"§{group.section} {short_label(localized(group.label))}", self)
            box.setToolTip(localized(group.label))
            grid = QGridLayout(box)
            grid.setSpacing(4)
            for i, cat in enumerate(cats):
                key = cat.hotkey or ""
                b = TagButton(key, short_label(localized(cat.label)), box)
                b.setObjectName(f"tag:{cat.code}")
                desc = localized(cat.description)
                b.setToolTip(f"{localized(cat.label)}\n{desc}")
                b.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keep focus (and F9) on the window
                b.clicked.connect(lambda _=False, code=cat.code: self.tag_requested.emit(code))
                grid.addWidget(b, i // COLUMNS, i % COLUMNS)
                self.buttons[cat.code] = b
                if key:
                    sc = QShortcut(QKeySequence(key), self)
                    sc.setContext(Qt.ShortcutContext.WindowShortcut)
                    sc.activated.connect(lambda code=cat.code: self._hotkey(code))
                    self.shortcuts.append(sc)
            lay.addWidget(box)

        self.table = QTableWidget(0, 3, self)
        self.table.setObjectName("MarkerList")
        self.table.setHorizontalHeaderLabels([self.tr("時刻"), self.tr("区分"), self.tr("メモ")])
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.setColumnWidth(1, 220)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
            | QAbstractItemView.EditTrigger.AnyKeyPressed
        )
        self.table.itemChanged.connect(self._item_changed)
        self.table.setToolTip(
            self.tr("メモ欄をダブルクリックすると書き込めます（停止後も編集できます）")
        )
        lay.addWidget(self.table, 1)
        self.set_enabled_tags(False)

    def _hotkey(self, code: str) -> None:
        if self.buttons[code].isEnabled():
            self.tag_requested.emit(code)

    def set_enabled_tags(self, enabled: bool) -> None:
        for b in self.buttons.values():
            b.setEnabled(enabled)

    # --- markers ------------------------------------------------------------------------
    def clear_markers(self) -> None:
        self._markers.clear()
        self.table.setRowCount(0)

    def add_marker(self, marker: Marker) -> None:
        self._markers.append(marker)
        row = self.table.rowCount()
        self.table.blockSignals(True)
        self.table.insertRow(row)
        t = QTableWidgetItem(offset(marker.offset_ms))
        t.setFlags(t.flags() & ~Qt.ItemFlag.ItemIsEditable)
        try:
            label = localized(self.profile.category(marker.code).label)
        except KeyError:
            label = marker.code
        c = QTableWidgetItem(short_label(label))
        c.setToolTip(label)
        c.setFlags(c.flags() & ~Qt.ItemFlag.ItemIsEditable)
        self.table.setItem(row, 0, t)
        self.table.setItem(row, 1, c)
        self.table.setItem(row, 2, QTableWidgetItem(marker.note))
        self.table.blockSignals(False)
        self.table.scrollToBottom()
        self.markers_changed.emit()

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if item.column() == 2 and 0 <= item.row() < len(self._markers):
            self._markers[item.row()] = replace(self._markers[item.row()], note=item.text())
            self.markers_changed.emit()

    def markers(self) -> list[Marker]:
        return list(self._markers)
