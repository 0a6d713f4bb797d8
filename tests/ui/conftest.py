"""GUI fixtures: a set-up data folder (an organisation recipient generated at test time, a
signed-in staff member) and the app service over it. pytest-qt gives the one session-wide
QApplication; QT_QPA_PLATFORM=offscreen is set by tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder.app.service import AppService

STAFF = "窓口 花子"
DEPARTMENT = "市民課 住民係"


@pytest.fixture
def org_identity() -> pyrage.x25519.Identity:
    return pyrage.x25519.Identity.generate()


@pytest.fixture
def service(data_dir: Path, org_identity) -> Iterator[AppService]:
    app = AppService(data_dir)
    app.paths.ensure()
    app.save_settings(
        app.settings.with_changes(
            org_recipients=(str(org_identity.to_public()),),
            workstation_name="test-counter-1",
            staff_name=STAFF,
            department=DEPARTMENT,
        )
    )
    yield app
    app.close()


def activate(qtbot, widget) -> None:
    """Show and make active, so window shortcuts (F9, tag hotkeys) reach it as for a user."""
    from PySide6.QtWidgets import QApplication

    widget.show()
    qtbot.waitExposed(widget)
    widget.windowHandle().requestActivate()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is widget)
