"""Load: 20 workstations, 10 recordings each, all syncing at once (20 processes on this
machine): every recording is there once, every chain intact, every head signed."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.support.signals import tone, write_wav

PCS = 20
PER_PC = 10


def test_twenty_workstations_sync_at_once(central, tmp_path):
    wav = write_wav(tmp_path / "short.wav", tone(440, 0.3, amplitude=0.3))
    ids: set[str] = set()
    for n in range(PCS):
        app = central.workstation(tmp_path, f"counter-{n:02d}")
        for _ in range(PER_PC):
            ids.add(app.recording.import_file(wav).id)
        app.close()  # the sync runs in its own process, as a scheduled task would
    central.apps.clear()
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kasuhara_recorder",
                "--data-dir",
                str(tmp_path / f"counter-{n:02d}"),
                "--json",
                "sync",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for n in range(PCS)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=600)
        assert p.returncode == 0, out + err
        results.append(json.loads(out))
    assert all(r["ok"] and r["sent"]["recording"] == PER_PC for r in results)
    rows = central.sql("SELECT count(*), count(DISTINCT id) FROM kasuhara.recordings")
    assert rows == f"{PCS * PER_PC}|{PCS * PER_PC}"
    assert set(central.sql("SELECT id FROM kasuhara.recordings").split()) == ids
    # The newest central head vouches for every chain as it is: no PC's last entries were left
    # outside a signed head by the race of twenty syncs.
    newest = json.loads(central.sql("SELECT body_json FROM kasuhara.central_heads "
                                    "ORDER BY seq DESC LIMIT 1"))  # fmt: skip
    chains = central.sql("SELECT workstation, seq, hash FROM kasuhara.chain_heads()").split()
    assert {c.split("|")[0]: {"seq": int(c.split("|")[1]), "hash": c.split("|")[2]}
            for c in chains} == newest["chains"]  # fmt: skip
    assert len(newest["chains"]) == PCS
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    report = central.verify(officer)
    assert report.ok, report.text.en
    assert report.workstations == PCS + 1 and report.recordings == PCS * PER_PC
