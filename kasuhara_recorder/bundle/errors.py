"""Typed errors of the bundle layer.

Two families, by exit code:
- ``HostileArchive`` (exit 2): the input is not a bundle, unreadable, or built to hurt the reader
  (path traversal, links, zip bombs, huge JSON). Nothing is written anywhere when one is raised.
- ``ExportRefused`` / ``TamperDetected`` (exit 1): the evidence itself fails a check.
"""

from __future__ import annotations

from kasuhara_recorder.errors import EvidenceError, KasuharaError
from kasuhara_recorder.text import Text


class HostileArchive(KasuharaError):
    """Base: the file cannot be read safely as a bundle. Exit 2."""

    exit_code = 2
    template = Text(
        "証拠バンドルとして読み込めません: {detail}",
        "not a readable bundle: {detail}",
    )


class NotAZip(HostileArchive):
    template = Text(
        "ZIPファイルではありません（{detail}）",
        "not a ZIP file ({detail})",
    )


class TruncatedArchive(HostileArchive):
    template = Text(
        "ZIPファイルが途中で切れているか壊れています（{detail}）",
        "the ZIP file is truncated or damaged ({detail})",
    )


class UnreadableArchive(HostileArchive):
    template = Text(
        "ファイルを読み込めません（{detail}）。別の場所にコピーしてから、もう一度確認してください。",
        "cannot read the file ({detail}); copy it to another place and check it again",
    )


class MalformedArchive(HostileArchive):
    template = Text(
        "ZIPファイルの構造が不正です（{detail}）",
        "malformed ZIP structure ({detail})",
    )


class UnsafePath(HostileArchive):
    template = Text(
        "危険なファイル名を含むため拒否しました: {name!r}（{detail}）",
        "refused an unsafe file name {name!r} ({detail})",
    )

    fields = ("name", "detail")


class LinkEntry(HostileArchive):
    template = Text(
        "シンボリックリンクや特殊ファイルを含むため拒否しました: {name!r}",
        "refused a symbolic link or special file: {name!r}",
    )

    fields = ("name",)


class DuplicateEntry(HostileArchive):
    template = Text(
        "同じ名前のファイルが複数あるため拒否しました: {name!r}",
        "refused duplicate file names: {name!r}",
    )

    fields = ("name",)


class ZipBomb(HostileArchive):
    template = Text(
        "展開サイズが異常なため拒否しました（ZIP爆弾の疑い）: {detail}",
        "refused: suspicious expansion size (possible zip bomb): {detail}",
    )


class EncryptedEntry(HostileArchive):
    template = Text(
        "暗号化されたZIP項目は扱えません: {name!r}",
        "encrypted ZIP entries are not supported: {name!r}",
    )

    fields = ("name",)


class UnsupportedEntry(HostileArchive):
    template = Text(
        "対応していない形式のZIP項目です: {detail}",
        "unsupported ZIP entry: {detail}",
    )


class HostileJson(HostileArchive):
    template = Text(
        "JSONファイル {name} を安全に読み込めません: {detail}",
        "JSON file {name} cannot be read safely: {detail}",
    )

    fields = ("name", "detail")


class JsonTooDeep(HostileJson):
    """Nesting built to exhaust a parser: refused outright (exit 2), unlike a plain syntax
    error, which a changed byte can cause and is reported per file."""


class DamagedEntry(EvidenceError):
    """An entry whose bytes do not match the ZIP's own CRC: reported per file (exit 1)."""

    template = Text(
        "ZIP内のファイル {name} が壊れています（{detail}）",
        "file {name} inside the ZIP is damaged ({detail})",
    )

    fields = ("name", "detail")


class WavFormatError(KasuharaError):
    exit_code = 1
    template = Text(
        "WAVファイルの形式が不正です: {detail}",
        "bad WAV file: {detail}",
    )


class ExportRefused(EvidenceError):
    """Export stopped because the evidence failed a check; names the item."""

    template = Text(
        "エクスポートを中止しました。{item} の確認に失敗しました: {detail}",
        "export stopped: {item} failed a check: {detail}",
    )

    fields = ("item", "detail")
    item: str | Text


# ExportRefused's most frequent reasons, said in the person's language (item and detail may be
# Text: the Japanese message then holds no English words).
SEALED_MISSING = Text("封印ファイルがありません", "sealed file is missing")
TAIL_MISSING = Text("封印された末尾のファイルがありません", "sealed tail is missing")
SEALED_ALTERED = Text(
    "封印ファイルが記録されたハッシュと一致しません（改変の可能性があります）",
    "sealed file does not match its recorded hash (altered?)",
)
TAIL_ALTERED = Text(
    "封印された末尾が記録されたハッシュと一致しません（改変の可能性があります）",
    "sealed tail does not match its recorded hash (altered?)",
)
PLAIN_ALTERED = Text(
    "復号した内容が記録された SHA-256 と一致しません（改変の可能性があります）",
    "decrypted content does not match its recorded SHA-256 (altered?)",
)


class ExportWriteFailed(KasuharaError):
    """The destination would not take the bundle (read-only, full, removed): exit 2. Raised
    by the CLI from export's OSError; the partial file is gone by then."""

    exit_code = 2
    template = Text(
        "証拠バンドルを {path} に書き込めませんでした（{detail}）。書きかけのファイルは残して"
        "いません。保存先の空き容量と書き込み権限を確認して、もう一度エクスポートしてください。",
        "could not write the bundle to {path} ({detail}); no partial file was left. Check the "
        "destination's free space and write permission, then export again",
    )

    fields = ("path", "detail")

    def __init__(self, path: object, err: OSError) -> None:
        super().__init__(str(path), err.strerror or type(err).__name__)


class BundleExists(KasuharaError):
    """The destination already holds a file of that name (an earlier bundle): replaced only
    when the officer says so (``--overwrite``, or 上書き in the wizard). Exit 2, nothing
    changed."""

    exit_code = 2
    template = Text(
        "保存先に同じ名前のファイル {shown} がすでにあります。何も変更していません。"
        "置き換えるには --overwrite を付けてもう一度実行するか、別のファイル名を指定してください。",
        "{shown} already exists; nothing was changed. To replace it, run again with "
        "--overwrite, or choose another file name",
    )

    fields = ("shown",)

    def __init__(self, path: object) -> None:
        # a name that is not UTF-8 (surrogate escapes) is shown as escapes: printable, --json
        super().__init__(shown=str(path).encode("utf-8", "backslashreplace").decode("utf-8"))
        self.path = str(path)


class WrongIdentity(KasuharaError):
    """The organisation identity given is not one the recordings are sealed to: a wrong file
    chosen, not altered evidence. Exit 2, before anything is written."""

    exit_code = 2
    template = Text(
        "選んだ組織の鍵ファイルでは録音 {item} を開けません（封印先ではありません）。"
        "この端末の設定で使った組織の鍵ファイルを選んでください。",
        "the organisation identity you chose cannot open recording {item} (it is not sealed to "
        "it); choose the identity file of the organisation this workstation was set up with",
    )

    fields = ("item",)


class ExportCancelled(KasuharaError):
    exit_code = 1
    template = Text(
        "エクスポートは取り消されました。ファイルは作成されていません。",
        "export cancelled; no file was written",
    )
