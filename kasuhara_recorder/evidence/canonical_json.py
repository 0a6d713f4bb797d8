"""Canonical JSON: the one serializer for every signed or hashed JSON document.

Rules (docs/FORMAT.md, "Canonical JSON"): UTF-8, object keys sorted by Unicode code point, no
insignificant whitespace, non-ASCII characters kept as they are (not ``\\u`` escapes), only
strings, integers (|n| < 2**53, so a browser reads them exactly), booleans, null, arrays and
objects with string keys. Floats are refused: a float's text differs between implementations,
so a signature over one would not verify everywhere. Use integers (milliseconds, frames).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.text import Text

MAX_SAFE_INT = 2**53 - 1


class NotCanonical(EvidenceError):
    template = Text(
        "正規化JSONにできない値があります: {detail}",
        "value cannot be written as canonical JSON: {detail}",
    )


def _check(value: object, where: str) -> object:
    """Validate and convert tuples to lists; returns a structure json.dumps writes as-is."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INT:
            raise NotCanonical(f"{where}: integer {value} is outside ±(2**53-1)")
        return value
    if isinstance(value, float):
        raise NotCanonical(f"{where}: float {value!r} (use an integer or a string)")
    if isinstance(value, Mapping):
        out = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise NotCanonical(f"{where}: key {k!r} is not a string")
            out[k] = _check(v, f"{where}.{k}")
        return out
    if isinstance(value, list | tuple):
        return [_check(v, f"{where}[{i}]") for i, v in enumerate(value)]
    raise NotCanonical(f"{where}: {type(value).__name__} is not a JSON value")


def canonical_json(obj: object) -> bytes:
    """The canonical UTF-8 bytes of ``obj`` (see module docstring)."""
    checked = _check(obj, "$")
    text = json.dumps(
        checked, ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
    )
    return text.encode("utf-8")


def loads_strict(raw: bytes, *, allow_float: bool = False) -> object:
    """UTF-8 JSON with duplicate keys, NaN/Infinity (and floats unless allowed) refused.

    Raises ValueError (UnicodeDecodeError included) or RecursionError; callers wrap them in
    their own typed error."""

    def no_dupes(pairs: list[tuple[str, object]]) -> dict[str, Any]:
        d: dict[str, Any] = {}
        for k, v in pairs:
            if k in d:
                raise ValueError(f"duplicate key {k!r}")
            d[k] = v
        return d

    def no_float(s: str) -> object:
        raise ValueError(f"float {s} not allowed")

    def no_const(s: str) -> object:
        raise ValueError(f"{s} not allowed")

    return json.loads(
        raw.decode("utf-8"),
        object_pairs_hook=no_dupes,
        parse_float=None if allow_float else no_float,
        parse_constant=no_const,
    )


def parse_json_object(raw: bytes, source: str = "JSON") -> dict[str, Any]:
    """Parse UTF-8 JSON that must be an object; floats, NaN and duplicate keys are refused."""
    try:
        obj = loads_strict(raw)
    except (ValueError, RecursionError) as e:
        raise NotCanonical(f"{source}: {e}") from None
    if not isinstance(obj, dict):
        raise NotCanonical(f"{source}: not a JSON object")
    return obj
