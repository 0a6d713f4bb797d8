"""The data folder and the settings object: the only place that knows where files live."""

from __future__ import annotations

import errno
import json
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import platformdirs

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.errors import EvidenceError, KasuharaError, UsageError
from kasuhara_recorder.text import Text

APP_NAME = "kasuhara-recorder"
MAX_PRE_EVENT_S = 60
ENV_DATA_DIR = "KASUHARA_DATA_DIR"


def resolve_data_dir(cli_value: str | os.PathLike | None = None) -> Path:
    """--data-dir beats KASUHARA_DATA_DIR beats the OS user-data folder."""
    if cli_value:
        return Path(cli_value).expanduser().resolve()
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser().resolve()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


class DataFolderError(UsageError):
    """The data folder (or a file in it) cannot be read or written: a place or permission
    problem the administrator fixes, not damaged evidence."""

    template = Text(
        "データフォルダのファイル {path} を使えません（{detail}）。データフォルダ"
        "（--data-dir または KASUHARA_DATA_DIR）の場所と書き込み権限を確認してください。",
        "cannot use {path} in the data folder ({detail}); check the data folder "
        "(--data-dir or KASUHARA_DATA_DIR) and its write permission",
    )
    fields = ("path", "detail")

    @classmethod
    def from_os_error(cls, e: OSError, fallback: object) -> KasuharaError:
        """A place or permission problem is bad input (exit 2); an I/O error or a full disk
        is an evidence problem (exit 1)."""
        err = cls(e.filename or fallback, e.strerror or str(e))
        if e.errno not in _SETUP_ERRNOS:
            err.exit_code = 1
        return err


_SETUP_ERRNOS = {
    errno.EACCES, errno.EPERM, errno.EROFS, errno.EEXIST, errno.ENOTDIR, errno.ENOENT,
    errno.EISDIR, errno.ENAMETOOLONG, errno.ELOOP,
}  # fmt: skip


class DatabaseMissing(EvidenceError):
    template = Text(
        "データベース {detail} がない（または空の）状態ですが、保管庫には封印済みの録音があります。"
        "新しい空のデータベースは作りません。データフォルダをそのまま保全し、"
        "情報システム担当者にバックアップからのデータベースの復元を依頼してください。",
        "the database {detail} is missing or empty but the vault holds sealed recordings; "
        "no new empty database is made over them: restore the database from a backup",
    )


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

    @property
    def partial_exports(self) -> Path:
        """Records of bundle files being written on a destination (bundle/partial_ledger.py):
        what a killed export left there is removed at the next start. No audio in here."""
        return self.root / "partial-exports"

    def ensure(self) -> DataPaths:
        for p in (self.root, self.vault, self.keys, self.logs, self.drafts):
            try:
                make_private_dir(p)
            except OSError as e:  # a file in the way, a read-only disk, no permission
                raise DataFolderError.from_os_error(e, p) from None
        self.check_database_kept()
        return self

    def check_database_kept(self) -> None:
        """Refuse to let SQLite make a fresh, empty database (and a fresh audit chain that
        verifies as intact) where one was lost while sealed recordings remain."""
        db = self.database
        try:
            if db.stat().st_size > 0:
                return
        except FileNotFoundError:
            pass
        except OSError as e:
            raise DataFolderError.from_os_error(e, db) from None
        try:
            with os.scandir(self.vault) as it:
                evidence = any(e.name.endswith((".age", ".manifest.json")) for e in it)
        except OSError:
            return
        if evidence:
            raise DatabaseMissing(str(db))


@dataclass(frozen=True)
class InputPreset:
    """A remembered capture set-up: 窓口 (counter) or 電話 (phone)."""

    device: str | None = None  # None = the system default input
    channels: int | None = None  # None = mono for the counter, the device's channels for phone
    samplerate: int = 48000


@dataclass(frozen=True)
class PhoneNotice:
    """The phone announcement (録音告知): a WAV the organisation supplies, played to the caller
    through the phone adapter's output when a 電話 recording starts."""

    enabled: bool = False
    wav: str = ""  # its path; empty: none (a phone recording then says no notice was played)
    text: str = ""  # the words it says; empty: the policy profile's phone notice
    output_device: str | None = None  # the phone adapter's output; None = the system default


ROLE_CODES = ("counter", "supervisor", "officer")
MAX_IDLE_LOCK_MINUTES = 240
MAX_RETENTION_DAYS = 100 * 366


