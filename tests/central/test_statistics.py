"""The statistics over the central store: two PCs' generated incidents synced, an officer's
figures count both, a supervisor's only its department's (row-level security), each equal to
the counts the test makes from the generated data; `stats --json` says it counted centrally."""

from __future__ import annotations

import json

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.app.statistics import Period
from tests.app.test_statistics import check, expected
from tests.bundle.conftest import kr
from tests.support import generated_incidents as gen_incidents


def _central_expected(profile, incidents, departments=()):
    want = expected(profile, incidents, {}, departments=departments)
    # centrally, a referral is the first version whose status is referred: generated ones were
    # synced as referred, made at the time they occurred
    referred = [i for i in incidents if i.status == "referred"
                and (not departments or i.draft.department in departments)]  # fmt: skip
    want.update(referred=len(referred), median=0.0 if referred else None,
                max=0.0 if referred else None)  # fmt: skip
    return want


def test_an_officer_counts_every_pc_and_a_supervisor_its_department(central, tmp_path):
    made = []
    for n, (name, departments) in enumerate(
        (("counter-a", ("市民課", "税務課")), ("counter-b", ("福祉課",)))
    ):
        app = central.workstation(tmp_path, name, department=departments[0])
        gen = gen_incidents.generate(150, seed=20 + n, profile=app.profile,
                                     departments=departments, prefix=name)  # fmt: skip
        gen_incidents.insert(app, gen)
        assert app.sync.sync().ok
        made += gen.incidents

    officer = central.workstation(tmp_path, "officer-1", role="officer")
    stats = officer.statistics.compute(Period())
    assert stats.source == "central"
    check(stats, _central_expected(officer.profile, made))
    assert {d.key for d in stats.by_department} == {"市民課", "税務課", "福祉課"}

    login = central.login("supervisor", departments=("市民課",))
    sup = AppService(tmp_path / "supervisor")
    central.apps.append(sup)
    sup.save_settings(sup.settings.with_changes(central_url=central.url(login)))
    check(sup.statistics.compute(Period()),
          _central_expected(sup.profile, made, departments=("市民課",)))  # fmt: skip

    out = json.loads(kr(sup.paths.root, "--json", "stats", "--from", "2025-07-01").stdout)
    mine = [i for i in made if i.status != "draft" and i.draft.department == "市民課"
            and i.draft.occurred_at[:10] >= "2025-07-01"]  # fmt: skip
    assert out["source"] == "central" and out["total"] == len(mine)
    # the officer's incident list from the centre holds both PCs' incidents
    listed = tmp_path / "list.csv"
    r = kr(officer.paths.root, "incident", "export-list", "--csv", str(listed))
    assert r.returncode == 0, r.stderr
    text = listed.read_text(encoding="utf-8-sig")
    assert "counter-a" in text and "counter-b" in text
    assert len(text.splitlines()) == 1 + sum(1 for i in made if i.status != "draft")
