"""A recording recovered with its sealed tail exports as one WAV: the cut sealed file's audio
then the tail's, every hash re-checked (both sealed files, the tail's plaintext, the whole), and
`verify` passes; an altered or missing tail stops the export before any bundle exists.

The recording is real: `record` fed an 8 kHz WAV in real time, SIGKILLed once its newest
attested audio is a sealed tail after a complete chunk, then `recover` in another process."""

from __future__ import annotations

import hashlib
import json
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from tests.bundle.conftest import PASSPHRASE, kr

RATE = 8000


def newest_is_a_tail_after_a_chunk(journal: Path) -> bool:
    lines = []
    for line in journal.read_bytes().splitlines() if journal.exists() else []:
        try:
            lines.append(json.loads(line))
        except ValueError:
            pass
    tails = [ln for ln in lines if ln.get("kind") == "tail"]
    chunks = [ln for ln in lines if "kind" not in ln]
    return bool(
        tails
        and tails[-1]["tail"]["pcm_offset"] > 0
        and (not chunks or chunks[-1]["pcm_bytes"] < tails[-1]["pcm_bytes"])
    )


@pytest.fixture(scope="module")
def recovered(tmp_path_factory):
    root = tmp_path_factory.mktemp("ws")
    data = root / "data"
    pw = root / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr(data, "keys", "init-org", "--out", str(root / "org"), "--passphrase-file", str(pw))
    kr(data, "setup", "--org-recipient", str(root / "org" / "org-recipient.txt"))
    wav = root / "sig.wav"
    rng = np.random.default_rng(5)
    sf.write(wav, (0.2 * rng.standard_normal(RATE * 30)).astype(np.float32), RATE, "PCM_16")
    samples = sf.read(wav, dtype="int16")[0]
    inc = json.loads(kr(data, "--json", "incident", "new").stdout)["id"]
    for _attempt in range(5):  # the kill must land while a tail is the newest audio
        before = set((data / "vault").glob("*.age")) if (data / "vault").exists() else set()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kasuhara_recorder", "--data-dir", str(data), "record",
             "--input-file", str(wav), "--incident", inc],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while True:
                new = set((data / "vault").glob("*.age")) - before
                if new and newest_is_a_tail_after_a_chunk(Path(f"{next(iter(new))}.journal")):
                    break
                assert proc.poll() is None, proc.stderr.read()
                assert time.monotonic() < deadline, "no tail after a chunk"
                time.sleep(0.02)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        (sealed,) = new
        if newest_is_a_tail_after_a_chunk(Path(f"{sealed}.journal")):
            break
        kr(data, "recover")  # a chunk overtook the tail in the moment before the kill: again
    else:
        pytest.fail("five kills in a row came after a chunk overtook every tail")
    (item,) = json.loads(kr(data, "--json", "recover").stdout)["recovered"]
    assert item["recovered_from"] == "tail" and item["tail"]["pcm_offset"] > 0
    rid = item["id"]
    attached = kr(data, "--json", "incident", "recordings", inc, check=False)
    if rid not in attached.stdout:
        kr(data, "incident", "attach", inc, rid)
    return root, data, pw, inc, item, samples


def export(root, data, pw, inc, out: Path, check=True):
    return kr(data, "--json", "export", inc, "--identity", str(root / "org" / "org-identity.age"),
              "--passphrase-file", str(pw), "--out", str(out), check=check)  # fmt: skip


def test_the_wav_is_the_cut_file_then_the_tail_and_verify_passes(recovered, tmp_path):
    root, data, pw, inc, item, samples = recovered
    out = tmp_path / "bundle.zip"
    export(root, data, pw, inc, out)
    with zipfile.ZipFile(out) as z:
        wav = z.read(f"recordings/{item['id']}.wav")
        manifest = json.loads(z.read(f"recordings/{item['id']}.json"))
    pcm = wav[44:]
    assert hashlib.sha256(pcm).hexdigest() == item["pcm_sha256"] == manifest["pcm_sha256"]
    assert manifest["tail"] == item["tail"] and manifest["status"] == "recovered"
    assert len(pcm) == item["tail"]["pcm_offset"] + item["tail"]["pcm_bytes"]
    assert np.array_equal(np.frombuffer(pcm, dtype="<i2"), samples[: len(pcm) // 2])
    r = kr(data, "--json", "verify", str(out))
    assert json.loads(r.stdout)["ok"], r.stdout


@pytest.mark.parametrize("damage", ["flip", "missing"])
def test_an_altered_or_missing_tail_stops_the_export(recovered, tmp_path, damage):
    root, data, pw, inc, item, _ = recovered
    tail = data / "vault" / item["tail"]["file"]
    original = tail.read_bytes()
    try:
        if damage == "flip":
            raw = bytearray(original)
            raw[-20] ^= 0x01
            tail.write_bytes(raw)
        else:
            tail.unlink()
        out = tmp_path / "bundle.zip"
        r = export(root, data, pw, inc, out, check=False)
        assert r.returncode == 1, r.stdout + r.stderr
        assert json.loads(r.stdout)["error"] == "ExportRefused"
        assert not out.exists() and list(tmp_path.iterdir()) == []
    finally:
        tail.write_bytes(original)
