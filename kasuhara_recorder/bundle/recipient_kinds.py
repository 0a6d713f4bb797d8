"""Who a bundle is for (警察/弁護士/その他): the code, then the Japanese and English label.

Kept apart from ``export`` so the CLI can offer the choices without loading the export stack."""

from __future__ import annotations

RECIPIENT_KINDS: dict[str, tuple[str, str]] = {
    "police": ("警察", "Police"),
    "lawyer": ("弁護士", "Lawyer"),
    "other": ("その他", "Other"),
}
