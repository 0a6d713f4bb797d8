"""Messages for people are in one language: a Japanese sentence carries a Japanese reason, the
English one stays for the log (issue 11 found English details glued into Japanese messages)."""

from __future__ import annotations

import pytest


def test_a_lost_device_and_a_bad_recipient_are_explained_in_japanese_only():
    """「the input stream ended」 and pyrage's 「invalid Bech32 encoding」 were glued into the
    Japanese messages; the English reason stays for the log."""
    from kasuhara_recorder.audio.errors import DeviceLost
    from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient

    lost = DeviceLost("the input stream ended", "入力が途切れました")
    assert "入力が途切れました" in lost.message("ja") and "stream" not in lost.message("ja")
    assert "the input stream ended" in lost.message("en")
    with pytest.raises(BadRecipient) as e:
        parse_recipient(
            "age1notbech32atallxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "r.txt line 2"
        )
    ja = e.value.message("ja")
    assert "r.txt の 2 行目" in ja and "誤っています" in ja
    assert "Bech32" not in ja and "invalid" not in ja
    assert "Bech32" in e.value.message("en") or "invalid" in e.value.message("en")
