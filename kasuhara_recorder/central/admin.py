"""What IT does once: ``central init`` (schema, migrations, roles) and ``central grant`` (a login
becomes a counter PC, a supervisor of some departments, or an evidence officer)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from kasuhara_recorder.central.connection import connect, redacted
from kasuhara_recorder.central.schema import (
    MIGRATIONS,
    SCHEMA,
    access_sql,
    render,
    role_names,
)
from kasuhara_recorder.errors import UsageError

log = logging.getLogger("kasuhara.central")

ROLES = ("counter", "supervisor", "officer")
_IDENT = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")


@dataclass(frozen=True)
class InitReport:
    url: str
    prefix: str
    version_before: int
    version: int
    roles: dict[str, str]


def _prefix(conn: object, prefix: str | None) -> str:
    if prefix is None:
        row = conn.execute("SELECT current_database()").fetchone()  # type: ignore[attr-defined]
        prefix = str(row[0]).lower()
    if not _IDENT.match(prefix):
        raise UsageError(
            f"role prefix {prefix!r}: use lower-case letters, digits and _ (pass --role-prefix)"
        )
    return prefix


@dataclass(frozen=True)
class S3Target:
    endpoint: str
    bucket: str
    retain_days: int


def init_central(url: str, prefix: str | None = None, s3: S3Target | None = None) -> InitReport:
    """Create or upgrade the central schema; safe to run again (it applies only what is new and
    re-applies the grants). Needs an administrator login: a superuser, or the database's owner
    with CREATEROLE."""
    from psycopg import sql

    with connect(url, autocommit=True, application="kasuhara-recorder central init") as conn:
        prefix = _prefix(conn, prefix)
        roles = role_names(prefix)
        owner = conn.execute(
            "SELECT pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = %s", (SCHEMA,)
        ).fetchone()
        if owner is not None and owner[0] != roles["owner"]:
            # A database restored or renamed keeps its roles: a new prefix would make new,
            # empty roles beside the ones the PCs' logins are members of.
            found = str(owner[0]).removesuffix("_owner")
            raise UsageError(
                f"the central schema belongs to {owner[0]}, not {roles['owner']}: "
                f"run again with --role-prefix {found}"
            )
        for role in roles.values():
            if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
                continue
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        # The administrator creates every object as the owner role (never logged in as).
        conn.execute(sql.SQL("GRANT {} TO CURRENT_USER").format(sql.Identifier(roles["owner"])))
        with conn.transaction():
            exists = conn.execute(
                "SELECT 1 FROM pg_namespace WHERE nspname = %s", (SCHEMA,)
            ).fetchone()
            if not exists:
                conn.execute(
                    sql.SQL("CREATE SCHEMA {} AUTHORIZATION {}").format(
                        sql.Identifier(SCHEMA), sql.Identifier(roles["owner"])
                    )
                )
            conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(roles["owner"])))
            conn.execute(sql.SQL("SET LOCAL search_path = {}").format(sql.Identifier(SCHEMA)))
            before = 0
            if exists:
                q = "SELECT coalesce(max(version), 0) FROM schema_version"
                row = conn.execute(q).fetchone()
                before = int(str(row[0])) if row else 0
            for m in MIGRATIONS:
                if m.version <= before:
                    continue
                conn.execute(render(m.sql, prefix))
                conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES (%s, %s)",
                    (m.version, m.name),
                )
                log.info("central store %s: migration %d (%s)", redacted(url), m.version, m.name)
            conn.execute(access_sql(prefix))
            if s3 is not None:
                _use_s3(conn, s3)
        version = MIGRATIONS[-1].version
    return InitReport(redacted(url), prefix, before, max(version, before), roles)


def _use_s3(conn: Any, s3: S3Target) -> None:
    """Blobs go to an S3 bucket with Object Lock from now on (created here if missing, with the
    administrator's AWS credentials from the standard places)."""
    from kasuhara_recorder.central.blobs_s3 import S3Blobs

    blobs = S3Blobs(s3.endpoint, s3.bucket, retain_days=s3.retain_days)
    try:
        blobs.ensure_bucket()
    finally:
        blobs.close()
    for key, value in (
        ("blob_backend", "s3"),
        ("s3_endpoint", s3.endpoint),
        ("s3_bucket", s3.bucket),
        ("s3_retain_days", str(s3.retain_days)),
    ):
        conn.execute(
            "INSERT INTO central_config (key, value) VALUES (%s, %s) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value),
        )  # fmt: skip


def grant(
    url: str, login: str, role: str, *, departments: tuple[str, ...] = (), prefix: str | None = None
) -> str:
    """Make an existing login (created by IT, with its own password or certificate) a member of
    one of the app's roles; a supervisor also gets the departments it may read. The role name."""
    from psycopg import sql

    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)} (got {role!r})")
    with connect(url, autocommit=True, application="kasuhara-recorder central grant") as conn:
        prefix = _prefix(conn, prefix)
        roles = role_names(prefix)
        if not conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone():
            raise UsageError(f"no database login {login!r}: create it first (CREATE ROLE … LOGIN)")
        conn.execute(
            sql.SQL("GRANT {} TO {}").format(sql.Identifier(roles[role]), sql.Identifier(login))
        )
        if departments:
            with conn.transaction():
                conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(roles["owner"])))
                for d in departments:
                    conn.execute(
                        "INSERT INTO kasuhara.supervisor_departments (db_user, department) "
                        "VALUES (%s, %s) ON CONFLICT DO NOTHING",
                        (login, d),
                    )
    return roles[role]
