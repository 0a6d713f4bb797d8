"""Capture tokens to the central store: what a sync adds per RFC 3161 token, with the real
loopback TSA and a real PostgreSQL (its own, removed at the end).

N one-second recordings are made with the TSA down (their requests queued), synced without
tokens; the TSA comes up, `timestamp retry` fetches the N tokens, and the next sync sends them
(after the chain with their N ``timestamp.added`` entries). Timed: that sync's token phase
(``_send_timestamps``: the PC's imprint check, ``add_capture_timestamp``, the mark) per token,
next to one SQL round trip on the same login as the floor; and an idle sync afterwards (every
token already central: the inventory's one more query and the loop over the PC's tokens), next
to the same idle sync of the same workstation with the token phase left out.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.bench_central import _Central, _passfile, _sealed_recording, _workstation
from bench.report import Figure, Report


def _phase_timer(app: Any, into: list[float]) -> None:
    """Time the sync's token phase, by wrapping this one service's method."""
    inner = app.sync._send_timestamps

    def timed(*args: Any) -> None:
        t = time.perf_counter()
        inner(*args)
        into.append(time.perf_counter() - t)

    app.sync._send_timestamps = timed


def _idle(app: Any, n: int) -> float:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        app.sync.sync()
        out.append(time.perf_counter() - t)
    return statistics.median(out)


def run(report: Report, quick: bool) -> None:
    import pyrage

    from tests.support.postgres import PostgresServer
    from tests.support.tsa import LoopbackTsa, TsaKeys

    n = 10 if quick else 50
    with tempfile.TemporaryDirectory() as d:
        root = Path(d)
        server = PostgresServer.start()
        keys = TsaKeys.make(root / "tsa")
        tsa = LoopbackTsa(keys, "tsa").start()
        recipient = str(pyrage.x25519.Identity.generate().to_public())
        apps: list[Any] = []
        try:
            with _passfile(server):
                central = _Central(server)
                _db, url = central.fresh()
                app = _workstation(root / "pc", recipient, "bench-pc")
                apps.append(app)
                app.sync.join(url)
                app.save_settings(app.settings.with_changes(central_url=url))
                app.timestamps.configure(tsa.url, str(keys.ca), app.identity.key.fingerprint)
                tsa.down()
                for _ in range(n):
                    _sealed_recording(app, 1)
                first = app.sync.sync()
                assert first.sent.get("recording") == n and "timestamp" not in first.sent
                tsa.up()
                got = app.timestamps.retry()
                assert len(got.added) >= n, got
                phase: list[float] = []
                _phase_timer(app, phase)
                t = time.perf_counter()
                second = app.sync.sync()
                whole = time.perf_counter() - t
                assert second.sent.get("timestamp") == n, second.sent
                with app.sync.open_client() as client:
                    trips = []
                    for _ in range(n):
                        t = time.perf_counter()
                        client._rows("SELECT 1")
                        trips.append(time.perf_counter() - t)
                # alternating, so the head's daily token and the disk hit both alike
                idle_tokens, idle_plain = [], []
                tokens = app.sync._tokens
                app.sync.sync()
                for _ in range(5):
                    idle_tokens.append(_idle(app, 1))
                    app.sync._tokens = None
                    idle_plain.append(_idle(app, 1))
                    app.sync._tokens = tokens
        finally:
            for a in apps:
                a.close()
            tsa.down()
            server.stop()
    per_token = phase[0] / n
    report.add(Figure(f"sync: per capture token sent ({n} late ones)", per_token * 1000, "ms",
                      "one SQL round trip", statistics.median(trips) * 1000))  # fmt: skip
    report.add(Figure(f"sync sending {n} late tokens (+ their chain entries), whole", whole * 1000,
                      "ms"))  # fmt: skip
    report.add(Figure(f"idle sync, {n} tokens already central", statistics.median(idle_tokens)
                      * 1000, "ms", "the same, token phase left out",
                      statistics.median(idle_plain) * 1000))  # fmt: skip
