"""`timestamp retry` and `timestamp status`: the RFC 3161 requests a TSA has not answered yet
(app/timestamp_service.py), sent again; what came and what is still waiting."""

from __future__ import annotations

import argparse

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.text import Text


def cmd_timestamp(args: argparse.Namespace, console: cli.Console) -> int:
    action = getattr(args, "timestamp_command", None)
    if action not in ("retry", "status"):
        raise cli.BadInput(
            Text(
                "使い方: kasuhara-recorder timestamp retry | status",
                "usage: kasuhara-recorder timestamp retry | status",
            )  # fmt: skip
        )
    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        if not app.timestamps.configured:
            raise cli.BadInput(
                Text(
                    "タイムスタンプ局が設定されていません（setup --tsa-url URL --tsa-ca FILE）",
                    "no time-stamping authority: setup --tsa-url URL --tsa-ca FILE",
                )  # fmt: skip
            )
        if action == "retry":
            r = app.timestamps.retry()
            app.timestamps.daily()
        rows = app.timestamps.rows()
    finally:
        app.close()
    items = [
        {"kind": x.kind, "item": x.item, "state": x.state, "requested_at": x.requested_at,
         "added_at": x.added_at, "gen_time": x.gen_time, "tsa": x.tsa_name,
         "attempts": x.attempts, "error": x.last_error}
        for x in rows
    ]  # fmt: skip
    waiting = [x for x in rows if x.state == "queued"]
    refused = [x for x in rows if x.state == "refused"]
    for x in rows:
        console.say(
            f"{x.kind} {x.item}: {_state_ja(x.state)} {x.gen_time}",
            f"{x.kind} {x.item}: {x.state} {x.gen_time}",
        )
    if action == "retry":
        console.say(
            f"取得 {len(r.added)} 件、拒否 {len(r.refused)} 件、未取得 {len(r.queued)} 件。",
            f"{len(r.added)} added, {len(r.refused)} refused, {len(r.queued)} still queued",
        )
    console.result({"ok": not refused, "items": items, "queued": len(waiting),
                    "refused": len(refused)})  # fmt: skip
    return 1 if refused else 0


def _state_ja(state: str) -> str:
    return {"queued": "未取得（再送待ち）", "added": "取得済み", "refused": "拒否"}.get(
        state, state
    )


def register(add) -> None:
    p = add("timestamp", cmd_timestamp, "RFC 3161 time-stamps: send the queued ones again")
    sub = p.add_subparsers(dest="timestamp_command", metavar="ACTION")
    q = sub.add_parser("retry", help="send every queued time-stamp request again")
    cli._global_options(q, suppress=True)
    q = sub.add_parser("status", help="list the time-stamps asked for, added and queued")
    cli._global_options(q, suppress=True)


cli.REGISTRARS.append(register)
