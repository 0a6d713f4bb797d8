"""The machine-wide settings IT decides for every PC (machine.json), read and written here.

The installer (packaging/windows/kasuhara-recorder.iss) writes them through
``kasuhara-recorder machine-settings set``; every user's app reads them: ``setup`` and the
first-run wizard take the organisation recipients, the central store, the department and the
TSA from them, and a user's set-up never drops IT's recipients silently (app/workstation.py).
The file lives in ``platform_seam.machine_config_dir()``; ``KASUHARA_MACHINE_CONFIG`` (a file
path) overrides it for tests and smoke tests.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kasuhara_recorder.atomic_file import write_atomic
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.platform_seam import machine_config_dir
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.machine_settings")

ENV_MACHINE_CONFIG = "KASUHARA_MACHINE_CONFIG"
FILE_NAME = "machine.json"
MAX_FILE_BYTES = 64 * 1024
# The shape of an X25519 age recipient (bech32, lower case); the full check (pyrage) is made
# when it is written (machine-settings set) and when it is used (setup).
_RECIPIENT = re.compile(r"^age1[02-9ac-hj-np-z]{58}$")
FIELDS = ("org_recipients", "central", "department", "tsa_url", "tsa_ca")


def machine_settings_path() -> Path:
    env = os.environ.get(ENV_MACHINE_CONFIG)
    if env:
        return Path(env).expanduser()
    return machine_config_dir() / FILE_NAME


class MachineSettingsError(UsageError):
    """machine.json is unreadable or a field is wrong: IT's file to fix, the app goes on."""

    template = Text(
        "端末共通の設定ファイル {path} の {where} が正しくありません（{problem}）。"
        "情報システム担当者に連絡し、kasuhara-recorder machine-settings set で設定し直して"
        "もらってください。",
        "machine-wide settings file {path}, {where}: {problem}; ask IT to write it again with "
        "kasuhara-recorder machine-settings set",
    )
    fields = ("path", "where", "problem")


@dataclass(frozen=True)
class MachineSettings:
    org_recipients: tuple[str, ...] = ()
    central: str = ""  # postgresql://LOGIN@HOST/DB, never a password
    department: str = ""
    tsa_url: str = ""
    tsa_ca: str = ""  # a path to the TSA's CA certificates (PEM)

    @property
    def is_empty(self) -> bool:
        return self == MachineSettings()

    def to_json(self) -> bytes:
        d = {
            "org_recipients": list(self.org_recipients),
            "central": self.central,
            "department": self.department,
            "tsa_url": self.tsa_url,
            "tsa_ca": self.tsa_ca,
        }
        return json.dumps(d, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, source: str) -> MachineSettings:
        """Every field checked, the first wrong one named (a file IT edited by hand, or one
        a failed deployment cut short)."""
        try:
            d = json.loads(raw.decode("utf-8-sig"))  # a BOM from a Windows editor is fine
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise MachineSettingsError(source, "JSON", str(e)) from None
        if not isinstance(d, dict):
            raise MachineSettingsError(source, "JSON", "not an object {…}")
        unknown = sorted(set(d) - set(FIELDS))
        if unknown:
            raise MachineSettingsError(source, unknown[0], "unknown setting")
        r = d.get("org_recipients", [])
        if not isinstance(r, list) or not all(isinstance(x, str) for x in r):
            raise MachineSettingsError(source, "org_recipients", "expected a list of age1… texts")
        for k, x in enumerate(r):
            if not _RECIPIENT.match(x.strip()):
                # never echoed: a secret key pasted by mistake must not reach the log
                raise MachineSettingsError(
                    source, f"org_recipients[{k}]", "not an age1… recipient (public key)"
                )
        for name in FIELDS[1:]:
            if not isinstance(d.get(name, ""), str):
                raise MachineSettingsError(source, name, "expected text")
        central, tsa_url = d.get("central", ""), d.get("tsa_url", "")
        if central and not central.startswith(("postgresql://", "postgres://")):
            raise MachineSettingsError(source, "central", "expected a postgresql:// URL")
        if tsa_url and not tsa_url.startswith(("http://", "https://")):
            raise MachineSettingsError(source, "tsa_url", "expected an http(s):// URL")
        if d.get("tsa_ca") and not tsa_url:
            raise MachineSettingsError(source, "tsa_ca", "given without tsa_url")
        return cls(
            org_recipients=tuple(dict.fromkeys(x.strip() for x in r)),
            central=central,
            department=d.get("department", "").strip(),
            tsa_url=tsa_url,
            tsa_ca=d.get("tsa_ca", ""),
        )


def load_machine_settings(path: Path | None = None) -> MachineSettings:
    """IT's settings, or empty ones when there is no file (a PC set up by hand)."""
    path = machine_settings_path() if path is None else path
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return MachineSettings()
    except OSError as e:
        log.error("machine settings %s unreadable: %s", path, e)
        raise MachineSettingsError(str(path), "file", e.strerror or str(e)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise MachineSettingsError(str(path), "file", f"larger than {MAX_FILE_BYTES} bytes")
    try:
        return MachineSettings.from_json(raw, str(path))
    except MachineSettingsError as e:
        log.error("machine settings refused: %s", e.message("en"))
        raise


def save_machine_settings(settings: MachineSettings, path: Path | None = None) -> Path:
    """Written atomically, readable by every user of the PC (0644): each user's app reads it;
    only the administrator (the installer) writes the folder."""
    path = machine_settings_path() if path is None else path
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, settings.to_json(), mode=0o644)
    return path
