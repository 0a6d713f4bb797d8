"""What a person is told when the organisation identity did not unlock: the words the export
wizard and the unlock dialog share (a wrong passphrase with its attempt number, a file that is
not an identity, a core error, anything else)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication

from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.ui.i18n import localized

log = logging.getLogger("kasuhara.ui.unlock")


def unlock_failure_text(e: BaseException) -> str:
    from kasuhara_recorder.evidence.org_identity import DamagedIdentity, WrongPassphrase

    if isinstance(e, WrongPassphrase):
        text = QCoreApplication.translate(
            "UnlockFailure",
            "パスフレーズが違います。入力し直してください。"
            "（大文字・小文字や、キーボードの入力モードを確かめてください。）",
        )
        attempt = getattr(e, "attempt", 0)
        if attempt:
            text += "\n" + QCoreApplication.translate(
                "UnlockFailure",
                "失敗した解錠は監査ログに記録されます（このファイルで続けて %1 回目）。",
            ).replace("%1", str(attempt))
        return text
    if isinstance(e, DamagedIdentity):
        return QCoreApplication.translate(
            "UnlockFailure",
            "選んだファイルは組織の鍵ファイルではないか、壊れています。"
            "org-identity.age を選び直してください。",
        )
    if isinstance(e, KasuharaError):
        return localized(e.text)
    log.error("unlocking the organisation identity failed: %s", type(e).__name__)
    return QCoreApplication.translate(
        "UnlockFailure", "鍵を開けませんでした。詳しくはログを確認してください。"
    )
