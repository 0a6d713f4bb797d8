"""Autosaved form drafts: one JSON file per incident in the drafts folder, written atomically
(temp file, 0600, fsync, rename) on every pause in typing, so a crash loses nothing typed.

These files are a safety net, not the record: the incident store (and its audit chain) holds
what was saved or submitted; a draft file is removed once its incident is submitted.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.store.incident_model import IncidentDraft

log = logging.getLogger("kasuhara.store.drafts")
_SAFE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class DraftFiles:
    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, incident_id: str) -> Path:
        if not _SAFE_ID.match(incident_id):
            raise ValueError(f"not an incident id: {incident_id!r}")
        return self.folder / f"{incident_id}.json"

    def save(self, incident_id: str, draft: IncidentDraft) -> Path:
        make_private_dir(self.folder)
        path = self._path(incident_id)
        data = json.dumps(draft.to_dict(), ensure_ascii=False, sort_keys=True, indent=1)
        write_atomic(path, data.encode("utf-8"))
        return path

    def load(self, incident_id: str) -> IncidentDraft | None:
        path = self._path(incident_id)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            return IncidentDraft.from_dict(json.loads(raw))
        except (ValueError, TypeError) as e:
            # a damaged draft must not stop the form from opening; keep it for inspection
            log.error("unreadable draft %s: %s", path, e)
            path.replace(path.with_suffix(".damaged"))
            return None

    def discard(self, incident_id: str) -> None:
        self._path(incident_id).unlink(missing_ok=True)

    def ids(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.stem for p in self.folder.glob("*.json"))
