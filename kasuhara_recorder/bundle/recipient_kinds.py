"""Who a bundle is for (警察/弁護士/その他): the code, then its label.

Kept apart from ``export`` so the CLI can offer the choices without loading the export stack."""

from __future__ import annotations

from kasuhara_recorder.text import Text

RECIPIENT_KINDS: dict[str, Text] = {
    "police": Text("警察", "Police"),
    "lawyer": Text("弁護士", "Lawyer"),
    "other": Text("その他", "Other"),
}
