"""A set-up workstation for tests: an organisation recipient generated at test time (never a
real key), a signed-in staff member and department, the app service over the data folder."""

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
    app.save_settings(app.settings.with_changes(staff_name=STAFF, department=DEPARTMENT))
    app.workstation.setup([str(org_identity.to_public())], "test-counter-1")
    yield app
    app.close()
