"""Everything the app imports lazily, imported on the GUI thread.

Worker threads must not import: an import running in a QThreadPool worker while the GUI thread
deleted a QObject crashed the app (PySide runs its own hook on every import; about 1 run in 3
of a form closed during the start-up warm-up, when that warm-up imported on a worker). So the
lazily-imported modules are loaded here: in small steps after the first paint, so the window
stays responsive, or all at once before any task is handed to a worker (``TaskRunner.run``).
"""

from __future__ import annotations

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


def load_all(but_timestamps: bool = False) -> None:
    """Import whatever is still pending, now (a no-op once everything is loaded).
    ``but_timestamps``: not the RFC 3161 stack, which only a stop or a check uses — a 録音開始
    pressed as the window appears must not wait ~0.4 s for it; the steps load it meanwhile."""
    steps = _steps()
    if not but_timestamps:
        while steps:
            _load(steps.pop(0))
        return
    from kasuhara_recorder.evidence.timestamp import STACK

    later = [name for name in steps if name in STACK]
    for name in [name for name in steps if name not in STACK]:
        _load(name)
    steps[:] = later


def load_in_steps(parent: QObject, then: Callable[[], None] | None = None) -> None:
    """One module per turn of the event loop, so a paint or a click is never held up long;
    ``then`` runs once everything is loaded (at once if it already is)."""

    def step() -> None:
        steps = _steps()
        if steps:
            _load(steps.pop(0))
            QTimer.singleShot(0, parent, step)
        elif then is not None:
            then()

    QTimer.singleShot(0, parent, step)
