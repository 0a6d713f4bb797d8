"""Where a command gets a passphrase: asked on the terminal, from a file, or from stdin (``-``).

Without ``--passphrase-file`` the passphrase is asked on the terminal, never echoed, twice when
it is a new one (and a weak new one is refused with the reason, then asked again); with
``--passphrase-file -`` its first line is read from standard input (a pipe, a password manager);
with a file, that file's first line. A new passphrase from a file or stdin that is weak is
refused (exit 2): nothing is created.
"""

from __future__ import annotations

import getpass
import sys
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text

MAX_STDIN = 64 * 1024
TRIES = 5  # entries on the terminal, weak or mistyped, before giving up


class NoTerminal(cli.BadInput):
    defaults = {
        "detail": Text(
            "パスフレーズを尋ねる端末がありません。--passphrase-file F（ファイルの 1 行目）か、"
            "標準入力から読む --passphrase-file - を指定してください",
            "no terminal to ask for the passphrase on: give --passphrase-file F (its first "
            "line), or --passphrase-file - to read it from standard input",
        )
    }


def _first_line(raw: bytes, where: str) -> str:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise cli.BadInput(
            Text(f"{where}: UTF-8 のテキストではありません", f"{where}: not UTF-8 text")
        ) from None
    lines = text.splitlines()
    if not lines or not lines[0]:
        raise cli.BadInput(
            Text(f"{where}: パスフレーズが空です", f"{where}: the passphrase is empty")
        )
    return lines[0]


def _check_new(passphrase: str, where: str) -> None:
    from kasuhara_recorder.evidence.passphrase import check_new_passphrase

    if passphrase != passphrase.strip():
        # invisible at the keyboard later: the officer typing it in the app would be locked out
        raise cli.BadInput(
            Text(
                f"{where}: パスフレーズの前後に空白やタブがあります。取り除いてください"
                "（何も作成していません）",
                f"{where}: the passphrase begins or ends with spaces or tabs; remove them "
                "(nothing was created)",
            ),
        )
    check_new_passphrase(passphrase)


def _say(console: cli.Console, ja: str, en: str) -> None:
    print(ja if console.lang == "ja" else en, file=sys.stderr, flush=True)


def read_passphrase(source: str | None, console: cli.Console, *, new: bool = False) -> str:
    """The passphrase from ``source`` (None: the terminal; ``-``: stdin; else a file)."""
    if source == "-":
        p = _first_line(sys.stdin.buffer.read(MAX_STDIN), "stdin")
        if new:
            _check_new(p, "stdin")
        return p
    if source is not None:
        from kasuhara_recorder.evidence.org_identity import read_passphrase_file

        p = read_passphrase_file(Path(source))
        if new:
            _check_new(p, source)
        return p
    if not sys.stdin.isatty():
        raise NoTerminal()
    ja = console.lang == "ja"
    if not new:
        p = getpass.getpass("パスフレーズ: " if ja else "Passphrase: ")
        if not p:
            raise cli.BadInput(
                Text("パスフレーズが入力されませんでした", "no passphrase was entered")
            )
        return p
    last: KasuharaError | None = None
    for _ in range(TRIES):
        p = getpass.getpass("新しいパスフレーズ: " if ja else "New passphrase: ")
        try:
            _check_new(p, "パスフレーズ" if ja else "passphrase")
        except KasuharaError as e:
            last = e
            why = getattr(e, "reason", None)  # PassphraseTooWeak: the reason alone
            reason = why.pick(console.lang) if isinstance(why, Text) else e.message(console.lang)
            _say(console, f"弱すぎます: {reason}", f"too weak: {reason}")
            continue
        again = getpass.getpass(
            "確認のため、もう一度入力してください: " if ja else "Enter it again to confirm: "
        )
        if again == p:
            return p
        last = cli.BadInput(Text("2 回の入力が一致しません", "the two entries differ"))
        _say(console, "2 回の入力が一致しません。もう一度。", "The two entries differ; again.")
    raise last or cli.BadInput(Text("パスフレーズが決まりません", "no passphrase"))
