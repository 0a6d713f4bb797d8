"""A small bundle built straight from the assembler, with a key made at test time.

For the tests of the pieces (verify.html, the verifier) that do not need the whole app; the
round-trip tests use the real export.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from kasuhara_recorder.bundle.assemble import BundleAssembler
from kasuhara_recorder.bundle.wav import wav_header
from kasuhara_recorder.evidence.canonical_json import canonical_json
from kasuhara_recorder.evidence.manifest import RecordingManifest, WorkstationInfo, sign_manifest
from kasuhara_recorder.evidence.workstation_key import WorkstationKey


def build(path: Path, seconds: float = 1.0) -> dict:
    ws = WorkstationKey(Ed25519PrivateKey.generate())
    key = ws.private_key
    pem = ws.public_pem
    rate = 8000
    t = np.arange(int(rate * seconds))
    pcm = (np.sin(2 * np.pi * 440 * t / rate) * 8000).astype("<i2").tobytes()
    manifest = RecordingManifest(
        id="rec-1",
        workstation=WorkstationInfo("test-ws", ws.fingerprint, pem.decode()),
        channel="counter",
        device="test",
        samplerate=rate,
        channels=1,
        frames=len(pcm) // 2,
        started_at="2026-11-20T10:00:00.000+09:00",
        ended_at="2026-11-20T10:00:01.000+09:00",
        duration_ms=len(pcm) // 2 * 1000 // rate,
        pcm_sha256=hashlib.sha256(pcm).hexdigest(),
        sealed_sha256="0" * 64,
        sealed_size=0,
    )
    capture, _sig = sign_manifest(manifest, ws)
    header = wav_header(len(pcm), rate, 1)
    with open(path, "wb") as f:
        a = BundleAssembler(f)
        a.add_stream("recordings/rec-1.wav", len(header) + len(pcm), [header, pcm], "recording")
        a.add_bytes("recordings/rec-1.json", capture, "capture-manifest")
        a.add_bytes("recordings/rec-1.json.sig", key.sign(capture), "capture-signature")
        a.add_bytes("keys/ws.pem", pem, "public-key")
        a.add_bytes("README.txt", "読んでください / read me\n".encode(), "readme")
        a.add_bytes("incident/incident.json", canonical_json({"id": "inc-1"}), "incident")
        a.finish(
            {
                "bundle_id": "b-1",
                "incident_id": "inc-1",
                "signing_key": {"file": "keys/ws.pem", "fingerprint": ws.fingerprint},
                "recordings": [
                    {
                        "id": "rec-1",
                        "wav": "recordings/rec-1.wav",
                        "manifest": "recordings/rec-1.json",
                        "signature": "recordings/rec-1.json.sig",
                        "key": "keys/ws.pem",
                    }
                ],
            },
            key.sign,
        )
    return {"key": key, "pcm": pcm}
