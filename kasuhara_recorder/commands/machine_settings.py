"""`machine-settings set|show`: IT's machine-wide settings (machine.json) for every user of a PC.

The Windows installer runs `set` with what IT passed to the silent install; `setup` and the
first-run wizard then read them (kasuhara_recorder/machine_settings.py).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.text import Text

USAGE = (
    "kasuhara-recorder machine-settings set --org-recipient age1… [--org-recipient …] "
    "[--central URL] [--department NAME] [--tsa-url URL --tsa-ca FILE] | show [--json]"
)
SET_HELP = (
    "write machine.json for every user of this PC (run as administrator; the installer does). "
    "It replaces the whole file: a setting not given is cleared. Each user's `setup` with no "
    "--org-recipient then takes these recipients (and the central store, department and TSA "
    "when not given); a user's `setup` refuses a list without them unless "
    "--replace-recipients, and `keys retire-recipient` refuses to retire one of them"
)


def cmd_machine_settings(args: argparse.Namespace, console: cli.Console) -> int:
    action = getattr(args, "machine_command", None)
    if action == "set":
        return _set(args, console)
    if action == "show":
        return _show(console)
    raise cli.BadInput(Text(f"使い方: {USAGE}", f"usage: {USAGE}"))


def _bad(ja: str, en: str) -> cli.BadInput:
    return cli.BadInput(
        Text(f"{ja}（端末共通の設定は変更していません）", f"{en} (nothing written)")
    )


def _checked(args: argparse.Namespace):
    """Every flag checked before anything is written: a failed install leaves the old file."""
    from kasuhara_recorder.evidence.org_identity import read_recipients
    from kasuhara_recorder.machine_settings import MachineSettings

    recipients: list[str] = []
    for arg in args.org_recipient:
        recipients.extend(read_recipients(arg))
    central = (args.central or "").strip()
    if central:
        from kasuhara_recorder.central.connection import check_url

        check_url(central)
    department = (args.department or "").strip()
    if any(c in department for c in '\r\n\t"') or len(department) > 100:
        raise _bad(
            "--department には改行・タブ・引用符を含まない 100 文字までの名前を指定してください",
            "--department: a name of up to 100 characters without line breaks, tabs or quotes",
        )
    tsa_url, tsa_ca = (args.tsa_url or "").strip(), (args.tsa_ca or "").strip()
    if tsa_url and not tsa_url.startswith(("http://", "https://")):
        raise _bad(
            f"--tsa-url は http:// か https:// で始まる URL です（{tsa_url}）",
            f"--tsa-url: expected an http(s):// URL, got {tsa_url!r}",
        )
    if bool(tsa_url) != bool(tsa_ca):
        raise _bad(
            "--tsa-url と --tsa-ca（タイムスタンプ局の CA 証明書）は両方指定してください",
            "--tsa-url and --tsa-ca (the TSA's CA certificates) go together",
        )
    if tsa_ca:
        tsa_ca = _ca_file(tsa_ca)
    return MachineSettings(tuple(dict.fromkeys(recipients)), central, department, tsa_url, tsa_ca)


def _ca_file(arg: str) -> str:
    path = Path(arg).expanduser().resolve()
    try:
        pem = path.read_bytes()[: 1024 * 1024]
    except OSError as e:
        raise _bad(
            f"--tsa-ca {path} を読めません（{e.strerror or e}）",
            f"--tsa-ca {path}: cannot read ({e.strerror or e})",
        ) from None
    if b"-----BEGIN CERTIFICATE-----" not in pem:
        raise _bad(
            f"--tsa-ca {path} は PEM 形式の証明書ファイルではありません",
            f"--tsa-ca {path}: not a PEM certificate file",
        )
    return str(path)


def _set(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.machine_settings import machine_settings_path, save_machine_settings

    settings = _checked(args)
    path = machine_settings_path()
    try:
        save_machine_settings(settings, path)
    except OSError as e:
        raise cli.BadInput(
            Text(
                f"{path} に書き込めません（{e.strerror or e}）。管理者として実行してください"
                "（端末共通の設定は変更していません）",
                f"cannot write {path} ({e.strerror or e}); run as administrator (nothing written)",
            )
        ) from None
    console.say(f"端末共通の設定を書き込みました: {path}", f"machine-wide settings written: {path}")
    _print(console, settings, path, exists=True)
    return 0


def _show(console: cli.Console) -> int:
    from kasuhara_recorder.machine_settings import load_machine_settings, machine_settings_path

    path = machine_settings_path()
    settings = load_machine_settings(path)  # a broken file: MachineSettingsError, exit 2
    exists = path.is_file()
    if not exists:
        console.say(
            f"端末共通の設定はありません（{path}）。各利用者の setup で設定します。",
            f"no machine-wide settings ({path}); each user's setup decides",
        )
    _print(console, settings, path, exists=exists)
    return 0


def _print(console: cli.Console, s, path: Path, *, exists: bool) -> None:
    if exists:
        lines = "\n".join(f"    {r}" for r in s.org_recipients)
        none_ja, none_en = "（なし）", "(none)"
        console.say(
            f"  ファイル: {path}\n  組織の公開鍵（封印先）:\n{lines}\n"
            f"  中央保管庫: {s.central or none_ja}\n  所属: {s.department or none_ja}\n"
            f"  タイムスタンプ局: {s.tsa_url or none_ja}\n  その CA 証明書: {s.tsa_ca or none_ja}",
            f"  file: {path}\n  organisation recipients:\n{lines}\n"
            f"  central store: {s.central or none_en}\n  department: {s.department or none_en}\n"
            f"  TSA: {s.tsa_url or none_en}\n  TSA CA file: {s.tsa_ca or none_en}",
        )
    console.result(
        {
            "ok": True,
            "path": str(path),
            "exists": exists,
            "org_recipients": list(s.org_recipients),
            "central": s.central,
            "department": s.department,
            "tsa_url": s.tsa_url,
            "tsa_ca": s.tsa_ca,
        }
    )


def register(add) -> None:
    p = add(
        "machine-settings",
        cmd_machine_settings,
        "IT's machine-wide settings for every user of this PC (machine.json)",
    )
    sub = p.add_subparsers(dest="machine_command", metavar="ACTION")
    q = sub.add_parser("set", help=SET_HELP, description=SET_HELP)
    cli._global_options(q, suppress=True)
    q.add_argument(
        "--org-recipient", action="append", required=True, metavar="age1…|FILE",
        help="the organisation's age1… recipient or a file of them (repeat for several)",
    )  # fmt: skip
    q.add_argument(
        "--central", metavar="URL",
        help="the central store: postgresql://LOGIN@HOST/DB (password in pgpass, never here)",
    )  # fmt: skip
    q.add_argument("--department", metavar="NAME", help="the department, e.g. 市民課")
    q.add_argument("--tsa-url", metavar="URL", help="the RFC 3161 time-stamping authority")
    q.add_argument("--tsa-ca", metavar="FILE", help="PEM file of the TSA's CA certificates")
    q = sub.add_parser("show", help="print the machine-wide settings (with --json: one object)")
    cli._global_options(q, suppress=True)


cli.REGISTRARS.append(register)
