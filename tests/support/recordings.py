"""Real recordings without a device: a generated tone through the file source, tagged while it
plays, stopped, sealed and kept as a routine recording, as after 停止 → 通常の録音として保存."""

from __future__ import annotations

import itertools
from pathlib import Path

from tests.support.signals import tone, write_wav

_count = itertools.count(1)


def routine_recording(
    app, folder: Path, tags: tuple[tuple[str, int, str], ...] = (), seconds: float = 1.0
):
    """A sealed recording no incident holds, with ``tags`` as (code, offset_ms, note); returns
    its manifest. Paced, so the session is still running while the tags are stamped."""
    from kasuhara_recorder.store.incident_model import Marker

    wav = write_wav(folder / f"routine-{next(_count)}.wav", tone(440, seconds, amplitude=0.3))
    session = app.recording.start("counter", input_file=wav, paced=True)
    entries = [session.tag(code, note=note, offset_ms=ms) for code, ms, note in tags]
    assert session.wait_until_capture_ended(30)
    manifest = session.stop()
    markers = [Marker(t.code, t.offset_ms, t.note, t.who) for t in entries]
    app.incidents.keep_routine(manifest, markers)
    return manifest
