"""`retention run [--dry-run]`: delete what the retention rules say (app/retention.py), one
audit entry per item; a dry run lists what would go and how much space it frees."""

from __future__ import annotations

import argparse

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir


def _mib(n: int) -> str:
    return f"{n / 2**20:.1f} MiB"


def cmd_retention(args: argparse.Namespace, console: cli.Console) -> int:
    if getattr(args, "retention_command", None) != "run":
        raise cli.UsageError("retention: say `run` (add --dry-run to only list)")
    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        result = app.retention.run(dry_run=args.dry_run)
    finally:
        app.close()
    plan = result.plan
    items = [
        {"kind": i.kind, "id": i.id, "incident": i.incident_id, "rule": i.rule,
         "reason": i.reason.pick(console.lang), "since": i.since, "size": i.size}
        for i in plan.items
    ]  # fmt: skip
    console.result({
        "ok": True, "dry_run": result.dry_run, "items": items, "size": plan.size,
        "freed": result.freed, "purged": list(result.purged), "held": list(plan.held),
    })  # fmt: skip
    for i in plan.items:
        what = ("録音", "recording") if i.kind == "recording" else ("添付", "attachment")
        console.say(
            f"{what[0]} {i.id}  {_mib(i.size)}  {i.reason.ja}",
            f"{what[1]} {i.id}  {_mib(i.size)}  {i.reason.en}",
        )
    for iid in plan.held:
        console.say(
            f"事案 {iid} は保存期間を過ぎていますが、リーガルホールド中のため削除しません。",
            f"incident {iid} is past its retention but under legal hold: kept",
        )
    n = len(plan.items)
    if result.dry_run:
        console.say(
            f"削除対象 {n} 件、{_mib(plan.size)} を空けます（--dry-run: 何も削除していません）。",
            f"{n} item(s) would go, freeing {_mib(plan.size)} (--dry-run: nothing deleted)",
        )
    else:
        console.say(
            f"{len(result.purged)} 件を削除し、{_mib(result.freed)} を空けました。"
            "監査記録に残しました。",
            f"deleted {len(result.purged)} item(s), freed {_mib(result.freed)}; each is in the "
            "audit chain",
        )
    return 0


def register(add) -> None:
    p = add("retention", cmd_retention, "delete what the retention rules say (audited)")
    sub = p.add_subparsers(dest="retention_command", metavar="ACTION")
    q = sub.add_parser("run", help="delete routine recordings and closed incidents' evidence "
                       "past their period; never anything under legal hold")  # fmt: skip
    cli._global_options(q, suppress=True)
    q.add_argument("--dry-run", action="store_true", help="only list what would go")


cli.REGISTRARS.append(register)
