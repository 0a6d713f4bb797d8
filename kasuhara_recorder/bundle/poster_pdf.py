"""The recording-notice poster (録音告知のポスター): one A4 page in Japanese for the counter and
the office (§5(1) asks for posters), rendered with QtGui as the report is (bundle/report_pdf.py:
the same fonts, the same offscreen QGuiApplication for the CLI). Its words are data: the policy
profile's notice sentence and title, and the organisation's name."""

from __future__ import annotations

from dataclasses import dataclass

from kasuhara_recorder.bundle.report_pdf import _QT_LOCK, FONT_FAMILIES, _ensure_gui_app
from kasuhara_recorder.policy import PolicyProfile

HEADLINE = "録音についてのお知らせ"
REQUEST = "皆様のご理解とご協力をお願いいたします。"


@dataclass(frozen=True)
class Poster:
    organisation: str  # "坂出市"
    headline: str
    sentence: (
        str  # 当庁舎では、トラブル防止のため、窓口・電話での会話を録音させていただいております。
    )
    request: str
    policy: str  # the policy's title, and when it was issued


def poster_for(profile: PolicyProfile, organisation: str = "") -> Poster:
    """The poster of ``profile``; ``organisation`` (the settings') wins over the profile's."""
    org = organisation.strip() or profile.notice.organisation.ja
    issued = f"（{profile.issued}）" if profile.issued else ""
    return Poster(
        organisation=org, headline=HEADLINE, sentence=profile.notice.poster.ja, request=REQUEST,
        policy=f"{profile.name.ja}{issued}に基づく取組です。",
    )  # fmt: skip


def render_poster_pdf(poster: Poster) -> bytes:
    """A4 portrait PDF bytes of the poster."""
    _ensure_gui_app()
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QRectF, Qt
    from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter, QPen

    with _QT_LOCK:
        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        writer = QPdfWriter(buf)
        writer.setPageLayout(QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait,
            QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter,
        ))  # fmt: skip
        writer.setResolution(300)
        writer.setTitle(poster.headline)
        writer.setCreator("Kasuhara Recorder")
        w = writer.width()
        mm = writer.resolution() / 25.4
        painter = QPainter(writer)
        try:

            def font(points: float, bold: bool = False) -> QFont:
                f = QFont()
                f.setFamilies(FONT_FAMILIES)
                f.setPointSizeF(points)
                f.setBold(bold)
                return f

            def text(
                rect: QRectF, points: float, words: str, bold: bool = False, color: str = "#212121"
            ) -> None:
                painter.setFont(font(points, bold))
                painter.setPen(QColor(color))
                flags = Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap
                painter.drawText(rect, int(flags), words)

            margin = 18 * mm
            inner = w - 2 * margin
            painter.fillRect(QRectF(0, 0, w, 62 * mm), QColor("#1a4f8a"))
            text(QRectF(margin, 12 * mm, inner, 40 * mm), 40, poster.headline, True, "#ffffff")
            painter.setPen(QPen(QColor("#1a4f8a"), 1.5 * mm))
            painter.drawRoundedRect(QRectF(margin, 82 * mm, inner, 110 * mm), 6 * mm, 6 * mm)
            text(QRectF(margin + 10 * mm, 90 * mm, inner - 20 * mm, 94 * mm), 30,
                 poster.sentence, True)  # fmt: skip
            text(QRectF(margin, 205 * mm, inner, 20 * mm), 20, poster.request)
            text(QRectF(margin, 235 * mm, inner, 20 * mm), 12, poster.policy, color="#424242")
            text(QRectF(margin, 258 * mm, inner, 22 * mm), 28, poster.organisation, True)
        finally:
            painter.end()
        del writer
        buf.close()
        return bytes(data.data())
