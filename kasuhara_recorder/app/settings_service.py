"""Changing the settings from the desktop app: one call that checks every value, names the
field that is wrong, writes settings.json and enters what changed in the audit chain.

Reached as ``app.settings_changes``; the settings dialog (ui/settings_dialog.py) calls
``save``. The checks are settings.json's own (``Settings.from_json``, field by field) plus what
a form can get wrong that a file check does not see: a policy profile file that does not load,
pre-event seconds without the input kept open, a sample rate no device takes. The roles are
changed only where none are set up yet or by an evidence officer (``settings.roles``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kasuhara_recorder.app.roles import Roles
from kasuhara_recorder.config import Settings, SettingsError
from kasuhara_recorder.errors import ProfileError, UsageError
from kasuhara_recorder.store.interface import AuditStore
from kasuhara_recorder.text import Text

SAMPLE_RATES = (8000, 16000, 22050, 32000, 44100, 48000, 96000)

# What each field is called where a person sets it (the settings dialog's labels).
FIELD_LABELS: dict[str, Text] = {
    "workstation_name": Text("端末名", "workstation name"),
    "org_recipients": Text("組織の公開鍵", "organisation recipients"),
    "language": Text("言語", "language"),
    "profile": Text("対応方針ファイル", "policy profile"),
    "staff_name": Text("職員名", "staff name"),
    "department": Text("所属", "department"),
    "counter": Text("窓口の入力装置", "counter input"),
    "phone": Text("電話の入力装置", "phone input"),
    "keep_input_open": Text("待機中もマイクを開いておく", "keep the input open"),
    "pre_event_seconds": Text("事前録音", "pre-event seconds"),
    "central_url": Text("中央保管庫", "central store"),
    "central_warn_hours": Text("中央保管庫の警告までの時間", "central warning hours"),
    "roles": Text("役割", "roles"),
    "idle_lock_minutes": Text("自動ロックまでの分数", "idle-lock minutes"),
    "organisation_name": Text("団体名", "organisation name"),
    "retention_routine_days": Text(
        "事案に添付されていない録音の保存日数", "days a routine recording is kept"
    ),
    "retention_closed_days": Text(
        "完了した事案の録音・添付の保存日数", "days a closed incident's evidence is kept"
    ),
    "tsa_url": Text("タイムスタンプ局の URL", "time-stamping authority URL"),
    "tsa_ca": Text("タイムスタンプ局の CA 証明書", "time-stamping authority CA certificates"),
    "tsa_clock_warn_minutes": Text("端末の時計のずれの警告（分）", "PC clock warning (minutes)"),
}
# The organisation's own settings: only an evidence officer (or a PC with no role set-up)
# changes them — a shorter retention deletes evidence sooner.
ORGANISATION_SETTINGS = (
    "organisation_name", "retention_routine_days", "retention_closed_days", "tsa_url", "tsa_ca",
    "tsa_clock_warn_minutes",
)  # fmt: skip
_PART_LABELS: dict[str, Text] = {
    "device": Text("装置", "device"),
    "channels": Text("チャンネル数", "channels"),
    "samplerate": Text("サンプリング周波数", "sample rate"),
    "user": Text("OS ユーザー", "OS user"),
    "role": Text("役割", "role"),
    "departments": Text("担当の所属", "departments"),
}


def field_label(where: str) -> Text:
    """``roles[1].user`` → 役割 2 行目の OS ユーザー; ``counter.samplerate`` → 窓口の入力装置の
    サンプリング周波数; a name not known is shown as it is."""
    m = re.fullmatch(r"([a-z_]+)(?:\[(\d+)\])?(?:\.([a-z_]+))?", where)
    if m is None or m.group(1) not in FIELD_LABELS:
        return Text.same(where)
    label = FIELD_LABELS[m.group(1)]
    if m.group(2) is not None:
        label = Text("{field} {row} 行目", "{field}, row {row}").format(
            field=label, row=int(m.group(2)) + 1
        )
    if m.group(3) is not None:
        part = _PART_LABELS.get(m.group(3), Text.same(m.group(3)))
        label = Text("{field}の{part}", "{field}: {part}").format(field=label, part=part)
    return label


class SettingRefused(UsageError):
    """A value the settings cannot take; ``field`` is its settings.json name (for the form)."""

    template = Text(
        "「{label}」の値が正しくありません: {problem}。設定は保存していません。",
        "{label}: {problem}; the settings were not saved",
    )
    fields = ("field", "label", "problem")


@dataclass(frozen=True)
class SettingsChange:
    changed: dict[str, dict[str, Any]]  # field → {"from": old, "to": new} as in settings.json
    settings: Settings

    @property
    def needs_restart(self) -> bool:
        """The policy profile is read once, when the app starts."""
        return "profile" in self.changed


def changes_between(old: Settings, new: Settings) -> dict[str, dict[str, Any]]:
    """Each field that differs, from and to, as settings.json holds it."""
    a, b = json.loads(old.to_json()), json.loads(new.to_json())
    return {k: {"from": a[k], "to": b[k]} for k in sorted(a) if a[k] != b[k]}


class SettingsChanges:
    def __init__(
        self,
        settings: Callable[[], Settings],
        save_settings: Callable[[Settings], None],
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        roles: Roles,
        subject: Callable[[], str],
    ) -> None:
        self._settings = settings
        self._save = save_settings
        self._audit = audit
        self._actor = actor
        self._roles = roles
        self._subject = subject

    def may_edit_organisation(self) -> bool:
        """Retention, the TSA, the organisation's name: an evidence officer's (or no role
        set-up)."""
        return self._roles.current().may("settings.organisation")

    def may_edit_roles(self) -> bool:
        """No role set up yet (whoever installs the PC lists them), or an evidence officer."""
        return self._roles.current().may("settings.roles")

    def check(self, new: Settings) -> Settings:
        """``new`` as settings.json would hold it, or SettingRefused naming the field."""
        for name in ("counter", "phone"):
            preset = getattr(new, name)
            if preset.samplerate not in SAMPLE_RATES:
                raise SettingRefused(
                    f"{name}.samplerate", label=field_label(f"{name}.samplerate"),
                    problem=Text(
                        f"{preset.samplerate} Hz は使えません（"
                        f"{'、'.join(str(r) for r in SAMPLE_RATES)} のいずれか）",
                        f"{preset.samplerate} Hz is not offered "
                        f"(one of {', '.join(str(r) for r in SAMPLE_RATES)})",
                    ),
                )  # fmt: skip
        if new.pre_event_seconds and not new.keep_input_open:
            raise SettingRefused(
                "pre_event_seconds", label=field_label("pre_event_seconds"),
                problem=Text("待機中もマイクを開いておく設定が必要です",
                             "needs the input kept open while idle"),
            )  # fmt: skip
        for k, g in enumerate(new.roles):
            if not g.user.strip():
                raise SettingRefused(
                    f"roles[{k}].user", label=field_label(f"roles[{k}].user"),
                    problem=Text("空欄です", "it is empty"),
                )  # fmt: skip
        try:
            checked = Settings.from_json(new.to_json(), "settings")
        except SettingsError as e:
            where = str(e.values["where"])
            raise SettingRefused(
                where, label=field_label(where), problem=Text.same(str(e.values["problem"]))
            ) from None
        self._check_tsa(checked)
        if checked.profile:
            from kasuhara_recorder.policy import load_profile

            try:
                load_profile(checked.profile)
            except ProfileError as e:
                raise SettingRefused("profile", label=field_label("profile"),
                                     problem=e.text) from None  # fmt: skip
        return checked

    @staticmethod
    def _check_tsa(s: Settings) -> None:
        """A TSA needs its CA certificates, read now (as `setup --tsa-ca` does)."""
        if not s.tsa_url:
            return
        if not s.tsa_ca:
            raise SettingRefused("tsa_ca", label=field_label("tsa_ca"), problem=Text(
                "タイムスタンプ局の CA 証明書（PEM）のファイルが必要です",
                "the TSA's CA certificates (PEM) are needed",
            ))  # fmt: skip
        from kasuhara_recorder.errors import KasuharaError
        from kasuhara_recorder.evidence.timestamp import load_anchors

        try:
            load_anchors(Path(s.tsa_ca).read_bytes(), s.tsa_ca)
        except OSError as e:
            raise SettingRefused(
                "tsa_ca",
                label=field_label("tsa_ca"),
                problem=Text.same(f"{s.tsa_ca}: {e.strerror or e}"),
            ) from None
        except KasuharaError as e:
            raise SettingRefused("tsa_ca", label=field_label("tsa_ca"), problem=e.text) from None

    def save(self, new: Settings) -> SettingsChange:
        """Check ``new``, write it and enter ``settings.change`` with what changed (nothing
        written when nothing changed)."""
        old = self._settings()
        checked = self.check(new)
        changed = changes_between(old, checked)
        if "roles" in changed:
            self._roles.require("settings.roles")
        if any(name in changed for name in ORGANISATION_SETTINGS):
            self._roles.require("settings.organisation")
        if not changed:
            return SettingsChange({}, old)
        self._save(checked)
        self._audit().append(
            self._actor(), "settings.change", self._subject(), {"changed": changed}
        )
        return SettingsChange(changed, checked)
