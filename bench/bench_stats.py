"""The policy review's statistics over 100,000 incidents (10,000 with --quick), generated as
the tests generate them (tests/support/generated_incidents.py, seeded), on each store:

  sqlite    app.statistics.compute() over a PC's store (one UNION ALL query, the referral times
            from the audit chain), next to ``SELECT substr(occurred_at, 1, 7), count(*) FROM
            incidents GROUP BY 1`` on the same file with sqlite3; target < 1 s.
  postgres  an officer's app.statistics.compute() over a central store holding the incidents as
            one version each (a tenth with a second, referred version), through the counter
            login's INSERTs and the server's trigger, next to ``SELECT department, count(*) FROM
            incident_versions GROUP BY 1`` on the officer's connection; target < 1 s. Starts its
            own PostgreSQL (tests/support/postgres.py) and removes it at the end.

Best of 5 each, the app and the baseline alternating.
"""

from __future__ import annotations

import dataclasses
import hashlib
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

from bench.report import Figure, Report

RUNS = 5
BATCH = 2000  # incident versions a transaction


def _best(fn, baseline) -> tuple[float, float]:
    a, b = float("inf"), float("inf")
    for _ in range(RUNS):
        t = time.perf_counter()
        fn()
        a = min(a, time.perf_counter() - t)
        t = time.perf_counter()
        baseline()
        b = min(b, time.perf_counter() - t)
    return a, b


def _workstation(root: Path, name: str):
    import pyrage

    from kasuhara_recorder.app.service import AppService

    app = AppService(root / name)
    app.save_settings(app.settings.with_changes(staff_name="窓口 花子", department="市民課"))
    app.workstation.setup([str(pyrage.x25519.Identity.generate().to_public())], name)
    return app


def _bench_sqlite(report: Report, root: Path, gen) -> None:
    from kasuhara_recorder.app.statistics import Period
    from tests.support import generated_incidents as incidents

    app = _workstation(root, "pc-sqlite")
    t = time.perf_counter()
    incidents.insert(app, gen)
    print(f"  inserted {len(gen.incidents):,} incidents in {time.perf_counter() - t:.1f} s")
    stats = app.statistics.compute(Period())
    print(f"  counted {stats.total:,} (drafts not counted), {stats.referral.incidents:,} referred")
    db = sqlite3.connect(app.paths.database)
    try:
        value, base = _best(
            lambda: app.statistics.compute(Period()),
            lambda: db.execute(
                "SELECT substr(occurred_at, 1, 7), count(*) FROM incidents GROUP BY 1"
            ).fetchall(),
        )
    finally:
        db.close()
        app.close()
    report.add(Figure(f"statistics over {len(gen.incidents):,} incidents, SQLite", value, "s",
                      "sqlite3 GROUP BY month", base, target_abs=1.0))  # fmt: skip


def _central_versions(app, gen):
    """(incident id, version, body, sha, status, department, legal hold, occurred_at) rows: one
    version each, the referred ones first reviewed, then referred."""
    from kasuhara_recorder.evidence.canonical_json import canonical_json

    rows = []
    for inc in gen.incidents:
        versions = [inc]
        if inc.status == "referred":
            versions = [dataclasses.replace(inc, status="reviewed"), inc]
        for n, v in enumerate(versions, 1):
            body = canonical_json(v.to_json_dict()).decode("utf-8")
            rows.append((v.id, n, body, hashlib.sha256(body.encode()).hexdigest(), v.status,
                         v.draft.department, v.legal_hold, v.draft.occurred_at))  # fmt: skip
    return rows


def _bench_postgres(report: Report, root: Path, gen) -> None:
    import psycopg

    from kasuhara_recorder.app.statistics import Period
    from kasuhara_recorder.central.admin import grant, init_central
    from tests.support.postgres import PostgresServer, PostgresUnavailable

    try:
        server = PostgresServer.start()
    except (PostgresUnavailable, OSError) as e:
        print(f"PostgreSQL unavailable ({e}); skipping the central statistics")
        return
    import os

    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        db = server.new_database()
        init_central(server.url(database=db))
        counter = server.add_login("pc_stats_bench")
        grant(server.url(database=db), counter, "counter")
        officer_login = server.add_login("officer_stats_bench")
        grant(server.url(database=db), officer_login, "officer")
        pc = _workstation(root, "pc-central")
        pc.sync.join(server.url(counter, db))
        fp = pc.identity.key.fingerprint
        pc.close()
        t = time.perf_counter()
        rows = [(i, n, fp, b, s, st, d, h, o)
                for i, n, b, s, st, d, h, o in _central_versions(pc, gen)]  # fmt: skip
        with psycopg.connect(server.url(counter, db), autocommit=True) as c:
            c.execute("SET search_path TO kasuhara")
            for start in range(0, len(rows), BATCH):  # the trigger locks each incident
                with c.transaction(), c.cursor() as cur:
                    cur.executemany(
                        "INSERT INTO incident_versions (incident_id, version, workstation, "
                        "body_json, body_sha256, status, department, legal_hold, occurred_at) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
                        rows[start : start + BATCH],
                    )
        server.admin("VACUUM ANALYZE kasuhara.incident_versions", db)
        print(f"  {len(gen.incidents):,} incidents into PostgreSQL in "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
        officer = _workstation(root, "officer")
        officer.save_settings(officer.settings.with_changes(
            central_url=server.url(officer_login, db)))  # fmt: skip
        stats = officer.statistics.compute(Period())
        print(f"  counted {stats.total:,} centrally, {stats.referral.incidents:,} referred")
        with psycopg.connect(server.url(officer_login, db)) as c:
            c.execute("SET search_path TO kasuhara")
            value, base = _best(
                lambda: officer.statistics.compute(Period()),
                lambda: c.execute(
                    "SELECT department, count(*) FROM incident_versions GROUP BY 1"
                ).fetchall(),
            )
        officer.close()
        report.add(Figure(f"statistics over {len(gen.incidents):,} incidents, PostgreSQL",
                          value, "s", "psycopg GROUP BY department", base,
                          target_abs=1.0))  # fmt: skip
    finally:
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old
        server.stop()


def run(report: Report, quick: bool) -> None:
    from kasuhara_recorder.policy import load_profile
    from tests.support import generated_incidents as incidents

    n = 10_000 if quick else 100_000
    t = time.perf_counter()
    gen = incidents.generate(n, seed=100, profile=load_profile())
    print(f"  generated {n:,} incidents in {time.perf_counter() - t:.1f} s")
    root = Path(tempfile.mkdtemp(prefix="kasuhara-bench-stats-"))
    try:
        _bench_sqlite(report, root, gen)
        _bench_postgres(report, root, gen)
    finally:
        shutil.rmtree(root, ignore_errors=True)
