"""Errors of the central store (messages in both languages, exit codes per the CLI contract)."""

from __future__ import annotations

from kasuhara_recorder.errors import EvidenceError, KasuharaError
from kasuhara_recorder.text import Text


class CentralUnreachable(KasuharaError):
    """The central store cannot be reached now; everything stays on this PC and is sent later."""

    exit_code = 1
    template = Text(
        "中央保管庫（{where}）に接続できません（{detail}）。記録はこの端末に保存されており、"
        "接続が戻れば送信されます。",
        "cannot reach the central store ({where}): {detail}; everything is kept on this PC "
        "and sent when the connection is back",
    )
    fields = ("where", "detail")


class BlobMismatch(EvidenceError):
    """What was uploaded (or read back) does not hash to the name it was stored under."""

    template = Text(
        "中央保管庫のファイル {sha256} の内容がハッシュ値と一致しません（{detail}）。",
        "central blob {sha256} does not match its hash ({detail})",
    )
    fields = ("sha256", "detail")


class BlobMissing(EvidenceError):
    template = Text(
        "中央保管庫にファイル {sha256} がありません。",
        "central blob {sha256} is not in the central store",
    )
    fields = ("sha256",)
