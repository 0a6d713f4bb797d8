"""Starts the desktop app: QApplication, translators, the excepthook, the main window.

``GuiController`` owns the one main window and rebuilds it when the language changes, so every
string is translated afresh without a hand-written retranslate pass in each panel.
"""

from __future__ import annotations

import logging
import sys
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication, QMessageBox

from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.ui.i18n import LANGUAGES, Translators

log = logging.getLogger("kasuhara.ui")

if TYPE_CHECKING:  # the window is imported when shown, not with this module
    from kasuhara_recorder.ui.main_window import MainWindow


def choose_language(service: AppService, explicit: str | None) -> str:
    """--lang beats the saved setting beats the system locale; Japanese when unsure."""
    if explicit in LANGUAGES:
        return explicit
    if service.paths.settings.exists() and service.settings.language in LANGUAGES:
        return service.settings.language
    from kasuhara_recorder.cli import default_language

    return default_language()


def application() -> QApplication:
    from kasuhara_recorder.ui import garbage_collector

    app = cast(QApplication, QApplication.instance()) or QApplication(sys.argv[:1])
    app.setApplicationName("Kasuhara Recorder")
    app.setOrganizationName("kasuhara-recorder")
    app.setQuitOnLastWindowClosed(True)
    garbage_collector.install(app)  # before any worker runs: cycles die on this thread only
    from kasuhara_recorder.bundle import bundled_fonts

    bundled_fonts.register()  # the frozen app's fonts, for a PC without them (PDF, poster)
    return app


def install_excepthook(log_file: Path | None) -> None:
    """Anything uncaught is logged and the user is told where the log is (STYLE §6)."""

    def hook(exc_type, exc, tb) -> None:
        log.error("uncaught exception:\n%s", "".join(traceback.format_exception(exc_type, exc, tb)))
        if QApplication.instance() is None:
            return
        where = str(log_file) if log_file else "stderr"
        box = QMessageBox()
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle(QApplication.translate("ExceptHook", "予期しないエラー"))
        box.setText(
            QApplication.translate(
                "ExceptHook",
                "予期しないエラーが発生しました。録音済みのデータは保存されています。\n"
                "情報システム担当者にログファイルを渡してください:\n%1",
            ).replace("%1", where)
        )
        box.exec()

    sys.excepthook = hook


class GuiController(QObject):
    def __init__(self, service: AppService, lang: str) -> None:
        super().__init__()
        self.service = service
        self.translators = Translators()
        self.lang = self.translators.install(lang)
        self.window: MainWindow | None = None

    def show(self) -> MainWindow:
        from kasuhara_recorder.ui.main_window import MainWindow

        window = self.window = MainWindow(self.service)
        window.language_change_requested.connect(self.switch_language)
        window.show()
        if not window.is_set_up():  # an empty data folder: the first-run wizard
            window.open_first_run_wizard()
        return window

    def bring_forward(self) -> None:
        """A second start on this data folder: show this window instead."""
        if self.window is not None:
            self.window.bring_forward()

    def switch_language(self, lang: str) -> None:
        """Save the choice and rebuild the window in the new language (refused while recording)."""
        if self.window is not None and self.window.controller.active:
            return
        self.service.save_settings(self.service.settings.with_changes(language=lang))
        self.lang = self.translators.install(lang)
        old = self.window
        geometry = old.saveGeometry() if old is not None else None
        forms: list[str] = list(old.forms) if old is not None else []
        window = self.show()
        if geometry is not None:
            window.restoreGeometry(geometry)
        if old is not None:
            old.discard()  # closes its forms, writing their autosaves first
        for incident_id in forms:  # the worker's open forms stay open, in the new language
            window.open_incident(incident_id)


def already_running(lang: str) -> None:
    """The first app could not be reached (still starting, or not responding)."""
    Translators().install(lang)
    QMessageBox.information(
        None,
        QApplication.translate("SingleInstance", "カスハラ録音"),
        QApplication.translate(
            "SingleInstance",
            "カスハラ録音はこのパソコンで既に起動しています。タスクバーのカスハラ録音の"
            "ウィンドウを使ってください。見つからない場合は、少し待ってからもう一度起動してください。",
        ),
    )


def run_gui(data_dir: Path, lang: str | None = None) -> int:
    from kasuhara_recorder.logging_setup import configure_logging
    from kasuhara_recorder.ui.single_instance import SingleInstance

    app = application()
    install_excepthook(configure_logging(data_dir))
    service = AppService(data_dir)
    lang = choose_language(service, lang)
    instance = SingleInstance(service.paths.root, app)
    if not instance.claim():  # one app per data folder: the running one comes forward
        if instance.ask_first_to_show():
            log.info("already running on %s: brought that window forward", data_dir)
        else:
            log.warning("already running on %s, and that app did not answer", data_dir)
            already_running(lang)
        return 0
    controller = GuiController(service, lang)
    instance.show_requested.connect(controller.bring_forward)
    window = controller.show()
    from kasuhara_recorder.ui import ready_signal

    ready_signal.watch(window)  # only with KASUHARA_SMOKE_READY=1 (packaging smoke test, bench)
    try:
        return app.exec()
    finally:
        service.close()
        instance.release()
