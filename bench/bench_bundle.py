"""Export and verify of a 1-hour recording, next to `age -d` + `sha256sum` of the same sealed file.

The recording (48 kHz mono s16, 1 h = 346 MB of PCM; 2 min with --quick) is sealed with the
real sealed writer and signed through the workstation facade, attached to an incident, then:
  baseline  age -d -i id sealed | sha256sum          (decrypt + one hash: the least any check costs)
  export    app.export.export(...)                   target ≤ 2× baseline
  verify    verify_bundle(bundle.zip)                target ≤ 1.5× baseline
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.report import Figure, Report


def _make_workstation(root: Path, seconds: int):
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.evidence.manifest import CaptureRecord, new_recording_id
    from kasuhara_recorder.evidence.org_identity import init_org, unlock_identity
    from kasuhara_recorder.evidence.sealed_writer import SealedWriter
    from kasuhara_recorder.store.incident_model import IncidentDraft

    org = init_org(root / "org", "bench passphrase")
    app = AppService(root / "data", actor="bench")
    app.workstation.setup([org.recipient], "bench-ws")
    inc = app.incidents.create(IncidentDraft(narrative="bench", categories=("conduct.mental",)))
    rid = new_recording_id()
    writer = SealedWriter(app.vault.sealed(rid), app.identity.recipients)
    rng = np.random.default_rng(1)
    block = (rng.standard_normal(48000) * 3000).astype("<i2").tobytes()  # 1 s, noise-like
    for _ in range(seconds):
        writer.write(block)
    result = writer.close()
    now = dt.datetime.now().astimezone()
    app.registry.finalize(
        result,
        CaptureRecord(
            id=rid, channel="counter", device="bench", samplerate=48000, channels=1,
            started_at=(now - dt.timedelta(seconds=seconds)).isoformat(),
            ended_at=now.isoformat(), incident_id=inc.id,
        ),
    )  # fmt: skip
    identity = unlock_identity(org.identity, "bench passphrase")
    return app, inc.id, identity, app.vault.sealed(rid)


def run(report: Report, quick: bool) -> None:
    if not shutil.which("age"):
        print("age not installed: skipped")
        return
    seconds = 120 if quick else 3600
    root = Path(tempfile.mkdtemp(prefix="kasuhara-bench-bundle-"))
    try:
        app, incident_id, identity, sealed = _make_workstation(root, seconds)
        key = root / "id.txt"
        key.write_text(f"{identity}\n")
        key.chmod(0o600)
        # Warm the page cache for everyone alike.
        subprocess.run(["cat", str(sealed)], stdout=subprocess.DEVNULL, check=True)

        def baseline() -> float:
            t = time.perf_counter()
            subprocess.run(
                f"age -d -i {key} {sealed} | sha256sum", shell=True, check=True,
                stdout=subprocess.DEVNULL,
            )  # fmt: skip
            return time.perf_counter() - t

        base = min(baseline() for _ in range(2))
        out = root / "bundle.zip"
        times = []
        for _ in range(2):
            out.unlink(missing_ok=True)
            t = time.perf_counter()
            app.export.export(incident_id, identity, out, recipient_kind="police")
            times.append(time.perf_counter() - t)
        label = f"{seconds // 60} min"
        report.add(Figure(f"bundle export, {label} recording", min(times), "s",
                          "age -d | sha256sum", base, target_ratio=2.0))  # fmt: skip
        from kasuhara_recorder.bundle.verify import verify_bundle

        vt = []
        for _ in range(2):
            t = time.perf_counter()
            rep = verify_bundle(out)
            vt.append(time.perf_counter() - t)
            assert rep.ok, rep.failures
        report.add(Figure(f"bundle verify, {label} recording", min(vt), "s",
                          "age -d | sha256sum", base, target_ratio=1.5))  # fmt: skip
        print(f"  bundle size {os.path.getsize(out) / 1e6:.1f} MB")
        app.close()
    finally:
        shutil.rmtree(root, ignore_errors=True)
