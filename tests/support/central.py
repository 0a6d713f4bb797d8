"""The central store for the tests: a real PostgreSQL server (session), a fresh central database
per test (``central init`` applied), and set-up workstations joined to it, each with its own
database login (a counter PC's) and its own key."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyrage
import pytest

from kasuhara_recorder.app.service import AppService
from tests.support.postgres import PostgresServer, PostgresUnavailable

_logins = itertools.count(1)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PostgresServer]:
    try:
        server = PostgresServer.start()
    except (PostgresUnavailable, OSError) as e:
        # Not a skip: the central store's tests are part of `make test`.
        pytest.fail(f"PostgreSQL test server unavailable: {e}")
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Central:
    server: PostgresServer
    database: str
    org: pyrage.x25519.Identity
    apps: list[AppService] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return self.server.url(database=self.database)

    def url(self, login: str) -> str:
        return self.server.url(login, self.database)

    def login(self, role: str = "counter", departments: tuple[str, ...] = ()) -> str:
        from kasuhara_recorder.central.admin import grant

        name = self.server.add_login(f"{role}_{next(_logins)}_{self.database[-6:]}")
        grant(self.admin_url, name, role, departments=departments)
        return name

    def workstation(self, root: Path, name: str, role: str = "counter",
                    department: str = "市民課") -> AppService:  # fmt: skip
        """A set-up workstation with its own login, joined to the central store."""
        app = AppService(root / name)
        app.save_settings(app.settings.with_changes(staff_name=f"{name} 職員",
                                                    department=department))  # fmt: skip
        app.workstation.setup([str(self.org.to_public())], name)
        login = self.login(role)
        if role == "officer":
            self._grant_counter(login)
        app.sync.join(self.url(login))
        app.save_settings(app.settings.with_changes(central_url=self.url(login)))
        self.apps.append(app)
        return app

    def _grant_counter(self, login: str) -> None:
        from kasuhara_recorder.central.admin import grant

        grant(self.admin_url, login, "counter")  # an officer's PC syncs its own chain too

    def verify(self, app: AppService):
        """``audit verify --central`` over ``app``'s login (an officer's)."""
        from kasuhara_recorder.central.verify import verify_central

        with app.sync.open_client() as client:
            return verify_central(client)

    def sql(self, query: str) -> str:
        return self.server.admin(query, self.database)


@pytest.fixture
def central(pg_server: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[Central]:
    from kasuhara_recorder.central.admin import init_central

    monkeypatch.setenv("PGPASSFILE", str(pg_server.passfile))
    db = pg_server.new_database()
    init_central(pg_server.url(database=db))
    c = Central(pg_server, db, pyrage.x25519.Identity.generate())
    try:
        yield c
    finally:
        for app in c.apps:
            app.close()
