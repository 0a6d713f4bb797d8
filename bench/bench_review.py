"""The incident list (issue 14): a page of 10,000 incidents filtered on the embedded SQLite
store through the app (``app.incidents.query``: the count and the first 100 rows), next to
Python's own sqlite3 on the same file doing ``SELECT COUNT(*)`` plus a LIKE scan of the demand
column, measured in the same run.

  search    free text (over five columns) + a status, sorted by time
  filters   a category, over the §4(1) limit and a department, sorted by duration
  page 50   the 50th page of everything, sorted by time (offset 4,900)

Best of RUNS each; target < 50 ms (issue 14); the ratio says what the app's query costs over
the plainest scan SQLite can do of the same table.
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

from bench.report import Figure, Report, wall

RUNS = 20
COUNT = 10_000


def run(report: Report, quick: bool) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.store.incident_query import IncidentQuery
    from tests.support.incidents import generate

    tmp = Path(tempfile.mkdtemp(prefix="kasuhara-bench-review-"))
    app = AppService(tmp / "data")
    try:
        count = 2_000 if quick else COUNT
        made = wall(lambda: generate(app, count))
        print(f"  {count} incidents written in one transaction in {made:.2f} s")
        conn = sqlite3.connect(app.paths.database)

        def baseline() -> None:
            conn.execute("SELECT COUNT(*) FROM incidents").fetchone()
            conn.execute("SELECT id FROM incidents WHERE demand LIKE ?", ("%04321%",)).fetchall()

        base = wall(baseline, RUNS) * 1000
        questions = {
            "search": IncidentQuery(text="受付 04321", statuses=("submitted", "reviewed")),
            "filters": IncidentQuery(
                categories=("conduct.physical",),
                over_limit=True,
                departments=("福祉課",),
                sort="duration",
            ),  # fmt: skip
            "page 50": IncidentQuery(offset=4_900),
        }
        for name, q in questions.items():
            page = app.incidents.query(q)
            ms = wall(lambda q=q: app.incidents.query(q), RUNS) * 1000
            report.add(Figure(
                f"incident list {count}: {name} ({page.total} match)", ms, "ms",
                baseline_name="COUNT(*)+LIKE", baseline=base, target_abs=50.0,
            ))  # fmt: skip
        conn.close()
    finally:
        app.close()
        shutil.rmtree(tmp, ignore_errors=True)
