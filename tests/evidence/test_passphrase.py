"""The strength estimate of new passphrases: short, listed, repeated or running ones are refused
with the reason; several unrelated words (Japanese or English) pass."""

from __future__ import annotations

import pytest

from kasuhara_recorder.evidence.passphrase import (
    MIN_BITS,
    PassphraseTooWeak,
    check_new_passphrase,
    estimate,
)


@pytest.mark.parametrize(
    "weak, reason",
    [
        ("abc", "3 文字しかありません"),
        ("合言葉 です", "6 文字しかありません"),
        ("password1234", "「password」"),
        ("Passw0rd!2024", "「pass」"),
        ("aaaaaaaaaaaaaaaa", "繰り返し"),
        ("abcabcabcabcabc", "繰り返し"),
        ("1234567890123", "繰り返し"),
        ("kasuhara-sakaide-2025", "「kasuhara」"),
        ("パスワードパスワード12", "「パスワード」"),
    ],
)
def test_weak_passphrases_are_refused_with_the_reason(weak, reason):
    with pytest.raises(PassphraseTooWeak) as e:
        check_new_passphrase(weak)
    assert reason in e.value.message("ja"), e.value.message("ja")
    assert "nothing was created" in e.value.message("en")
    assert weak not in e.value.message("en").replace("(" + weak + ")", "")  # never echoed


@pytest.mark.parametrize(
    "good",
    [
        "りんご 望遠鏡 coffee 走る",
        "correct horse, made at test time",
        "たぬき correct horse 42",
        "G7k#pQ2vX9mZ4tLw",
        "合言葉 です、長くて覚えやすい 2026 年の秘密",
    ],
)
def test_several_unrelated_words_or_random_characters_pass(good):
    assert check_new_passphrase(good).bits >= MIN_BITS


def test_the_estimate_grows_with_each_word_and_ignores_normalisation():
    one, two = estimate("望遠鏡 coffee"), estimate("望遠鏡 coffee りんご")
    assert two.bits > one.bits
    # NFC: a kana written decomposed (か + combining ゛) counts as one character
    assert estimate("か\u3099").length == estimate("が").length == 1
