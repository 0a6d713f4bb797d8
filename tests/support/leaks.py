"""What a test must not leave behind, checked after every test (tests/conftest.py).

A window, a thread, a timer, a translator, a child process or an environment variable left by
one test changes what the next one sees: a leaked window's application-wide F9 shortcut made
F9 ambiguous (Qt then fires neither) and failed an unrelated test three files later. So the
test that leaks fails itself, and what it left is cleaned up so that the rest of the run is
not disturbed by it.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from dataclasses import dataclass, field

THREAD_GRACE_S = 15.0  # a recording's threads end within their own timeouts


def _children() -> set[int]:
    pid = os.getpid()
    out: set[int] = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children") as f:
                out.update(int(c) for c in f.read().split())
        except OSError:
            continue
    return out


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _python_threads() -> set[threading.Thread]:
    # Qt's pool threads show up as _DummyThread once they ran Python code; they belong to a
    # QThreadPool, which the widget check covers.
    return {t for t in threading.enumerate() if not isinstance(t, threading._DummyThread)}


@dataclass
class Snapshot:
    qt: bool  # a widget test: timers are looked for too (a walk over every Python object)
    threads: set[threading.Thread] = field(default_factory=set)
    children: set[int] = field(default_factory=set)
    environ: dict[str, str] = field(default_factory=dict)
    widgets: set[int] = field(default_factory=set)
    timers: set[int] = field(default_factory=set)

    @classmethod
    def take(cls, qt: bool) -> Snapshot:
        from PySide6.QtWidgets import QApplication

        snap = cls(qt, _python_threads(), _children(), dict(os.environ))
        snap.widgets = {id(w) for w in QApplication.topLevelWidgets()}
        if qt:
            snap.timers = {id(t) for t in _running_timers()}
        return snap

    def leaks(self) -> list[str]:
        """What is left now that was not there before; cleans it up as it goes."""
        found = self._qt_leaks()
        found += self._thread_leaks()
        found += self._process_leaks()
        found += self._environ_leaks()
        return found

    def _qt_leaks(self) -> list[str]:
        from PySide6.QtCore import QCoreApplication, QEvent, QLocale
        from PySide6.QtWidgets import QApplication

        found = []
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        left = [w for w in QApplication.topLevelWidgets() if id(w) not in self.widgets]
        for w in left:
            found.append(f"window {type(w).__name__} {w.objectName()!r} (visible={w.isVisible()})")
            w.close()
            w.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        # translators are application-wide: every later test would see the other language
        if QCoreApplication.translate("MainWindow", "カスハラ録音") != "カスハラ録音" or (
            QLocale().language() != QLocale.Language.Japanese
        ):
            found.append("translators or locale left in another language than Japanese")
            from kasuhara_recorder.ui.i18n import Translators

            Translators().install("ja")
        if not self.qt:
            return found
        for t in _running_timers():
            if id(t) in self.timers:
                continue
            found.append(f"running QTimer {t.objectName()!r} (parent {type(t.parent()).__name__})")
            t.stop()
        return found

    def _thread_leaks(self) -> list[str]:
        deadline = time.monotonic() + THREAD_GRACE_S
        new = _python_threads() - self.threads
        while new and time.monotonic() < deadline:
            for t in new:
                t.join(timeout=max(0.0, deadline - time.monotonic()))
            new = {t for t in _python_threads() - self.threads if t.is_alive()}
        return [f"thread {t.name!r} still running" for t in new]

    def _process_leaks(self) -> list[str]:
        found = []
        for pid in sorted(_children() - self.children):
            if _alive(pid):
                found.append(f"child process {pid} still running ({_cmdline(pid)})")
                try:
                    os.kill(pid, 9)
                except OSError:
                    pass
            try:
                os.waitpid(pid, os.WNOHANG)  # reap it (a zombie is a Popen never waited for)
            except ChildProcessError:
                pass
        return found

    def _environ_leaks(self) -> list[str]:
        found = []
        now = dict(os.environ)
        for key in sorted(set(now) | set(self.environ)):
            if key != "PYTEST_CURRENT_TEST" and now.get(key) != self.environ.get(key):
                was, left = self.environ.get(key), now.get(key)
                found.append(f"os.environ[{key!r}] changed: {was!r} → {left!r}")
        os.environ.clear()
        os.environ.update(self.environ)
        return found


def _running_timers() -> list:
    import shiboken6
    from PySide6.QtCore import QTimer

    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, QTimer) and shiboken6.isValid(o)
            and o.isActive()]  # fmt: skip


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read().replace(b"\0", b" ").decode(errors="replace").strip()[:120]
    except OSError:
        return "?"
