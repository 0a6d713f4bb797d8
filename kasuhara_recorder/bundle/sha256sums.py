"""SHA256SUMS in the coreutils format, so `sha256sum -c` and `shasum -a 256 -c` read it.

One line per file: 64 lowercase hex digits, two spaces (text-mode marker; `*` for binary mode
is also accepted when reading), the path relative to the bundle root with `/`, then LF. Names
that coreutils would escape (backslash, newline) are refused rather than escaped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_LINE = re.compile(r"^([0-9a-fA-F]{64}) [ *](.+)$")


class Sha256SumsError(ValueError):
    """A line that is not in the coreutils format; names the line number."""


def format_sha256sums(items: Iterable[tuple[str, str]]) -> bytes:
    lines = []
    for name, digest in items:
        if "\n" in name or "\\" in name or "\r" in name:
            raise ValueError(f"file name {name!r} cannot be written to SHA256SUMS unescaped")
        if not re.fullmatch(r"[0-9a-f]{64}", digest):
            raise ValueError(f"not a lowercase SHA-256 hex digest: {digest!r}")
        lines.append(f"{digest}  {name}\n")
    return "".join(lines).encode("utf-8")


def parse_sha256sums(raw: bytes) -> dict[str, str]:
    """name -> lowercase digest. Duplicate names, escapes and malformed lines are errors."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise Sha256SumsError(f"not UTF-8: {e}") from None
    out: dict[str, str] = {}
    for no, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line:
            continue
        if line.startswith("\\"):
            raise Sha256SumsError(f"line {no}: escaped names are not used in bundles")
        m = _LINE.match(line)
        if not m:
            raise Sha256SumsError(f"line {no}: not '<sha256>  <file>'")
        digest, name = m.group(1).lower(), m.group(2)
        if name in out:
            raise Sha256SumsError(f"line {no}: {name} listed twice")
        out[name] = digest
    return out
