"""初期設定 on a PC IT prepared (machine.json, written by the installer's machine-settings set):
the wizard shows IT's recipient instead of asking for a key file, pre-fills the department and
the central store, and sets the PC up sealed to IT's recipient; a broken machine.json is said
on the first page in Japanese and the wizard still opens."""

from __future__ import annotations

from pathlib import Path

import pyrage
import pytest
from PySide6.QtWidgets import QLabel, QWizard

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.machine_settings import ENV_MACHINE_CONFIG
from kasuhara_recorder.ui.first_run_wizard import (
    PAGE_CENTRAL,
    PAGE_DEVICES,
    PAGE_RECIPIENT,
    PAGE_WORKSTATION,
    FirstRunWizard,
)
from tests.ui.test_first_run_wizard import click, next_page


@pytest.fixture
def machine_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "ProgramData" / "machine.json"
    monkeypatch.setenv(ENV_MACHINE_CONFIG, str(path))
    return path


@pytest.fixture
def fresh(data_dir: Path):
    app = AppService(data_dir)
    yield app
    app.close()


def test_the_wizard_shows_its_recipient_and_sets_the_pc_up_with_it(
    qtbot, machine_file, fresh, tsa_keys
):
    it = str(pyrage.x25519.Identity.generate().to_public())
    central = "postgresql://counter07@127.0.0.1:9/kasuhara"
    args = ["machine-settings", "set", "--org-recipient", it, "--department", "市民課"]
    tsa = ["--tsa-url", "http://127.0.0.1:9/tsa", "--tsa-ca", str(tsa_keys.ca)]
    assert cli.main([*args, "--central", central, *tsa]) == 0  # as the installer runs it

    wizard = FirstRunWizard(fresh)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.recipient_page
    assert wizard.currentId() == PAGE_RECIPIENT
    assert (
        page.it_box.isVisible() and it in page.it_box.findChild(QLabel, "it_recipients_text").text()
    )
    # nothing for the worker to paste or find, and no evaluation key to make
    assert not page.import_choice.isVisible() and not page.recipients_edit.isVisible()
    assert not page.evaluate_choice.isVisible()
    next_page(qtbot, wizard, PAGE_WORKSTATION)
    assert wizard.workstation_page.department.text() == "市民課"
    wizard.workstation_page.workstation_name.setText("counter-07")
    next_page(qtbot, wizard, PAGE_DEVICES)
    next_page(qtbot, wizard, PAGE_CENTRAL)
    assert wizard.central_page.url.text() == central  # IT's, pre-filled
    wizard.central_page.url.clear()  # nothing listens there in this test: join later
    with qtbot.waitSignal(wizard.setup_done, timeout=30_000):
        click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    qtbot.waitUntil(lambda: not wizard.isVisible())
    s = fresh.settings
    assert s.org_recipients == (it,) and s.department == "市民課"
    assert s.tsa_url == "http://127.0.0.1:9/tsa"  # IT's TSA, as setup takes it
    assert fresh.is_set_up
    events = [e.event for e in fresh.audit.entries()]
    assert events == ["workstation.setup", "timestamp.configured"]


def test_a_broken_machine_file_is_said_and_the_wizard_still_opens(qtbot, machine_file, fresh):
    machine_file.parent.mkdir(parents=True)
    machine_file.write_text('{"org_recipients": ["not-a-key"]}', encoding="utf-8")
    wizard = FirstRunWizard(fresh)
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.recipient_page
    said = page.message.text()
    assert page.message.isVisible()
    assert "端末共通の設定ファイル" in said and "org_recipients[0]" in said
    assert "情報システム担当者に連絡" in said
    assert page.import_choice.isVisible() and not page.it_box.isVisible()  # asked as usual
    wizard.reject()
    qtbot.waitUntil(lambda: not wizard.isVisible())
    assert not fresh.paths.settings.exists()
