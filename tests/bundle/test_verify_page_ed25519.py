"""verify.html where WebCrypto has no Ed25519: its own verifier (RFC 8032 vectors, openssl-made
signatures) keeps an intact bundle green and a forged one red; with no way to check signatures
at all it says so plainly, and never reports tampering it did not find."""

from __future__ import annotations

import hashlib
import json
import subprocess
import zipfile
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.verify_page import page_bytes
from tests.bundle import synthetic
from tests.bundle.chromium import CHROMIUM, NO_ED25519, NO_SIGNATURES, Chromium

# RFC 8032 §7.1: TEST 1, TEST 2, TEST 3 and TEST SHA(abc) (public key, message, signature).
RFC8032 = [
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
        "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
        "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
        "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
    (
        "ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf",
        hashlib.sha512(b"abc").hexdigest(),
        "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
        "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704",
    ),
]
L = 2**252 + 27742317777372353535851937790883648493


@pytest.fixture(scope="module", autouse=True)
def _chromium_installed():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} missing: make test installs chromium (scripts/setup-system.sh)")


@pytest.fixture(scope="module")
def no_ed25519():
    b = Chromium(init_script=NO_ED25519)
    yield b
    b.close()


@pytest.fixture(scope="module")
def no_signatures():
    b = Chromium(init_script=NO_SIGNATURES)
    yield b
    b.close()


def _page(tmp_path: Path) -> Path:
    p = tmp_path / "verify.html"
    p.write_bytes(page_bytes())
    return p


def _unzip(zpath: Path, dest: Path) -> Path:
    with zipfile.ZipFile(zpath) as z:
        z.extractall(dest)
    return dest


def _js_verify(browser: Chromium, pk: str, msg: str, sig: str) -> bool:
    return browser.evaluate(
        "(async () => { const h = s => Uint8Array.from((s.match(/../g) || []), x => "
        f"parseInt(x, 16)); return await Ed25519.verify(h({pk!r}), h({sig!r}), h({msg!r})); }})()"
    )


def test_webcrypto_really_has_no_ed25519_in_the_test_browser(no_ed25519, tmp_path):
    no_ed25519.open(_page(tmp_path))
    refused = no_ed25519.evaluate(
        "crypto.subtle.generateKey({name: 'Ed25519'}, false, ['sign'])"
        ".then(() => false, () => true)"
    )
    assert refused is True


def test_own_verifier_accepts_the_rfc8032_vectors_and_rejects_changed_ones(no_ed25519, tmp_path):
    no_ed25519.open(_page(tmp_path))
    for pk, msg, sig in RFC8032:
        assert _js_verify(no_ed25519, pk, msg, sig) is True, (pk, msg)
        bad_sig = sig[:10] + format(int(sig[10:12], 16) ^ 0x04, "02x") + sig[12:]
        assert _js_verify(no_ed25519, pk, msg, bad_sig) is False
        bad_msg = (msg or "00") + "00"
        assert _js_verify(no_ed25519, pk, bad_msg, sig) is False
        other_pk = RFC8032[(RFC8032.index((pk, msg, sig)) + 1) % len(RFC8032)][0]
        assert _js_verify(no_ed25519, other_pk, msg, sig) is False
        # s + L is the same scalar mod L: RFC 8032 and OpenSSL refuse it (malleability)
        s = int.from_bytes(bytes.fromhex(sig[64:]), "little") + L
        assert s < 2**256
        assert _js_verify(no_ed25519, pk, msg, sig[:64] + s.to_bytes(32, "little").hex()) is False


def _openssl(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)


