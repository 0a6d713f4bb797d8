"""Canonical JSON: one byte sequence per value, the basis of every hash and signature."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kasuhara_recorder.evidence.canonical_json import (
    NotCanonical,
    canonical_json,
    parse_json_object,
)


def test_vector_sorted_compact_and_japanese_kept():
    assert canonical_json({"b": 1, "a": "窓口", "c": [True, None]}) == (
        '{"a":"窓口","b":1,"c":[true,null]}'.encode()
    )
    assert canonical_json({"s": 'a"\\\n\x01'}) == b'{"s":"a\\"\\\\\\n\\u0001"}'
    assert canonical_json(("x", 2)) == b'["x",2]'


@pytest.mark.parametrize("bad", [1.5, {"a": float("nan")}, {1: "x"}, 2**53, object()])
def test_floats_big_ints_and_non_json_values_are_refused(bad):
    with pytest.raises(NotCanonical):
        canonical_json(bad)


def test_parser_refuses_floats_and_duplicate_keys():
    with pytest.raises(NotCanonical):
        parse_json_object(b'{"a":1.0}')
    with pytest.raises(NotCanonical):
        parse_json_object(b'{"a":1,"a":2}')
    with pytest.raises(NotCanonical):
        parse_json_object(b"[1]")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(), json_values, max_size=6))
def test_round_trip_is_stable_and_independent_of_key_order(obj):
    raw = canonical_json(obj)
    assert canonical_json(json.loads(raw)) == raw
    assert canonical_json(dict(reversed(list(obj.items())))) == raw
    assert parse_json_object(raw) == json.loads(raw)
