"""The central store: sync of a sealed recording into PostgreSQL over loopback, next to psql's
``\\lo_import`` of the same sealed file into the same server in the same run.

Starts its own PostgreSQL (tests/support/postgres.py: ``initdb`` in a temporary folder, run as
``nobody`` when we are root, SCRAM passwords in a libpq passfile) and removes it at the end.

  60 min   a 48 kHz mono s16 recording (~330 MiB of PCM, sealed with the real SealedWriter and
           signed through the workstation facade; 2 min with --quick). Each run gets a fresh
           central database (``central init``), a fresh counter login (``central grant``) and a
           fresh copy of the workstation's data folder, so every run uploads the whole blob:
             app       app.sync.sync(): register, inventory, the blob in 1 MiB pieces, the
                       server's read-back, the manifest, the audit chain, the central head
             baseline  psql -c "\\lo_import FILE" as the cluster's admin, into a fresh database
           alternating, median of RUNS each; target ≤ 1.5× baseline.
  stop     a 1-minute recording from a file through the app's own recording path, on a
           workstation that has synced before: from session.stop() returning to sync()
           returning with the recording confirmed centrally; target < 1 s (psql's
           ``\\lo_import`` of that sealed file shown for scale).

Also prints where the 60-minute sync spends its time (blob pieces, the server's read-back, the
rest), from one more run with the phases timed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import Figure, Report

RUNS = 3
RATE = 48000


@contextmanager
def _passfile(server) -> Iterator[None]:
    """libpq in this process (the app) finds the passwords in the server's passfile."""
    old = os.environ.get("PGPASSFILE")
    os.environ["PGPASSFILE"] = str(server.passfile)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("PGPASSFILE", None)
        else:
            os.environ["PGPASSFILE"] = old


def _sealed_recording(app, seconds: int) -> Path:
    """A sealed, signed, registered recording of ``seconds`` of 48 kHz mono s16 noise, made as
    bench_bundle makes its hour: the real SealedWriter, then the registry's manifest."""
    from kasuhara_recorder.evidence.manifest import CaptureRecord, new_recording_id
    from kasuhara_recorder.evidence.sealed_writer import SealedWriter

    rid = new_recording_id()
    writer = SealedWriter(app.vault.sealed(rid), app.identity.recipients)
    block = (np.random.default_rng(1).standard_normal(RATE) * 3000).astype("<i2").tobytes()
    for _ in range(seconds):
        writer.write(block)
    result = writer.close()
    now = dt.datetime.now().astimezone()
    app.registry.finalize(
        result,
        CaptureRecord(
            id=rid, channel="counter", device="bench", samplerate=RATE, channels=1,
            started_at=(now - dt.timedelta(seconds=seconds)).isoformat(),
            ended_at=now.isoformat(),
        ),
    )  # fmt: skip
    return app.vault.sealed(rid)


def _workstation(folder: Path, recipient: str, name: str):
    from kasuhara_recorder.app.service import AppService

    app = AppService(folder, actor="bench")
    app.save_settings(app.settings.with_changes(staff_name="bench 職員", department="市民課"))
    app.workstation.setup([recipient], name)
    return app


class _Central:
    """One central database per use: ``central init``, a counter login, its URL."""

    def __init__(self, server) -> None:
        self.server = server
        self._n = 0

    def fresh(self) -> tuple[str, str]:
        """A new database with the central schema, and a counter login's URL into it."""
        from kasuhara_recorder.central.admin import grant, init_central

        self._n += 1
        db = self.server.new_database()
        init_central(self.server.url(database=db))
        login = self.server.add_login(f"pc_bench_{self._n:02d}")
        grant(self.server.url(database=db), login, "counter")
        return db, self.server.url(login, db)

    def empty(self) -> str:
        return self.server.new_database()

    def drop(self, db: str) -> None:
        self.server.admin(f"DROP DATABASE {db} WITH (FORCE)")

    def checkpoint(self) -> None:
        """Start every timed run with the WAL flushed, so no run pays for the one before."""
        self.server.admin("CHECKPOINT")


