"""Typed errors of the bundle layer.

Two families, by exit code:
- ``HostileArchive`` (exit 2): the input is not a bundle, unreadable, or built to hurt the reader
  (path traversal, links, zip bombs, huge JSON). Nothing is written anywhere when one is raised.
- ``ExportRefused`` / ``TamperDetected`` (exit 1): the evidence itself fails a check.
"""

from __future__ import annotations

from kasuhara_recorder.errors import EvidenceError, KasuharaError


class HostileArchive(KasuharaError):
    """Base: the file cannot be read safely as a bundle. Exit 2."""

    exit_code = 2
    ja = "証拠バンドルとして読み込めません: {detail}"
    en = "not a readable bundle: {detail}"


class NotAZip(HostileArchive):
    ja = "ZIPファイルではありません（{detail}）"
    en = "not a ZIP file ({detail})"


class TruncatedArchive(HostileArchive):
    ja = "ZIPファイルが途中で切れているか壊れています（{detail}）"
    en = "the ZIP file is truncated or damaged ({detail})"


class UnreadableArchive(HostileArchive):
    ja = (
        "ファイルを読み込めません（{detail}）。別の場所にコピーしてから、もう一度確認してください。"
    )
    en = "cannot read the file ({detail}); copy it to another place and check it again"


class MalformedArchive(HostileArchive):
    ja = "ZIPファイルの構造が不正です（{detail}）"
    en = "malformed ZIP structure ({detail})"


class UnsafePath(HostileArchive):
    ja = "危険なファイル名を含むため拒否しました: {name!r}（{detail}）"
    en = "refused an unsafe file name {name!r} ({detail})"

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail, name=name)
        self.name = name


class LinkEntry(HostileArchive):
    ja = "シンボリックリンクや特殊ファイルを含むため拒否しました: {name!r}"
    en = "refused a symbolic link or special file: {name!r}"

    def __init__(self, name: str) -> None:
        super().__init__(name, name=name)
        self.name = name


class DuplicateEntry(HostileArchive):
    ja = "同じ名前のファイルが複数あるため拒否しました: {name!r}"
    en = "refused duplicate file names: {name!r}"

    def __init__(self, name: str) -> None:
        super().__init__(name, name=name)
        self.name = name


class ZipBomb(HostileArchive):
    ja = "展開サイズが異常なため拒否しました（ZIP爆弾の疑い）: {detail}"
    en = "refused: suspicious expansion size (possible zip bomb): {detail}"


class EncryptedEntry(HostileArchive):
    ja = "暗号化されたZIP項目は扱えません: {name!r}"
    en = "encrypted ZIP entries are not supported: {name!r}"

    def __init__(self, name: str) -> None:
        super().__init__(name, name=name)
        self.name = name


class UnsupportedEntry(HostileArchive):
    ja = "対応していない形式のZIP項目です: {detail}"
    en = "unsupported ZIP entry: {detail}"


class HostileJson(HostileArchive):
    ja = "JSONファイル {name} を安全に読み込めません: {detail}"
    en = "JSON file {name} cannot be read safely: {detail}"

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail, name=name)
        self.name = name


class JsonTooDeep(HostileJson):
    """Nesting built to exhaust a parser: refused outright (exit 2), unlike a plain syntax
    error, which a changed byte can cause and is reported per file."""


class DamagedEntry(EvidenceError):
    """An entry whose bytes do not match the ZIP's own CRC: reported per file (exit 1)."""

    ja = "ZIP内のファイル {name} が壊れています（{detail}）"
    en = "file {name} inside the ZIP is damaged ({detail})"

    def __init__(self, name: str, detail: str) -> None:
        super().__init__(detail, name=name)
        self.name = name


class WavFormatError(KasuharaError):
    exit_code = 1
    ja = "WAVファイルの形式が不正です: {detail}"
    en = "bad WAV file: {detail}"


class ExportRefused(EvidenceError):
    """Export stopped because the evidence failed a check; names the item."""

    ja = "エクスポートを中止しました。{item} の確認に失敗しました: {detail}"
    en = "export stopped: {item} failed a check: {detail}"

    def __init__(self, item: str, detail: str) -> None:
        super().__init__(detail, item=item)
        self.item = item


class ExportWriteFailed(KasuharaError):
    """The destination would not take the bundle (read-only, full, removed): exit 2. Raised
    by the CLI from export's OSError; the partial file is gone by then."""

    exit_code = 2
    ja = (
        "証拠バンドルを {path} に書き込めませんでした（{detail}）。書きかけのファイルは残して"
        "いません。保存先の空き容量と書き込み権限を確認して、もう一度エクスポートしてください。"
    )
    en = (
        "could not write the bundle to {path} ({detail}); no partial file was left. Check the "
        "destination's free space and write permission, then export again"
    )

    def __init__(self, path: object, err: OSError) -> None:
        super().__init__(err.strerror or type(err).__name__, path=str(path))
        self.path = str(path)


class BundleExists(KasuharaError):
    """The destination already holds a file of that name (an earlier bundle): replaced only
    when the officer says so (``--overwrite``, or 上書き in the wizard). Exit 2, nothing
    changed."""

    exit_code = 2
    ja = (
        "保存先に同じ名前のファイル {path} がすでにあります。何も変更していません。"
        "置き換えるには --overwrite を付けてもう一度実行するか、別のファイル名を指定してください。"
    )
    en = (
        "{path} already exists; nothing was changed. To replace it, run again with "
        "--overwrite, or choose another file name"
    )

    def __init__(self, path: object) -> None:
        # a name that is not UTF-8 (surrogate escapes) is shown as escapes: printable, --json
        shown = str(path).encode("utf-8", "backslashreplace").decode("utf-8")
        super().__init__(shown, path=shown)
        self.path = str(path)


class WrongIdentity(KasuharaError):
    """The organisation identity given is not one the recordings are sealed to: a wrong file
    chosen, not altered evidence. Exit 2, before anything is written."""

    exit_code = 2
    ja = (
        "選んだ組織の鍵ファイルでは録音 {item} を開けません（封印先ではありません）。"
        "この端末の設定で使った組織の鍵ファイルを選んでください。"
    )
    en = (
        "the organisation identity you chose cannot open recording {item} (it is not sealed to "
        "it); choose the identity file of the organisation this workstation was set up with"
    )

    def __init__(self, item: str) -> None:
        super().__init__(item, item=item)
        self.item = item


class ExportCancelled(KasuharaError):
    exit_code = 1
    ja = "エクスポートは取り消されました。ファイルは作成されていません。"
    en = "export cancelled; no file was written"
