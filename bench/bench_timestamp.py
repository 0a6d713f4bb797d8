"""Trusted time at stop: 停止 → the capture manifest's RFC 3161 token checked and stored, with
a real TSA (`openssl ts -reply` behind http.server on loopback, tests/support/tsa.py), beyond
停止 → sealed without a TSA (target < 100 ms), next to the bare `openssl ts -reply` for the same
query as the baseline."""

from __future__ import annotations

import hashlib
import statistics
import tempfile
import time
from pathlib import Path

from bench.report import Figure, Report


def _stop_times(app, wav: Path, n: int) -> list[float]:
    out = []
    for _ in range(n):
        session = app.recording.start("counter", input_file=wav, paced=False)
        assert session.wait_until_capture_ended(30)
        t = time.perf_counter()
        session.stop()
        out.append(time.perf_counter() - t)
    return out


def run(report: Report, quick: bool) -> None:
    import pyrage

    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.evidence.timestamp import build_request
    from tests.support.signals import tone, write_wav
    from tests.support.tsa import LoopbackTsa, TsaKeys

    n = 5 if quick else 20
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        keys = TsaKeys.make(root / "tsa")
        tsa = LoopbackTsa(keys, "tsa+ca").start()
        app = AppService(root / "data")
        try:
            app.workstation.setup([str(pyrage.x25519.Identity.generate().to_public())], "bench")
            wav = write_wav(root / "tone.wav", tone(440, 1.0, amplitude=0.3))
            _stop_times(app, wav, 2)  # warm: imports, the database
            bare = statistics.median(_stop_times(app, wav, n))
            app.timestamps.configure(tsa.url, str(keys.ca), app.identity.key.fingerprint)
            _stop_times(app, wav, 2)
            stamped = statistics.median(_stop_times(app, wav, n))
            rows = [r for r in app.timestamps.rows() if r.kind == "manifest"]
            assert rows and all(r.state == "added" for r in rows), "a token did not come"
            query = build_request(hashlib.sha256(b"bench").hexdigest()).der
            replies = []
            for _ in range(n):
                t = time.perf_counter()
                keys.reply(query, "tsa+ca")
                replies.append(time.perf_counter() - t)
            reply = statistics.median(replies)
        finally:
            app.close()
            tsa.down()
    report.add(Figure("停止 → sealed, no TSA (median)", bare * 1000, "ms"))
    report.add(
        Figure("停止 → token stored, beyond → sealed (median)", (stamped - bare) * 1000, "ms",
               "bare `openssl ts -reply`", reply * 1000, target_abs=100.0)
    )  # fmt: skip
