"""A private PostgreSQL server for the tests: Debian's binaries, ``initdb`` in a temporary
folder, listening on a loopback port with password (SCRAM) authentication, so the central store
is tested against the real thing, as the app meets it (libpq URL without a password; the
password in a libpq passfile).

``initdb`` refuses to run as root, and CI runs as root: the cluster then belongs to ``nobody``
(the server runs as that user; the tests connect over TCP like any client).
"""

from __future__ import annotations

import glob
import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

ADMIN = "kasuhara_admin"


class PostgresUnavailable(RuntimeError):
    pass


def _bindir() -> Path:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    if not found:
        raise PostgresUnavailable("initdb not found (make test installs postgresql)")
    return Path(found[0]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _demote() -> dict[str, object]:
    """Popen arguments that run a server tool as ``nobody`` when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": "nobody", "group": "nogroup", "extra_groups": []}


@dataclass
class PostgresServer:
    root: Path
    port: int
    password: str
    passfile: Path
    bindir: Path
    users: dict[str, str] = field(default_factory=dict)  # login -> password

    @classmethod
    def start(cls) -> PostgresServer:
        bindir = _bindir()
        root = Path(tempfile.mkdtemp(prefix="kasuhara-pg-"))
        root.chmod(0o755)
        data = root / "data"
        password = secrets.token_urlsafe(18)
        pwfile = root / "pw"
        pwfile.write_text(password + "\n")
        if os.geteuid() == 0:
            os.chown(root, 65534, 65534)
            os.chown(pwfile, 65534, 65534)
        pwfile.chmod(0o600)
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", ADMIN, "--pwfile", str(pwfile),
             "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8",
             "--locale=C.UTF-8", "--no-sync"],
            check=True, capture_output=True, timeout=120, **_demote(),
        )  # fmt: skip
        pwfile.unlink()
        port = _free_port()
        server = cls(root, port, password, root / "pgpass", bindir)
        with open(data / "postgresql.conf", "a") as conf:
            conf.write(
                f"listen_addresses = '127.0.0.1'\nport = {port}\n"
                f"unix_socket_directories = '{root}'\nmax_connections = 200\n"
                "fsync = on\nshared_buffers = 64MB\nlog_min_messages = warning\n"
            )
        server._write_passfile()
        server.start_server()
        return server

    @property
    def data(self) -> Path:
        return self.root / "data"

    def _write_passfile(self) -> None:
        lines = [f"127.0.0.1:{self.port}:*:{ADMIN}:{self.password}"]
        lines += [f"127.0.0.1:{self.port}:*:{u}:{p}" for u, p in self.users.items()]
        self.passfile.write_text("\n".join(lines) + "\n")
        self.passfile.chmod(0o600)

    def _pg_ctl(self, *args: str) -> None:
        r = subprocess.run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.root / "log"),
             *args],
            capture_output=True, text=True, timeout=120, check=False, **_demote(),
        )  # fmt: skip
        if r.returncode != 0:
            log = (self.root / "log").read_text(errors="replace")[-2000:]
            raise PostgresUnavailable(f"pg_ctl {' '.join(args)}: {r.stderr.strip()}\n{log}")

    def start_server(self) -> None:
        self._pg_ctl("start", "-w", "-t", "60")

    def stop_server(self, mode: str = "fast") -> None:
        self._pg_ctl("stop", "-w", "-m", mode, "-t", "60")

    def is_running(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def stop(self) -> None:
        try:
            self.stop_server("fast")
        except PostgresUnavailable:
            pass  # already stopped (a fault test)
        shutil.rmtree(self.root, ignore_errors=True)

    def url(self, user: str = ADMIN, database: str = "postgres") -> str:
        """A libpq URL with no password in it: the password comes from the passfile."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def env(self) -> dict[str, str]:
        """What a client process needs (libpq's PGPASSFILE)."""
        return {"PGPASSFILE": str(self.passfile)}

    def admin(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the cluster's superuser with psql; its output (unaligned, tuples only)."""
        r = subprocess.run(
            ["psql", "-X", "-v", "ON_ERROR_STOP=1", "-At", "-c", sql, self.url(ADMIN, database)],
            capture_output=True, text=True, timeout=120, check=False,
            env={**os.environ, **self.env()},
        )  # fmt: skip
        if r.returncode != 0:
            raise RuntimeError(f"psql: {r.stderr.strip()}")
        return r.stdout.strip()

    def new_database(self) -> str:
        name = f"kasuhara_{uuid.uuid4().hex[:10]}"
        self.admin(f"CREATE DATABASE {name}")
        return name

    def add_login(self, name: str) -> str:
        """A login role with a generated password (in the passfile); its name."""
        password = secrets.token_urlsafe(18)
        self.admin(f"CREATE ROLE {name} LOGIN PASSWORD '{password}'")
        self.users[name] = password
        self._write_passfile()
        return name


def wait_until_down(server: PostgresServer, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while server.is_running():
        if time.monotonic() > deadline:
            raise AssertionError("PostgreSQL still accepts connections")
        time.sleep(0.05)
