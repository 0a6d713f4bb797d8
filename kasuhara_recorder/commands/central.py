"""`central init`, `central grant` (IT, once) and `sync` (a PC, often) over the app facade."""

from __future__ import annotations

import argparse

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.text import Text

CENTRAL_USAGE = (
    "kasuhara-recorder central init --url postgresql://… [--role-prefix P] | "
    "grant LOGIN --role counter|supervisor|officer [--department D]… --url postgresql://…"
)


def cmd_central(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.central.admin import S3Target, grant, init_central

    action = getattr(args, "central_command", None)
    if action == "init":
        s3 = None
        if args.s3_endpoint or args.s3_bucket:
            if not (args.s3_endpoint and args.s3_bucket):
                raise cli.BadInput(Text("--s3-endpoint と --s3-bucket は両方指定してください",
                                        "--s3-endpoint and --s3-bucket go together"))  # fmt: skip
            s3 = S3Target(args.s3_endpoint, args.s3_bucket, args.s3_retain_days)
        r = init_central(args.url, args.role_prefix, s3)
        roles = ", ".join(r.roles[k] for k in ("counter", "supervisor", "officer"))
        console.say(
            f"中央保管庫を準備しました: {r.url}\n  スキーマの版: {r.version_before} → {r.version}\n"
            f"  ロール: {roles}",
            f"central store ready: {r.url}\n  schema version: {r.version_before} -> {r.version}\n"
            f"  roles: {roles}",
        )
        console.result({"ok": True, "url": r.url, "version": r.version,
                        "version_before": r.version_before, "roles": r.roles})  # fmt: skip
        return 0
    if action == "grant":
        role = grant(args.url, args.login, args.role, departments=tuple(args.department or ()),
                     prefix=args.role_prefix)  # fmt: skip
        console.say(f"{args.login} に {role} を付与しました。", f"granted {role} to {args.login}")
        console.result({"ok": True, "login": args.login, "role": role})
        return 0
    raise cli.BadInput(Text(f"使い方: {CENTRAL_USAGE}", f"usage: {CENTRAL_USAGE}"))


def cmd_sync(args: argparse.Namespace, console: cli.Console) -> int:
    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        report = app.sync.sync()
    finally:
        app.close()
    sent = ", ".join(f"{k} {v}" for k, v in sorted(report.sent.items())) or "—"
    console.say(
        f"中央保管庫と同期しました（送信: {sent}、中央の状態 第 {report.head_seq} 版）。",
        f"synced with the central store (sent: {sent}; central head {report.head_seq})",
    )
    for p in report.problems:
        console.say(p.detail.ja, p.detail.en)
    console.result({
        "ok": report.ok, "sent": report.sent, "head_seq": report.head_seq,
        "problems": [{"kind": p.kind, "message": p.detail.pick(console.lang)}
                     for p in report.problems],
        **({} if report.ok else {"error": "CentralProblem"}),
    })  # fmt: skip
    return 0 if report.ok else 1


def register(add) -> None:
    p = add("central", cmd_central, "set up the central store (IT): schema, roles, logins")
    sub = p.add_subparsers(dest="central_command", metavar="ACTION")
    q = sub.add_parser("init", help="create or upgrade the central schema and its roles")
    cli._global_options(q, suppress=True)
    q.add_argument("--url", required=True, help="postgresql://ADMIN@HOST/DB (no password: pgpass)")
    q.add_argument("--role-prefix", help="prefix of the roles (default: the database name)")
    q.add_argument(
        "--s3-endpoint",
        metavar="URL",
        help="keep blobs in an S3 bucket with Object Lock (default: large objects)",
    )
    q.add_argument("--s3-bucket", metavar="NAME", help="the bucket (created with Object Lock)")
    q.add_argument(
        "--s3-retain-days",
        type=int,
        default=1825,
        metavar="N",
        help="Object Lock retention of each blob (compliance mode; default 1825)",
    )
    q = sub.add_parser("grant", help="give an existing database login one of the app's roles")
    cli._global_options(q, suppress=True)
    q.add_argument("login")
    q.add_argument("--role", required=True, choices=("counter", "supervisor", "officer"))
    q.add_argument("--department", action="append", help="a supervisor's department (repeat)")
    q.add_argument("--url", required=True, help="postgresql://ADMIN@HOST/DB")
    q.add_argument("--role-prefix", help="prefix of the roles (default: the database name)")

    add("sync", cmd_sync, "send this PC's evidence to the central store (safe to repeat)")


cli.REGISTRARS.append(register)
