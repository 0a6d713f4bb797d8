"""How strong a passphrase for the organisation identity is, and the refusal of a weak one.

The identity file is age's scrypt-protected file: whoever copies it can try passphrases offline
for as long as they like, so a new passphrase must be long and not guessable. The estimate is
deliberately simple and conservative (no network, no large word list): each character adds the
bits its kind allows, less inside a word (letters that follow letters read like a language,
~2.5 bits each), little for a repeat or the next character of a run (``aaa``, ``abc``, ``123``),
and a word from a short list of what people use (``password``, ``qwerty``, ``パスワード``…) counts
as a few bits in all. Several unrelated words, spaces between them, pass; ``abc`` and
``password1234`` do not. Only new passphrases are checked (creating an identity or a backup),
never one that unlocks an existing file.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.text import Text

MIN_LENGTH = 12  # characters (Unicode code points after NFC)
MIN_BITS = 50

# What people pick, lower case; found anywhere in the phrase (the phrase itself lower-cased).
COMMON = (
    "password", "passphrase", "passwort", "qwerty", "qwertz", "azerty", "asdf", "zxcv",
    "letmein", "welcome", "admin", "login", "secret", "iloveyou", "dragon", "monkey",
    "master", "sunshine", "princess", "football", "baseball", "abc123", "changeme",
    "kasuhara", "sakaide", "pass", "1234", "0000", "1111", "abcd",
    "パスワード", "ぱすわーど", "あいうえお", "アイウエオ", "かすはら", "カスハラ",
    "坂出", "市役所",
)  # fmt: skip


class PassphraseTooWeak(UsageError):
    """A new passphrase refused, with the reason and what to do (exit 2)."""

    template = Text(
        "パスフレーズが弱すぎます: {reason}（何も作成していません）",
        "the passphrase is too weak: {reason} (nothing was created)",
    )
    fields = ("reason",)


ADVICE = Text(
    "関係のない単語を 4 つ以上、空白で区切って並べると、覚えやすく強いパスフレーズになります"
    "（ランダムな英数字なら 20 文字以上）。",
    "four or more unrelated words separated by spaces make a strong phrase that is easy to "
    "remember (or 20 or more random letters and digits)",
)
TOO_SHORT = Text(
    "{length} 文字しかありません。{minimum} 文字以上にしてください。{advice}",
    "only {length} characters; use {minimum} or more: {advice}",
)
TOO_GUESSABLE = Text(
    "{why}（強さの目安 {bits} ビット、{minimum} ビット以上が必要）。{advice}",
    "{why} (estimated strength {bits} bits, {minimum} needed); {advice}",
)


def _kind(c: str) -> str:
    if c.isascii():
        if c.islower():
            return "lower"
        if c.isupper():
            return "upper"
        if c.isdigit():
            return "digit"
        if c == " ":
            return "space"
        return "symbol"
    name = unicodedata.name(c, "")
    if name.startswith(("HIRAGANA", "KATAKANA")):
        return "kana"
    if c.isspace():
        return "space"
    if c.isalpha():
        return "ideograph" if "IDEOGRAPH" in name else "letter"
    return "symbol"


# bits for a character of each kind: first in a run of its kind, and inside one
_BITS = {
    "lower": (4.7, 2.5),
    "upper": (4.7, 2.5),
    "letter": (5.0, 3.0),
    "digit": (3.3, 3.3),
    "space": (2.0, 1.0),
    "symbol": (5.0, 4.0),
    "kana": (5.0, 3.5),
    "ideograph": (7.0, 5.5),
}
_WORDLIKE = {"lower", "upper", "letter", "kana", "ideograph"}


@dataclass(frozen=True)
class Strength:
    length: int
    bits: float
    common: tuple[str, ...]  # listed words found in it
    runs: bool  # repeats or runs (aaa, abc, 123) took a real share of it

    @property
    def ok(self) -> bool:
        return self.length >= MIN_LENGTH and self.bits >= MIN_BITS


def estimate(passphrase: str) -> Strength:
    s = unicodedata.normalize("NFC", passphrase)
    low = s.lower()
    covered = [False] * len(s)
    found = []
    for word in sorted(COMMON, key=len, reverse=True):
        start = low.find(word)
        while start >= 0:
            if not any(covered[start : start + len(word)]):
                found.append(word)
                for i in range(start, start + len(word)):
                    covered[i] = True
            start = low.find(word, start + 1)
    bits = 4.0 * len(found)  # a listed word is one guess among a few thousand
    runs = 0
    prev = prev_kind = None
    for i, c in enumerate(s):
        kind = _kind(c)
        if covered[i]:
            prev, prev_kind = c, kind
            continue
        if prev is not None and (c == prev or (kind == prev_kind and abs(ord(c) - ord(prev)) == 1)):
            bits += 1.0  # aaa, abc, 123
            runs += 1
        else:
            first, inside = _BITS[kind]
            same_run = prev_kind == kind or (kind in _WORDLIKE and prev_kind in _WORDLIKE)
            bits += inside if same_run else first
        prev, prev_kind = c, kind
    # a phrase made of one short piece repeated ("abcabcabc…") is worth about that piece
    for n in range(1, len(s) // 2 + 1):
        if len(s) % n == 0 and s[:n] * (len(s) // n) == s:
            bits = min(bits, estimate(s[:n]).bits + 2.0) if n < len(s) else bits
            break
    return Strength(len(s), round(bits, 1), tuple(found), runs * 3 >= len(s))


def check_new_passphrase(passphrase: str) -> Strength:
    """The estimate of a new passphrase; PassphraseTooWeak with the reason if it is weak."""
    st = estimate(passphrase)
    if st.length < MIN_LENGTH:
        raise PassphraseTooWeak(
            TOO_SHORT.format(length=st.length, minimum=MIN_LENGTH, advice=ADVICE)
        )
    if st.bits < MIN_BITS:
        why: list[Text] = []
        if st.common:
            words = Text("、".join(f"「{w}」" for w in st.common), ", ".join(st.common))
            why.append(Text(
                "よく使われる語（{words}）を含みます", "it contains a commonly used word ({words})"
            ).format(words=words))  # fmt: skip
        if st.runs:
            why.append(Text(
                "同じ文字の繰り返しや連続した文字（aaa、abc、123 など）が多いです",
                "much of it repeats or runs (aaa, abc, 123…)",
            ))  # fmt: skip
        if not why:
            why.append(Text("推測されやすい並びです", "it is easy to guess"))
        raise PassphraseTooWeak(TOO_GUESSABLE.format(
            why=Text.join(Text("。", "; "), why), bits=f"{st.bits:.0f}", minimum=MIN_BITS,
            advice=ADVICE,
        ))  # fmt: skip
    return st
