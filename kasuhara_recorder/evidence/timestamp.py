"""RFC 3161 time-stamps: the request for a file's SHA-256, and the check of what a TSA answers.

Pure (no network, no files): bytes in, a typed ``CheckedToken`` or a ``TimestampRefused``
naming the file out. Parsing is asn1crypto's (lenient DER, so OpenSSL 3.0's replies that carry
the TSA certificate and its CA in an unsorted SET are read); the signature is checked by
``cryptography``'s ``verify``; the certificate path (to the configured trust anchors, at the
token's genTime, extendedKeyUsage timeStamping) by pyhanko-certvalidator. No CMS maths here
beyond calling them (docs/FORMAT.md §10).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from kasuhara_recorder.errors import EvidenceError
from kasuhara_recorder.text import Text

# What the checks import (lazily, ~0.4 s): the desktop app loads it on the GUI thread
# (ui/preload.py), as workers never import.
STACK = (
    "asn1crypto.algos", "asn1crypto.pem", "asn1crypto.tsp", "asn1crypto.x509",
    "pyhanko_certvalidator", "pyhanko_certvalidator.errors",
    "cryptography.hazmat.primitives.asymmetric.rsa",
    "cryptography.hazmat.primitives.asymmetric.ec",
    "cryptography.hazmat.primitives.asymmetric.padding",
)  # fmt: skip
MEDIA_QUERY = "application/timestamp-query"
MEDIA_REPLY = "application/timestamp-reply"
SUFFIX = ".tsr"


class TimestampRefused(EvidenceError):
    """A time-stamp token that does not prove what it should: never kept as proof."""

    template = Text(
        "{file} のタイムスタンプ（RFC 3161）を受け付けられません: {check}（{detail}）。",
        "the RFC 3161 time-stamp of {file} is refused: {check} ({detail})",
    )
    fields = ("file", "check", "detail")
    file: str
    check: str
    detail: str


class AnchorsUnreadable(EvidenceError):
    template = Text(
        "タイムスタンプ局の信頼する証明書 {file} を読めません（{detail}）。PEM 形式の CA 証明書を"
        "指定してください（setup --tsa-ca FILE）。",
        "cannot read the TSA trust anchors {file} ({detail}); give PEM CA certificates "
        "(setup --tsa-ca FILE)",
    )
    fields = ("file", "detail")


@dataclass(frozen=True)
class TimestampRequest:
    """A TimeStampReq (DER) for data with this SHA-256, with its random nonce."""

    der: bytes
    sha256: str
    nonce: int


@dataclass(frozen=True)
class CheckedToken:
    """A TimeStampResp whose token was checked: what it proves."""

    response: bytes  # the TimeStampResp DER, kept as <file>.tsr
    gen_time: dt.datetime  # aware, UTC
    tsa_name: str  # the signer certificate's subject
    serial: int
    policy: str
    sha256: str  # the message imprint (hex)
    chain_pem: str  # the signer's path to its anchor, PEM, signer first
    clock_skew_s: int  # genTime minus the PC's clock when checked
    clock_warning: bool  # |clock_skew_s| over the setting

    def gen_time_iso(self) -> str:
        return self.gen_time.astimezone(dt.UTC).isoformat(timespec="seconds")


def build_request(data_sha256: str, nonce: int | None = None) -> TimestampRequest:
    """A TimeStampReq: version 1, SHA-256 imprint, a 63-bit random nonce, certReq true."""
    from asn1crypto import algos, tsp

    n = nonce if nonce is not None else secrets.randbits(63) | 1
    req = tsp.TimeStampReq(
        {
            "version": "v1",
            "message_imprint": {
                "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
                "hashed_message": bytes.fromhex(data_sha256),
            },
            "nonce": n,
            "cert_req": True,
        }
    )
    return TimestampRequest(der=req.dump(), sha256=data_sha256, nonce=n)


def load_anchors(pem: bytes, file: str) -> list[bytes]:
    """DER certificates from PEM text (the `--tsa-ca` file, a bundle's tsa-chain.pem)."""
    from asn1crypto import pem as apem
    from asn1crypto import x509

    out: list[bytes] = []
    try:
        for kind, _h, der in apem.unarmor(pem, multiple=True):
            if kind == "CERTIFICATE":
                x509.Certificate.load(der).native  # noqa: B018 - parses it fully now
                out.append(der)
    except (ValueError, TypeError) as e:
        raise AnchorsUnreadable(file, str(e)) from None
    if not out:
        raise AnchorsUnreadable(file, "no CERTIFICATE in it")
    return out


def to_pem(ders: Sequence[bytes]) -> str:
    from asn1crypto import pem as apem

    return "".join(apem.armor("CERTIFICATE", d).decode("ascii") for d in ders)


def merge_pem(texts: Sequence[str]) -> str:
    """PEM certificates from several texts, each once, in the order first seen."""
    from asn1crypto import pem as apem

    seen: list[bytes] = []
    for t in texts:
        if not t.strip():
            continue
        for kind, _h, der in apem.unarmor(t.encode("ascii"), multiple=True):
            if kind == "CERTIFICATE" and der not in seen:
                seen.append(der)
    return to_pem(seen)


def token_imprint(response: bytes, file: str) -> str:
    """The SHA-256 (hex) a TimeStampResp's token stamps, read without checking anything else
    (the sync's look before it sends a token); TimestampRefused if it is not readable as one or
    its imprint is not SHA-256."""
    from asn1crypto import tsp

    try:
        resp = tsp.TimeStampResp.load(response)
        eci = resp["time_stamp_token"]["content"]["encap_content_info"]
        imprint = tsp.TSTInfo.load(eci["content"].contents)["message_imprint"]
        algo = imprint["hash_algorithm"]["algorithm"].native
        hashed = bytes(imprint["hashed_message"].native)
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise TimestampRefused(file, "readable", f"not a TimeStampResp: {e}") from None
    if algo != "sha256":
        raise TimestampRefused(file, "imprint", f"the imprint is {algo}, not sha256")
    return hashed.hex()


def split_chain(ders: Sequence[bytes]) -> tuple[list[bytes], list[bytes]]:
    """The self-signed certificates of a chain PEM (a bundle's tsa-chain.pem, a token's chain
    as the central store keeps it) are its anchors; the rest intermediates."""
    from asn1crypto import x509

    anchors: list[bytes] = []
    others: list[bytes] = []
    for d in ders:
        c = x509.Certificate.load(d)
        (anchors if c.self_signed in ("maybe", "yes") else others).append(d)
    return anchors, others


def check_with_chain(
    response: bytes, *, file: str, data_sha256: str, chain_pem: str, now: dt.datetime
) -> CheckedToken:
    """A token kept with its chain (not fetched now: no nonce, no clock warning), checked as
    ``verify`` checks a bundle's: to the self-signed CAs of ``chain_pem`` at its genTime."""
    try:
        anchors, others = split_chain(load_anchors(chain_pem.encode("ascii"), file))
    except (AnchorsUnreadable, UnicodeEncodeError) as e:
        raise TimestampRefused(file, "chain", f"its chain is not readable: {e}") from None
    if not anchors:
        raise TimestampRefused(file, "chain", "no self-signed CA in its chain")
    return check_response(
        response, file=file, data_sha256=data_sha256, anchors=anchors, intermediates=others,
        now=now, clock_warn_minutes=10**6,
    )  # fmt: skip


def check_response(
    response: bytes,
    *,
    file: str,
    data_sha256: str,
    anchors: Sequence[bytes],
    now: dt.datetime,
    nonce: int | None = None,
    clock_warn_minutes: int = 10,
    intermediates: Sequence[bytes] = (),
) -> CheckedToken:
    """Check a TimeStampResp for ``file`` (its SHA-256 ``data_sha256``): status granted, the
    imprint, the nonce (when the request's is known), the signature, the signer's critical
    extendedKeyUsage timeStamping and its path to ``anchors`` at genTime. A genTime far from
    ``now`` is a warning in the result, not a refusal."""
    from asn1crypto import tsp

    def refuse(check: str, detail: str) -> TimestampRefused:
        return TimestampRefused(file, check, detail)

    try:
        resp = tsp.TimeStampResp.load(response)
        status = resp["status"]["status"].native
        token = resp["time_stamp_token"]
        if status not in ("granted", "granted_with_mods"):
            raise refuse("status", f"the TSA answered {status!r}")
        if token["content_type"].native != "signed_data":
            raise refuse("readable", "the token is not CMS SignedData")
        sd = token["content"]
        eci = sd["encap_content_info"]
        if eci["content_type"].native != "tst_info":
            raise refuse("readable", "the token holds no TSTInfo")
        econtent = eci["content"].contents
        tst = tsp.TSTInfo.load(econtent)
        imprint = tst["message_imprint"]
        algo = imprint["hash_algorithm"]["algorithm"].native
        hashed = bytes(imprint["hashed_message"].native)
        gen_time: dt.datetime = tst["gen_time"].native
        got_nonce = tst["nonce"].native
        serial = int(tst["serial_number"].native)
        policy = str(tst["policy"].native)
        certs = [c.chosen for c in sd["certificates"] if c.name == "certificate"]
        infos = list(sd["signer_infos"])
    except TimestampRefused:
        raise
    except (ValueError, TypeError, KeyError, AttributeError) as e:
        raise refuse("readable", f"not a TimeStampResp: {e}") from None
    if algo != "sha256" or hashed.hex() != data_sha256:
        raise refuse("imprint", f"the token is for other data ({algo} {hashed.hex()[:16]}…)")
    if nonce is not None and got_nonce != nonce:
        raise refuse("nonce", "the nonce is not the request's")
    if len(infos) != 1:
        raise refuse("signature", f"{len(infos)} signers, expected 1")
    signer = _signer_cert(infos[0], certs)
    if signer is None:
        raise refuse("chain", "the signer's certificate is not in the token")
    _check_signature(infos[0], signer, econtent, refuse)
    _check_eku(signer, refuse)
    anchor_path = _check_path(signer, certs, intermediates, anchors, gen_time, refuse)
    skew = int((gen_time - now).total_seconds())
    return CheckedToken(
        response=response,
        gen_time=gen_time,
        tsa_name=_name(signer),
        serial=serial,
        policy=policy,
        sha256=data_sha256,
        chain_pem=to_pem(anchor_path),
        clock_skew_s=skew,
        clock_warning=abs(skew) > clock_warn_minutes * 60,
    )


def _name(cert: Any) -> str:
    """The TSA as people name it: its certificate's common name (else the whole subject)."""
    cn = cert.subject.native.get("common_name")
    return str(cn) if cn else str(cert.subject.human_friendly)


def _signer_cert(info: Any, certs: list[Any]) -> Any:
    sid = info["sid"]
    for c in certs:
        if sid.name == "issuer_and_serial_number":
            if (
                c.issuer == sid.chosen["issuer"]
                and c.serial_number == sid.chosen["serial_number"].native
            ):
                return c
        elif c.key_identifier == sid.chosen.native:
            return c
    return None


def _check_signature(info: Any, signer: Any, econtent: bytes, refuse: Any) -> None:
    """The signed attributes' message digest is the TSTInfo's hash, and the signature over the
    DER of the signed attributes verifies with the signer's key (cryptography's verify)."""
    from cryptography import x509 as cx509
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

    digests: dict[str, type[hashes.SHA256 | hashes.SHA384 | hashes.SHA512]] = {
        "sha256": hashes.SHA256, "sha384": hashes.SHA384, "sha512": hashes.SHA512,
    }  # fmt: skip
    dname = info["digest_algorithm"]["algorithm"].native
    if dname not in digests:
        raise refuse("signature", f"digest {dname} not accepted")
    attrs = info["signed_attrs"]
    if not attrs:
        raise refuse("signature", "no signed attributes")
    md = [a["values"][0].native for a in attrs if a["type"].native == "message_digest"]
    if not md or md[0] != hashlib.new(dname, econtent).digest():
        raise refuse("signature", "the signed digest is not the TSTInfo's")
    signed = attrs.untag().dump(force=True)
    sig = bytes(info["signature"].native)
    key = cx509.load_der_x509_certificate(signer.dump()).public_key()
    sig_algo = info["signature_algorithm"].signature_algo
    h = digests[dname]()
    try:
        if isinstance(key, rsa.RSAPublicKey) and sig_algo == "rsassa_pkcs1v15":
            key.verify(sig, signed, padding.PKCS1v15(), h)
        elif isinstance(key, rsa.RSAPublicKey) and sig_algo == "rsassa_pss":
            key.verify(sig, signed, padding.PSS(padding.MGF1(h), padding.PSS.AUTO), h)
        elif isinstance(key, ec.EllipticCurvePublicKey) and sig_algo == "ecdsa":
            key.verify(sig, signed, ec.ECDSA(h))
        else:
            raise refuse("signature", f"signature algorithm {sig_algo} not accepted")
    except InvalidSignature:
        raise refuse("signature", "the TSA's signature does not verify") from None


def _check_eku(signer: Any, refuse: Any) -> None:
    for ext in signer["tbs_certificate"]["extensions"]:
        if ext["extn_id"].native == "extended_key_usage":
            if ext["critical"].native and ext["extn_value"].native == ["time_stamping"]:
                return
            raise refuse("chain", "extendedKeyUsage is not critical timeStamping only")
    raise refuse("chain", "the signer has no extendedKeyUsage timeStamping")


def _check_path(
    signer: Any,
    certs: list[Any],
    intermediates: Sequence[bytes],
    anchors: Sequence[bytes],
    gen_time: dt.datetime,
    refuse: Any,
) -> list[bytes]:
    from asn1crypto import x509
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

    roots = [x509.Certificate.load(d) for d in anchors]
    others = [c for c in certs if c is not signer] + [
        x509.Certificate.load(d) for d in intermediates
    ]
    ctx = ValidationContext(trust_roots=roots, moment=gen_time, revocation_mode="soft-fail")
    v = CertificateValidator(signer, intermediate_certs=others, validation_context=ctx)
    try:
        path = asyncio.run(
            v.async_validate_usage(  # type: ignore[no-untyped-call]
                set(), extended_key_usage={"time_stamping"}, extended_optional=False
            )
        )
    except (PathBuildingError, PathValidationError) as e:
        raise refuse(
            "chain", f"the TSA certificate does not chain to the trust anchors: {e}"
        ) from None
    except ValueError as e:
        raise refuse("chain", str(e)) from None
    return [c.dump() for c in reversed(list(path))]
