"""Fixtures for the evidence tests: a fresh organisation identity and a set-up workstation."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.evidence.org_identity import OrgIdentityFiles, init_org

PASSPHRASE = "たぬき correct horse 42"  # generated test secret, not a real one


@dataclass(frozen=True)
class Org:
    files: OrgIdentityFiles
    passphrase: str

    @property
    def recipient(self) -> str:
        return self.files.recipient


@pytest.fixture(scope="session")
def org(tmp_path_factory: pytest.TempPathFactory) -> Org:
    # Session-wide: the scrypt work factor makes each new identity take seconds.
    return Org(init_org(tmp_path_factory.mktemp("org") / "org", PASSPHRASE), PASSPHRASE)


@pytest.fixture
def app(data_dir: Path, org: Org):
    service = AppService(data_dir, actor="テスト職員")
    service.workstation.setup([org.recipient], "窓口テスト")
    yield service
    service.close()
