"""`export ID --identity FILE --passphrase-file F --out BUNDLE.zip [--overwrite]` and
`verify BUNDLE.zip`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.bundle.recipient_kinds import RECIPIENT_KINDS
from kasuhara_recorder.config import resolve_data_dir

if TYPE_CHECKING:
    from kasuhara_recorder.bundle.export import ExportProgress, ExportResult
# The export and crypto stacks are imported by the commands that use them: every launch of the
# program, the desktop app's included, builds this parser.


def cmd_export(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.commands.passphrase_input import read_passphrase

    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    last = [-1]

    def progress(p: ExportProgress) -> None:
        pct = int(p.fraction * 100)
        if not console.json_mode and sys.stderr.isatty() and pct != last[0]:
            last[0] = pct
            print(f"\r{pct:3d}% {p.step.pick(console.lang)}", end="",
                  file=sys.stderr, flush=True)  # fmt: skip

    from kasuhara_recorder.bundle.errors import ExportWriteFailed

    out = Path(args.out)
    # SIGTERM (a logout, `kill`) ends the export like Ctrl-C, so its cleanup runs: the hidden
    # partial file holds plaintext audio and must not stay behind on the destination.
    main_thread = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, signal.default_int_handler) if main_thread else None
    try:
        app.export.check_destination(out, overwrite=args.overwrite)  # before the key is opened
        passphrase = read_passphrase(args.passphrase_file, console)  # asked only then
        identity = app.export.unlock(Path(args.identity), passphrase)
        result = app.export.export(
            args.incident_id, identity, out, recipient_kind=args.recipient, progress=progress,
            overwrite=args.overwrite,
        )  # fmt: skip
    except OSError as e:
        if e.filename != str(out):
            raise
        raise ExportWriteFailed(out, e) from None  # the destination, not the data folder
    finally:
        if main_thread:
            signal.signal(signal.SIGTERM, previous)
        app.close()
    if last[0] >= 0:
        print(file=sys.stderr)
    say_exported(console, result)
    return 0


def say_exported(console: cli.Console, result: ExportResult) -> None:
    """What `export` prints: the bundle, and the two values to tell the recipient apart from it,
    shown as the wizard shows them (``Handover.shown``)."""
    from kasuhara_recorder.bundle.verify import unicode_text

    path = unicode_text(str(result.path))  # a name that is not UTF-8 must not fail the printing
    fp, sha = (v.replace("\n", "\n    ") for v in result.handover.shown())
    console.say(
        f"証拠バンドルを作成しました: {path}\n  バンドルID: {result.bundle_id}\n"
        f"  ファイル数: {len(result.files) + 2}、{result.size:,} バイト\n"
        "次の 2 つの値を、バンドルとは別の手段（電話・文書など）で受取人に伝えてください。"
        "受取人は verify.html・README.txt・kasuhara-recorder verify で同じ値を確かめます。\n"
        f"  署名鍵のフィンガープリント:\n    {fp}\n"
        f"  バンドル（ZIP ファイル）の SHA-256:\n    {sha}",
        f"bundle written: {path}\n  bundle id: {result.bundle_id}\n"
        f"  {len(result.files) + 2} files, {result.size:,} bytes\n"
        "tell the recipient these two values by another channel than the bundle (phone, "
        "letter); verify.html, README.txt and kasuhara-recorder verify show the same ones:\n"
        f"  signing key fingerprint:\n    {fp}\n  SHA-256 of the bundle (ZIP file):\n    {sha}",
    )
    console.result(
        {
            "ok": True,
            "path": path,
            "bundle_id": result.bundle_id,
            "manifest_sha256": result.manifest_sha256,
            **result.handover.as_json(),
            "size": result.size,
            "files": [f.path for f in result.files] + ["SHA256SUMS", "SHA256SUMS.sig"],
        }
    )


def cmd_verify(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.bundle.verify import shown, verify_bundle

    report = verify_bundle(Path(args.bundle))
    incident = shown(report.incident_id)  # from the bundle: printed with escapes
    fp, sha = (v.replace("\n", "\n    ") for v in report.handover.shown())
    if report.ok:
        console.say(
            f"検証に合格しました。改ざんは検出されませんでした（{report.files} ファイル、"
            f"{report.checks_passed} 項目を確認）。\n  事案: {incident}\n"
            f"  署名鍵のフィンガープリント:\n    {fp}\n"
            f"  バンドル（ZIP ファイル）の SHA-256:\n    {sha}\n"
            "  この 2 つの値を、送付元から別の手段（電話・文書）で伝えられた値と照合してください。",
            f"bundle intact: {report.files} files, {report.checks_passed} checks passed\n"
            f"  incident: {incident}\n"
            f"  signing key fingerprint:\n    {fp}\n"
            f"  SHA-256 of the bundle (ZIP file):\n    {sha}\n"
            "  compare these two values with those the sender told you by another channel",
        )
        for member, gen in report.timestamps:
            console.say(
                f"  信頼できる時刻（RFC 3161）: {shown(member)} は {gen} に存在していました",
                f"  trusted time (RFC 3161): {shown(member)} existed at {gen}",
            )
    else:
        files = sorted({shown(f.file) for f in report.failures})
        console.say(
            f"改ざんまたは欠落を検出しました: {', '.join(files)}\n"
            + "\n".join("  ✘ " + f.message("ja") for f in report.failures),
            f"bundle NOT intact: {', '.join(files)}\n"
            + "\n".join("  x " + f.message("en") for f in report.failures),
        )
    console.result(report.as_json())
    return 0 if report.ok else 1


def say_partial_exports(console: cli.Console, outcomes: list) -> None:
    """For `recover`: what interrupted exports left on their destinations, and what was done."""
    from kasuhara_recorder.bundle.verify import unicode_text

    for o in outcomes:
        path = unicode_text(str(o.path))
        if o.action == "removed":
            if o.complete:
                ja, en = (
                    "書き出しの済んだ証拠バンドル（監査記録なし）",
                    "finished bundle (no audit entry)",
                )
            else:
                ja, en = "書きかけの証拠バンドル", "partial bundle"
            console.say(
                f"中断した書き出しが残した{ja}を削除しました: {path}（{o.size:,} バイト）",
                f"removed the {en} an interrupted export left: {path} ({o.size:,} bytes)",
            )
        elif o.action == "unreachable":
            console.say(
                f"中断した書き出しの保存先 {path} が見つかりません。録音の音声を含む書きかけの"
                "ファイルが残っている可能性があります。その USB メモリや共有フォルダをつないで、"
                "もう一度 recover を実行してください（アプリの起動時にも確認します）。",
                f"the destination of an interrupted export is not reachable: {path} may still "
                "hold a partial bundle (plaintext audio); connect that stick or share and run "
                "recover again (the app also checks at start)",
            )
        elif o.action == "kept":
            console.say(
                f"中断した書き出しのファイル {path} を削除できませんでした（{o.detail}）。"
                "次回の起動時にもう一度確認します。",
                f"could not remove {path} left by an interrupted export ({o.detail}); "
                "it is checked again at the next start",
            )


def partial_exports_result(outcomes: list) -> dict:
    """``{"partial_exports": [...]}`` for `recover --json` when an interrupted export left
    something (nothing otherwise: the object stays as it was)."""
    from kasuhara_recorder.bundle.verify import unicode_text

    items = [
        {"action": o.action, "path": unicode_text(str(o.path)) if o.path else None,
         "size": o.size, "complete": o.complete}
        for o in outcomes if o.action not in ("gone", "completed")  # bookkeeping only
    ]  # fmt: skip
    return {"partial_exports": items} if items else {}


def register(add) -> None:
    p = add("export", cmd_export, "write a signed evidence bundle (ZIP) of one incident")
    p.add_argument("incident_id", metavar="ID")
    p.add_argument("--identity", required=True, help="the organisation identity file")
    p.add_argument(
        "--passphrase-file",
        help="file whose first line is the passphrase, or - for stdin (default: asked on the "
        "terminal)",
    )
    p.add_argument("--out", required=True, help="the bundle to write (…zip)")
    p.add_argument(
        "--overwrite", action="store_true",
        help="replace an existing bundle at --out (without it: exit 2, the file kept)",
    )  # fmt: skip
    p.add_argument(
        "--recipient", choices=tuple(RECIPIENT_KINDS), default="other",
        help="who receives it: police (警察), lawyer (弁護士), other (その他)",
    )  # fmt: skip
    p = add("verify", cmd_verify, "check a bundle: exit 0 intact, 1 altered, 2 not a bundle")
    p.add_argument("bundle", metavar="BUNDLE.zip")


cli.REGISTRARS.append(register)
