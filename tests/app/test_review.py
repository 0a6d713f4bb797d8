"""Supervisor review through the service, the roles enforced there (a direct call by counter
staff is refused), and the incident list's query over the embedded store."""

from __future__ import annotations

import getpass
import json

import pytest

from kasuhara_recorder.app.incident_service import ReasonRequired, UnknownResponse
from kasuhara_recorder.app.roles import DepartmentRefused, RoleRefused
from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.store.incident_model import IncidentDraft, ResponseAction
from kasuhara_recorder.store.incident_query import IncidentQuery
from tests.support.incidents import generate, generated
from tests.support.workstation import DEPARTMENT, org_identity, service  # noqa: F401

ME = getpass.getuser()


def as_role(service, role: str, departments: tuple[str, ...] = ()) -> None:  # noqa: F811
    """This OS user becomes ``role`` in the settings IT distributes (another user is the
    officer, so the PC has a role set-up even for counter staff)."""
    grants = [RoleGrant("someone-else", "officer")]
    if role != "counter":
        grants.append(RoleGrant(ME, role, departments))
    service.save_settings(service.settings.with_changes(roles=tuple(grants)))


def submitted(service, department: str = DEPARTMENT):  # noqa: F811
    inc = service.incidents.create(IncidentDraft(department=department, demand="返金しろ"))
    repo = service.backend.incidents()
    with service.database.transaction():
        repo.set_status(inc.id, "submitted", inc.updated_at, submitted_at=inc.updated_at)
    return service.incidents.get(inc.id)


def chain(service, incident_id):  # noqa: F811
    return [
        (e.event, json.loads(e.data_json)) for e in service.audit.entries(f"incident:{incident_id}")
    ]


def test_supervisor_sets_legal_hold_with_a_reason_and_the_chain_has_it(service):  # noqa: F811
    inc = submitted(service)
    as_role(service, "supervisor", (DEPARTMENT,))
    with pytest.raises(ReasonRequired) as e:
        service.incidents.set_legal_hold(inc.id, True, "   ")
    assert "理由を入力してください" in e.value.message("ja")
    assert not service.incidents.get(inc.id).legal_hold
    held = service.incidents.set_legal_hold(inc.id, True, "訴訟予告があったため")
    assert held.legal_hold
    event, data = chain(service, inc.id)[-1]
    assert event == "incident.legal_hold" and data["reason"] == "訴訟予告があったため"
    with pytest.raises(ReasonRequired):  # lifting needs one too
        service.incidents.set_legal_hold(inc.id, False, "")
    assert not service.incidents.set_legal_hold(inc.id, False, "和解した").legal_hold
    assert service.verify_audit().ok


def test_counter_staff_calling_the_service_directly_are_refused(service):  # noqa: F811
    inc = submitted(service)
    as_role(service, "counter")
    with pytest.raises(RoleRefused) as e:
        service.incidents.set_legal_hold(inc.id, True, "理由")
    assert "権限がありません" in e.value.message("ja")
    with pytest.raises(RoleRefused):
        service.incidents.set_status(inc.id, "reviewed")
    with pytest.raises(RoleRefused):
        service.incidents.add_response(inc.id, ResponseAction("response.lawyer"))
    with pytest.raises(RoleRefused):
        service.export.gather(inc.id, "police")
    with pytest.raises(RoleRefused):
        service.roles.require("recording.listen")
    got = service.incidents.get(inc.id)
    assert got.status == "submitted" and not got.legal_hold and not got.draft.responses


def test_a_supervisor_of_another_department_is_refused(service):  # noqa: F811
    inc = submitted(service)
    as_role(service, "supervisor", ("福祉課",))
    with pytest.raises(DepartmentRefused) as e:
        service.incidents.set_legal_hold(inc.id, True, "理由")
    assert DEPARTMENT in e.value.message("ja")
    with pytest.raises(DepartmentRefused):
        service.incidents.add_response(inc.id, ResponseAction("response.police_call"))
    assert service.incidents.query(IncidentQuery()).total == 0  # nor sees it listed


def test_supervisor_records_a_response_taken_after_submission(service):  # noqa: F811
    inc = submitted(service)
    as_role(service, "supervisor", (DEPARTMENT,))
    new = service.incidents.add_response(
        inc.id, ResponseAction("response.warning_letter", note="内容証明を送付")
    )
    (r,) = new.draft.responses
    assert r.code == "response.warning_letter" and r.at and r.by == service.actor
    event, data = chain(service, inc.id)[-1]
    assert event == "incident.response_add" and data["response"]["note"] == "内容証明を送付"
    with pytest.raises(UnknownResponse):
        service.incidents.add_response(inc.id, ResponseAction("response.nonsense"))
    with pytest.raises(RoleRefused):  # a supervisor reviews; the officer exports
        service.export.gather(inc.id, "police")
    service.incidents.set_status(inc.id, "reviewed", note="確認")
    assert service.incidents.get(inc.id).status == "reviewed"


def test_the_list_filters_sorts_and_pages_ten_thousand_incidents(service):  # noqa: F811
    generate(service, 10_000)
    q = service.incidents.query
    everything = q(IncidentQuery(limit=50))
    assert everything.total == 10_000 and len(everything.rows) == 50
    times = [r.occurred_at for r in everything.rows]
    assert times == sorted(times, reverse=True)

    one = q(IncidentQuery(text="受付 04321"))
    assert [r.id for r in one.rows] == [generated(4321).id] and one.total == 1
    row = one.rows[0]
    assert row.title.startswith("手数料の返金を求めた") and row.department == "福祉課"
    assert q(IncidentQuery(text="来庁者 7 番")).total == 250  # the party's description
    assert q(IncidentQuery(text="100%")).total == 0  # LIKE's own characters taken literally

    welfare = q(IncidentQuery(departments=("福祉課",), statuses=("reviewed",), limit=500))
    assert welfare.total == sum(1 for n in range(10_000) if n % 3 == 1 and n % 5 == 2) and all(
        r.department == "福祉課" and r.status == "reviewed" for r in welfare.rows
    )
    over = q(IncidentQuery(over_limit=True, legal_hold=True, channels=("counter",), limit=500))
    assert over.total == sum(
        1 for n in range(10_000) if (n * 37) % 5400 > 3600 and n % 50 == 0 and n % 4 == 0
    )
    cats = q(IncidentQuery(categories=("conduct.physical",), limit=1))
    assert cats.total == sum(1 for n in range(10_000)
                             if 5 in (n % 6, (n // 3 + 2) % 6))  # fmt: skip
    day = generated(4321).draft.occurred_at[:10]
    dated = q(IncidentQuery(occurred_from=day, occurred_to=day, limit=10))
    assert generated(4321).id in [r.id for r in dated.rows] and dated.total <= 4

    by_duration = q(IncidentQuery(sort="duration", descending=False, limit=20, offset=20))
    durations = [r.duration_seconds for r in by_duration.rows]
    assert durations == sorted(durations) and len(durations) == 20
    pages = [q(IncidentQuery(limit=100, offset=o)) for o in (0, 100)]
    assert not {r.id for r in pages[0].rows} & {r.id for r in pages[1].rows}
