"""Connections to the central store, by libpq's own conventions.

The URL names the server, database and login, never the password: libpq finds that in the
passfile (``PGPASSFILE``, or ``%APPDATA%\\postgresql\\pgpass.conf`` / ``~/.pgpass``), a
service file (``?service=…``, ``PGSERVICEFILE``), or a client certificate (``sslmode``,
``sslcert`` …). So settings.json, which any user of the PC can read, holds no secret.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from kasuhara_recorder.central.errors import CentralUnreachable
from kasuhara_recorder.central.schema import SCHEMA
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    import psycopg

CONNECT_TIMEOUT_S = 5  # a counter PC must not hang on a server that is down


class PasswordInUrl(UsageError):
    template = Text(
        "中央保管庫の接続先 URL にパスワードを書かないでください（{where}）。パスワードは "
        "PostgreSQL のパスワードファイル（pgpass）かサービスファイルに置きます。",
        "do not put a password in the central store URL ({where}); use a libpq passfile "
        "(pgpass) or service file",
    )
    fields = ("where",)


def redacted(url: str) -> str:
    """The URL as shown in messages and logs: host, port, database, login."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = f":{parts.port}" if parts.port else ""
        user = f"{parts.username}@" if parts.username else ""
        return f"{parts.scheme}://{user}{host}{port}{parts.path}"
    except ValueError:
        return "postgresql://…"


def check_url(url: str) -> str:
    if not url.startswith(("postgresql://", "postgres://")):
        raise UsageError(f"the central store URL must start with postgresql:// (got {url!r})")
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError as e:
        raise UsageError(f"the central store URL is not valid: {e}") from None
    if password is not None or "password=" in parts.query:
        raise PasswordInUrl(redacted(url))
    return url


def connect(
    url: str, *, autocommit: bool = True, application: str = "kasuhara-recorder"
) -> psycopg.Connection[tuple[object, ...]]:
    """A connection with the central schema first on the search path; CentralUnreachable (and
    the server's own words in the log) if it cannot be made."""
    import psycopg

    check_url(url)
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name=application,
            options=f"-c search_path={SCHEMA}",
        )
    except psycopg.OperationalError as e:
        raise CentralUnreachable(redacted(url), str(e).strip().splitlines()[0]) from e


class Session:
    """One connection, opened on first use and again after it broke; a lost server becomes
    CentralUnreachable (the connection dropped, so the next call reconnects)."""

    def __init__(self, open_: Callable[[], psycopg.Connection[Any]], where: str) -> None:
        self._open = open_
        self.where = where
        self._conn: psycopg.Connection[Any] | None = None

    def run(self, fn: Callable[[psycopg.Connection[Any]], Any]) -> Any:
        import psycopg

        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = self._open()
        try:
            return fn(self._conn)
        except psycopg.OperationalError as e:
            self.close()
            raise CentralUnreachable(self.where, str(e).strip().splitlines()[0]) from e

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
