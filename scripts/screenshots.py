"""make screenshots: the main screens under Xvfb on the real xcb platform, as PNGs in
docs/screenshots/ — a fresh workstation (not set up), the first-run wizard's pages it opens and
its 端末設定 dialog, idle, recording with tags and the §4(1) bar (amber and red), the
after-stop choice, the incident form, the export wizard's pages, the verify dialog, the
officer's unlock dialog and player, the statistics view over generated incidents and its PDF's
first page (through pdftoppm), the main window's central-store line warning of a server not
reached for 26 hours, the settings dialog's tabs and the audit viewer (intact, then with one
bit of one row flipped) — at 1366×768, at 1920×1080 with QT_SCALE_FACTOR=1.5, and once
pseudo-localised (every string lengthened) to catch cut-off layouts.
KASUHARA_SHOT_ONLY=1366x768,pseudo runs only the runs named.

The recording is real (a generated tone through the file source, sealed for a throw-away
organisation key made by ``init_org``; the wizard unlocks it and exports for real). Only the
elapsed time is faked, and only through the policy timer's injectable clock, so the bar shows
52 and 61 minutes without waiting an hour.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
RUNS = [  # name, screen, scale, language, pseudo
    ("1366x768", "1366x768", "1", "ja", False),
    ("1920x1080@150", "1920x1080", "1.5", "ja", False),
    ("1366x768-en", "1366x768", "1", "en", False),
    ("pseudo", "1366x768", "1", "en", True),
]


def main() -> int:
    if os.environ.get("KASUHARA_SHOT_RUN"):
        return child(os.environ["KASUHARA_SHOT_RUN"])
    if not shutil.which("xvfb-run"):
        print("xvfb-run not found (apt-get install xvfb)", file=sys.stderr)
        return 1
    OUT.mkdir(parents=True, exist_ok=True)
    only = [x for x in os.environ.get("KASUHARA_SHOT_ONLY", "").split(",") if x]
    for name, screen, scale, lang, pseudo in RUNS:
        if only and name not in only:
            continue
        env = {
            **os.environ, "KASUHARA_SHOT_RUN": name, "QT_QPA_PLATFORM": "xcb",
            "QT_SCALE_FACTOR": scale, "KASUHARA_SHOT_LANG": lang,
            "KASUHARA_PSEUDO_L10N": "1" if pseudo else "0",
        }  # fmt: skip
        env.pop("DISPLAY", None)
        cmd = ["xvfb-run", "-a", "-s", f"-screen 0 {screen}x24", sys.executable, __file__]
        print(f"screenshots: {name}", flush=True)
        subprocess.run(cmd, env=env, check=True, timeout=300)
    return 0


def child(run: str) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QWizard

    from kasuhara_recorder.app.service import AppService
    from kasuhara_recorder.audio.policy_timer import PolicyTimer
    from kasuhara_recorder.evidence.org_identity import init_org
    from kasuhara_recorder.ui.app import GuiController, application

    sys.path.insert(0, str(ROOT))
    from tests.support.pulse import PulseServer, PulseUnavailable
    from tests.support.signals import tone, write_wav

    try:  # the player plays to a null sink of its own (before PortAudio is loaded)
        pulse: PulseServer | None = PulseServer.start()
        pulse.new_sink()
    except PulseUnavailable as e:
        print(f"  no PulseAudio ({e}): the player shows its no-device message", file=sys.stderr)
        pulse = None
    lang = os.environ["KASUHARA_SHOT_LANG"]
    tmp = Path(tempfile.mkdtemp(prefix="kasuhara-shots-"))
    app = application()
    service = AppService(tmp / "data")
    service.save_settings(
        service.settings.with_changes(staff_name="窓口 花子", department="市民課 住民係")
    )
    org = init_org(tmp / "org", "screenshot passphrase")
    wav = write_wav(tmp / "voice.wav", tone(330, 30.0, amplitude=0.3))

    controller = GuiController(service, lang)
    window = controller.show()
    # no window manager under Xvfb: "maximised" is the whole available screen, set by hand
    window.setGeometry(app.primaryScreen().availableGeometry())

    def settle(ms: int = 400) -> None:
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def shot(widget, what: str) -> None:
        settle()
        path = OUT / f"{run}-{what}.png"
        widget.grab().save(str(path))
        print(f"  {path.relative_to(ROOT)}")

    settle(800)
    shot(window, "0-not-set-up")
    first_run_wizard(window, tmp, shot, settle)
    setup = window.open_setup()
    setup.workstation_name.setText("counter-01")
    setup.recipients.setPlainText(org.recipient)
    shot(setup, "0-setup-dialog")
    setup.save()
    deadline = time.monotonic() + 15
    while not window.is_set_up() and time.monotonic() < deadline:
        settle(50)
    settle(300)
    shot(window, "1-idle")

    window.start_recording("counter", input_file=wav, paced=True)
    deadline = time.monotonic() + 15
    while not window.controller.recording and time.monotonic() < deadline:
        settle(50)
    session = window.controller.session
    shift = [0.0]
    timer = PolicyTimer(service.profile.rules, clock=lambda: time.monotonic() + shift[0])
    timer.start()
    session.timer = timer  # the injectable clock: only the elapsed time is faked
    settle(600)
    for code in ("conduct.mental", "conduct.intimidation", "demand.apology"):
        window.controller.tag(code)
        settle(300)
    window.tag_panel.table.item(0, 2).setText(
        "大声で「責任者を出せ」" if lang == "ja" else "Shouted"
    )
    settle(400)
    shot(window.record_panel, "30-record-panel-notice")  # the sentence to say, before 告知しました
    window.controller.give_notice()
    shift[0] = 52 * 60
    settle(800)
    shot(window, "2-recording-warning")
    shift[0] = 61 * 60
    settle(800)
    shot(window, "3-recording-limit")

    dialogs = []
    window.after_stop_shown.connect(dialogs.append)
    window.stop_recording()
    deadline = time.monotonic() + 20
    while not dialogs and time.monotonic() < deadline:
        settle(50)
    dialog = dialogs[0]
    shot(dialog, "4-after-stop")
    forms = []
    window.incident_form_opened.connect(forms.append)
    dialog.new_button.click()
    settle(300)
    form = forms[0]
    form.events.narrative.setPlainText(
        "窓口で大声を上げ、机を叩いた。担当者の謝罪を繰り返し求めた。"
        if lang == "ja" else "Shouted at the counter and banged the desk."
    )  # fmt: skip
    form.when_where.location.setCurrentIndex(form.when_where.location.findData("meeting_room"))
    form.responses.rows["response.police_call"].check.setChecked(True)
    form.show_issues(form.incidents.validate(form.draft()))  # what the policy still asks
    screen = app.primaryScreen().availableGeometry()
    form.resize(min(1100, screen.width()), screen.height())
    form.move(screen.topLeft())
    shot(form, "5-form")
    form.scroll.verticalScrollBar().setValue(form.scroll.verticalScrollBar().maximum() // 2)
    shot(form, "6-form-middle")
    incident_id = form.incident.id
    form.close()

    def wait(cond, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not cond() and time.monotonic() < deadline:
            settle(50)

    # a deep folder (a shared drive's usual nesting): the run page must not widen to fit it
    out = (
        tmp
        / "out"
        / "共有ドライブ"
        / "市民課 住民係"
        / "2026年度"
        / "カスタマーハラスメント対応記録"
    )
    out = out / "警察・弁護士への提出用（原本・持ち出し禁止）" / "事案ごとの証拠パッケージ"
    out.mkdir(parents=True)
    wizard = window.open_export(incident_id)
    wizard.folder = out
    shot(wizard, "7-export-incident")
    wizard.next()
    wizard.recipient_page.buttons["police"].setChecked(True)
    shot(wizard, "8-export-recipient")
    wizard.next()
    unlock = wizard.unlock_page
    unlock.identity_edit.setText(str(org.identity))
    unlock.passphrase.setText("wrong passphrase")
    wizard.next()
    wait(lambda: not unlock.busy)
    shot(wizard, "9-export-unlock-wrong")
    unlock.passphrase.setText("screenshot passphrase")
    wizard.next()
    wait(lambda: wizard.currentId() != 2)
    shot(wizard, "10-export-destination")
    wizard.next()
    wait(lambda: not wizard.run_page.running)
    shot(wizard, "11-export-done")
    bundle = wizard.run_page.result.path
    wizard.button(QWizard.WizardButton.FinishButton).click()
    verify = window.open_verify()
    verify.path_edit.setText(str(bundle))
    verify.start()
    wait(lambda: verify.report is not None)
    verify.resize(900, 560)
    shot(verify, "12-verify")
    verify.close()

    # 事案一覧 over 300 generated incidents and the real one, its detail, the legal-hold dialog
    from kasuhara_recorder.store.incident_model import ResponseAction
    from tests.support.incidents import generate

    generate(service, 300)
    ja = lang == "ja"
    service.incidents.save_draft(incident_id, service.incidents.get(incident_id).draft.with_changes(
        demand="手数料を返せ、担当者を処分しろ" if ja else "Refund the fee and punish the clerk",
        narrative="窓口で大声を上げ、机を叩いた。担当者の謝罪を繰り返し求めた。" if ja
        else "Shouted at the counter and banged the desk.",
    ))  # fmt: skip
    service.incidents.set_status(incident_id, "submitted")
    service.incidents.add_response(incident_id, ResponseAction(
        "response.warning_letter", by="課長 山本",
        note="内容証明を送付" if lang == "ja" else "certified letter sent"))  # fmt: skip
    listing = window.open_incident_list()
    listing.setGeometry(app.primaryScreen().availableGeometry())
    wait(lambda: not listing.model.loading and listing.model.total > 0)
    shot(listing, "14-incident-list")
    listing.filters.over_limit.setChecked(True)
    wait(lambda: not listing.model.loading)
    shot(listing, "15-incident-list-over-limit")
    detail = listing.open_detail(incident_id)
    detail.resize(min(1100, screen.width()), min(700, screen.height()))
    wait(lambda: detail.data is not None)
    shot(detail, "16-incident-detail")
    detail.tabs.setCurrentWidget(detail.recordings)
    shot(detail, "17-incident-recordings")
    dialogs.clear()
    detail.dialog_shown.connect(dialogs.append)
    detail.ask_hold()
    hold = dialogs[-1]
    hold.reason.setPlainText("損害賠償請求の予告があったため" if lang == "ja"
                             else "A claim for damages was announced")  # fmt: skip
    shot(hold, "18-legal-hold")
    hold.accept()
    wait(lambda: detail.data is not None and detail.data.incident.legal_hold)
    detail.tabs.setCurrentWidget(detail.custody)
    shot(detail, "19-incident-custody")
    listing.close()

    # The officer's player: 録音を再生 asks for the key (a wrong passphrase first), then plays.
    shown: list = []
    window.dialog_opened.connect(shown.append)
    service.officer.lock()  # the wizard's unlock is shared: lock it to show the dialog
    rid = service.recordings.list()[0].id
    window.open_player(rid)
    wait(lambda: any(type(w).__name__ == "UnlockDialog" for w in shown))
    dialog = next(w for w in shown if type(w).__name__ == "UnlockDialog")
    dialog.identity_edit.setText(str(org.identity))
    dialog.passphrase.setText("wrong passphrase")
    dialog.unlock()
    wait(lambda: not dialog.busy)
    shot(dialog, "20-unlock-wrong")
    dialog.passphrase.setText("screenshot passphrase")
    dialog.unlock()
    wait(lambda: any(type(w).__name__ == "PlayerWindow" for w in shown))
    player = next(w for w in shown if type(w).__name__ == "PlayerWindow")
    wait(lambda: player.playback.audio.checked)
    length = player.playback.manifest.duration_ms
    player.seek_ms(length * 2 // 5)
    player.toggle()
    wait(lambda: player.player is None or player.player.position_ms > length // 2, 10)
    player.toggle()
    shot(player, "21-player")
    player.close()

    # 事案 → 統計… over 800 generated incidents of 2025, and its PDF's first page (pdftoppm).
    from PySide6.QtCore import QDate

    from tests.support import generated_incidents as generated

    generated.insert(service, generated.generate(800, seed=5, profile=service.profile))
    view = window.open_statistics()
    wait(lambda: view.tasks.pending == 0)
    view.date_from.setDate(QDate(2025, 1, 1))
    view.date_to.setDate(QDate(2025, 12, 31))
    view.refresh()
    wait(lambda: view.statistics is not None and view.tasks.pending == 0)
    view.setGeometry(app.primaryScreen().availableGeometry())
    shot(view, "28-statistics")
    pdf = view.print_pdf(tmp / "statistics.pdf")
    page = OUT / f"{run}-29-statistics-pdf"
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                    str(pdf), str(page)], check=True)  # fmt: skip
    print(f"  {page.relative_to(ROOT)}.png")
    view.close()

    # The phone announcement dialog (ファイル → 電話の録音告知を録音), and the notice poster.
    from kasuhara_recorder.ui.announcement_dialog import AnnouncementDialog

    announcement = AnnouncementDialog(service, window)
    announcement.show()
    shot(announcement, "31-announcement-dialog")
    announcement.reject()
    poster = tmp / "poster.pdf"
    poster.write_bytes(service.poster_pdf())
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-singlefile", str(poster),
                    str(OUT / f"{run}-32-poster")], check=True)  # fmt: skip
    print(f"  {(OUT / f'{run}-32-poster.png').relative_to(ROOT)}")

    # A PC with a central store it last reached 26 hours ago, down now: the line's warning.
    from kasuhara_recorder.store import sync_state

    old_now = sync_state._now
    sync_state._now = lambda: (datetime.now().astimezone() - timedelta(hours=26)).isoformat(
        timespec="seconds"
    )
    service.backend.sync_state().attempted()  # the last contact, by the sync state's clock
    sync_state._now = old_now
    service.save_settings(  # nothing listens on port 9: refused at once, as a server that is down
        service.settings.with_changes(central_url="postgresql://counter01@127.0.0.1:9/kasuhara")
    )
    old_window, window = window, controller.show()  # the line is made with the window
    old_window.discard()
    window.setGeometry(app.primaryScreen().availableGeometry())
    wait(lambda: window.sync_line is not None and window.sync_line.error is not None, 30)
    shot(window, "13-sync-warning")
    settings_and_audit(window, service, shot, wait)
    QTimer.singleShot(0, app.quit)
    window.discard()
    service.close()
    shutil.rmtree(tmp, ignore_errors=True)
    if pulse is not None:
        pulse.stop()
    return 0


def first_run_wizard(window, tmp: Path, shot, settle) -> None:
    """初期設定 as an empty data folder opens it: each page; cancelled afterwards (the rest of
    the run sets the PC up through 端末設定 with the organisation key it exports with)."""
    from PySide6.QtWidgets import QWizard

    from kasuhara_recorder.ui.first_run_wizard import FirstRunWizard

    wizard = window.findChild(FirstRunWizard)
    shot(wizard, "0a-wizard-recipient")
    page = wizard.recipient_page
    page.evaluate_choice.setChecked(True)
    page.key_folder.setText(str(tmp / "評価用の組織の鍵"))
    page.passphrase.setText("short")
    page.passphrase_again.setText("short")
    wizard.next()
    shot(wizard, "0b-wizard-evaluation-refused")
    page.passphrase.setText("wizard screenshot passphrase 木曜日")
    page.passphrase_again.setText("wizard screenshot passphrase 木曜日")
    wizard.next()
    deadline = time.monotonic() + 30
    while wizard.currentId() == 0 and time.monotonic() < deadline:
        settle(50)
    shot(wizard, "0c-wizard-key-created")
    wizard.next()
    ws = wizard.workstation_page
    ws.workstation_name.setText("counter-01")
    ws.department.setText("市民課 住民係")
    ws.staff_name.setText("窓口 花子")
    shot(wizard, "0d-wizard-workstation")
    wizard.next()
    devices = wizard.devices_page
    devices.counter.start_test()  # no PulseAudio under Xvfb, maybe: what it says then
    deadline = time.monotonic() + 15
    while devices.counter.testing and time.monotonic() < deadline:
        settle(50)
    shot(wizard, "0e-wizard-devices")
    wizard.next()
    wizard.central_page.url.setText("postgresql://counter01@db.example.lg.jp/kasuhara")
    shot(wizard, "0f-wizard-central")
    wizard.button(QWizard.WizardButton.CancelButton).click()
    settle(200)
    # A PC IT prepared (the installer's machine.json): the recipient is IT's, nothing to find.
    import pyrage

    from kasuhara_recorder.machine_settings import ENV_MACHINE_CONFIG

    machine = tmp / "ProgramData" / "machine.json"
    machine.parent.mkdir(parents=True, exist_ok=True)
    it = str(pyrage.x25519.Identity.generate().to_public())
    machine.write_text(
        json.dumps({"org_recipients": [it], "department": "市民課 住民係",
                    "central": "postgresql://counter01@db.example.lg.jp/kasuhara"}),
        encoding="utf-8",
    )  # fmt: skip
    os.environ[ENV_MACHINE_CONFIG] = str(machine)
    try:
        by_it = FirstRunWizard(window.service, window)
        by_it.show()
        settle(100)
        shot(by_it, "0g-wizard-recipient-set-by-it")
        by_it.button(QWizard.WizardButton.CancelButton).click()
        settle(200)
    finally:
        del os.environ[ENV_MACHINE_CONFIG]


def settings_and_audit(window, service, shot, wait) -> None:
    """設定 (its three tabs, one refusal) and 監査記録 (all, filtered, intact, then broken)."""
    import sqlite3

    from kasuhara_recorder.config import RoleGrant

    dialog = window.open_settings()
    dialog.resize(860, 640)
    shot(dialog, "22-settings-devices")
    dialog.tabs.setCurrentIndex(1)
    shot(dialog, "23-settings-workstation")
    dialog.tabs.setCurrentIndex(2)
    dialog.add_role_row(RoleGrant("tanaka", "supervisor", ("市民課", "税務課")))
    dialog.add_role_row(RoleGrant("", "officer"))
    dialog.save()
    wait(lambda: not dialog.busy)
    shot(dialog, "24-settings-roles-refused")
    dialog.reject()

    viewer = window.open_audit_viewer()
    wait(lambda: not viewer.busy)
    shot(viewer, "25-audit-all")
    viewer.verify()
    wait(lambda: viewer.report is not None)
    shot(viewer, "26-audit-intact")
    c = sqlite3.connect(service.paths.database)
    (raw,) = c.execute("SELECT data_json FROM audit_log WHERE seq = 3").fetchone()
    flipped = bytearray(raw.encode("utf-8"))
    flipped[len(flipped) // 2] ^= 0x01  # one bit of one row, as a hex editor would
    c.execute("UPDATE audit_log SET data_json = ? WHERE seq = 3", (flipped.decode("utf-8"),))
    c.commit()
    c.close()
    viewer.report = None
    viewer.set_filters(event="bundle.export")
    viewer.verify()
    wait(lambda: viewer.report is not None)
    shot(viewer, "27-audit-broken")
    viewer.close()


if __name__ == "__main__":
    raise SystemExit(main())
