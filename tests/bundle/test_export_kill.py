"""A real `kasuhara-recorder export`, really SIGKILLed at a random moment, leaves no plaintext
audio on the destination once the next start has cleaned up (`kasuhara-recorder recover`):
the raw bytes of every file on the destination filesystem (a tmpfs made for the test) are
searched for slices of the exported PCM.

Both ways of writing: an unnamed O_TMPFILE file linked into place when complete (nothing to
clean: a kill leaves no file), and the portable path of vfat sticks, SMB shares and Windows (the
O_TMPFILE seam made unavailable in the child): a hidden partial file, recorded in the data folder
before it exists, removed and entered in the audit chain by the next start.

Three kills here; `make soak-export` runs twenty (scripts/soak_export.py). The seed is printed,
and KASUHARA_KILL_SEED repeats a run.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
from pathlib import Path

import pytest

from tests.bundle.conftest import make_workstation
from tests.support.export_kill import (
    audit_events,
    kill_and_clean,
    open_destination_file,
    pcm_needles,
    recover_cli,
    running,
    scan_for_pcm,
    wait_until,
)

SEED = int(os.environ.get("KASUHARA_KILL_SEED") or random.SystemRandom().randrange(2**32))


@pytest.fixture(scope="module")
def long_ws(tmp_path_factory):
    """60 s of audio (5.8 MB of PCM): the export writes long enough to be caught mid-way."""
    return make_workstation(tmp_path_factory.mktemp("killws"), seconds=60.0)


@pytest.fixture(scope="module")
def reference(long_ws, tmp_path_factory) -> tuple[list[bytes], int]:
    """A complete export (off the destination): the PCM slices to look for, and its size."""
    out = tmp_path_factory.mktemp("reference") / "reference.zip"
    long_ws.export(out)
    needles = pcm_needles(out)
    assert [f.path for f in scan_for_pcm(out.parent, needles)] == [out]  # the search finds it
    size = out.stat().st_size
    out.unlink()
    return needles, size


@pytest.fixture
def destination(tmp_path) -> Path:
    """A tmpfs of its own (the USB stick): every file on that filesystem is searched."""
    point = tmp_path / "stick"
    point.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(point)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the destination (needs root): {r.stderr}")
    yield point
    subprocess.run(["umount", str(point)], check=False)


@pytest.mark.parametrize(
    ("mode", "moment"),
    [("unnamed", "writing"), ("fallback", "writing"), ("fallback", "named")],
)
def test_a_killed_export_leaves_no_plaintext_after_the_next_start(
    long_ws, reference, destination, tmp_path, mode, moment
):
    needles, size = reference
    rng = random.Random(f"{SEED}-{mode}-{moment}")
    print(f"seed {SEED}")
    trials = kill_and_clean(long_ws, destination, mode, moment, rng, tmp_path / "child.log",
                            size, needles, lambda: recover_cli(long_ws))  # fmt: skip
    for t in trials:
        print(t.line())
    trial = trials[-1]
    if trial.moment == "writing" and mode == "unnamed":
        assert trial.before == [], trial.line()  # nameless: nothing to find even before cleanup
    if trial.moment == "writing" and mode == "fallback" and trial.threshold > 4096:
        # The portable path does leave the partial file (plaintext) until the next start:
        # the search would see it, and the cleanup is what removes it.
        assert [f.path.name for f in trial.before] != [], trial.line()
        assert trial.events == ["bundle.partial_removed"], trial.line()
        (entry,) = [e for e in audit_events(long_ws.data) if e["event"] == "bundle.partial_removed"
                    and e["path"] == str(trial.before[0].path)]  # fmt: skip
        assert entry["size"] == trial.before[0].size and entry["complete"] is False
    if trial.exported:  # the kill came after the entry: the bundle is the officer's
        (destination / "bundle.zip").unlink()


def test_sigkill_at_the_start_of_writing_leaves_nothing_on_either_path(
    long_ws, reference, destination, tmp_path
):
    """The file just opened (the first bytes not even flushed): on the O_TMPFILE path there is
    never a name; on the portable path the empty partial goes at the next start."""
    needles, _ = reference
    for mode in ("unnamed", "fallback"):
        from tests.support.export_kill import export_argv

        with running(export_argv(long_ws, destination / "b.zip", mode), tmp_path / "log") as p:
            link = wait_until("the bundle file", lambda: open_destination_file(p.pid, destination),
                              p)  # fmt: skip
            assert link is not None, (tmp_path / "log").read_text()
            p.send_signal(signal.SIGKILL)
            p.wait(timeout=60)
        names = os.listdir(destination)
        if mode == "unnamed":
            assert names == []
        else:
            assert (
                len(names) == 1 and names[0].startswith(".b.zip.") and names[0].endswith(".partial")
            )
        recover_cli(long_ws)
        assert os.listdir(destination) == []
        assert scan_for_pcm(destination, needles) == []
    assert not list((long_ws.data / "partial-exports").iterdir())


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_recover_says_what_it_removed(long_ws, destination, tmp_path, lang):
    from tests.support.export_kill import export_argv, kr

    with running(export_argv(long_ws, destination / "b.zip", "fallback"), tmp_path / "log") as p:
        assert wait_until("the partial file", lambda: os.listdir(destination), p)
        p.kill()
        p.wait(timeout=60)
    (partial,) = os.listdir(destination)
    r = kr(long_ws.data, "--lang", lang, "recover")
    said = {"ja": "中断した書き出しが残した書きかけの証拠バンドルを削除しました",
            "en": "removed the partial bundle an interrupted export left"}[lang]  # fmt: skip
    assert said in r.stdout and partial in r.stdout, r.stdout
    assert os.listdir(destination) == []
    assert said not in kr(long_ws.data, "--lang", lang, "recover").stdout  # nothing left to say
