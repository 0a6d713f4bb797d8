"""Fixtures shared by every layer: a private data folder per test, a PulseAudio server for the
session with a fresh null sink per test, Qt offscreen, and a check that each test leaves nothing
behind (tests/support/leaks.py)."""

from __future__ import annotations

import gc
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.central import central, pg_server  # noqa: F401 - shared by tests/central and tests/ui
from tests.support.leaks import Snapshot
from tests.support.pulse import NullSink, PulseServer, PulseUnavailable
from tests.support.seaweed import weed  # noqa: F401 - a real S3 server for the central store
from tests.support.tsa import (  # noqa: F401 - a real RFC 3161 TSA on loopback
    other_tsa_keys,
    tsa,
    tsa_keys,
    tsa_one,
)

_SESSION_ENV = pytest.MonkeyPatch()


def pytest_configure(config: pytest.Config) -> None:
    # Before pytest-qt makes the QApplication; undone when the session ends.
    if "QT_QPA_PLATFORM" not in os.environ:
        _SESSION_ENV.setenv("QT_QPA_PLATFORM", "offscreen")
    # Never this machine's own /etc/kasuhara-recorder/machine.json: a path that does not
    # exist (no machine-wide settings); tests of them point it at their own file.
    _SESSION_ENV.setenv(
        "KASUHARA_MACHINE_CONFIG",
        os.path.join(tempfile.gettempdir(), f"kasuhara-no-machine-{os.getpid()}", "machine.json"),
    )


def pytest_unconfigure(config: pytest.Config) -> None:
    _SESSION_ENV.undo()


@pytest.fixture(scope="session")
def pulse_server() -> Iterator[PulseServer]:
    with pytest.MonkeyPatch.context() as env:
        try:
            server = PulseServer.start(env)
        except PulseUnavailable as e:
            # Not a skip: the real-audio tests are part of the contract of `make test`.
            pytest.fail(f"PulseAudio test server unavailable: {e}")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session", autouse=True)
def _pulse_before_portaudio(pulse_server: PulseServer) -> None:
    """The PulseAudio server runs before any test: PortAudio lists its devices once, when it
    is first loaded (a window's preload, a device query), so a test that loaded it before the
    server was up left every later audio test without an input device, depending on the order
    the tests ran in."""


@pytest.fixture
def pulse_sink(pulse_server: PulseServer) -> Iterator[NullSink]:
    sink = pulse_server.new_sink(rate=48000, channels=1)
    try:
        yield sink
    finally:
        sink.remove()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "data"
    monkeypatch.setenv("KASUHARA_DATA_DIR", str(d))
    return d


@pytest.fixture(scope="session", autouse=True)
def _one_qapplication(qapp):
    """One session-wide QApplication, made before any test runs: code that needs only fonts
    (the PDF report) would otherwise create a QGuiApplication first, and a later widget test
    would abort the whole run ("QWidget: Must construct a QApplication"). It collects cycles
    on its own thread only, as the app does (kasuhara_recorder/ui/garbage_collector.py)."""
    from kasuhara_recorder.ui import garbage_collector
    from kasuhara_recorder.ui.i18n import Translators

    garbage_collector.install(qapp)
    Translators().install("ja")  # as the app starts; every test must leave it so
    return qapp


_off_main_collections: list[str] = []


def _watch_collections(phase: str, info: dict) -> None:
    if phase == "start" and threading.current_thread() is not threading.main_thread():
        _off_main_collections.append(threading.current_thread().name)


gc.callbacks.append(_watch_collections)


@pytest.fixture(autouse=True)
def _leaves_nothing_behind(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test that leaves a window, thread, timer, translator, child process or
    environment change behind, or during which the cycle collector ran off the GUI thread."""
    from kasuhara_recorder.ui.garbage_collector import collect_due

    snapshot = Snapshot.take(qt="qtbot" in request.fixturenames)
    _off_main_collections.clear()
    yield
    leaks = snapshot.leaks()
    if _off_main_collections:
        leaks.append(f"cycle collection on a worker thread: {sorted(set(_off_main_collections))}")
    collect_due()  # what the app's timer would have done meanwhile (non-Qt tests run no loop)
    if leaks:
        pytest.fail("left behind by this test:\n  " + "\n  ".join(leaks), pytrace=False)
