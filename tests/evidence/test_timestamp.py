"""The RFC 3161 check against a real TSA (`openssl ts -reply`): both reply forms accepted,
and a token for other data, under another CA, altered by one byte or with another nonce
refused, naming the file; a PC clock far off is a warning, not a refusal."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from kasuhara_recorder.evidence.timestamp import (
    TimestampRefused,
    build_request,
    check_response,
    load_anchors,
)

DATA = b'{"id":"rec-1"}'
SHA = hashlib.sha256(DATA).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@pytest.mark.parametrize("certs", ["tsa", "tsa+ca"])
def test_a_one_and_a_two_certificate_reply_are_accepted(tsa_keys, certs):
    req = build_request(SHA)
    reply = tsa_keys.reply(req.der, certs)
    token = check_response(
        reply, file="rec-1.manifest.json", data_sha256=SHA, nonce=req.nonce,
        anchors=load_anchors(tsa_keys.ca.read_bytes(), "ca.pem"), now=_now(),
    )  # fmt: skip
    assert token.sha256 == SHA
    assert "Test TSA" in token.tsa_name
    assert abs((token.gen_time - _now()).total_seconds()) < 60
    assert not token.clock_warning
    assert token.chain_pem.count("BEGIN CERTIFICATE") == 2  # the TSA and its CA


def _check(tsa_keys, reply, *, sha=SHA, nonce=None, anchors=None, now=None):
    return check_response(
        reply, file="rec-1.manifest.json", data_sha256=sha, nonce=nonce,
        anchors=anchors or load_anchors(tsa_keys.ca.read_bytes(), "ca.pem"), now=now or _now(),
    )  # fmt: skip


def test_a_token_for_other_data_is_refused_naming_the_file(tsa_keys):
    req = build_request(hashlib.sha256(b"other").hexdigest())
    with pytest.raises(TimestampRefused) as e:
        _check(tsa_keys, tsa_keys.reply(req.der), nonce=req.nonce)
    assert e.value.check == "imprint"
    assert "rec-1.manifest.json" in e.value.message("ja")
    assert "rec-1.manifest.json" in e.value.message("en")


def test_a_token_from_a_tsa_under_another_ca_is_refused(tsa_keys, other_tsa_keys):
    req = build_request(SHA)
    with pytest.raises(TimestampRefused) as e:
        _check(tsa_keys, other_tsa_keys.reply(req.der, "tsa+ca"), nonce=req.nonce)
    assert e.value.check == "chain"


def test_another_nonce_is_refused(tsa_keys):
    req = build_request(SHA)
    with pytest.raises(TimestampRefused) as e:
        _check(tsa_keys, tsa_keys.reply(req.der), nonce=req.nonce + 1)
    assert e.value.check == "nonce"


def test_every_byte_of_the_signed_part_matters(tsa_keys):
    """One byte flipped in the TSTInfo (the genTime's digits) or in the signature: refused."""
    req = build_request(SHA)
    reply = tsa_keys.reply(req.der)
    at = reply.find(str(_now().year).encode())  # the genTime, inside the signed TSTInfo
    assert at > 0
    for pos in (at + 3, len(reply) - 5):  # a digit of the genTime, a byte of the signature
        bad = bytearray(reply)
        bad[pos] ^= 0x01
        with pytest.raises(TimestampRefused) as e:
            _check(tsa_keys, bytes(bad), nonce=req.nonce)
        assert e.value.check in ("signature", "readable")


def test_a_pc_clock_off_by_more_than_the_setting_is_a_warning(tsa_keys):
    req = build_request(SHA)
    reply = tsa_keys.reply(req.der)
    token = _check(tsa_keys, reply, nonce=req.nonce, now=_now() + dt.timedelta(minutes=30))
    assert token.clock_warning
    assert token.clock_skew_s < -25 * 60
