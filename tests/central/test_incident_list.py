"""The incident list over the central store: an officer's shows every PC's incidents, a
supervisor's login only its departments' (row-level security), filtered and paged in SQL; a
response a supervisor records reaches the centre by the sync as a new incident version."""

from __future__ import annotations

import getpass

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.store.incident_model import IncidentDraft, ResponseAction
from kasuhara_recorder.store.incident_query import IncidentQuery


def _two_pcs(central, tmp_path) -> dict[str, str]:
    made = {}
    for name, dept, minutes in (
        ("counter-shimin", "市民課", 75),
        ("counter-fukushi", "福祉課", 20),
    ):
        app = central.workstation(tmp_path, name, department=dept)
        inc = app.incidents.create(IncidentDraft(
            occurred_at="2026-11-25T10:00:00+09:00", duration_seconds=minutes * 60,
            location="counter", department=dept, demand=f"{dept}で返金を要求",
            categories=("conduct.mental",),
        ))  # fmt: skip
        made[dept] = inc.id
        assert app.sync.sync().ok
    return made


def test_the_officers_list_shows_both_pcs_and_a_supervisor_only_its_department(central, tmp_path):
    made = _two_pcs(central, tmp_path)
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    page = officer.central_page(IncidentQuery())
    assert page.total == 2
    assert {(r.id, r.workstation) for r in page.rows} == {
        (made["市民課"], "counter-shimin"), (made["福祉課"], "counter-fukushi"),
    }  # fmt: skip
    over = officer.central_page(IncidentQuery(over_limit=True))
    assert [r.id for r in over.rows] == [made["市民課"]] and over.rows[0].duration_seconds == 4500
    found = officer.central_page(IncidentQuery(text="福祉課で返金", channels=("counter",),
                                               categories=("conduct.mental",)))  # fmt: skip
    assert [r.id for r in found.rows] == [made["福祉課"]]
    assert officer.central_page(IncidentQuery(occurred_from="2026-11-26")).total == 0
    assert officer.central_page(IncidentQuery(occurred_to="2026-11-25")).total == 2
    inc, pc = officer.central_incident(made["福祉課"])
    assert pc == "counter-fukushi" and inc.draft.demand == "福祉課で返金を要求"

    login = central.login("supervisor", departments=("市民課",))
    sup = AppService(tmp_path / "supervisor")
    central.apps.append(sup)
    sup.save_settings(sup.settings.with_changes(central_url=central.url(login)))
    mine = sup.central_page(IncidentQuery())
    assert [r.id for r in mine.rows] == [made["市民課"]] and mine.total == 1
    assert sup.central_page(IncidentQuery(departments=("福祉課",))).total == 0


def test_a_response_recorded_after_submission_reaches_the_centre_as_a_new_version(
    central, tmp_path
):
    app = central.workstation(tmp_path, "counter-shimin", department="市民課")
    inc = app.incidents.create(IncidentDraft(department="市民課", demand="謝罪を要求"))
    assert app.sync.sync().ok
    app.save_settings(app.settings.with_changes(
        roles=(RoleGrant(getpass.getuser(), "supervisor", ("市民課",)),)))  # fmt: skip
    app.incidents.add_response(inc.id, ResponseAction("response.police_call", note="110番"))
    assert app.sync.sync().ok
    versions = central.sql(
        f"SELECT count(*) FROM kasuhara.incident_versions WHERE incident_id = '{inc.id}'"
    )
    assert versions == "2"
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    latest, _pc = officer.central_incident(inc.id)
    assert [(r.code, r.note) for r in latest.draft.responses] == [("response.police_call", "110番")]