def _lo_import(server, db: str, sealed: Path) -> float:
    """psql's \\lo_import (client-side read, lo_write in one transaction) as the admin."""
    env = {**os.environ, **server.env()}
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", f"\\lo_import {sealed}",
           server.url(database=db)]  # fmt: skip
    t = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def _timed_sync(app) -> tuple[float, Any]:
    t = time.perf_counter()
    report = app.sync.sync()
    return time.perf_counter() - t, report


def _confirmed(url: str, rid: str, sha256: str) -> bool:
    """The central store holds the recording under its sealed hash, and the blob reads back."""
    from kasuhara_recorder.central.client import CentralClient

    client = CentralClient(url)
    try:
        rec = client.recording(rid)
        if rec is None or rec.sealed_sha256 != sha256:
            return False
        return client.blobs.confirm(sha256, rec.sealed_size)
    finally:
        client.close()


def run(report: Report, quick: bool) -> None:
    import pyrage

    from tests.support.postgres import PostgresServer, PostgresUnavailable

    if not shutil.which("psql"):
        print("psql not installed; skipping the central bench")
        return
    try:
        server = PostgresServer.start()
    except (PostgresUnavailable, OSError) as e:
        print(f"PostgreSQL unavailable ({e}); skipping the central bench")
        return
    root = Path(tempfile.mkdtemp(prefix="kasuhara-bench-central-"))
    try:
        with _passfile(server):
            central = _Central(server)
            recipient = str(pyrage.x25519.Identity.generate().to_public())
            _bench_hour(report, root, server, central, recipient, 120 if quick else 3600)
            _bench_stop(report, root, server, central, recipient, 10 if quick else 60)
    finally:
        shutil.rmtree(root, ignore_errors=True)
        server.stop()


def _bench_hour(report: Report, root: Path, server, central: _Central, recipient: str,
                seconds: int) -> None:  # fmt: skip
    template = root / "template"
    app = _workstation(template, recipient, "bench-hour")
    sealed_rel = _sealed_recording(app, seconds).relative_to(template)
    app.close()
    sealed = template / sealed_rel
    size = sealed.stat().st_size
    label = f"{seconds // 60} min"
    print(f"  sealed {label} recording: {size / 2**20:.1f} MiB", flush=True)
    subprocess.run(["cat", str(sealed)], stdout=subprocess.DEVNULL, check=True)  # page cache

    def app_run(i: int, phases: bool = False) -> tuple[float, dict[str, float]]:
        from kasuhara_recorder.app.service import AppService

        folder = root / f"run{i}"
        shutil.copytree(template, folder)
        db, url = central.fresh()
        ws = AppService(folder, actor="bench")
        try:
            ws.sync.join(url)
            ws.save_settings(ws.settings.with_changes(central_url=url))
            central.checkpoint()
            with _phases(phases) as spent:
                took, r = _timed_sync(ws)
            assert r.ok and r.sent.get("blob") == 1 and r.sent.get("recording") == 1, r
        finally:
            ws.close()
            shutil.rmtree(folder, ignore_errors=True)
            central.drop(db)
        return took, spent

    def psql_run() -> float:
        db = central.empty()
        try:
            central.checkpoint()
            return _lo_import(server, db, sealed)
        finally:
            central.drop(db)

    apps, bases = [], []
    for i in range(RUNS):  # alternating, so a load that comes and goes hits both alike
        apps.append(app_run(i)[0])
        bases.append(psql_run())
    print(f"  runs (s): sync {[round(x, 2) for x in apps]}, "
          f"\\lo_import {[round(x, 2) for x in bases]}", flush=True)  # fmt: skip
    a, b = statistics.median(apps), statistics.median(bases)
    report.add(Figure(f"sync of a {label} recording over loopback (median of {RUNS})", a, "s",
                      "psql \\lo_import", b, target_ratio=1.5))  # fmt: skip
    mib = size / 2**20
    print(f"  throughput: sync {mib / a:.0f} MiB/s, \\lo_import {mib / b:.0f} MiB/s", flush=True)

    took, spent = app_run(RUNS, phases=True)
    rest = took - sum(spent.values())
    parts = ", ".join(f"{k} {v:.2f} s" for k, v in spent.items())
    print(f"  where one sync's {took:.2f} s go: {parts}, the rest {rest:.2f} s", flush=True)


