"""添付と録音 alone: the incident's attachments and recordings as listed, an attachment added
after 提出 marked with when and by whom, and buttons that ask the form to act."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kasuhara_recorder.app.incident_service import RecordingSummary
from kasuhara_recorder.store.incident_model import Attachment, IncidentDraft
from kasuhara_recorder.ui.form_sections.attachments import AttachmentsSection
from tests.ui.conftest import STAFF

PHOTO = Attachment(
    "att-1", "file", "机の写真.jpg", "2026-11-25T10:30:00+09:00", STAFF,
    media_type="image/jpeg", size=123_456, sha256="ab" * 32,
)  # fmt: skip
POST = Attachment(
    "att-2", "url", "https://example.org/post/1", "2026-11-27T09:05:00+09:00", "佐藤 次郎",
    url="https://example.org/post/1", after_submit=True,
)  # fmt: skip


def make(qtbot) -> AttachmentsSection:
    section = AttachmentsSection()
    qtbot.addWidget(section)
    return section


def listed(widget) -> list[str]:
    return [widget.item(i).text() for i in range(widget.count())]


def test_attachments_are_listed_and_one_added_after_submit_says_so(qtbot):
    section = make(qtbot)
    section.show_attachments((PHOTO, POST))
    assert listed(section.attachment_list) == [
        f"机の写真.jpg  (123,456 B, sha256 {'ab' * 6}…)",
        "【提出後に追加 2026-11-27 09:05 佐藤 次郎】 https://example.org/post/1",
    ]
    section.show_attachments(())
    assert listed(section.attachment_list) == []


def test_recordings_are_described_or_at_least_named(qtbot):
    section = make(qtbot)
    rec = RecordingSummary(
        "rec-1", "2026-11-25T10:00:00+09:00", 754_000, "phone", "sealed", 3, True, "inc-1"
    )
    section.show_recordings([rec])
    assert listed(section.recording_list) == ["2026-11-25 10:00  電話  12:34  タグ3件  （復旧）"]
    assert section.recording_list.item(0).toolTip() == "録音 rec-1"
    section.show_recording_ids(("rec-1", "rec-2"))  # the summaries could not be read
    assert listed(section.recording_list) == ["rec-1", "rec-2"]


def test_a_closed_incident_takes_no_recording_and_says_why(qtbot):
    section = make(qtbot)
    section.set_recordings_addable(False)
    assert not section.add_recording_button.isEnabled()
    assert section.add_recording_button.toolTip() == "完了した事案には録音を追加できません。"
    section.set_recordings_addable(True)
    assert section.add_recording_button.isEnabled()
    assert section.add_recording_button.toolTip() == ""


@pytest.mark.parametrize(
    ("button", "signal"),
    [
        ("add_file_button", "file_requested"),
        ("add_url_button", "url_requested"),
        ("add_recording_button", "recording_requested"),
    ],
)
def test_each_button_asks_the_form(qtbot, button, signal):
    section = make(qtbot)
    section.set_editable(False)  # a submitted incident still takes attachments and recordings
    with qtbot.waitSignal(getattr(section, signal)):
        qtbot.mouseClick(getattr(section, button), Qt.MouseButton.LeftButton)


def test_errors_are_shown_and_cleared_and_the_draft_is_not_touched(qtbot):
    section = make(qtbot)
    section.show_errors(["✖ URLは https:// で始めてください。"])
    assert section.error_label.isVisibleTo(section)
    assert section.error_label.text() == "✖ URLは https:// で始めてください。"
    section.show_errors([])
    assert not section.error_label.isVisibleTo(section)
    draft = IncidentDraft(narrative="x")
    section.load(draft)
    assert section.read(draft) is draft
