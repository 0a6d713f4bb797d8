"""One desktop app per data folder; a second start brings the first window forward.

Two windows on one data folder would each recover "unfinished" recordings at start, and one of
them is the other's live recording (it was truncated and registered as recovered, and the real
one then failed). A double-click, or a second session of the same user, must only bring the
running window to the front.

The claim is a ``QLockFile`` in the data folder (portable; a lock whose process died is taken
over, so a crash never locks the worker out), and the first app listens on a ``QLocalServer``
(a named pipe on Windows, a socket elsewhere) named for the data folder. The second start
connects, says ``show``, and ends; if it cannot reach the first (still starting, or hung) it
tells the worker that the app is already running.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from kasuhara_recorder.atomic_file import make_private_dir

log = logging.getLogger("kasuhara.ui.instance")

LOCK_NAME = "app.lock"
SHOW = b"show\n"
CONNECT_MS = 2_000


def server_name(data_dir: Path) -> str:
    digest = hashlib.sha256(str(Path(data_dir).resolve()).encode("utf-8")).hexdigest()[:16]
    return f"kasuhara-recorder-{digest}"


class SingleInstance(QObject):
    """``claim()`` is True for the first app on ``data_dir``; it then listens for later starts
    and emits ``show_requested`` for each."""

    show_requested = Signal()

    def __init__(self, data_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.data_dir = Path(data_dir)
        self.name = server_name(self.data_dir)
        self._lock: QLockFile | None = None
        self._server: QLocalServer | None = None

    def claim(self) -> bool:
        """False if another app holds this data folder. A data folder that cannot be made
        (read-only, a file in the way) is not claimed here: the app reports it as it starts."""
        try:
            make_private_dir(self.data_dir)
        except OSError as e:
            log.warning("single-instance lock skipped: %s", e)
            return True
        lock = QLockFile(str(self.data_dir / LOCK_NAME))
        lock.setStaleLockTime(0)  # only a dead owner's lock is stale, never a slow one's
        if not lock.tryLock(0):
            if lock.error() != QLockFile.LockError.LockFailedError:  # cannot even write it
                log.warning("single-instance lock skipped: %s", lock.error())
                return True
            return False
        self._lock = lock
        QLocalServer.removeServer(self.name)  # a crashed first app's socket file
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            log.warning("second starts cannot reach this window: %s", server.errorString())
        server.newConnection.connect(self._accept)
        self._server = server
        return True

    def _accept(self) -> None:
        server = self._server
        while server is not None and server.hasPendingConnections():
            sock = server.nextPendingConnection()
            sock.readyRead.connect(lambda s=sock: self._read(s))
            sock.disconnected.connect(sock.deleteLater)

    def _read(self, sock: QLocalSocket) -> None:
        if bytes(sock.readAll().data()).startswith(SHOW):
            log.info("a second start on this data folder: bringing the window forward")
            self.show_requested.emit()
        sock.disconnectFromServer()

    def ask_first_to_show(self) -> bool:
        """From the second start: True if the running app got the request."""
        sock = QLocalSocket()
        sock.connectToServer(self.name)
        if not sock.waitForConnected(CONNECT_MS):
            return False
        sock.write(SHOW)
        sent = sock.waitForBytesWritten(CONNECT_MS)
        sock.disconnectFromServer()
        return sent

    def release(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        if self._lock is not None:
            self._lock.unlock()
            self._lock = None
