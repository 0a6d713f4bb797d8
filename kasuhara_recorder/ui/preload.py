"""Everything the app imports lazily, imported on the GUI thread.

Worker threads must not import: an import running in a QThreadPool worker while the GUI thread
deleted a QObject crashed the app (PySide runs its own hook on every import; about 1 run in 3
of a form closed during the start-up warm-up, when that warm-up imported on a worker). So the
lazily-imported modules are loaded here: in small steps after the first paint, so the window
stays responsive, or all at once before any task is handed to a worker (``TaskRunner.run``).
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import pkgutil
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

import kasuhara_recorder

log = logging.getLogger("kasuhara.ui.preload")

# Third-party stacks first (the heavy ones), then every module of the package below ui/; the CLI
# commands are never run by the GUI.
_THIRD_PARTY = ("numpy", "soundfile", "cryptography.hazmat.primitives.asymmetric.ed25519", "pyrage")
_SKIP = (
    "kasuhara_recorder.ui", "kasuhara_recorder.commands", "kasuhara_recorder.__main__",
    # boto3 alone takes ~0.23 s, and the first 録音開始 waits for whatever is still pending
    # (load_all): only a PC joined to a central store loads it (ui/sync_status.py, at start).
    "kasuhara_recorder.central.blobs_s3",
)  # fmt: skip
_pending: list[str] | None = None


def _steps() -> list[str]:
    global _pending
    if _pending is None:
        ours = sorted(
            m.name
            for m in pkgutil.walk_packages(kasuhara_recorder.__path__, "kasuhara_recorder.")
            if not m.name.startswith(_SKIP)
        )
        # The RFC 3161 stack (~0.4 s) last: a stop or a verify may need it on a worker.
        from kasuhara_recorder.evidence.timestamp import STACK

        _pending = [*_THIRD_PARTY, *ours, "<portaudio>", *STACK]
    return _pending


def _load(name: str) -> None:
    try:
        if name == "<portaudio>":  # loads and initialises PortAudio; absent is fine until used
            from kasuhara_recorder.audio.devices import sounddevice

            sounddevice()
        else:
            importlib.import_module(name)
    except Exception as e:  # noqa: BLE001 - the feature that needs it reports it when used
        log.warning("preloading %s failed: %s", name, e)


# What a recording's start never imports: export, the central store, review and statistics
# (~0.3 s), and the RFC 3161 stack (~0.4 s; a stop time-stamps). tests/ui/test_worker_imports.py
# fails if a start on a worker imports one of them.
_NOT_FOR_A_START = (
    "kasuhara_recorder.bundle", "kasuhara_recorder.central",
    "kasuhara_recorder.app.export_service", "kasuhara_recorder.app.central_evidence",
    "kasuhara_recorder.app.sync_service", "kasuhara_recorder.app.statistics",
    "kasuhara_recorder.app.playback_service", "kasuhara_recorder.app.officer_session",
    "kasuhara_recorder.app.incident_list_export", "kasuhara_recorder.app.audit_trail",
)  # fmt: skip


def load_all(for_a_start: bool = False) -> None:
    """Import whatever is still pending, now (a no-op once everything is loaded).
    ``for_a_start``: only what a recording's start uses — a 録音開始 pressed as the window
    appears must not wait for the rest; the steps load it meanwhile, a stop loads it first."""
    steps = _steps()
    if not for_a_start:
        while steps:
            _load(steps.pop(0))
        return
    from kasuhara_recorder.evidence.timestamp import STACK

    def later(name: str) -> bool:
        return name in STACK or name.startswith(_NOT_FOR_A_START)

    for name in [name for name in steps if not later(name)]:
        _load(name)
    steps[:] = [name for name in steps if later(name)]


_paused = 0
_held: list[Callable[[], None]] = []  # the next step, while paused (no timer runs meanwhile)


def pause() -> None:
    """Hold the steps back (a recording is starting: an import holds the GIL, and the GUI
    thread must be free to say 録音中 as soon as the start is done); ``resume`` ends it."""
    global _paused
    _paused += 1


def resume() -> None:
    global _paused
    _paused = max(0, _paused - 1)
    if not _paused:
        while _held:
            with contextlib.suppress(RuntimeError):  # its window was deleted meanwhile
                _held.pop()()


def load_in_steps(parent: QObject, then: Callable[[], None] | None = None) -> None:
    """One module per turn of the event loop, so a paint or a click is never held up long;
    ``then`` runs once everything is loaded (at once if it already is)."""

    def step() -> None:
        if _paused:
            _held.append(lambda: QTimer.singleShot(0, parent, step))
            return
        steps = _steps()
        if steps:
            _load(steps.pop(0))
            QTimer.singleShot(0, parent, step)
        elif then is not None:
            then()

    QTimer.singleShot(0, parent, step)