@dataclass(frozen=True)
class RoleGrant:
    """Who may do more than record, as IT distributes it: an OS user name and its role
    (``supervisor`` or ``officer``; ``counter`` is everyone else), with the departments a
    supervisor reviews (empty: the PC's own department)."""

    user: str
    role: str
    departments: tuple[str, ...] = ()


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
    phone_notice: PhoneNotice = field(default_factory=PhoneNotice)
    # The organisation's name on the notice poster; empty: the policy profile's issuer.
    organisation_name: str = ""
    # The desktop app keeps the chosen input open while idle (audio in memory only, never on
    # disk), so a recording starts at the key press; the OS then shows the microphone as in
    # use the whole time. Off: the device opens at 録音開始 and its first second may be lost.
    keep_input_open: bool = True
    # 0-60: the seconds before 録音開始 that begin the recording (needs keep_input_open).
    pre_event_seconds: int = 0
    # The central store (`setup --central URL`): a libpq URL without a password (the password
    # is in the passfile or service file). Empty: this PC works alone.
    central_url: str = ""
    # The main window warns when the central store has not been reached for this long: until
    # then the PC's evidence is on its disk only.
    central_warn_hours: int = 24
    # Supervisors and evidence officers by OS user (app/roles.py). None listed: the PC has no
    # role set-up, every user may do everything and the organisation passphrase guards what
    # needs the private key (an evaluation or a single-PC office).
    roles: tuple[RoleGrant, ...] = ()
    # An unlocked organisation identity locks itself after this many idle minutes.
    idle_lock_minutes: int = 10
    # The evidence officer's organisation identity file, as last opened (its path only: the
    # file is passphrase-protected and stays where the officer keeps it). Empty: not yet.
    identity_file: str = ""
    # Retention (app/retention.py): a recording no incident holds is deleted this many days
    # after it ended; an incident's recordings and attachments this many days after it was
    # closed (5 years). Nothing under legal hold is ever deleted.
    retention_routine_days: int = 30
    retention_closed_days: int = 1826
    # Trusted time (app/timestamp_service.py): the RFC 3161 TSA's URL (empty: none) and the PEM
    # file of the CA certificates its certificate must chain to; a token whose genTime is
    # further than this many minutes from the PC's clock is entered as a warning.
    tsa_url: str = ""
    tsa_ca: str = ""
    tsa_clock_warn_minutes: int = 10

    def with_changes(self, **changes) -> Settings:
        return replace(self, **changes)

    def to_json(self) -> bytes:
        d = asdict(self)
        d["org_recipients"] = list(self.org_recipients)
        d["roles"] = [
            {"user": g.user, "role": g.role, "departments": list(g.departments)} for g in self.roles
        ]
        return json.dumps(d, ensure_ascii=False, indent=2, sort_keys=True).encode("utf-8")

    @classmethod
    def from_json(cls, raw: bytes, source: str = "settings.json") -> Settings:
        """Settings from settings.json, every field checked for its type: a wrong value is
        reported here, naming the field, before anything is recorded with it (a recording
        made with a null workstation name could not be signed when it stopped)."""
        try:
            d = json.loads(raw.decode("utf-8-sig"))  # a BOM from a Windows editor is fine
        except (UnicodeDecodeError, ValueError, RecursionError) as e:
            raise SettingsError(source, "JSON", str(e)) from None
        if not isinstance(d, dict):
            raise SettingsError(source, "JSON", "not an object {…}")
        known = set(cls.__dataclass_fields__)
        d = {k: v for k, v in d.items() if k in known}
        for name in (
            "workstation_name", "language", "profile", "staff_name", "department", "central_url",
            "identity_file", "tsa_url", "tsa_ca", "organisation_name",
        ):  # fmt: skip
            if name in d and not isinstance(d[name], str):
                raise SettingsError(source, name, f"expected text, got {_json_type(d[name])}")
        if "language" in d and d["language"] not in ("ja", "en"):
            raise SettingsError(source, "language", f'expected "ja" or "en", got {d["language"]!r}')
        if "org_recipients" in d:
            r = d["org_recipients"]
            if not isinstance(r, list) or not all(isinstance(x, str) for x in r):
                raise SettingsError(source, "org_recipients", "expected a list of age1… texts")
            d["org_recipients"] = tuple(r)
        for name, convert in _STRUCTURED.items():  # presets, the phone notice, the roles
            if name in d:
                d[name] = convert(d[name], source, name)
        if "keep_input_open" in d and not isinstance(d["keep_input_open"], bool):
            raise SettingsError(source, "keep_input_open", "expected true or false")
        for name, low, high in (
            ("pre_event_seconds", 0, MAX_PRE_EVENT_S),
            ("central_warn_hours", 1, 24 * 365),
            ("idle_lock_minutes", 1, MAX_IDLE_LOCK_MINUTES),
            ("retention_routine_days", 1, MAX_RETENTION_DAYS),
            ("retention_closed_days", 1, MAX_RETENTION_DAYS),
            ("tsa_clock_warn_minutes", 1, 24 * 60),
        ):
            if name in d:
                _check_int(d[name], low, high, source, name)
        if d.get("tsa_url") and not d["tsa_url"].startswith(("http://", "https://")):
            raise SettingsError(
                source, "tsa_url", f"expected an http(s):// URL, got {d['tsa_url']!r}"
            )
        return cls(**d)


