"""Who reads what from the centre: an officer every PC's incidents; a supervisor only its
departments', and no recording; `incident list --central` as each of them."""

from __future__ import annotations

import json

import psycopg
import pytest

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.central.connection import connect
from kasuhara_recorder.store.incident_model import Marker
from tests.bundle.conftest import kr
from tests.support.recordings import routine_recording


@pytest.fixture
def two_departments(central, tmp_path):
    made = {}
    for name, dept in (("counter-shimin", "市民課"), ("counter-fukushi", "福祉課")):
        app = central.workstation(tmp_path, name, department=dept)
        m = routine_recording(app, tmp_path)
        made[dept] = app.incidents.create_from_recording(m, [Marker("conduct.mental", 100)]).id
        assert app.sync.sync().ok
    return made


def _listed(data_dir) -> dict[str, str]:
    out = json.loads(kr(data_dir, "--json", "incident", "list", "--central").stdout)
    return {row["id"]: row["workstation"] for row in out["incidents"]}


def test_the_officer_lists_every_pcs_incidents(central, two_departments, tmp_path):
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert _listed(officer.paths.root) == {
        two_departments["市民課"]: "counter-shimin", two_departments["福祉課"]: "counter-fukushi",
    }  # fmt: skip


def test_a_supervisor_sees_its_department_only_and_no_recording(central, two_departments,
                                                                tmp_path):  # fmt: skip
    login = central.login("supervisor", departments=("市民課",))
    sup = AppService(tmp_path / "supervisor")
    central.apps.append(sup)
    sup.save_settings(sup.settings.with_changes(central_url=central.url(login)))
    assert _listed(sup.paths.root) == {two_departments["市民課"]: "counter-shimin"}
    with connect(central.url(login)) as c:
        for sql in ("SELECT * FROM recordings", "SELECT * FROM audit_entries",
                    "SELECT blob_read(sha256, 0, 10) FROM blobs"):  # fmt: skip
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                c.execute(sql)
        c.execute(
            "INSERT INTO review_entries (incident_id, department, kind, note, actor) "
            "VALUES (%s, '市民課', 'reviewed', '確認しました', '課長')",
            (two_departments["市民課"],),
        )
        with pytest.raises(psycopg.errors.InsufficientPrivilege):  # another department's
            c.execute(
                "INSERT INTO review_entries (incident_id, department, kind, note, actor) "
                "VALUES (%s, '福祉課', 'reviewed', '', '課長')",
                (two_departments["福祉課"],),
            )
    assert central.sql("SELECT count(*) FROM kasuhara.review_entries") == "1"


def test_the_central_logins_role_is_the_pcs_role_after_a_join(central, tmp_path):
    from kasuhara_recorder.central.admin import grant

    counter = central.workstation(tmp_path, "counter-a")
    assert counter.roles.current().code == "counter"
    assert not counter.roles.current().may("recording.listen")
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    assert officer.roles.current().code == "officer"  # seen at the join, before any sync
    # IT makes the counter PC's login a supervisor of 福祉課: the next sync says so
    login = counter.settings.central_url.split("//")[1].split("@")[0]
    grant(central.admin_url, login, "supervisor", departments=("福祉課",))
    assert counter.sync.sync().ok
    role = counter.roles.current()
    assert role.code == "supervisor" and role.departments == ("福祉課",)
