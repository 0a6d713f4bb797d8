"""The app is killed (really: SIGKILL, no handler runs) while a worker types into an incident
form; at the next start the form comes back by itself with what was typed, not only if the
worker thinks of opening that incident again."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from kasuhara_recorder.ui.main_window import MainWindow

TYPED = "窓口で大声を上げ、机を叩いた（途中まで）"

DRIVER = """
import sys
from pathlib import Path
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.main_window import MainWindow

app = QApplication([])
window = MainWindow(AppService(Path(sys.argv[1])))
window.show()
form = window.open_incident(sys.argv[2])
form.events.narrative.setFocus()
event = QInputMethodEvent("", [])
event.setCommitString(sys.argv[3])  # as the input method commits it
QApplication.sendEvent(form.events.narrative, event)
app.exec()
"""


def test_unsaved_typing_comes_back_after_the_app_is_killed(qtbot, service, tmp_path):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    script = tmp_path / "driver.py"
    script.write_text(DRIVER, encoding="utf-8")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.Popen(
        [sys.executable, str(script), str(service.paths.root), inc.id, TYPED],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            draft = service.incidents.load_autosave(inc.id)
            if draft is not None and draft.narrative == TYPED:
                break
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)
        else:
            raise AssertionError("the form never autosaved what was typed")
        proc.kill()  # SIGKILL, as a crash or a power cut would
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert service.incidents.get(inc.id).draft.narrative == ""  # never saved to the store

    window = MainWindow(service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.incident_form_opened, timeout=10_000) as opened:
        window.show()
    form = opened.args[0]
    qtbot.addWidget(form)
    assert form.incident.id == inc.id
    assert form.events.narrative.toPlainText() == TYPED
    assert form.restored_label.isVisible()
    form.close()


def test_language_switch_brings_an_unsaved_form_back_in_the_new_language(qtbot, service, gui):
    from tests.ui.conftest import type_ja

    inc = service.incidents.create(service.incidents.prefill(None, []))
    controller = gui()
    window = controller.show()
    form = window.open_incident(inc.id)
    type_ja(qtbot, form.demand_validity.demand, "返金しろ")
    controller.switch_language("en")
    new = controller.window
    qtbot.waitUntil(lambda: inc.id in new.forms, timeout=5_000)
    again = new.forms[inc.id]
    assert again is not form
    assert again.demand_validity.demand.toPlainText() == "返金しろ"
    assert again.submit_button.text() == "Submit"
    controller.switch_language("ja")
    qtbot.waitUntil(lambda: inc.id in controller.window.forms, timeout=5_000)


def test_a_form_open_at_a_language_switch_stays_open(qtbot, service, gui):
    inc = service.incidents.create(service.incidents.prefill(None, []))
    controller = gui()
    window = controller.show()
    window.open_incident(inc.id)  # open, nothing typed
    controller.switch_language("en")
    assert list(controller.window.forms) == [inc.id]
    form = controller.window.forms[inc.id]
    assert form.isVisible() and form.save_button.text() == "Save draft"