class SettingsError(UsageError):
    template = Text(
        "設定ファイル {path} の {where} が正しくありません（{problem}）。ファイルを直すか、"
        "別の名前に移してから `kasuhara-recorder setup` をやり直してください。",
        "settings file {path}, {where}: {problem}; fix the file, or move it aside and run "
        "`kasuhara-recorder setup` again",
    )
    fields = ("path", "where", "problem")


def _json_type(v: object) -> str:
    return "null" if v is None else type(v).__name__


def _preset(v: object, source: str, name: str) -> InputPreset:
    if not isinstance(v, dict):
        raise SettingsError(source, name, f"expected an object {{…}}, got {_json_type(v)}")
    unknown = sorted(set(v) - set(InputPreset.__dataclass_fields__))
    if unknown:
        raise SettingsError(source, f"{name}.{unknown[0]}", "unknown setting")
    device, channels = v.get("device"), v.get("channels")
    samplerate = v.get("samplerate", 48000)
    if device is not None and not isinstance(device, str):
        raise SettingsError(source, f"{name}.device", f"expected text or null, got {device!r}")
    if channels is not None and (
        not isinstance(channels, int) or isinstance(channels, bool) or channels < 1
    ):
        raise SettingsError(source, f"{name}.channels", f"expected 1, 2… or null, got {channels!r}")
    if not isinstance(samplerate, int) or isinstance(samplerate, bool) or samplerate < 1:
        raise SettingsError(
            source, f"{name}.samplerate", f"expected e.g. 48000, got {samplerate!r}"
        )
    return InputPreset(device=device, channels=channels, samplerate=samplerate)


def _phone_notice(v: object, source: str) -> PhoneNotice:
    name = "phone_notice"
    if not isinstance(v, dict):
        raise SettingsError(source, name, f"expected an object {{…}}, got {_json_type(v)}")
    unknown = sorted(set(v) - set(PhoneNotice.__dataclass_fields__))
    if unknown:
        raise SettingsError(source, f"{name}.{unknown[0]}", "unknown setting")
    enabled = v.get("enabled", False)
    if not isinstance(enabled, bool):
        raise SettingsError(source, f"{name}.enabled", "expected true or false")
    for key in ("wav", "text"):
        if not isinstance(v.get(key, ""), str):
            raise SettingsError(source, f"{name}.{key}", f"expected text, got {v[key]!r}")
    device = v.get("output_device")
    if device is not None and not isinstance(device, str):
        raise SettingsError(
            source, f"{name}.output_device", f"expected text or null, got {device!r}"
        )
    return PhoneNotice(enabled, v.get("wav", ""), v.get("text", ""), device)


def _check_int(v: object, low: int, high: int, source: str, name: str) -> None:
    if not isinstance(v, int) or isinstance(v, bool) or not low <= v <= high:
        raise SettingsError(source, name, f"expected {low} to {high}, got {v!r}")


def _roles(v: object, source: str) -> tuple[RoleGrant, ...]:
    if not isinstance(v, list):
        raise SettingsError(source, "roles", f"expected a list, got {_json_type(v)}")
    out: list[RoleGrant] = []
    for k, g in enumerate(v):
        where = f"roles[{k}]"
        if not isinstance(g, dict):
            raise SettingsError(source, where, f"expected an object {{…}}, got {_json_type(g)}")
        unknown = sorted(set(g) - set(RoleGrant.__dataclass_fields__))
        if unknown:
            raise SettingsError(source, f"{where}.{unknown[0]}", "unknown setting")
        user, role, deps = g.get("user"), g.get("role"), g.get("departments", [])
        if not isinstance(user, str) or not user.strip():
            raise SettingsError(source, f"{where}.user", "expected an OS user name")
        if role not in ROLE_CODES:
            raise SettingsError(
                source, f"{where}.role", f"expected one of {', '.join(ROLE_CODES)}, got {role!r}"
            )
        if not isinstance(deps, list) or not all(isinstance(x, str) for x in deps):
            raise SettingsError(source, f"{where}.departments", "expected a list of names")
        if any(o.user == user.strip() for o in out):
            raise SettingsError(source, f"{where}.user", f"{user!r} is listed twice")
        out.append(RoleGrant(user=user.strip(), role=role, departments=tuple(deps)))
    return tuple(out)


def load_settings(paths: DataPaths) -> Settings:
    try:
        raw = paths.settings.read_bytes()
    except FileNotFoundError:
        return Settings()
    return Settings.from_json(raw, str(paths.settings))


def save_settings(paths: DataPaths, settings: Settings) -> None:
    paths.ensure()
    write_atomic(paths.settings, settings.to_json())


# The settings that are objects or lists, each checked by its own function.
_STRUCTURED: dict[str, Callable[[object, str, str], object]] = {
    "counter": _preset,
    "phone": _preset,
    "phone_notice": lambda v, source, _name: _phone_notice(v, source),
    "roles": lambda v, source, _name: _roles(v, source),
}
