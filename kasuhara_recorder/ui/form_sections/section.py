"""What every section of the incident form is: a titled box that holds its own fields, loads
them from a draft and reads them back into one, shows its own problems, and says when the
person edited something.

A section knows neither the form around it nor the service: what it needs (the policy profile,
the signed-in user) it is given when it is made, so each is tested alone; the language it asks
``ui/i18n.current_language()``, as every widget does.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QTableWidget,
    QWidget,
)

from kasuhara_recorder.store.incident_model import IncidentDraft

_EDIT_TRIGGERS = (
    QAbstractItemView.EditTrigger.DoubleClicked
    | QAbstractItemView.EditTrigger.EditKeyPressed
    | QAbstractItemView.EditTrigger.AnyKeyPressed
)


class FormSection(QGroupBox):
    """One section. Subclasses set ``key`` and ``fields``, build their widgets, add
    ``error_label`` last to their layout, call ``watch_changes()``, and implement ``_fill`` and
    ``read``."""

    changed = Signal()  # the person edited a field (never sent while the section loads)

    key = ""  # the section's object name ("section:<key>"), and its name in the form
    fields: tuple[str, ...] = ()  # the draft fields it holds: their problems are shown here

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"section:{self.key}")
        self.error_label = QLabel(self)
        self.error_label.setObjectName(f"error:{self.key}")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b71c1c;")
        self.error_label.hide()
        self._loading = False

    # --- the draft ---------------------------------------------------------------------------
    def load(self, draft: IncidentDraft) -> None:
        """Show the draft's values of this section's fields (``changed`` is not sent)."""
        self._loading = True
        try:
            self._fill(draft)
        finally:
            self._loading = False

    def _fill(self, draft: IncidentDraft) -> None:
        raise NotImplementedError

    def read(self, draft: IncidentDraft) -> IncidentDraft:
        """``draft`` with this section's fields replaced by what the screen shows."""
        raise NotImplementedError

    # --- state ---------------------------------------------------------------------------------
    def set_editable(self, editable: bool) -> None:
        """Text stays selectable (read-only, not greyed); choices and dates are disabled; tables
        take no edits."""
        texts: list[QLineEdit | QPlainTextEdit] = [
            *self.findChildren(QLineEdit),
            *self.findChildren(QPlainTextEdit),
        ]
        for text in texts:
            text.setReadOnly(not editable)
        choices: list[QWidget] = [
            *self.findChildren(QCheckBox), *self.findChildren(QComboBox),
            *self.findChildren(QDateTimeEdit),  # QTimeEdit too
        ]  # fmt: skip
        for choice in choices:
            choice.setEnabled(editable)
        for table in self.findChildren(QTableWidget):
            table.setEditTriggers(
                _EDIT_TRIGGERS if editable else QAbstractItemView.EditTrigger.NoEditTriggers
            )

    def show_errors(self, messages: list[str]) -> None:
        """The section's problems, one a line, under its fields; none hides the label."""
        self.error_label.setText("\n".join(messages))
        self.error_label.setVisible(bool(messages))

    # --- change tracking -------------------------------------------------------------------
    def watch_changes(self) -> None:
        """Every field the person can edit sends ``changed`` (call once the widgets exist)."""
        for line in self.findChildren(QLineEdit):
            line.textEdited.connect(self._edited)  # typing only, not a value set by the program
        for text in self.findChildren(QPlainTextEdit):
            text.textChanged.connect(self._edited)
        for box in self.findChildren(QCheckBox):
            box.toggled.connect(self._edited)
        for when in self.findChildren(QDateTimeEdit):
            when.dateTimeChanged.connect(self._edited)
        for combo in self.findChildren(QComboBox):
            combo.currentIndexChanged.connect(self._edited)
        for table in self.findChildren(QTableWidget):
            table.itemChanged.connect(self._edited)

    def _edited(self, *_args) -> None:
        if not self._loading:
            self.changed.emit()
