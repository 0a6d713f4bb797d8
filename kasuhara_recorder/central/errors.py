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


class CentralObjectLockMissing(KasuharaError):
    """The blob bucket exists but without Object Lock: a sealed file put there could be deleted
    or overwritten, so nothing is stored in it (Object Lock can only be chosen at creation)."""

    exit_code = 2
    template = Text(
        "中央保管庫（{where}）のバケット {bucket} はオブジェクトロックが有効になっていません"
        "（{detail}）。証拠を削除・上書きから守れないため使用できません。"
        "オブジェクトロックを有効にして作成した新しいバケットを指定してください。",
        "the bucket {bucket} of the central store ({where}) has no Object Lock ({detail}); "
        "evidence kept there could be deleted or overwritten, so it is not used: name a new "
        "bucket created with Object Lock enabled",
    )
    fields = ("where", "bucket", "detail")


class CentralCredentialsMissing(KasuharaError):
    """No access key was found for the object store (they are never kept in settings.json)."""

    exit_code = 2
    template = Text(
        "中央保管庫（{where}）の認証情報が見つかりません（{detail}）。"
        "環境変数 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY、共有認証情報ファイル、"
        "またはプロファイル名を情報システム担当者に設定してもらってください。",
        "no credentials for the central store ({where}): {detail}; set AWS_ACCESS_KEY_ID / "
        "AWS_SECRET_ACCESS_KEY, a shared credentials file or a profile name",
    )
    fields = ("where", "detail")


class CentralAccessDenied(KasuharaError):
    """The object store refused the credentials (a wrong key or secret) or the permission."""

    exit_code = 2
    template = Text(
        "中央保管庫（{where}）が認証情報を拒否しました（{detail}）。"
        "アクセスキーとシークレットキー、権限を情報システム担当者に確認してもらってください。",
        "the central store ({where}) refused the credentials: {detail}; check the access key, "
        "the secret key and their permissions",
    )
    fields = ("where", "detail")


class CentralRequestFailed(KasuharaError):
    """The object store answered a request with an error that is neither about reaching it nor
    about the credentials (the operation and the server's code are in the message)."""

    exit_code = 1
    template = Text(
        "中央保管庫（{where}）が {operation} を受け付けませんでした（{detail}）。",
        "the central store ({where}) refused {operation}: {detail}",
    )
    fields = ("where", "operation", "detail")
