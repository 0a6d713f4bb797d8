"""The evidence officer's export wizard and the verify dialog, driven through the widgets.

The organisation identity is made at test time by `kasuhara-recorder keys init-org`; the
incident is created and submitted, with a recording made through ``app.recording.start`` from a
WAV file (unpaced). The officer picks the incident, 警察, types a wrong passphrase first, then the
right one, keeps the default file name and exports; the ZIP is then checked by
``app.export.verify``. Cancel, a full disk (a real 64 KiB tmpfs) and tampered evidence each leave
no file behind and say so in plain Japanese.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWizard

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.bundle.handover import grouped
from kasuhara_recorder.ui.export_wizard import (
    PAGE_DESTINATION,
    PAGE_INCIDENT,
    PAGE_RECIPIENT,
    PAGE_RUN,
    PAGE_UNLOCK,
    ExportWizard,
    default_bundle_name,
)
from kasuhara_recorder.ui.main_window import MainWindow
from kasuhara_recorder.ui.verify_dialog import VerifyDialog
from tests.support.signals import tone, write_wav
from tests.support.workstation import DEPARTMENT, STAFF
from tests.ui.conftest import flush_events, type_ja

PASSPHRASE = "correct horse, made at test time"
INCIDENT = {
    "occurred_at": "2026-11-20T10:00:00+09:00",
    "location": "counter",
    "department": DEPARTMENT,
    "demand": "手数料の返金と担当者の謝罪",
    "narrative": "来庁直後から大声で返金を要求した。",
    "categories": ["conduct.mental", "demand.apology"],
    "staff": [{"name": STAFF, "role": "主担当"}, {"name": "係長 佐藤", "role": "同席"}],
}


@dataclass
class Officer:
    service: AppService
    identity: Path
    incident_id: str
    recording_id: str
    out: Path


def kr(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "kasuhara_recorder", *args], check=True,
                   capture_output=True, timeout=120)  # fmt: skip


@pytest.fixture
def officer(data_dir: Path, tmp_path: Path):
    pw = tmp_path / "pass.txt"
    pw.write_text(PASSPHRASE + "\n")
    kr("keys", "init-org", "--out", str(tmp_path / "org"), "--passphrase-file", str(pw))
    recipient = (tmp_path / "org" / "org-recipient.txt").read_text().strip()
    app = AppService(data_dir)
    app.save_settings(app.settings.with_changes(staff_name=STAFF, department=DEPARTMENT))
    app.workstation.setup([recipient], "test-counter-1")
    inc = app.incidents.import_json(INCIDENT)
    wav = write_wav(tmp_path / "voice.wav", tone(440, 3.0))
    session = app.recording.start("counter", incident_id=inc.id, input_file=wav, paced=False)
    assert session.wait_until_capture_ended(30)
    manifest = session.stop()
    app.incidents.submit(inc.id)
    out = tmp_path / "out"
    out.mkdir()
    yield Officer(app, tmp_path / "org" / "org-identity.age", inc.id, manifest.id, out)
    app.close()


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def next_page(qtbot, wizard: QWizard) -> None:
    click(qtbot, wizard.button(QWizard.WizardButton.NextButton))


def to_unlock_page(qtbot, wizard: ExportWizard, incident_id: str, kind: str = "police") -> None:
    wizard.show()
    qtbot.waitExposed(wizard)
    assert wizard.currentId() == PAGE_INCIDENT
    lst = wizard.incident_page.list
    (row,) = [r for r in range(lst.count()) if incident_id in lst.item(r).text()]
    assert "提出済" in lst.item(row).text()
    rect = lst.visualItemRect(lst.item(row))
    qtbot.mouseClick(lst.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert wizard.incident_id() == incident_id
    next_page(qtbot, wizard)
    assert wizard.currentId() == PAGE_RECIPIENT
    click(qtbot, wizard.recipient_page.buttons[kind])
    next_page(qtbot, wizard)
    assert wizard.currentId() == PAGE_UNLOCK


def unlock(qtbot, wizard: ExportWizard, identity: Path, passphrase: str) -> None:
    page = wizard.unlock_page
    if not page.identity_edit.text():
        qtbot.keyClicks(page.identity_edit, str(identity))
    qtbot.keyClicks(page.passphrase, passphrase)
    next_page(qtbot, wizard)
    qtbot.waitUntil(lambda: not page.busy, timeout=30_000)


def run_export(qtbot, wizard: ExportWizard) -> None:
    assert wizard.currentId() == PAGE_DESTINATION
    assert wizard.button(QWizard.WizardButton.NextButton).text() == "書き出す"
    next_page(qtbot, wizard)
    assert wizard.currentId() == PAGE_RUN


def test_export_through_the_wizard_after_a_wrong_passphrase(qtbot, officer: Officer):
    service = officer.service
    window = MainWindow(service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.dialog_opened) as opened:
        window.menu_actions["export"].trigger()  # 事案 → 証拠パッケージを書き出す…
    wizard: ExportWizard = opened.args[0]
    assert isinstance(wizard, ExportWizard)
    assert window.menu_actions["export"].text() == "証拠パッケージを書き出す…"
    wizard.folder = officer.out
    to_unlock_page(qtbot, wizard, officer.incident_id)

    # wrong passphrase: a plain message, the field emptied, still on this page, nothing written
    unlock(qtbot, wizard, officer.identity, "not the passphrase")
    page = wizard.unlock_page
    assert wizard.currentId() == PAGE_UNLOCK
    assert page.message.isVisible()
    assert "パスフレーズが違います" in page.message.text()
    assert page.passphrase.text() == ""
    assert page.identity is None
    assert list(officer.out.iterdir()) == []
    # ... and entered in the chain, the attempts counted (issue 11)
    failed = [e for e in service.audit.entries() if e.event == "key.unlock_failed"]
    assert [(e.data["attempt"], e.data["reason"]) for e in failed] == [(1, "wrong_passphrase")]
    assert "1 回目" in page.message.text()
    unlock(qtbot, wizard, officer.identity, "still not the passphrase")
    failed = [e for e in service.audit.entries() if e.event == "key.unlock_failed"]
    assert [e.data["attempt"] for e in failed] == [1, 2] and "2 回目" in page.message.text()
    assert "not the passphrase" not in json.dumps([e.data for e in failed])

    # the right one: on to the destination, and the field is empty again
    unlock(qtbot, wizard, officer.identity, PASSPHRASE)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_DESTINATION, timeout=10_000)
    assert page.passphrase.text() == ""
    dest = wizard.destination_page.path()
    assert dest == officer.out / default_bundle_name(officer.incident_id, dt.date.today())
    assert officer.incident_id in dest.name and f"{dt.date.today():%Y%m%d}" in dest.name

    run_export(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    assert run.message.isVisible() and "書き出しました" in run.message.text(), run.message.text()
    assert dest.is_file()
    sha = hashlib.sha256(dest.read_bytes()).hexdigest()
    # the two values to send apart from the bundle, grouped to read aloud (issue 10)
    assert run.sha_label.text() == f"ZIP ファイルの SHA-256:\n{grouped(sha, lines=True)}"
    fp = service.workstation.key.fingerprint
    assert run.fingerprint_label.text() == f"署名鍵のフィンガープリント:\n{grouped(fp, lines=True)}"
    assert run.sha_label.isVisible() and run.fingerprint_label.isVisible()
    # one way out of the finished page: 閉じる, no キャンセル beside it (issue 11)
    assert not wizard.button(QWizard.WizardButton.CancelButton).isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isVisible()
    assert str(dest) in run.path_label.full_text() and run.path_label.toolTip() == str(dest)
    assert run.open_button.isVisible()
    assert wizard.button(QWizard.WizardButton.FinishButton).isEnabled()

    # what was written verifies, is for the police, and holds the recording
    report = service.export.verify(dest)
    assert report.ok, report.failures
    assert report.incident_id == officer.incident_id
    assert report.recordings == (officer.recording_id,)
    with zipfile.ZipFile(dest) as z:
        (name,) = [n for n in z.namelist() if n.rsplit("/", 1)[-1] == "manifest.json"]
        assert json.loads(z.read(name))["recipient_kind"] == "police"

    # the unlock and the export are in the chain of custody; the passphrase is nowhere
    events = [e.event for e in service.audit.entries()]
    assert "key.unlock" in events and events[-1] == "bundle.export"
    opened = [e for e in service.audit.entries() if e.event == "key.unlock"]
    assert opened[-1].data["failed_attempts"] == 2
    assert service.audit.entries()[-1].data["bundle_sha256"] == sha
    for p in service.paths.root.rglob("*"):
        if p.is_file():
            assert PASSPHRASE.encode() not in p.read_bytes(), p
    click(qtbot, wizard.button(QWizard.WizardButton.FinishButton))
    assert wizard.unlock_page.identity is None  # forgotten when the wizard closes


def unlocked_wizard(qtbot, officer: Officer, folder: Path | None = None) -> ExportWizard:
    wizard = ExportWizard(officer.service, folder=folder or officer.out)
    qtbot.addWidget(wizard)
    to_unlock_page(qtbot, wizard, officer.incident_id, "lawyer")
    unlock(qtbot, wizard, officer.identity, PASSPHRASE)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_DESTINATION, timeout=10_000)
    return wizard


def test_cancel_leaves_no_file(qtbot, officer: Officer):
    wizard = unlocked_wizard(qtbot, officer)
    run_export(qtbot, wizard)
    run = wizard.run_page
    assert run.cancel_button.text() == "中止" and run.cancel_button.isVisible()
    assert not wizard.button(QWizard.WizardButton.FinishButton).isEnabled()
    click(qtbot, run.cancel_button)
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    assert "中止しました" in run.message.text()
    assert "作成されていません" in run.message.text()
    assert list(officer.out.iterdir()) == []  # no bundle, no .partial
    # the officer can go back, keep the name, and export after all
    click(qtbot, run.retry_button)
    assert wizard.currentId() == PAGE_DESTINATION
    run_export(qtbot, wizard)
    qtbot.waitUntil(lambda: not wizard.run_page.running, timeout=60_000)
    (written,) = officer.out.iterdir()
    assert officer.service.export.verify(written).ok


def test_closing_the_wizard_while_exporting_cancels(qtbot, officer: Officer):
    wizard = unlocked_wizard(qtbot, officer)
    run_export(qtbot, wizard)
    wizard.reject()  # キャンセル / the window's close button
    assert wizard.isVisible()  # it stays until the export has stopped
    qtbot.waitUntil(lambda: not wizard.run_page.running, timeout=60_000)
    assert "中止しました" in wizard.run_page.message.text()
    assert list(officer.out.iterdir()) == []


@pytest.fixture
def tiny_disk(tmp_path: Path):
    mnt = tmp_path / "usb"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)  # fmt: skip
    if r.returncode != 0:
        pytest.fail(f"cannot mount a tmpfs for the disk-full test (needs root): {r.stderr}")
    yield mnt
    subprocess.run(["umount", str(mnt)], check=False)


def test_full_disk_says_what_to_do_and_leaves_nothing(qtbot, officer: Officer, tiny_disk: Path):
    wizard = unlocked_wizard(qtbot, officer, folder=tiny_disk)
    run_export(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    text = run.message.text()
    assert "保存先に書き込めませんでした" in text and "別の保存先" in text, text
    assert list(tiny_disk.iterdir()) == []
    assert run.retry_button.isVisible()


def test_tampered_recording_is_refused_by_name(qtbot, officer: Officer):
    sealed = officer.service.vault.sealed(officer.recording_id)
    data = bytearray(sealed.read_bytes())
    data[len(data) // 2] ^= 0x01  # one real flipped bit in the sealed audio
    sealed.write_bytes(bytes(data))
    wizard = unlocked_wizard(qtbot, officer)
    run_export(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    text = run.message.text()
    assert officer.recording_id in text and "連絡してください" in text, text
    assert list(officer.out.iterdir()) == []


def test_verify_dialog_shows_each_file(qtbot, officer: Officer, tmp_path: Path):
    out = tmp_path / "bundle.zip"
    identity = officer.service.export.unlock(officer.identity, PASSPHRASE)
    officer.service.export.export(officer.incident_id, identity, out, recipient_kind="other")

    window = MainWindow(officer.service)
    qtbot.addWidget(window)
    with qtbot.waitSignal(window.dialog_opened) as opened:
        window.menu_actions["verify"].trigger()
    dialog: VerifyDialog = opened.args[0]
    type_ja(qtbot, dialog.path_edit, str(out))
    with qtbot.waitSignal(dialog.verified, timeout=60_000):
        click(qtbot, dialog.verify_button)
    assert "問題はありません" in dialog.summary.text()
    # the same two values the export showed, to compare with what the sender told
    fp = officer.service.workstation.key.fingerprint
    sha = hashlib.sha256(out.read_bytes()).hexdigest()
    assert dialog.handover.isVisible()
    assert grouped(fp, lines=True) in dialog.handover.text()
    assert grouped(sha, lines=True) in dialog.handover.text()
    rows = {
        dialog.table.topLevelItem(i).text(0): dialog.table.topLevelItem(i).text(1)
        for i in range(dialog.table.topLevelItemCount())
    }
    assert f"recordings/{officer.recording_id}.wav" in rows
    assert set(rows.values()) == {"OK"}

    # a copy with one file's bytes changed: that file is named with what failed
    bad = tmp_path / "tampered.zip"
    with zipfile.ZipFile(out) as src, zipfile.ZipFile(bad, "w") as dst:
        for info in src.infolist():
            raw = src.read(info)
            if info.filename.endswith("README.txt"):
                raw = raw.replace(b"SHA", b"sha", 1)
            dst.writestr(info, raw)
    dialog.path_edit.setText(str(bad))
    with qtbot.waitSignal(dialog.verified, timeout=60_000):
        click(qtbot, dialog.verify_button)
    assert "改ざんまたは欠落" in dialog.summary.text()
    # the failed file comes first, above every file that passed (issue 11)
    assert dialog.table.topLevelItem(0).text(0).endswith("README.txt")
    assert dialog.table.topLevelItem(0).text(1) != "OK"
    assert all(
        dialog.table.topLevelItem(i).text(1) == "OK"
        for i in range(1, dialog.table.topLevelItemCount())
    )
    failed = {
        dialog.table.topLevelItem(i).text(0): dialog.table.topLevelItem(i).text(1)
        for i in range(dialog.table.topLevelItemCount())
        if dialog.table.topLevelItem(i).text(1) != "OK"
    }
    assert list(failed) == [n for n in rows if n.endswith("README.txt")]
    assert "SHA256SUMS" in next(iter(failed.values()))

    # not a bundle at all
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip file" * 10)
    dialog.path_edit.setText(str(junk))
    with qtbot.waitSignal(dialog.verified, timeout=60_000) as sig:
        click(qtbot, dialog.verify_button)
    assert sig.args == [None]
    assert "検証できません" in dialog.summary.text()
    assert not dialog.table.isVisible()


def test_a_very_long_destination_does_not_widen_the_wizard(qtbot, officer: Officer):
    """A path has no spaces to wrap at: the run page elides it in the middle (whole in the
    tooltip) instead of stretching the wizard past a 1366-pixel screen."""
    window = MainWindow(officer.service)
    qtbot.addWidget(window)
    wizard = window.open_export(officer.incident_id)
    deep = officer.out
    for part in ("証拠パッケージ保存先" * 6, "b" * 120, "c" * 120):
        deep = deep / part
    deep.mkdir(parents=True)
    wizard.folder = deep
    to_unlock_page(qtbot, wizard, officer.incident_id)
    unlock(qtbot, wizard, officer.identity, PASSPHRASE)
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_DESTINATION, timeout=10_000)
    width = wizard.width()
    run_export(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    dest = wizard.destination_page.path()
    assert dest.is_file() and len(str(dest)) > 400
    flush_events()  # the layout requests the new path text made
    assert wizard.width() == width
    assert wizard.minimumSizeHint().width() < 1000
    label = run.path_label
    assert label.isVisible() and label.toolTip() == str(dest)
    assert "…" in label.text() and label.text().endswith(dest.name[-8:])
    assert label.fontMetrics().horizontalAdvance(label.text()) <= label.contentsRect().width()
    wizard.close()


def test_an_existing_bundle_is_replaced_only_when_the_officer_says_so(qtbot, officer: Officer):
    wizard = unlocked_wizard(qtbot, officer)
    page = wizard.destination_page
    dest = page.path()
    with zipfile.ZipFile(dest, "w") as z:  # last week's bundle, already handed over
        z.writestr("README.txt", "an earlier bundle")
    before = dest.read_bytes()

    # 書き出す: the wizard asks, in Japanese, naming the file; Enter is キャンセル
    with qtbot.waitSignal(page.overwrite_asked) as asked:
        next_page(qtbot, wizard)
    box: QMessageBox = asked.args[0]
    assert box.objectName() == "OverwriteConfirm" and box.isVisible()
    assert f"「{dest.name}」" in box.text() and "置き換えますか" in box.text(), box.text()
    assert box.button(QMessageBox.StandardButton.Yes).text() == "置き換える"
    assert box.button(QMessageBox.StandardButton.Cancel).text() == "キャンセル"
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    assert wizard.currentId() == PAGE_DESTINATION
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: page.message.isVisible())
    assert "そのまま残しています" in page.message.text() and dest.name in page.message.text()
    assert wizard.currentId() == PAGE_DESTINATION
    assert dest.read_bytes() == before and os.listdir(officer.out) == [dest.name]
    assert "bundle.export" not in [e.event for e in officer.service.audit.entries()]

    # asked again; 置き換える: the new bundle replaces it
    with qtbot.waitSignal(page.overwrite_asked) as asked:
        next_page(qtbot, wizard)
    box = asked.args[0]
    click(qtbot, box.button(QMessageBox.StandardButton.Yes))
    qtbot.waitUntil(lambda: wizard.currentId() == PAGE_RUN)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    assert "書き出しました" in run.message.text(), run.message.text()
    assert dest.read_bytes() != before and os.listdir(officer.out) == [dest.name]
    assert officer.service.export.verify(dest).ok
    last = officer.service.audit.entries()[-1]
    assert last.event == "bundle.export" and last.data["replaced"] is True


def test_another_name_after_the_question_is_asked_about_again(qtbot, officer: Officer):
    """The question is about the file named: another existing name asks again, and nothing is
    replaced by answering キャンセル."""
    wizard = unlocked_wizard(qtbot, officer)
    page = wizard.destination_page
    first, second = officer.out / "a.zip", officer.out / "b.zip"
    for p in (first, second):
        with zipfile.ZipFile(p, "w") as z:
            z.writestr("README.txt", p.name)
    page.path_edit.setText(str(first))
    with qtbot.waitSignal(page.overwrite_asked) as asked:
        next_page(qtbot, wizard)
    asked.args[0].done(QMessageBox.StandardButton.Cancel)
    page.path_edit.setText(str(second))
    with qtbot.waitSignal(page.overwrite_asked) as asked:
        next_page(qtbot, wizard)
    assert "b.zip" in asked.args[0].text()
    asked.args[0].done(QMessageBox.StandardButton.Cancel)
    assert not page.overwrite()
    assert wizard.currentId() == PAGE_DESTINATION
    assert first.read_bytes() != second.read_bytes()  # both kept, as they were


def test_the_cli_and_the_wizard_show_one_bundle_sha256_alike(qtbot, officer: Officer, capsys):
    """One bundle, written by the wizard: the wizard's label, what `export` prints for that
    result, and `verify` run on the file all give the SHA-256 of the file, grouped alike."""
    from kasuhara_recorder.cli import Console
    from kasuhara_recorder.commands.bundle import say_exported

    wizard = unlocked_wizard(qtbot, officer)
    run_export(qtbot, wizard)
    run = wizard.run_page
    qtbot.waitUntil(lambda: not run.running, timeout=60_000)
    (bundle,) = officer.out.iterdir()
    sha = hashlib.sha256(bundle.read_bytes()).hexdigest()
    shown_by_wizard = run.sha_label.text().split("\n", 1)[1]
    assert shown_by_wizard == grouped(sha, lines=True)

    capsys.readouterr()
    say_exported(Console(lang="ja", json_mode=False), run.result)
    plain = capsys.readouterr().out
    cli_lines = plain.split("バンドル（ZIP ファイル）の SHA-256:\n", 1)[1].strip().split("\n")
    assert "\n".join(line.strip() for line in cli_lines) == shown_by_wizard
    say_exported(Console(lang="en", json_mode=True), run.result)
    exported = json.loads(capsys.readouterr().out)
    assert exported["bundle_sha256"] == sha
    assert exported["bundle_sha256_grouped"] == grouped(sha)

    verified = subprocess.run(
        [sys.executable, "-m", "kasuhara_recorder", "--json", "verify", str(bundle)],
        check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert json.loads(verified.stdout)["bundle_sha256"] == sha
