"""Fixtures shared by every layer: a private data folder per test, a PulseAudio server for the
session with a fresh null sink per test, and Qt offscreen."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from tests.support.pulse import NullSink, PulseServer, PulseUnavailable  # noqa: E402


@pytest.fixture(scope="session")
def pulse_server() -> Iterator[PulseServer]:
    try:
        server = PulseServer.start()
    except PulseUnavailable as e:
        # Not a skip: the real-audio tests are part of the contract of `make test`.
        pytest.fail(f"PulseAudio test server unavailable: {e}")
    yield server
    server.stop()


@pytest.fixture
def pulse_sink(pulse_server: PulseServer) -> Iterator[NullSink]:
    sink = pulse_server.new_sink(rate=48000, channels=1)
    yield sink
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
    would abort the whole run ("QWidget: Must construct a QApplication")."""
    return qapp
