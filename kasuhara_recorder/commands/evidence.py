"""`keys init-org`, `setup`, `audit verify` and `import` over the workstation facade."""

from __future__ import annotations

import argparse
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.errors import KasuharaError, failure_list
from kasuhara_recorder.text import Text

# org_identity (pyrage) is imported by the commands that use it: every launch of the program,
# the desktop app's included, builds this parser.


def _service(args: argparse.Namespace) -> AppService:
    return AppService(resolve_data_dir(getattr(args, "data_dir", None)))


KEYS_USAGE = (
    "kasuhara-recorder keys init-org --out DIR [--passphrase-file F|-] | "
    "add-recipient age1…|FILE… | retire-recipient age1… | recipients | "
    "backup --out DIR | restore-backup --key-file F|- --out DIR"
)


def cmd_keys(args: argparse.Namespace, console: cli.Console) -> int:
    action = getattr(args, "keys_command", None)
    handler = {
        "init-org": _keys_init_org,
        "add-recipient": _keys_add_recipient,
        "retire-recipient": _keys_retire_recipient,
        "recipients": _keys_recipients,
        "backup": _keys_backup,
        "restore-backup": _keys_restore_backup,
    }.get(action or "")
    if handler is None:  # a UsageError: JSON with --json too
        raise cli.BadInput(Text(f"使い方: {KEYS_USAGE}", f"usage: {KEYS_USAGE}"))
    return handler(args, console)


