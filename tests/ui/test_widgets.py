"""Single widgets as a user meets them: the record button and its shortcut, the live-tag
hotkeys, the §4(1) bar colours, the language switch."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from kasuhara_recorder.policy import load_profile
from kasuhara_recorder.ui.limit_bar import LIMIT, NORMAL, WARNING, LimitBar
from kasuhara_recorder.ui.record_panel import RecordPanel
from kasuhara_recorder.ui.tag_panel import TagPanel
from tests.ui.conftest import activate

PROFILE = load_profile()


def test_f9_and_the_button_ask_to_start_on_the_chosen_channel(qtbot):
    panel = RecordPanel(3000, 3600)
    qtbot.addWidget(panel)
    activate(qtbot, panel)
    with qtbot.waitSignal(panel.start_requested) as sig:
        qtbot.mouseClick(panel.record_button, Qt.MouseButton.LeftButton)
    assert sig.args == ["counter"]
    panel.channel_buttons["phone"].click()
    with qtbot.waitSignal(panel.start_requested) as sig:
        qtbot.keyClick(panel, Qt.Key.Key_F9)
    assert sig.args == ["phone"]
    panel.show_recording("phone")
    assert "停止" in panel.record_button.text()
    with qtbot.waitSignal(panel.stop_requested):
        qtbot.keyClick(panel, Qt.Key.Key_F9)


def test_the_big_button_label_shrinks_to_fit_a_narrow_panel_in_both_states(qtbot):
    panel = RecordPanel(3000, 3600)
    qtbot.addWidget(panel)
    panel.resize(240, 500)
    activate(qtbot, panel)
    b = panel.record_button
    for show in (panel.show_idle, lambda: panel.show_recording("counter")):
        show()
        width = QFontMetrics(b.font()).horizontalAdvance(b.text())
        assert width <= b.width() - 32 or b.font().pointSizeF() <= 10, (b.text(), width, b.width())
    panel.resize(900, 500)  # room again: back to the large size
    qtbot.waitUntil(lambda: b.font().pointSizeF() > 16)


def test_limit_bar_turns_amber_at_the_warning_and_red_at_the_limit(qtbot):
    bar = LimitBar(PROFILE.rules.warning_seconds, PROFILE.rules.limit_seconds)
    qtbot.addWidget(bar)
    bar.set_elapsed(60, None)
    assert bar.state == NORMAL and "#2e7d32" in bar.bar.styleSheet()
    bar.set_elapsed(50 * 60, None)
    assert bar.state == WARNING and "#f0a000" in bar.bar.styleSheet()
    assert "0:10:00" in bar.caption.text()  # time left to the limit
    bar.set_elapsed(61 * 60, None)
    assert bar.state == LIMIT and "#d32f2f" in bar.bar.styleSheet()
    assert "超えました" in bar.caption.text()


def test_tag_buttons_follow_the_profile_groups_and_hotkeys(qtbot):
    panel = TagPanel(PROFILE)
    qtbot.addWidget(panel)
    activate(qtbot, panel)
    live = [c.code for c in PROFILE.live_tag_categories()]
    assert list(panel.buttons) == live
    titles = [b.title() for b in panel.findChildren(type(panel.buttons[live[0]].parent()))]
    assert any(t.startswith("§3(2)ア") for t in titles) and any(
        t.startswith("§3(2)イ") for t in titles
    )
    assert not panel.buttons["conduct.mental"].isEnabled()  # only while recording
    panel.set_enabled_tags(True)
    with qtbot.waitSignal(panel.tag_requested) as sig:
        qtbot.keyClick(panel, Qt.Key.Key_2)
    assert sig.args == ["conduct.mental"]
    with qtbot.waitSignal(panel.tag_requested) as sig:
        qtbot.keyClick(panel, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert sig.args == ["demand.named_staff"]
