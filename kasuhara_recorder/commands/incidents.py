"""`incident new [--json-file FILE] | list | show ID | attach ID RECORDING_ID |
recordings (ID | --unattached)` over the incident service; `export-list` is
commands/statistics.py's."""

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
from kasuhara_recorder.text import Text

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
                raise cli.BadInput(
                    Text(
                        f"{path}: JSON のオブジェクト {{…}} である必要があります",
                        f"{path}: must be a JSON object",
                    ),
                )
            inc = app.incidents.import_json(data)
        else:
            data = {}
            inc = app.incidents.create()
        # Unknown keys are tolerated (newer files), but a misspelt field must not vanish
        # unseen: name every key that was not taken.
        ignored = sorted(set(data) - set(inc.to_json_dict()))
        if ignored:
            names = ", ".join(ignored)
            print(
                f"注意: 次の項目は事案票の項目ではないため取り込みませんでした: {names}"
                if console.lang == "ja"
                else f"note: these keys are not incident fields and were not taken: {names}",
                file=sys.stderr,
            )
        console.say(
            f"事案 {inc.id} を作成しました（下書き）。", f"created incident {inc.id} (draft)"
        )
        out = {"ok": True, "id": inc.id, "status": inc.status}
        if ignored:
            out["ignored_fields"] = ignored
        console.result(out)
        return 0
    finally:
        app.close()


def cmd_list(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        if getattr(args, "central", False):
            listed = app.central_incidents()  # every PC's, as this login may read them
        else:
            listed = [(inc, app.settings.workstation_name) for inc in app.incidents.list()]
        incidents = [inc for inc, _ in listed]
        rows = []
        for inc, pc in listed:
            d = inc.draft
            rows.append(
                {
                    "id": inc.id, "status": inc.status, "legal_hold": inc.legal_hold,
                    "occurred_at": d.occurred_at, "location": d.location,
                    "department": d.department, "categories": list(d.categories),
                    "recordings": len(inc.recordings), "workstation": pc,
                }
            )  # fmt: skip
            status = STATUSES[inc.status].pick(console.lang)
            where = LOCATIONS.get(d.location, Text("", "")).pick(console.lang)
            hold = " ⚖" if inc.legal_hold else ""
            line = f"{inc.id}  {status:<6} {d.occurred_at[:16]:<16} {where:<6} {d.department}{hold}"
            if args.central:
                line += f"  [{pc}]"
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


CHANNELS = {
    "counter": ("窓口", "counter"),
    "phone": ("電話", "phone"),
    "import": ("取込", "import"),
}


def _length(ms: int) -> str:
    s = max(0, ms) // 1000
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


def cmd_attach(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        before = app.incidents.get(args.id)
        already = args.recording_id in before.recordings
        after = app.incidents.attach_existing_recording(args.id, args.recording_id)
        added = len(after.draft.markers) - len(before.draft.markers)
        if already:
            console.say(
                f"録音 {args.recording_id} はすでに事案 {args.id} に登録されています（変更なし）。",
                f"recording {args.recording_id} already belongs to incident {args.id} (unchanged)",
            )
        else:
            ja = f"録音 {args.recording_id} を事案 {args.id} に追加しました。"
            en = f"added recording {args.recording_id} to incident {args.id}"
            if added:  # a draft: the recording's tags are now markers on the form
                ja += f"タグ {added} 件を事案票に加えました。"
                en += f"; {added} tags added to the form as markers"
            console.say(ja, en)
        console.result(
            {"ok": True, "id": args.id, "recording": args.recording_id,
             "attached": not already, "markers_added": added}
        )  # fmt: skip
        return 0
    finally:
        app.close()


def cmd_recordings(args: argparse.Namespace, console: cli.Console) -> int:
    if bool(args.id) == bool(args.unattached):
        raise cli.BadInput(
            Text(
                "事案 ID か --unattached のどちらか一方を指定してください",
                "give an incident ID or --unattached (not both)",
            ),
        )
    app = _service(args)
    try:
        if args.unattached:
            found = app.incidents.unattached_recordings()
        else:
            found = app.incidents.recording_summaries(args.id)
        ja = console.lang == "ja"
        for r in found:
            where = CHANNELS.get(r.channel, (r.channel, r.channel))[0 if ja else 1]
            tags = f"タグ{r.tags}件" if ja else f"{r.tags} tag" + ("" if r.tags == 1 else "s")
            mark = ("  復旧" if ja else "  recovered") if r.recovered else ""
            when = r.started_at[:16].replace("T", " ")
            line = f"{r.id}  {when}  {where}  {_length(r.duration_ms):>7}  {tags}{mark}"
            console.say(line, line)
        if not found:
            console.say("録音はありません。", "no recordings")
        console.result({"ok": True, "recordings": [r.to_json_dict() for r in found]})
        return 0
    finally:
        app.close()


def register(add) -> None:
    p = add(
        "incident",
        lambda a, c: a.incident_func(a, c),
        "incidents: new | list | show ID | attach ID RECORDING_ID | recordings | export-list",
    )
    sub = p.add_subparsers(dest="incident_command", metavar="ACTION", required=True)

    def action(name: str, func, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text)
        cli._global_options(sp, suppress=True)
        sp.set_defaults(incident_func=func)
        return sp

    new = action("new", cmd_new, "create an incident (an empty draft without --json-file)")
    new.add_argument("--json-file", help="incident.json fields to start from ('-' = stdin)")
    listing = action("list", cmd_list, "list incidents, newest first")
    listing.add_argument(
        "--central", action="store_true",
        help="every PC's incidents from the central store (an officer's or supervisor's login)",
    )  # fmt: skip
    show = action("show", cmd_show, "print one incident as incident.json")
    show.add_argument("id")
    attach = action(
        "attach", cmd_attach,
        "add a stored recording (kept as routine or recovered) to an incident; its tags "
        "become markers",
    )  # fmt: skip
    attach.add_argument("id", help="incident ID")
    attach.add_argument(
        "recording_id", help="recording ID (see `incident recordings --unattached`)"
    )
    recs = action(
        "recordings", cmd_recordings,
        "list an incident's recordings, or with --unattached those no incident holds yet",
    )  # fmt: skip
    recs.add_argument("id", nargs="?", help="incident ID")
    recs.add_argument(
        "--unattached", action="store_true", help="recordings not attached to any incident"
    )
    from kasuhara_recorder.commands.statistics import add_export_list

    add_export_list(action)


cli.REGISTRARS.append(register)
