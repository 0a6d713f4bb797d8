"""Roles from the settings IT distributes: who may do what, and the settings file checked."""

from __future__ import annotations

import pytest

from kasuhara_recorder.app.roles import DepartmentRefused, RoleRefused, Roles
from kasuhara_recorder.config import RoleGrant, Settings, SettingsError

GRANTS = (
    RoleGrant("suzuki", "supervisor", ("市民課",)),
    RoleGrant("sato", "officer"),
)


def roles(user: str, settings: Settings) -> Roles:
    return Roles(lambda: settings, lambda: user)


def test_no_role_set_up_allows_everything_and_says_so():
    role = roles("anyone", Settings()).current()
    assert not role.configured
    assert role.may("recording.listen") and role.may("incident.legal_hold")
    assert role.label.ja == "役割未設定"


def test_counter_staff_may_record_and_write_forms_only():
    r = roles("tanaka", Settings(roles=GRANTS))
    role = r.current()
    assert role.code == "counter"
    assert role.may("record") and role.may("incident.edit")
    assert not role.may("incident.legal_hold") and not role.may("recording.listen")
    with pytest.raises(RoleRefused) as e:
        r.require("recording.listen")
    assert "録音の再生" in e.value.message("ja") and "tanaka" in e.value.message("ja")
    assert "listening to a recording" in e.value.message("en")


def test_supervisor_handles_their_departments_only():
    r = roles("suzuki", Settings(roles=GRANTS, department="福祉課"))
    role = r.require("incident.legal_hold", department="市民課")
    assert role.code == "supervisor" and role.departments == ("市民課",)
    with pytest.raises(DepartmentRefused):
        r.require("incident.legal_hold", department="福祉課")
    with pytest.raises(RoleRefused):
        r.require("export")


def test_supervisor_without_listed_departments_reviews_the_pcs_own():
    s = Settings(roles=(RoleGrant("suzuki", "supervisor"),), department="福祉課")
    assert roles("suzuki", s).current().departments == ("福祉課",)


def test_officer_may_do_everything_in_every_department():
    r = roles("sato", Settings(roles=GRANTS))
    for action in ("identity.unlock", "recording.listen", "export", "retention"):
        r.require(action, department="どこでも")


def test_central_role_raises_a_settings_role_never_lowers_it():
    s = Settings(roles=GRANTS, central_url="postgresql://h/db")
    officer = lambda: ("officer", ())  # noqa: E731
    counter = lambda: ("counter", ())  # noqa: E731
    assert Roles(lambda: s, lambda: "tanaka", officer).current().code == "officer"
    assert Roles(lambda: s, lambda: "sato", counter).current().code == "officer"
    supervisor = Roles(lambda: s, lambda: "tanaka", lambda: ("supervisor", ("福祉課",)))
    assert supervisor.current().departments == ("福祉課",)  # the central grant's departments
    # not joined: the central role is not asked
    s2 = Settings(roles=GRANTS)
    assert Roles(lambda: s2, lambda: "tanaka", officer).current().code == "counter"


def test_a_pc_whose_central_login_role_is_known_has_a_role_set_up():
    joined = Settings(central_url="postgresql://h/db")
    role = Roles(lambda: joined, lambda: "tanaka", lambda: ("counter", ())).current()
    assert role.configured and role.code == "counter" and not role.may("export")
    never_seen = Roles(lambda: joined, lambda: "tanaka", lambda: None).current()
    assert not never_seen.configured


def test_roles_round_trip_and_bad_values_name_the_field():
    s = Settings(roles=GRANTS, idle_lock_minutes=15)
    assert Settings.from_json(s.to_json()) == s
    for bad, where in [
        (b'{"roles": {"user": "x"}}', "roles"),
        (b'{"roles": [{"user": "x", "role": "admin"}]}', "roles[0].role"),
        (b'{"roles": [{"user": "", "role": "officer"}]}', "roles[0].user"),
        (b'{"roles": [{"user": "x", "role": "officer", "dept": []}]}', "roles[0].dept"),
        (
            b'{"roles": [{"user": "x", "role": "officer"}, {"user": "x", "role": "counter"}]}',
            "roles[1].user",
        ),
        (b'{"idle_lock_minutes": 0}', "idle_lock_minutes"),
    ]:
        with pytest.raises(SettingsError) as e:
            Settings.from_json(bad)
        assert e.value.where == where