@contextmanager
def _phases(enabled: bool) -> Iterator[dict[str, float]]:
    """Wall time spent in the large-object backend's steps, by wrapping them for one run:
    the pieces (blob_write, committed PIECES_PER_COMMIT at a time), blob_finish (the server's
    read-back of every piece), and blob_check (confirm: the read-back again, before and after
    the upload)."""
    from kasuhara_recorder.central import blobs_pg

    spent: dict[str, float] = {}
    if not enabled:
        yield spent
        return
    cls = blobs_pg.LargeObjectBlobs
    originals = {"_send": cls._send, "confirm": cls.confirm}
    original_call = cls._call

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kw: Any) -> Any:
            t = time.perf_counter()
            try:
                return fn(*args, **kw)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - t

        return wrapper

    def call(self: Any, fn: Callable[[Any], Any]) -> Any:
        # blob_finish is the only _call that is neither a piece batch nor a confirm
        t = time.perf_counter()
        try:
            return original_call(self, fn)
        finally:
            spent["_call"] = spent.get("_call", 0.0) + time.perf_counter() - t

    cls._send = timed("pieces (blob_write)", originals["_send"])  # type: ignore[method-assign]
    cls.confirm = timed("confirm (blob_check)", originals["confirm"])  # type: ignore[method-assign]
    cls._call = call  # type: ignore[method-assign]
    try:
        yield spent
    finally:
        cls._send = originals["_send"]  # type: ignore[method-assign]
        cls.confirm = originals["confirm"]  # type: ignore[method-assign]
        cls._call = original_call  # type: ignore[method-assign]
        calls = spent.pop("_call", 0.0)
        nested = spent.get("pieces (blob_write)", 0.0) + spent.get("confirm (blob_check)", 0.0)
        spent["blob_begin + blob_finish (read-back)"] = max(calls - nested, 0.0)


def _bench_stop(report: Report, root: Path, server, central: _Central, recipient: str,
                seconds: int) -> None:  # fmt: skip
    from tests.support.signals import tone, write_wav

    db, url = central.fresh()
    app = _workstation(root / "stop", recipient, "bench-stop")
    try:
        app.sync.join(url)
        app.save_settings(app.settings.with_changes(central_url=url))
        first = app.sync.sync()  # what it had before: set-up, join
        assert first.ok, first.problems
        wav = write_wav(root / "one-minute.wav", tone(440, seconds, amplitude=0.3))
        times, bases = [], []
        for _ in range(RUNS):
            session = app.recording.start("counter", input_file=wav, paced=False)
            assert session.wait_until_capture_ended(120)
            central.checkpoint()
            manifest = session.stop()
            t = time.perf_counter()
            r = app.sync.sync()
            times.append(time.perf_counter() - t)
            assert r.ok and r.sent.get("recording") == 1, r
            assert _confirmed(url, manifest.id, manifest.sealed_sha256)
            scratch = central.empty()
            try:
                central.checkpoint()
                bases.append(_lo_import(server, scratch, app.vault.sealed(manifest.id)))
            finally:
                central.drop(scratch)
        size = app.vault.sealed(manifest.id).stat().st_size
    finally:
        app.close()
        central.drop(db)
    print(f"  runs (s): stop→confirmed {[round(x, 3) for x in times]}, "
          f"\\lo_import {[round(x, 3) for x in bases]} ({size / 2**20:.1f} MiB sealed)",
          flush=True)  # fmt: skip
    report.add(Figure(f"stop → confirmed centrally, {seconds} s recording (median)",
                      statistics.median(times), "s", "psql \\lo_import (for scale)",
                      statistics.median(bases), target_abs=1.0))  # fmt: skip
