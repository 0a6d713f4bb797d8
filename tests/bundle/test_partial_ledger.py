"""The sweep removes exactly the file a killed export recorded, and nothing a person owns.

A record is made the way an export makes it (``PartialLedger.hold``) and its holder dies for
real (a child process SIGKILLed while it holds the lock); the destination is a real folder.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from kasuhara_recorder.bundle.partial_ledger import PartialLedger, PartialRecord, has_records

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from kasuhara_recorder.bundle.partial_ledger import PartialLedger

    held = PartialLedger(Path(sys.argv[1])).hold(Path(sys.argv[2]), bundle_id="b-1",
                                                 incident_id="inc-1")
    if sys.argv[3] == "partial":
        held.record.partial.write_bytes(b"PK\\x03\\x04 plaintext audio")
    print(held.record.marker, flush=True)
    sys.stdin.read()  # holds the lock until killed
    """
)


class Holder:
    """A process holding a record, as an export does while it writes."""

    def __init__(self, ledger: PartialLedger, bundle: Path, make_partial: bool = True) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLDER, str(ledger.folder), str(bundle),
             "partial" if make_partial else "-"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.marker = self.proc.stdout.readline().strip()  # the record is durable by then
        assert self.marker, "the holder died before it held a record"

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)
        self.proc.stdin.close()
        self.proc.stdout.close()


@pytest.fixture
def ledger(tmp_path) -> PartialLedger:
    return PartialLedger(tmp_path / "data" / "partial-exports")


@pytest.fixture
def holders():
    made: list[Holder] = []
    yield made
    for h in made:
        h.kill()


@pytest.fixture
def stick(tmp_path) -> Path:
    p = tmp_path / "stick"
    p.mkdir()
    return p


def never(_rec) -> bool:
    return False


def test_a_live_export_is_left_alone_and_a_dead_ones_partial_removed(ledger, stick, holders):
    holders.append(h := Holder(ledger, stick / "b.zip"))
    (partial,) = stick.iterdir()
    assert partial.name == f".b.zip.{h.marker}.partial"
    assert ledger.sweep(never) == []  # its lock is held: a live export in another process
    assert partial.exists()
    h.kill()
    removed = []
    (o,) = ledger.sweep(never, removed.append)
    assert (o.action, o.path, o.size, o.complete) == ("removed", partial, 20, False)
    assert removed == [o]
    assert list(stick.iterdir()) == [] and list(ledger.folder.iterdir()) == []
    assert ledger.sweep(never) == [] and not has_records(ledger.folder)  # idempotent


def test_only_the_recorded_file_goes_never_a_users_file(ledger, stick, holders):
    own = {"b.zip": b"PK\x03\x04 an earlier bundle", ".b.zip.partial": b"x", "notes.txt": b"n",
           ".b.zip.0123456789abcdef.partial": b"another marker"}  # fmt: skip
    for name, data in own.items():
        (stick / name).write_bytes(data)
    holders.append(h := Holder(ledger, stick / "b.zip"))
    h.kill()
    (o,) = ledger.sweep(never)
    assert o.action == "removed" and o.path.name == f".b.zip.{h.marker}.partial"
    assert {p.name: p.read_bytes() for p in stick.iterdir()} == own


def test_a_link_or_folder_at_the_partial_name_is_not_followed(ledger, stick, tmp_path, holders):
    precious = tmp_path / "precious.wav"
    precious.write_bytes(b"a user's file")
    holders.append(h := Holder(ledger, stick / "b.zip", make_partial=False))
    h.kill()
    link = stick / f".b.zip.{h.marker}.partial"
    link.symlink_to(precious)
    (o,) = ledger.sweep(never)
    assert o.action == "kept" and "not a regular file" in o.detail
    assert link.is_symlink() and precious.read_bytes() == b"a user's file"
    assert has_records(ledger.folder)  # kept, and said again at the next start


def test_an_edited_record_naming_another_file_is_refused(ledger, stick, holders):
    victim = stick / "minutes.docx"
    victim.write_bytes(b"a document")
    holders.append(h := Holder(ledger, stick / "b.zip", make_partial=False))
    h.kill()
    path = ledger.record_path(h.marker)
    raw = json.loads(path.read_bytes())
    raw["partial"] = str(victim)  # a name without the record's random marker
    path.write_text(json.dumps(raw))
    (o,) = ledger.sweep(never)
    assert o.action == "kept" and "marker" in o.detail
    assert victim.read_bytes() == b"a document"


def test_a_destination_not_plugged_in_is_kept_for_the_next_start(ledger, tmp_path, holders):
    stick = tmp_path / "media" / "STICK"
    stick.mkdir(parents=True)
    holders.append(h := Holder(ledger, stick / "b.zip"))
    h.kill()
    hidden = tmp_path / "unplugged"
    stick.rename(hidden)  # the stick pulled out (its mount point gone)
    (o,) = ledger.sweep(never)
    assert o.action == "unreachable" and o.path.parent == stick
    assert ledger.sweep(never)[0].action == "unreachable"  # still, at every start
    hidden.rename(stick)  # plugged in again
    (o,) = ledger.sweep(never)
    assert o.action == "removed" and list(stick.iterdir()) == []
    assert not has_records(ledger.folder)


def test_a_finished_bundle_is_removed_only_if_it_is_the_very_file(ledger, stick):
    """Killed after the bundle got its name but before its chain entry: the same inode and size
    (recorded just before naming) mean ours; a file copied there since is left alone."""

    def finished(bundle_id: str):
        out = stick / "b.zip"
        held = ledger.hold(out, bundle_id=bundle_id, incident_id="inc-1")
        out.write_bytes(b"PK\x03\x04" + b"\0" * 100)
        st = out.stat()
        held.update(ino=st.st_ino, size=st.st_size)
        held.keep()  # as the kill leaves it: the record, no lock
        return out

    out = finished("b-2")
    (o,) = ledger.sweep(never)
    assert (o.action, o.path, o.size, o.complete) == ("removed", out, 104, True)
    assert list(stick.iterdir()) == []

    out = finished("b-3")
    copy = stick / "copy.zip"
    copy.write_bytes(out.read_bytes())
    os.replace(copy, out)  # the officer copied a bundle over it since: another inode
    assert [o.action for o in ledger.sweep(never)] == ["gone"]
    assert out.read_bytes() == b"PK\x03\x04" + b"\0" * 100
    assert not has_records(ledger.folder)


def test_a_record_of_an_export_in_the_chain_keeps_the_bundle(ledger, stick):
    out = stick / "b.zip"
    held = ledger.hold(out, bundle_id="b-5", incident_id="inc-1")
    out.write_bytes(b"PK\x03\x04 finished")
    st = out.stat()
    held.update(ino=st.st_ino, size=st.st_size)
    held.keep()  # killed between the chain entry and the record's removal
    (o,) = ledger.sweep(lambda rec: rec.bundle_id == "b-5")
    assert o.action == "completed" and out.read_bytes() == b"PK\x03\x04 finished"
    assert not has_records(ledger.folder)


def test_a_name_that_is_not_utf8_survives_the_record(ledger, tmp_path):
    folder = tmp_path / os.fsdecode("証拠".encode("shift_jis"))
    folder.mkdir()
    held = ledger.hold(folder / "b.zip", bundle_id="b-4", incident_id="inc-1")
    rec = PartialRecord.from_json(ledger.record_path(held.record.marker).read_bytes())
    assert rec.partial == held.record.partial and os.fsencode(rec.partial).startswith(
        os.fsencode(folder)
    )
    held.release()
    assert not has_records(ledger.folder)
