"""GUI fixtures. pytest-qt gives the one session-wide QApplication; QT_QPA_PLATFORM=offscreen
is set by tests/conftest.py; the set-up workstation comes from tests/support/workstation.py."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests.support.workstation import DEPARTMENT, STAFF, org_identity, service  # noqa: F401


@pytest.fixture
def gui(service):  # noqa: F811 - the fixture above
    """``gui(lang)`` makes the app's GuiController over the test's service. Its windows are not
    handed to qtbot: a language switch deletes the window it replaces itself (qtbot would then
    close a deleted window and stop closing the rest). At the end the controller's current
    window is discarded as the app does it (a running recording sealed, forms closed) and the
    app-wide translators are Japanese again."""
    import shiboken6

    from kasuhara_recorder.ui.app import GuiController

    made: list[GuiController] = []

    def make(lang: str = "ja") -> GuiController:
        made.append(GuiController(service, lang))
        return made[-1]

    yield make
    for controller in made:
        window = controller.window
        if window is not None and shiboken6.isValid(window):
            window.discard()
        controller.translators.install("ja")


@contextmanager
def language(lang: str):
    """Widgets made inside speak ``lang``, as the app's after a language switch (they ask
    ``ui/i18n.current_language()``); Japanese again afterwards, as every test must leave it."""
    from kasuhara_recorder.ui.i18n import Translators

    translators = Translators()
    translators.install(lang)
    try:
        yield
    finally:
        translators.install("ja")


def activate(qtbot, widget) -> None:
    """Show and make active, so window shortcuts (F9, tag hotkeys) reach it as for a user."""
    from PySide6.QtWidgets import QApplication

    widget.show()
    qtbot.waitExposed(widget)
    widget.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
    # the main window checks for recordings a crash left open before 録音開始 is enabled
    qtbot.waitUntil(lambda: not getattr(widget, "recovering", False), timeout=10_000)


def settle(qtbot, window, timeout: int = 15_000) -> None:
    """Until every task the window started has finished and its callback has run: after this
    nothing more arrives from what the test did (a key press acts at once; its work is a task)."""
    qtbot.waitUntil(lambda: window.tasks.pending == 0, timeout=timeout)


def flush_events() -> None:
    """Deliver every posted event now (layout requests, queued signals): a layout is settled
    when its events are delivered, not after some milliseconds."""
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()


def wait_for_audio(qtbot, window, seconds: float, timeout: int = 15_000) -> None:
    """Until the running recording holds ``seconds`` of audio (its own clock, not the wall's)."""
    qtbot.waitUntil(
        lambda: (
            window.controller.session is not None
            and window.controller.session.position_s >= seconds
        ),
        timeout=timeout,
    )


def wait_stop_allowed(qtbot, window, timeout: int = 15_000) -> None:
    """Until a stop press is taken: past the double-press guard after the start press
    (ui/recording_controller.py, STOP_GUARD_S)."""
    qtbot.waitUntil(lambda: window.controller.stop_allowed, timeout=timeout)


def answer_submit(qtbot, form, confirm: bool = True):
    """提出 as the worker does it: the button, then the question's 提出する (or キャンセル).
    Returns the question box (closed by then)."""
    from PySide6.QtCore import Qt

    with qtbot.waitSignal(form.submit_confirm_shown) as asked:
        qtbot.mouseClick(form.submit_button, Qt.MouseButton.LeftButton)
    box = asked.args[0]
    button = box.confirm_button if confirm else box.cancel_button
    if confirm:
        with qtbot.waitSignal(form.submitted):
            qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    else:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return box


def type_ja(qtbot, widget, text: str) -> None:
    """Type Japanese as an input method does: the IME commits the converted text to the focused
    widget (QTest.keyClicks only sends Latin-1 keys). ASCII goes through real key clicks."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    if text.isascii():
        qtbot.keyClicks(widget, text)
        return
    event = QInputMethodEvent("", [])
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)


def changes(section) -> list[None]:
    """A list that gains an entry each time the form section says the person edited it."""
    seen: list[None] = []
    section.changed.connect(lambda: seen.append(None))
    return seen


def local_iso(*when: int) -> str:
    """A local time as the form writes it (ISO 8601 with this machine's offset, to the second)."""
    from datetime import datetime

    return datetime(*when).astimezone().isoformat()