def _out_folder(out: Path) -> Path:
    """``--out`` checked before any passphrase is asked: a folder, or one that can be made."""
    existing = next((p for p in (out, *out.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise cli.BadInput(
            Text(
                f"--out {out}: フォルダではありません（何も作成していません）",
                f"--out {out}: exists and is not a folder (nothing was created)",
            ),
        )
    return out


def _keys_init_org(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.commands.passphrase_input import read_passphrase
    from kasuhara_recorder.evidence.org_identity import init_org

    out = _out_folder(Path(args.out))  # before the passphrase is asked
    passphrase = read_passphrase(args.passphrase_file, console, new=True)
    files = init_org(out, passphrase)
    return _say_identity(console, files)


def _say_identity(console: cli.Console, files) -> int:
    console.say(
        f"組織の鍵を作成しました。\n  秘密鍵（パスフレーズで保護）: {files.identity}\n"
        f"  受取人（各端末に配布）: {files.recipient_file}\n  {files.recipient}\n"
        "秘密鍵ファイルとパスフレーズは証拠管理担当者だけが保管してください。"
        "パスフレーズを忘れると、この鍵では録音を開けません: keys backup で紙の鍵を作り、"
        "金庫に保管してください。",
        f"organisation identity created\n  identity (passphrase-protected): {files.identity}\n"
        f"  recipient (give to workstations): {files.recipient_file}\n  {files.recipient}\n"
        "a forgotten passphrase cannot be recovered: make a paper backup with keys backup "
        "and keep it in the safe",
    )
    console.result(
        {
            "ok": True,
            "identity": str(files.identity),
            "recipient_file": str(files.recipient_file),
            "recipient": files.recipient,
        }
    )
    return 0


def _recipients_result(console: cli.Console, change) -> int:
    lines = "\n".join(f"  {r}" for r in change.recipients)
    for r in change.added:
        console.say(f"封印先に追加しました: {r}", f"recipient added: {r}")
    for r in change.retired:
        console.say(
            f"封印先から外しました: {r}\n  これまでの録音は、この受取人でも引き続き開けます。",
            f"recipient retired: {r}\n  recordings made before still open with it too",
        )
    console.say(
        f"これから録音する音声の封印先（{len(change.recipients)} 件）:\n{lines}",
        f"new recordings are sealed to ({len(change.recipients)}):\n{lines}",
    )
    console.result(
        {
            "ok": True,
            "added": list(change.added),
            "retired": list(change.retired),
            "recipients": list(change.recipients),
            "previous_recipients": list(change.previous),
        }
    )
    return 0


def _keys_add_recipient(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.evidence.org_identity import read_recipients

    new: list[str] = []
    for arg in args.recipient:
        new.extend(read_recipients(arg))
    app = _service(args)
    try:
        change = app.workstation.add_recipients(new)
    finally:
        app.close()
    return _recipients_result(console, change)


def _keys_retire_recipient(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.evidence.org_identity import read_recipients

    (recipient,) = read_recipients(args.recipient)[:1]
    app = _service(args)
    try:
        change = app.workstation.retire_recipient(recipient)
    finally:
        app.close()
    return _recipients_result(console, change)


def _keys_recipients(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        recipients = app.workstation.recipients
    finally:
        app.close()
    lines = "\n".join(f"  {r}" for r in recipients)
    console.say(
        f"これから録音する音声の封印先（{len(recipients)} 件）:\n{lines}",
        f"new recordings are sealed to ({len(recipients)}):\n{lines}",
    )
    console.result({"ok": True, "recipients": list(recipients)})
    return 0


def _keys_backup(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.evidence.backup_key import make_backup

    files = make_backup(_out_folder(Path(args.out)), args.label or "")
    console.say(
        "バックアップ用の鍵（紙の鍵）を作成しました。\n"
        f"  印刷するページ（秘密鍵。印刷したらすぐ削除）: {files.paper_key}\n"
        f"  受取人（各端末に追加）: {files.recipient_file}\n  {files.recipient}\n"
        "次の手順:\n"
        "  1. ページを 2 人の立会いで印刷し、封筒に封をして金庫へ。ファイルは削除します。\n"
        f"  2. 各端末で: kasuhara-recorder keys add-recipient {files.recipient_file}\n"
        "     （追加した後の録音だけが、この紙の鍵でも開けます）",
        "backup key (paper key) created\n"
        f"  page to print (the secret key: delete it once printed): {files.paper_key}\n"
        f"  recipient (add on each workstation): {files.recipient_file}\n  {files.recipient}\n"
        "next:\n"
        "  1. print the page with both officers present, seal it in an envelope in the safe, "
        "and delete the file\n"
        f"  2. on each workstation: kasuhara-recorder keys add-recipient {files.recipient_file}\n"
        "     (only recordings made after that open with the paper key too)",
    )
    console.result(
        {
            "ok": True,
            "paper_key": str(files.paper_key),
            "recipient_file": str(files.recipient_file),
            "recipient": files.recipient,
        }
    )
    return 0


def _keys_restore_backup(args: argparse.Namespace, console: cli.Console) -> int:
    import sys

    from kasuhara_recorder.commands.passphrase_input import read_passphrase
    from kasuhara_recorder.evidence.backup_key import read_secret_key
    from kasuhara_recorder.evidence.org_identity import init_org

    out = _out_folder(Path(args.out))
    if args.key_file == "-":
        text, where = sys.stdin.read(64 * 1024), "stdin"
    else:
        try:
            text = Path(args.key_file).read_text(encoding="utf-8-sig")[: 64 * 1024]
        except (OSError, UnicodeDecodeError) as e:
            raise cli.BadInput(
                Text(
                    f"{args.key_file}: 読み込めません（{e}）", f"{args.key_file}: cannot read ({e})"
                )
            ) from None
        where = args.key_file
    identity = read_secret_key(text, where)
    passphrase = read_passphrase(args.passphrase_file, console, new=True)
    return _say_identity(console, init_org(out, passphrase, identity))


def cmd_setup(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.evidence.org_identity import read_recipients

    recipients: list[str] = []
    for arg in args.org_recipient or ():
        recipients.extend(read_recipients(arg))
    recipients, machine_changes = _machine_defaults(args, recipients)
    if not recipients and not args.central and not args.tsa_url:
        raise cli.BadInput(
            Text(
                "--org-recipient を指定してください（または情報システム担当者に "
                "machine-settings set で端末共通の設定を依頼してください）",
                "--org-recipient is required (or IT's machine-settings set)",
            )
        )
    if args.tsa_ca and not args.tsa_url:
        raise cli.BadInput(Text("--tsa-ca には --tsa-url が必要です", "--tsa-ca needs --tsa-url"))
    if not recipients and args.tsa_url and not args.central:
        return _set_tsa_only(args, console)
    if not recipients:
        return _join_central(args, console)
    from kasuhara_recorder.config import MAX_PRE_EVENT_S

    pre = args.pre_event_seconds
    if pre is not None and not 0 <= pre <= MAX_PRE_EVENT_S:
        raise cli.BadInput(
            Text(
                f"--pre-event-seconds は 0 から {MAX_PRE_EVENT_S} までの秒数です（{pre}）",
                f"--pre-event-seconds must be 0 to {MAX_PRE_EVENT_S} (got {pre})",
            ),
        )
    keep = None if args.keep_input_open is None else args.keep_input_open == "yes"
    if pre and keep is False:
        raise cli.BadInput(
            Text(
                "事前録音（--pre-event-seconds）には --keep-input-open yes が必要です",
                "--pre-event-seconds needs --keep-input-open yes (the buffer is the open input)",
            ),
        )
    app = _service(args)
    try:
        r = app.workstation.setup(
            recipients, args.workstation_name, replace_recipients=args.replace_recipients
        )
        changes: dict[str, object] = dict(machine_changes)
        if keep is not None:
            changes["keep_input_open"] = keep
        if pre is not None:
            changes["pre_event_seconds"] = pre
        if changes:
            app.save_settings(app.settings.with_changes(**changes))
        if args.central:
            _join(app, args.central)
        if args.tsa_url:
            app.timestamps.configure(args.tsa_url, args.tsa_ca, app.identity.key.fingerprint)
        s = app.settings
    finally:
        app.close()
    lines = "\n".join(f"  {x}" for x in r.recipients)
    mic_ja = (
        "待機中もマイクを開いておく（録音開始の瞬間から録音）" if s.keep_input_open
        else "録音開始のときにマイクを開く（最初の約 1 秒が録音されないことがあります）"
    )  # fmt: skip
    mic_en = (
        "kept open while idle (recording starts at the key press)" if s.keep_input_open
        else "opened at 録音開始 (the first second or so may be missed)"
    )  # fmt: skip
    console.say(
        f"この端末を設定しました: {r.workstation_name}\n  データフォルダ: {r.data_dir}\n"
        f"  端末の署名鍵の指紋 (SHA-256): {r.fingerprint}\n  封印先（組織の公開鍵）:\n{lines}\n"
        f"  マイク: {mic_ja}\n  事前録音: "
        + (f"録音開始前の {s.pre_event_seconds} 秒" if s.pre_event_seconds else "しない"),
        f"workstation set up: {r.workstation_name}\n  data folder: {r.data_dir}\n"
        f"  signing key fingerprint (SHA-256): {r.fingerprint}\n  sealed to:\n{lines}\n"
        f"  microphone: {mic_en}\n  pre-event buffer: "
        + (f"{s.pre_event_seconds} s before 録音開始" if s.pre_event_seconds else "off"),
    )
    console.result(
        {
            "ok": True,
            "data_dir": str(r.data_dir),
            "workstation_name": r.workstation_name,
            "fingerprint": r.fingerprint,
            "recipients": list(r.recipients),
            "created_key": r.created_key,
            "keep_input_open": s.keep_input_open,
            "pre_event_seconds": s.pre_event_seconds,
            "central_url": s.central_url,
            "tsa_url": s.tsa_url,
            "tsa_ca": s.tsa_ca,
        }
    )
    return 0


def _machine_defaults(
    args: argparse.Namespace, recipients: list[str]
) -> tuple[list[str], dict[str, object]]:
    """What IT set in machine.json fills what the command line leaves out: with no
    --org-recipient, IT's recipients (with this PC's active ones kept, so none is dropped)
    when the PC is not set up yet or nothing else was asked; the central store, the TSA and
    the department when neither the command line nor this user's settings have one. Sets
    ``args.central``/``tsa_url``/``tsa_ca``; gives the recipients and the settings to change."""
    from kasuhara_recorder.machine_settings import load_machine_settings

    machine = load_machine_settings()  # a broken file: its error, nothing changed
    if machine.is_empty:
        return recipients, {}
    app = _service(args)
    try:
        settings, set_up = app.settings, app.is_set_up
    finally:
        app.close()
    asked_other = bool(args.central or args.tsa_url)
    if not recipients and machine.org_recipients and (not set_up or not asked_other):
        kept = [r for r in settings.org_recipients if r not in machine.org_recipients]
        recipients = [*machine.org_recipients, *kept]
    if recipients and not args.central and not settings.central_url and machine.central:
        args.central = machine.central
    if recipients and not args.tsa_url and not settings.tsa_url and machine.tsa_url:
        args.tsa_url, args.tsa_ca = machine.tsa_url, machine.tsa_ca
    changes: dict[str, object] = {}
    if machine.department and not settings.department:
        changes["department"] = machine.department
    return recipients, changes


def _set_tsa_only(args: argparse.Namespace, console: cli.Console) -> int:
    """`setup --tsa-url URL [--tsa-ca FILE]` on a workstation already set up."""
    app = _service(args)
    try:
        if not app.is_set_up:
            raise cli.BadInput(
                Text(
                    "先に --org-recipient でこの端末を設定してください",
                    "set this workstation up with --org-recipient first",
                )  # fmt: skip
            )
        app.timestamps.configure(args.tsa_url, args.tsa_ca, app.identity.key.fingerprint)
        s = app.settings
    finally:
        app.close()
    console.say(
        f"タイムスタンプ局を設定しました: {s.tsa_url}\n  信頼する CA 証明書: {s.tsa_ca}",
        f"time-stamping authority set: {s.tsa_url}\n  trusted CA certificates: {s.tsa_ca}",
    )
    console.result({"ok": True, "tsa_url": s.tsa_url, "tsa_ca": s.tsa_ca})
    return 0


def _join(app: AppService, url: str) -> str:
    """Register this workstation's key centrally, then keep the URL (no password in it)."""
    return app.join_central(url)


def _redacted(url: str) -> str:
    from kasuhara_recorder.central.connection import redacted

    return redacted(url)


def _join_central(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        outcome = _join(app, args.central)
        name, fp = app.settings.workstation_name, app.identity.key.fingerprint
    finally:
        app.close()
    where = _redacted(args.central)
    console.say(
        f"中央保管庫 {where} に端末「{name}」を登録しました（鍵の指紋 {fp}）。"
        if outcome == "registered" else f"端末「{name}」は中央保管庫 {where} に登録済みです。",
        f"workstation {name!r} registered with the central store {where} (key {fp})"
        if outcome == "registered" else f"workstation {name!r} is already registered at {where}",
    )  # fmt: skip
    console.result({"ok": True, "central_url": args.central, "outcome": outcome,
                    "workstation_name": name, "fingerprint": fp})  # fmt: skip
    return 0


def cmd_audit(args: argparse.Namespace, console: cli.Console) -> int:
    if getattr(args, "audit_command", None) != "verify":
        raise cli.BadInput(
            Text("使い方: kasuhara-recorder audit verify [--central]",
                 "usage: kasuhara-recorder audit verify [--central]")
        )  # fmt: skip
    if getattr(args, "central", False):
        return _audit_central(args, console)
    app = _service(args)
    try:
        report = app.verify_audit()
        keys = sorted(app.audit.keys())
    finally:
        app.close()
    console.say(report.message("ja"), report.message("en"))
    # a broken chain is a failure object like every other: error and message too
    failed = (
        {} if report.ok else {"error": "AuditChainBroken", "message": report.message(console.lang)}
    )
    console.result(
        {
            **failed,
            "ok": report.ok,
            "entries_checked": report.entries_checked,
            "head_seq": report.head_seq,
            "first_bad_seq": report.first_bad_seq,
            "reason": report.reason,
            "trusted_keys": keys,
        }
    )
    return 0 if report.ok else 1


def _audit_central(args: argparse.Namespace, console: cli.Console) -> int:
    app = _service(args)
    try:
        report = app.verify_audit_central()
    finally:
        app.close()
    console.say(report.text.ja, report.text.en)
    console.result({
        "ok": report.ok, "workstations": report.workstations, "entries_checked": report.entries,
        "recordings": report.recordings, "blob_bytes": report.blob_bytes, "heads": report.heads,
        "timestamps": report.timestamps,
        "problems": [p.to_json(console.lang) for p in report.problems],
        **({} if report.ok else {"error": "CentralCustodyBroken",
                                 "message": report.text.pick(console.lang)}),
    })  # fmt: skip
    return 0 if report.ok else 1


class ImportIncomplete(KasuharaError):
    """Some files of an `import` were sealed, others not: each named, nothing re-sealed."""

    template = Text(
        "{done} 件を取り込みましたが、次のファイルは取り込めませんでした:\n{listing}\n"
        "取り込めたファイルはそのまま保管されています。原因を直して、失敗したファイルだけを"
        "もう一度取り込んでください。",
        "imported {done} file(s), but these were not imported:\n{listing}\n"
        "the imported ones are kept; fix the cause and import only the failed files again",
    )
    fields = ("detail", "done", "listing")


def _import_item(r) -> dict:
    return {
        "id": r.id,
        "sealed_path": str(r.sealed_path),
        "sha256": r.sha256,
        "sealed_sha256": r.sealed_sha256,
        "original": str(r.original),
    }


def cmd_import(args: argparse.Namespace, console: cli.Console) -> int:
    # All or nothing for what can be seen before sealing: a missing file, a folder, an empty
    # file (a failed copy from the recorder, nothing to keep as evidence).
    for path in args.audio:
        p = Path(path)
        if not p.is_file():
            raise cli.BadInput(
                Text(
                    f"{path}: ファイルが見つからないか、ファイルではありません"
                    "（何も取り込んでいません）",
                    f"{path}: not found or not a file; nothing was imported",
                ),
            )
        if p.stat().st_size == 0:
            raise cli.BadInput(
                Text(
                    f"{path}: ファイルが空です（0 バイト）。"
                    "コピーに失敗していないか確認してください（何も取り込んでいません）",
                    f"{path}: the file is empty (0 bytes); nothing was imported",
                ),
            )
    app = _service(args)
    results, failed = [], []
    try:
        _ = app.workstation.recipients  # not set up: one error, not one per file
        if args.incident is not None:
            app.incidents.check_can_take_recording(args.incident)
        for path in args.audio:
            try:
                r = app.recording.import_file(path, incident_id=args.incident)
            except KasuharaError as e:  # the others are independent: go on, report each
                failed.append((path, e))
                continue
            results.append(r)
            console.say(
                f"取り込みました: {r.original.name} → {r.id}\n  SHA-256: {r.sha256}",
                f"imported {r.original.name} as {r.id}\n  SHA-256: {r.sha256}",
            )
    finally:
        app.close()
    items = [_import_item(r) for r in results]
    if failed and len(args.audio) == 1:
        raise failed[0][1]
    if failed:
        err = ImportIncomplete(
            ", ".join(p for p, _ in failed),
            done=len(results),
            listing=failure_list(failed),
        )
        # an evidence problem (exit 1) outranks bad input (exit 2)
        err.exit_code = 1 if any(e.exit_code == 1 for _, e in failed) else 2
        err.json_fields = {
            "imported": items,
            "failed": [
                {"path": p, "error": type(e).__name__, "message": e.message(console.lang)}
                for p, e in failed
            ],
        }
        raise err
    out = {"ok": True, "imported": items}
    if len(items) == 1:
        out.update(items[0])  # one file: its fields at the top, as `record --json` does
    console.result(out)
    return 0


def register(add) -> None:
    p = add("keys", cmd_keys, "organisation keys and this workstation's recipients")
    sub = p.add_subparsers(dest="keys_command", metavar="ACTION")
    phrase_help = (
        "file whose first line is the new passphrase, or - for stdin "
        "(default: asked twice on the terminal)"
    )
    q = sub.add_parser(
        "init-org", help="create the organisation identity (passphrase-protected) and recipient"
    )
    cli._global_options(q, suppress=True)
    q.add_argument("--out", required=True, help="folder for org-identity.age and the recipient")
    q.add_argument("--passphrase-file", help=phrase_help)
    q = sub.add_parser("add-recipient", help="seal new recordings to one more recipient (audited)")
    cli._global_options(q, suppress=True)
    q.add_argument("recipient", nargs="+", metavar="age1…|FILE")
    q = sub.add_parser(
        "retire-recipient",
        help="stop sealing new recordings to a recipient (audited; old ones still open)",
    )
    cli._global_options(q, suppress=True)
    q.add_argument("recipient", metavar="age1…|FILE")
    q = sub.add_parser("recipients", help="list the recipients new recordings are sealed to")
    cli._global_options(q, suppress=True)
    q = sub.add_parser(
        "backup", help="make a backup identity for the safe: its recipient and a paper key (QR)"
    )
    cli._global_options(q, suppress=True)
    q.add_argument("--out", required=True, help="folder for the recipient and the page to print")
    q.add_argument("--label", help="a name printed on the paper key (e.g. 金庫 A)")
    q = sub.add_parser(
        "restore-backup",
        help="protect a paper key typed into a file with a new passphrase (an identity file)",
    )
    cli._global_options(q, suppress=True)
    q.add_argument("--key-file", required=True, help="file holding AGE-SECRET-KEY-1…, or -")
    q.add_argument("--out", required=True, help="folder for org-identity.age")
    q.add_argument("--passphrase-file", help=phrase_help)

    p = add("setup", cmd_setup, "set up this workstation: recipients, signing key, database")
    p.add_argument(
        "--central", metavar="URL",
        help="join the central store: postgresql://LOGIN@HOST/DB (password in pgpass, not here)",
    )  # fmt: skip
    p.add_argument(
        "--org-recipient",
        action="append",
        help="age1… recipient or a file of them (repeat for several); default: the ones IT "
        "set in the machine-wide settings (machine-settings show), whose central store, TSA "
        "and department are then taken too where this PC has none",
    )
    p.add_argument("--workstation-name", help="name shown in manifests (default: host name)")
    p.add_argument(
        "--tsa-url", metavar="URL",
        help="the RFC 3161 time-stamping authority (http:// or https://): capture manifests, "
        "bundle manifests and the audit chain's head get trusted time-stamps",
    )  # fmt: skip
    p.add_argument(
        "--tsa-ca",
        metavar="FILE",
        help="PEM file of the CA certificates the TSA's certificate must chain to",
    )
    p.add_argument(
        "--replace-recipients", action="store_true",
        help="allow the new list to drop active recipients, or the recipients IT set in the "
        "machine-wide settings (machine-settings show) (default: refused; see keys "
        "add-recipient / retire-recipient)",
    )  # fmt: skip
    p.add_argument(
        "--keep-input-open", choices=("yes", "no"),
        help="the desktop app keeps the microphone open while idle (audio in memory only), so "
        "recording starts at the key press; the OS shows the microphone in use (default: yes)",
    )  # fmt: skip
    p.add_argument(
        "--pre-event-seconds", type=int, metavar="N",
        help="0-60: the seconds before 録音開始 that begin each recording, held in memory only "
        "(needs --keep-input-open yes; default 0: off)",
    )  # fmt: skip

    p = add("audit", cmd_audit, "check the tamper-evident audit chain")
    sub = p.add_subparsers(dest="audit_command", metavar="ACTION")
    q = sub.add_parser("verify", help="walk the chain; exit 0 intact, 1 broken")
    cli._global_options(q, suppress=True)
    q.add_argument(
        "--central", action="store_true",
        help="check every workstation's chain, recordings and heads in the central store",
    )  # fmt: skip

    p = add("import", cmd_import, "seal existing recordings byte for byte (WAV/FLAC/MP3…)")
    p.add_argument("audio", nargs="+", metavar="AUDIO")
    p.add_argument("--incident", help="incident id to attach them to")


cli.REGISTRARS.append(register)
