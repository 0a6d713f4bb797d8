"""The one way to run work off the GUI thread (STYLE §5).

``TaskRunner.run(fn, on_done, on_error)`` runs ``fn`` on a QThreadPool worker and posts its
result (or exception) back to the GUI thread, where the callbacks run: never touch a widget
from the worker. ``fn`` may take a ``cancel`` keyword (a threading.Event) to stop early;
``TaskHandle.cancel()`` sets it and drops the callbacks, so a closed dialog is never called back.
"""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from kasuhara_recorder.ui import preload

log = logging.getLogger("kasuhara.ui.tasks")


class _Relay(QObject):
    """Lives in the GUI thread; signals emitted from a worker are queued to it."""

    finished = Signal(object, object)  # (result, exception)


class TaskHandle:
    def __init__(self) -> None:
        self.cancel_event = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], handle: TaskHandle, relay: _Relay) -> None:
        super().__init__()
        self.fn, self.handle, self.relay = fn, handle, relay
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        try:
            if _accepts_cancel(self.fn):
                result = self.fn(cancel=self.handle.cancel_event)
            else:
                result = self.fn()
        except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, never lost
            self.relay.finished.emit(None, e)
        else:
            self.relay.finished.emit(result, None)


def _accepts_cancel(fn: Callable[..., Any]) -> bool:
    try:
        return "cancel" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._pending: set[_Relay] = set()

    def run(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
    ) -> TaskHandle:
        preload.load_all()  # workers never import (ui/preload.py says why)
        handle = TaskHandle()
        relay = _Relay(self)  # created here, so it belongs to the GUI thread
        self._pending.add(relay)

        @Slot(object, object)
        def finished(result: Any, error: BaseException | None) -> None:
            self._pending.discard(relay)
            relay.deleteLater()
            handle.done = True
            if handle.cancelled:
                return
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    log.error("background task failed", exc_info=error)
            elif on_done is not None:
                on_done(result)

        relay.finished.connect(finished)
        self.pool.start(_Runnable(fn, handle, relay))
        return handle

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every task has finished (used when quitting and in tests)."""
        return self.pool.waitForDone(msecs)
