"""The one way to run work off the GUI thread (STYLE §5).

``TaskRunner.run(fn, on_done, on_error)`` runs ``fn`` on a QThreadPool worker and posts its
result (or exception) back to the GUI thread, where the callbacks run: never touch a widget
from the worker. ``fn`` may take a ``cancel`` keyword (a threading.Event) to stop early;
``TaskHandle.cancel()`` sets it and drops the callbacks, so a closed dialog is never called back.

Everything a task touches is released on the GUI thread: the worker keeps a job only while it
runs it, and says "job N is done" with a plain integer through one relay that lives as long as
the runner. The job (its function, closures, result, exception and traceback) is dropped by the
GUI thread after the callbacks ran, so no Python reference that may hold a Qt object dies on a
worker (ui/garbage_collector.py says what that did), and no QObject is made or deleted per task.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from kasuhara_recorder.ui import preload

log = logging.getLogger("kasuhara.ui.tasks")


class TaskHandle:
    def __init__(self) -> None:
        self.cancel_event = threading.Event()
        self.done = False

    def cancel(self) -> None:
        self.cancel_event.set()

    @property
    def cancelled(self) -> bool:
        return self.cancel_event.is_set()


class _Job:
    """What one task needs and gives; written by the worker, read and dropped by the GUI."""

    __slots__ = ("error", "fn", "handle", "on_done", "on_error", "result")

    def __init__(self, fn, handle: TaskHandle, on_done, on_error) -> None:
        self.fn, self.handle, self.on_done, self.on_error = fn, handle, on_done, on_error
        self.result: Any = None
        self.error: BaseException | None = None


class _Relay(QObject):
    """Lives in the GUI thread as long as its runner; a worker's emit is queued to it."""

    finished = Signal(int)  # job number


class _Runnable(QRunnable):
    def __init__(self, job: _Job, number: int, relay: _Relay) -> None:
        super().__init__()
        self.job: _Job | None = job
        self.number, self.relay = number, relay
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread
        job, self.job = self.job, None
        if job is None:  # run() called twice: nothing to do
            return
        try:
            if _accepts_cancel(job.fn):
                job.result = job.fn(cancel=job.handle.cancel_event)
            else:
                job.result = job.fn()
        except BaseException as e:  # noqa: BLE001 - handed to the GUI thread, never lost
            job.error = e
        del job  # the GUI thread's reference is the last one
        self.relay.finished.emit(self.number)


def _accepts_cancel(fn: Callable[..., Any]) -> bool:
    try:
        return "cancel" in inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return False


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None, max_threads: int = 2) -> None:
        super().__init__(parent)
        # The pool first: children are deleted in creation order, so a runner that goes away
        # waits for its workers (~QThreadPool) before the relay they signal is deleted.
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(max_threads)
        self._relay = _Relay(self)
        self._relay.finished.connect(self._finished)
        self._jobs: dict[int, _Job] = {}
        self._numbers = itertools.count()

    def run(
        self,
        fn: Callable[..., Any],
        on_done: Callable[[Any], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        a_start: bool = False,
    ) -> TaskHandle:
        """``a_start``: a recording's start, which needs only the recording stack imported
        (ui/preload.py), not export, review or time-stamps."""
        preload.load_all(for_a_start=a_start)  # workers never import (ui/preload.py says why)
        handle = TaskHandle()
        number = next(self._numbers)
        job = self._jobs[number] = _Job(fn, handle, on_done, on_error)
        self.pool.start(_Runnable(job, number, self._relay))
        return handle

    def _finished(self, number: int) -> None:  # GUI thread
        job = self._jobs.pop(number)
        job.handle.done = True
        if job.handle.cancelled:
            return
        if job.error is not None:
            if job.on_error is not None:
                job.on_error(job.error)
            else:
                log.error("background task failed", exc_info=job.error)
        elif job.on_done is not None:
            job.on_done(job.result)

    @property
    def pending(self) -> int:
        """Tasks started whose callbacks have not run yet."""
        return len(self._jobs)

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until every task has finished (used when quitting and in tests)."""
        return self.pool.waitForDone(msecs)
