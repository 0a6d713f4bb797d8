"""`poster --out FILE.pdf`: the recording-notice poster (録音告知, A4, Japanese) to print for the
counter and the office, from the policy profile and the organisation's name."""

from __future__ import annotations

import argparse
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.config import resolve_data_dir


def cmd_poster(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.atomic_file import write_atomic

    app = AppService(resolve_data_dir(getattr(args, "data_dir", None)))
    try:
        pdf = app.poster_pdf()
    finally:
        app.close()
    out = Path(args.out)
    try:
        write_atomic(out, pdf)
    except OSError as e:
        raise cli.UsageError(f"--out {out}: {e.strerror or e}") from None
    console.result({"ok": True, "out": str(out), "size": len(pdf)})
    console.say(f"ポスターを書き出しました: {out}", f"poster written: {out}")
    return 0


def register(add) -> None:
    p = add("poster", cmd_poster, "the recording-notice poster (A4 PDF) to print")
    p.add_argument("--out", required=True, help="the PDF file to write")


cli.REGISTRARS.append(register)
