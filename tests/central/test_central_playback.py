"""An officer plays a recording another PC made, from the central store: fetched as ciphertext
into the cache, checked against its signed manifest, and the cache removed after."""

from __future__ import annotations

from kasuhara_recorder.evidence.org_identity import init_org
from tests.support.playback import PASSPHRASE
from tests.support.recordings import routine_recording


def test_an_officer_plays_another_pcs_recording_and_the_cache_goes(central, tmp_path):
    counter = central.workstation(tmp_path, "counter-a")
    manifest = routine_recording(counter, tmp_path, tags=(("conduct.mental", 400, "大声"),),
                                 seconds=2.0)  # fmt: skip
    counter.sync.sync()
    officer = central.workstation(tmp_path, "officer-1", role="officer")
    files = init_org(tmp_path / "org", PASSPHRASE, identity=central.org)
    officer.officer.unlock(files.identity, PASSPHRASE, purpose="playback")
    assert officer.recordings.get(manifest.id) is None  # not on the officer's PC
    playback = officer.playback.open(manifest.id)
    cache = officer.paths.root / "central-cache"
    try:
        assert playback.audio.wait(10) and playback.audio.checked
        assert [(t.code, t.offset_ms) for t in playback.tags] == [("conduct.mental", 400)]
        held = [p for p in cache.rglob("*") if p.is_file()]
        assert held and all(p.read_bytes().startswith(b"age-encryption.org/v1") for p in held)
    finally:
        playback.close()
    assert not [p for p in cache.rglob("*") if p.is_file()]
