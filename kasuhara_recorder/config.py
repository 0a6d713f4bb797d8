"""The data folder and the settings object: the only place that knows where files live."""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import platformdirs

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.errors import UsageError

APP_NAME = "kasuhara-recorder"
ENV_DATA_DIR = "KASUHARA_DATA_DIR"


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """--data-dir beats KASUHARA_DATA_DIR beats the OS user-data folder."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


@dataclass(frozen=True)
class DataPaths:
    root: Path

    @property
    def settings(self) -> Path:
        return self.root / "settings.json"

    @property
    def database(self) -> Path:
        return self.root / "kasuhara.sqlite3"

    @property
    def vault(self) -> Path:
        """Sealed recordings and attachments (age files); never plaintext."""
        return self.root / "vault"

    @property
    def keys(self) -> Path:
        return self.root / "keys"

    @property
    def workstation_key(self) -> Path:
        return self.keys / "workstation-ed25519.pem"

    @property
    def workstation_public_key(self) -> Path:
        return self.keys / "workstation-ed25519.pub.pem"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def drafts(self) -> Path:
        return self.root / "drafts"

    def ensure(self) -> DataPaths:
        for p in (self.root, self.vault, self.keys, self.logs, self.drafts):
            make_private_dir(p)
        return self


@dataclass(frozen=True)
class InputPreset:
    """A remembered capture set-up: 窓口 (counter) or 電話 (phone)."""

    device: str | None = None  # None = the system default input
    channels: int | None = None  # None = mono for the counter, the device's channels for phone
    samplerate: int = 48000


@dataclass(frozen=True)
class Settings:
    workstation_name: str = ""
    org_recipients: tuple[str, ...] = ()
    language: str = "ja"
    profile: str = ""  # empty = the bundled policy profile
    staff_name: str = ""
    department: str = ""
    counter: InputPreset = field(default_factory=lambda: InputPreset(channels=1))
    phone: InputPreset = field(default_factory=InputPreset)

    def with_changes(self, **changes) -> Settings:
        return replace(self, **changes)

    def to_json(self) -> bytes:
        d = asdict(self)
        d["org_recipients"] = list(self.org_recipients)
        return json.dumps(d, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, source: str = "settings.json") -> Settings:
        try:
            d = json.loads(raw)
            if not isinstance(d, dict):
                raise ValueError("not an object")
            known = {f for f in cls.__dataclass_fields__}
            d = {k: v for k, v in d.items() if k in known}
            for preset in ("counter", "phone"):
                if preset in d:
                    d[preset] = InputPreset(**d[preset])
            d["org_recipients"] = tuple(d.get("org_recipients", ()))
            return cls(**d)
        except (ValueError, TypeError) as e:
            raise UsageError(f"{source}: {e}") from None


def load_settings(paths: DataPaths) -> Settings:
    try:
        raw = paths.settings.read_bytes()
    except FileNotFoundError:
        return Settings()
    return Settings.from_json(raw, str(paths.settings))


def save_settings(paths: DataPaths, settings: Settings) -> None:
    paths.ensure()
    write_atomic(paths.settings, settings.to_json())
