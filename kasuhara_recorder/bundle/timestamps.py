"""RFC 3161 time-stamps in the bundle: ``timestamps/<member>.tsr`` (the token over that
member's exact bytes, e.g. ``timestamps/recordings/<id>.json.tsr`` for a capture manifest and
``timestamps/manifest.json.tsr`` for the bundle manifest) and ``timestamps/tsa-chain.pem`` (the
TSA certificates and their CA), all in SHA256SUMS (docs/FORMAT.md §8.2).

What the export writes and what ``verify`` checks of them: each token's imprint is its member's
SHA-256, its signature verifies, its signer chains to a self-signed CA of tsa-chain.pem at its
genTime, and a capture manifest's genTime is not after the export.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kasuhara_recorder.evidence.timestamp import (
    AnchorsUnreadable,
    CheckedToken,
    TimestampRefused,
    check_response,
    load_anchors,
    split_chain,
)

PREFIX = "timestamps/"
SUFFIX = ".tsr"
CHAIN = "timestamps/tsa-chain.pem"
MANIFEST_TOKEN = "timestamps/manifest.json.tsr"


def token_member(member: str) -> str:
    return f"{PREFIX}{member}{SUFFIX}"


def target_of(token_path: str) -> str | None:
    """The member a token is over; None for a name that is not a token."""
    if token_path.startswith(PREFIX) and token_path.endswith(SUFFIX) and token_path != CHAIN:
        return token_path[len(PREFIX) : -len(SUFFIX)]
    return None


@dataclass(frozen=True)
class RecordingTimestamp:
    """A capture manifest's token as this PC keeps it, and what its record says."""

    token: bytes
    gen_time: str
    tsa: str
    requested_at: str
    added_at: str
    clock_skew_s: int = 0  # genTime minus the PC's clock when the token came
    clock_warning: bool = False  # off by more than the setting (a warning in the chain)


@dataclass(frozen=True)
class BundleTimestamps:
    """What an export puts in ``timestamps/``: the capture manifests' tokens (by recording id),
    the chain, and a function that gets a token over the bundle manifest's bytes at export
    (None: no TSA, or it could not be reached — the bundle then has no such token)."""

    recordings: Mapping[str, RecordingTimestamp] = field(default_factory=dict)
    chain_pem: str = ""
    stamp_manifest: Callable[[str, bytes], CheckedToken | None] | None = None


def manifest_entries(
    recordings: Mapping[str, RecordingTimestamp], members: Mapping[str, str]
) -> list[dict[str, Any]]:
    """The bundle manifest's ``timestamps``: each capture manifest's token, its genTime, the
    TSA, when it was asked for and when it came (``members``: recording id → manifest path)."""
    return [
        {
            "member": members[rid],
            "token": token_member(members[rid]),
            "gen_time": t.gen_time,
            "tsa": t.tsa,
            "requested_at": t.requested_at,
            "added_at": t.added_at,
        }
        for rid, t in sorted(recordings.items())
        if rid in members
    ]


@dataclass(frozen=True)
class TokenProblem:
    file: str
    check: str  # imprint | signature | chain | time | target | readable | status | nonce
    detail: str


def check_bundle_tokens(
    tokens: Mapping[str, bytes],
    member_sha256: Mapping[str, str],
    chain_pem: bytes | None,
    exported_at: dt.datetime | None,
) -> tuple[list[TokenProblem], dict[str, dt.datetime]]:
    """Every token of a bundle (path → bytes) against its member's SHA-256 and the chain."""
    problems: list[TokenProblem] = []
    times: dict[str, dt.datetime] = {}
    if not tokens:
        return problems, times
    anchors: list[bytes] = []
    others: list[bytes] = []
    if chain_pem is None:
        problems.append(TokenProblem(CHAIN, "chain", "the TSA's certificates are missing"))
    else:
        try:
            anchors, others = split_chain(load_anchors(chain_pem, CHAIN))
        except AnchorsUnreadable as e:
            problems.append(TokenProblem(CHAIN, "readable", e.message("en")))
    for path, raw in sorted(tokens.items()):
        target = target_of(path)
        if target is None or target not in member_sha256:
            problems.append(TokenProblem(path, "target", f"no member {target!r} in the bundle"))
            continue
        if not anchors:
            problems.append(TokenProblem(path, "chain", f"no CA in {CHAIN}"))
            continue
        try:
            t = check_response(
                raw, file=path, data_sha256=member_sha256[target], anchors=anchors,
                intermediates=others, now=dt.datetime.now(dt.UTC), clock_warn_minutes=10**6,
            )  # fmt: skip
        except TimestampRefused as e:
            problems.append(TokenProblem(path, e.check, e.detail))
            continue
        times[target] = t.gen_time
        if (
            exported_at is not None
            and path != MANIFEST_TOKEN
            and t.gen_time > exported_at + dt.timedelta(seconds=1)
        ):
            problems.append(
                TokenProblem(path, "time", f"genTime {t.gen_time_iso()} is after the export")
            )
    return problems, times
