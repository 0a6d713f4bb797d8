"""Who this workstation is: its Ed25519 signing key, its name and public key as manifests
carry them, and the organisation recipients it seals to.

Built once by ``AppService`` and handed to whoever signs or seals (the audit log, the
recording registry, the importer, attachments, export). The key is loaded (or created, on the
first run) when first asked for, never at start-up.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from kasuhara_recorder.config import DataPaths, Settings, SettingsError
from kasuhara_recorder.errors import NotSetUp

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.manifest import WorkstationInfo
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey


class WorkstationIdentity:
    def __init__(self, paths: DataPaths, settings: Callable[[], Settings]) -> None:
        self._paths = paths
        self._settings = settings
        self._key: WorkstationKey | None = None
        self._lock = threading.Lock()

    @property
    def is_set_up(self) -> bool:
        """An organisation recipient and a workstation key: recording is possible. Checked
        without loading the crypto stack, so the window can show its state at once."""
        return bool(self._settings().org_recipients) and self._paths.workstation_key.exists()

    @property
    def key(self) -> WorkstationKey:
        with self._lock:
            if self._key is None:
                from kasuhara_recorder.evidence.workstation_key import load_or_create

                self._key = load_or_create(self._paths)
            return self._key

    def reload_key(self) -> None:
        """Read the key file again at the next use (set-up may just have created it)."""
        with self._lock:
            self._key = None

    @property
    def info(self) -> WorkstationInfo:
        from kasuhara_recorder.evidence.manifest import WorkstationInfo

        key = self.key
        return WorkstationInfo(
            self._settings().workstation_name, key.fingerprint, key.public_pem.decode("ascii")
        )

    @property
    def recipients(self) -> tuple[str, ...]:
        """The active organisation recipients; NotSetUp before set-up."""
        from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient

        r = self._settings().org_recipients
        if not r:
            raise NotSetUp("no organisation recipient")
        for text in r:  # an edited settings.json: name the file, not only "bad recipient"
            try:
                parse_recipient(text)
            except BadRecipient as e:
                raise SettingsError(
                    str(self._paths.settings), "org_recipients", e.message("en")
                ) from None
        return tuple(r)