def test_own_verifier_agrees_with_openssl_on_its_signatures(no_ed25519, tmp_path):
    """Keys and signatures made by OpenSSL; the page's verifier must give openssl's answer for
    each, genuine and altered (message sizes from 1 byte to 100 kB; openssl 3.0 cannot sign an
    empty file with -rawin, the empty message is RFC 8032 TEST 1)."""
    no_ed25519.open(_page(tmp_path))
    cases = []
    for n, size in enumerate((1, 31, 32, 33, 64, 1023, 4096, 100_000)):
        key = tmp_path / f"k{n}.pem"
        r = _openssl("genpkey", "-algorithm", "ed25519", "-out", str(key), cwd=tmp_path)
        assert r.returncode == 0, r.stderr
        pub = tmp_path / f"k{n}.pub.pem"
        _openssl("pkey", "-in", str(key), "-pubout", "-out", str(pub), cwd=tmp_path)
        der = subprocess.run(
            ["openssl", "pkey", "-pubin", "-in", str(pub), "-outform", "DER"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        msg = tmp_path / f"m{n}.bin"
        msg.write_bytes(hashlib.shake_256(str(n).encode()).digest(size))
        sig = tmp_path / f"m{n}.sig"
        r = _openssl("pkeyutl", "-sign", "-rawin", "-inkey", str(key), "-in", str(msg),
                     "-out", str(sig), cwd=tmp_path)  # fmt: skip
        assert r.returncode == 0, r.stderr
        s = sig.read_bytes()
        flipped = bytearray(s)
        flipped[n % 64] ^= 1 << (n % 8)
        bad = tmp_path / f"m{n}.bad.sig"
        bad.write_bytes(bytes(flipped))
        for signature in (sig, bad):
            v = _openssl("pkeyutl", "-verify", "-rawin", "-pubin", "-inkey", str(pub),
                         "-in", str(msg), "-sigfile", str(signature), cwd=tmp_path)  # fmt: skip
            cases.append((der[-32:].hex(), msg.read_bytes().hex(), signature.read_bytes().hex(),
                          v.returncode == 0))  # fmt: skip
    assert [c[3] for c in cases].count(True) == 8  # every genuine one, no altered one
    for pk, m, sg, openssl_says in cases:
        assert _js_verify(no_ed25519, pk, m, sg) is openssl_says, (len(m) // 2, openssl_says)


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    zpath = tmp_path_factory.mktemp("b") / "bundle.zip"
    synthetic.build(zpath)
    return zpath


@pytest.mark.parametrize("pick", ["zip", "folder"])
def test_intact_bundle_is_green_with_the_pages_own_verifier(no_ed25519, bundle, tmp_path, pick):
    no_ed25519.open(_page(tmp_path))
    if pick == "zip":
        no_ed25519.pick("#zip", [bundle])
    else:
        no_ed25519.pick("#folder", [_unzip(bundle, tmp_path / "b")])
    result = no_ed25519.wait_result()
    assert result["ok"] and result["state"] == "ok", result
    assert result["signatures"] == "javascript"
    mode = no_ed25519.evaluate("document.querySelector('#sigmode').textContent")
    assert "このページ内の検証プログラム" in mode and "own verifier" in mode
    with zipfile.ZipFile(bundle) as z:
        key = json.loads(z.read("manifest.json"))["signing_key"]
    assert result["fingerprint"] == key["fingerprint"]


def test_forged_bundles_are_red_with_the_pages_own_verifier(no_ed25519, good_bundle, tmp_path):
    from tests.bundle.test_signing_key import _resigned

    forged = tmp_path / "forged.zip"
    _resigned(good_bundle, forged, claim_genuine=True)
    no_ed25519.open(_page(tmp_path))
    no_ed25519.pick("#zip", [forged])
    result = no_ed25519.wait_result()
    assert result["state"] == "bad" and result["signatures"] == "javascript"
    assert {(f["file"], f["check"]) for f in result["failures"]} == {
        ("manifest.json.sig", "manifest-signature")
    }
    # A WAV byte flipped and SHA256SUMS made again (no key): SHA256SUMS.sig no longer fits
    folder = _unzip(good_bundle, tmp_path / "tampered")
    wav = next((folder / "recordings").glob("*.wav"))
    data = bytearray(wav.read_bytes())
    data[-100] ^= 0x01
    wav.write_bytes(bytes(data))
    subprocess.run(
        "sha256sum $(grep -o '  .*' SHA256SUMS | cut -c3-) > SHA256SUMS.new && "
        "mv SHA256SUMS.new SHA256SUMS", shell=True, cwd=folder, check=True,
    )  # fmt: skip
    no_ed25519.open(_page(tmp_path))
    no_ed25519.pick("#folder", [folder])
    result = no_ed25519.wait_result()
    failed = {(f["file"], f["check"]) for f in result["failures"]}
    assert result["state"] == "bad"
    assert ("SHA256SUMS.sig", "sums-signature") in failed, failed
    assert (f"recordings/{wav.name}", "pcm-sha256") in failed


def test_a_browser_that_cannot_check_signatures_says_so_and_is_never_red(
    no_signatures, bundle, tmp_path
):
    no_signatures.open(_page(tmp_path))
    no_signatures.pick("#zip", [bundle])
    result = no_signatures.wait_result()
    assert result["failures"] == [] and result["state"] == "unchecked", result
    assert result["signatures"] == "unavailable"
    assert {u["check"] for u in result["unchecked"]} == {
        "manifest-signature", "sums-signature", "capture-signature"
    }  # fmt: skip
    summary = no_signatures.evaluate(
        "(s => [s.className, s.textContent])(document.querySelector('#summary'))"
    )
    assert summary[0] == "unchecked"
    assert "署名を確認できません" in summary[1] and "cannot check the signatures" in summary[1]
    assert "改ざん" not in summary[1] and "Altered" not in summary[1]
    assert "Chrome 103" in summary[1] and "openssl" in summary[1]
    # the fingerprint is still shown, to compare by phone
    with zipfile.ZipFile(bundle) as z:
        fp = json.loads(z.read("manifest.json"))["signing_key"]["fingerprint"]
    assert result["fingerprint"] == fp
    # a changed file is still red: the SHA-256 checks need no signature
    folder = _unzip(bundle, tmp_path / "b")
    wav = folder / "recordings" / "rec-1.wav"
    data = bytearray(wav.read_bytes())
    data[500] ^= 0x01
    wav.write_bytes(bytes(data))
    no_signatures.open(_page(tmp_path))
    no_signatures.pick("#folder", [folder])
    result = no_signatures.wait_result()
    assert result["state"] == "bad"
    assert {f["file"] for f in result["failures"]} == {"recordings/rec-1.wav"}
