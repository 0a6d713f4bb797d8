"""事案 → 統計…: the statistics window over generated incidents shows the numbers the test counts
itself, in tables and charts; a chart goes to the clipboard as an image; the printed PDF has
the Japanese as text and renders with pdftoppm; the incident list is written from the window."""

from __future__ import annotations

import datetime as dt
import subprocess
import unicodedata

import openpyxl
from PySide6.QtCore import QDate
from PySide6.QtGui import QGuiApplication

from kasuhara_recorder.config import RoleGrant
from kasuhara_recorder.ui.statistics_view import StatisticsView
from tests.support import generated_incidents as gen_incidents
from tests.ui.conftest import language


def _counted(gen, department=None):
    return [i for i in gen.incidents if i.status != "draft"
            and "2025-01-01" <= i.draft.occurred_at[:10] <= "2025-12-31"
            and (department is None or i.draft.department == department)]  # fmt: skip


def _view(qtbot, service):
    view = StatisticsView(service)
    qtbot.addWidget(view)
    view.date_from.setDate(QDate(2025, 1, 1))
    view.date_to.setDate(QDate(2025, 12, 31))
    view.show()
    qtbot.waitExposed(view)
    return view


def _cells(table) -> list[list[str]]:
    return [[table.item(r, c).text() for c in range(table.columnCount())]
            for r in range(table.rowCount())]  # fmt: skip


def test_the_view_shows_the_counts_charts_copy_and_print(qtbot, service, tmp_path):
    gen = gen_incidents.generate(600, seed=3, profile=service.profile)
    gen_incidents.insert(service, gen)
    counted = _counted(gen)
    view = _view(qtbot, service)
    with qtbot.waitSignal(view.computed, timeout=20_000):
        view.refresh()
    assert f"事案 {len(counted)} 件" in view.summary.text()
    assert view.table_titles() == ["概要", "§3 分類別", "月別", "所属別", "窓口・電話等別",
                                   "§4 対応別"]  # fmt: skip
    summary = _cells(view.tables[0])
    assert summary[0][:2] == ["事案の件数", str(len(counted))]
    phone = sum(1 for i in counted if i.draft.location == "phone")
    assert ["電話", str(phone)] in _cells(view.tables[4])
    police = sum(1 for i in counted if any(r.code == "response.police_call"
                                           for r in i.draft.responses))  # fmt: skip
    row = ["§4(4)", "response.police_call", "警察へ通報した", str(police)]
    assert row in _cells(view.tables[5])
    # the charts draw the same numbers
    mental = sum(1 for i in counted if "conduct.mental" in i.draft.categories)
    labels = view.category_chart.labels
    mental_label = "精神的な攻撃（脅迫、中傷、名誉棄損、侮辱、暴言）"
    assert view.category_chart.values[labels.index(mental_label)] == mental
    march = sum(1 for i in counted if i.draft.occurred_at[:7] == "2025-03")
    assert len(view.month_chart.values) == 12 and view.month_chart.values[2] == march

    # 画像をコピー: the chart on the clipboard as an image
    QGuiApplication.clipboard().clear()
    view.copy_buttons[0].click()
    image = QGuiApplication.clipboard().image()
    assert not image.isNull() and image.width() >= 300 and image.height() >= 300

    pdf = view.print_pdf(tmp_path / "統計.pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    # pdftotext gives compatibility ideographs for a few kanji (⽅ for 方): normalise first
    text = unicodedata.normalize("NFKC", text).translate({0x2027: "・", 0x2ED1: "長"})
    for words in ("統計(方針の見直し用)", "§3 分類別", "事案の件数", "面談室・会議室",
                  "警察へ通報した"):  # fmt: skip
        assert words in text, words
    assert str(len(counted)) in text
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)  # fmt: skip
    png = next(tmp_path.glob("page*.png"))
    assert png.stat().st_size > 10_000

    # a department chosen: only its incidents
    view.department.setCurrentIndex(view.department.findData("福祉課"))
    with qtbot.waitSignal(view.computed, timeout=20_000):
        view.refresh()
    assert _cells(view.tables[0])[0][1] == str(len(_counted(gen, "福祉課")))

    # the incident list from the window, no personal data
    out = tmp_path / "一覧.xlsx"
    with qtbot.waitSignal(view.list_written, timeout=20_000) as done:
        view.export_list(out, with_personal=False)
    assert done.args[0].rows == len(_counted(gen, "福祉課"))
    ws = openpyxl.load_workbook(out).active
    assert "相手方の氏名" not in [c.value for c in ws[1]]
    assert isinstance(ws["C2"].value, dt.datetime)
    view.close()
    qtbot.waitUntil(lambda: view.tasks.pending == 0)


def test_english_view_and_a_counter_refused(qtbot, service):
    service.save_settings(service.settings.with_changes(roles=(RoleGrant("x", "officer"),)))
    with language("en"):
        view = _view(qtbot, service)
        assert not view.list_button.isEnabled() and not view.personal.isEnabled()
        with qtbot.waitSignal(view.failed, timeout=20_000) as failed:
            view.refresh()
        assert "viewing the statistics" in failed.args[0]
        assert view.windowTitle() == "Statistics (policy review)"
        view.close()
    # an officer in English: every category has its bar, none merged by a cut-off label
    service.save_settings(service.settings.with_changes(roles=(RoleGrant(service.os_user,
                                                                         "officer"),)))  # fmt: skip
    gen_incidents.insert(service, gen_incidents.generate(300, seed=9, profile=service.profile))
    with language("en"):
        view = _view(qtbot, service)
        with qtbot.waitSignal(view.computed, timeout=20_000):
            view.refresh()
        axis = view.category_chart.axis_labels()
        assert len(axis) == len(set(axis)) == len(service.profile.categories)
        assert axis[0].startswith("No defect") and axis[-1].startswith("Demand to be dealt")
        assert view.tables[1].item(0, 2).text().startswith("No defect or fault")
        view.close()
    qtbot.waitUntil(lambda: view.tasks.pending == 0)


def test_the_incident_menu_offers_statistics_to_a_supervisor_not_to_counter_staff(
    qtbot, gui, service
):
    gen = gen_incidents.generate(200, seed=4, profile=service.profile)
    gen_incidents.insert(service, gen)
    service.save_settings(service.settings.with_changes(roles=(
        RoleGrant(service.os_user, "supervisor", ("市民課",)),)))  # fmt: skip
    window = gui().show()
    action = window.menu_actions["statistics"]
    assert action.isVisible() and action.text() == "統計…"
    opened = []
    window.dialog_opened.connect(opened.append)
    action.trigger()
    view = opened[0]
    assert isinstance(view, StatisticsView)
    qtbot.waitUntil(lambda: view.statistics is not None, timeout=20_000)
    # the default period is this fiscal year (年度, from April 1), and 市民課 only
    start = view.statistics.period.start
    assert start.month == 4 and start.day == 1 and start <= dt.date.today()
    assert view.statistics.departments == ("市民課",)
    assert [view.department.itemText(i) for i in range(view.department.count())] == [
        "すべての所属", "市民課"]  # fmt: skip
    view.close()
    qtbot.waitUntil(lambda: window.tasks.pending == 0)

    service.save_settings(service.settings.with_changes(roles=(RoleGrant("boss", "officer"),)))
    other = gui().show()
    assert not other.menu_actions["statistics"].isVisible()
