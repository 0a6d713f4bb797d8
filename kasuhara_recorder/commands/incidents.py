"""`incident new [--json-file FILE] | list | show ID` over the incident service."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.store.incident_codes import LOCATIONS, STATUSES

MAX_JSON_BYTES = 5 * 1024 * 1024


def _service(args: argparse.Namespace) -> AppService:
    return AppService(resolve_data_dir(getattr(args, "data_dir", None)))


def cmd_new(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        if args.json_file:
            path = Path(args.json_file)
            try:
                raw = path.read_bytes() if str(path) != "-" else sys.stdin.buffer.read()
            except OSError as e:
                raise UsageError(f"{path}: {e.strerror or e}") from None
            if len(raw) > MAX_JSON_BYTES:
                raise UsageError(f"{path}: larger than {MAX_JSON_BYTES // 2**20} MiB")
            try:
                data = json.loads(raw)
            except (ValueError, RecursionError) as e:
                raise UsageError(f"{path}: not valid JSON ({e})") from None
            if not isinstance(data, dict):
                raise UsageError(f"{path}: must be a JSON object")
            inc = app.incidents.import_json(data)
        else:
            inc = app.incidents.create()
        console.say(
            f"事案 {inc.id} を作成しました（下書き）。", f"created incident {inc.id} (draft)"
        )
        console.result({"ok": True, "id": inc.id, "status": inc.status})
        return 0
    finally:
        app.close()


def cmd_list(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        incidents = app.incidents.list()
        rows = []
        for inc in incidents:
            d = inc.draft
            rows.append(
                {
                    "id": inc.id, "status": inc.status, "legal_hold": inc.legal_hold,
                    "occurred_at": d.occurred_at, "location": d.location,
                    "department": d.department, "categories": list(d.categories),
                    "recordings": len(inc.recordings),
                }
            )  # fmt: skip
            status = STATUSES[inc.status][0 if console.lang == "ja" else 1]
            where = LOCATIONS.get(d.location, ("", ""))[0 if console.lang == "ja" else 1]
            hold = " ⚖" if inc.legal_hold else ""
            line = f"{inc.id}  {status:<6} {d.occurred_at[:16]:<16} {where:<6} {d.department}{hold}"
            console.say(line, line)
        if not incidents:
            console.say("事案はありません。", "no incidents")
        console.result({"ok": True, "incidents": rows})
        return 0
    finally:
        app.close()


def cmd_show(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        inc = app.incidents.get(args.id)
        doc = inc.to_json_dict()
        if console.json_mode:
            console.result({"ok": True, "incident": doc})
        else:
            print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    finally:
        app.close()


def register(add) -> None:
    p = add("incident", lambda a, c: a.incident_func(a, c), "incidents: new | list | show ID")
    sub = p.add_subparsers(dest="incident_command", metavar="ACTION", required=True)

    def action(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        cli._global_options(sp, suppress=True)
        sp.set_defaults(incident_func=func)
        return sp

    new = action("new", cmd_new, "create an incident (an empty draft without --json-file)")
    new.add_argument("--json-file", help="incident.json fields to start from ('-' = stdin)")
    action("list", cmd_list, "list incidents, newest first")
    show = action("show", cmd_show, "print one incident as incident.json")
    show.add_argument("id")


cli.REGISTRARS.append(register)
