"""Set-up and keys: the workstation's name, its signing key, the organisation recipients.

Reached as ``app.workstation``. Every change is an audit entry. Recording finalisation lives in
``recording_registry.py``, import with the recording side (``recording_import.py``), the audit
check with the facade (``AppService.verify_audit``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from kasuhara_recorder.app.workstation_identity import WorkstationIdentity
from kasuhara_recorder.config import DataPaths, Settings
from kasuhara_recorder.errors import KasuharaError, UsageError
from kasuhara_recorder.evidence.org_identity import BadRecipient, parse_recipient
from kasuhara_recorder.machine_settings import MachineSettings, machine_settings_path
from kasuhara_recorder.platform_seam import host_name
from kasuhara_recorder.store.interface import AuditStore
from kasuhara_recorder.text import Text

if TYPE_CHECKING:
    from kasuhara_recorder.evidence.manifest import WorkstationInfo
    from kasuhara_recorder.evidence.workstation_key import WorkstationKey

log = logging.getLogger("kasuhara.workstation")


@dataclass(frozen=True)
class SetupResult:
    data_dir: Path
    workstation_name: str
    fingerprint: str
    recipients: tuple[str, ...]
    created_key: bool


@dataclass(frozen=True)
class RecipientChange:
    added: tuple[str, ...]
    retired: tuple[str, ...]
    recipients: tuple[str, ...]  # active after the change
    previous: tuple[str, ...]


class RecipientsWouldBeDropped(UsageError):
    """``setup`` given a list without some active recipient: refused, nothing changed."""

    template = Text(
        "この端末の封印先（組織の公開鍵）から次の受取人が外れてしまうため、設定を変更していません:\n"
        "{dropped}\n受取人を追加するだけなら kasuhara-recorder keys add-recipient を、"
        "外すなら keys retire-recipient を使ってください。一覧全体を置き換えるときだけ "
        "--replace-recipients を付けて setup を実行します。",
        "nothing was changed: this would drop these active recipients of this workstation:\n"
        "{dropped}\nto add one, use kasuhara-recorder keys add-recipient; to retire one, keys "
        "retire-recipient; to replace the whole list, run setup with --replace-recipients",
    )
    fields = ("detail", "dropped")

    def __init__(self, dropped: Sequence[str]) -> None:
        super().__init__(", ".join(dropped), dropped="\n".join(f"  {r}" for r in dropped))


class MachineRecipientsWouldBeDropped(UsageError):
    """``setup`` given a list without a recipient IT set for every user of the PC
    (machine.json): refused, nothing changed, unless ``replace_recipients``."""

    template = Text(
        "情報システム担当が端末共通の設定（{path}）で指定した組織の公開鍵が封印先から外れてしまう"
        "ため、設定を変更していません:\n{dropped}\n--org-recipient を付けずに setup を実行すると"
        "その公開鍵を使います。外す必要があるときだけ --replace-recipients を付けてください。",
        "nothing was changed: this would drop recipients IT set for this PC in {path}:\n"
        "{dropped}\nrun setup without --org-recipient to use them; only to drop them on "
        "purpose, add --replace-recipients",
    )
    fields = ("detail", "path", "dropped")

    def __init__(self, dropped: Sequence[str], path: str) -> None:
        super().__init__(
            ", ".join(dropped), path=path, dropped="\n".join(f"  {r}" for r in dropped)
        )


class RecipientChangeRefused(UsageError):
    template = Text(
        "封印先を変更していません: {detail}",
        "recipients not changed: {detail}",
    )


class WorkstationService:
    def __init__(
        self,
        paths: DataPaths,
        settings: Callable[[], Settings],
        save_settings: Callable[[Settings], None],
        identity: WorkstationIdentity,
        audit: Callable[[], AuditStore],
        actor: Callable[[], str],
        machine: Callable[[], MachineSettings] = MachineSettings,
    ) -> None:
        self._paths = paths
        self._machine = machine
        self._settings = settings
        self._save_settings = save_settings
        self.identity = identity
        self._audit = audit
        self._actor = actor

    # --- set-up --------------------------------------------------------------------------
    def setup(
        self,
        org_recipients: Sequence[str],
        workstation_name: str | None,
        *,
        replace_recipients: bool = False,
    ) -> SetupResult:
        """Set up (or set up again) this workstation. An active recipient is never dropped
        silently: a list without one is refused (RecipientsWouldBeDropped) unless
        ``replace_recipients``; recipients only added are fine. So is a list without a
        recipient IT set in machine.json (MachineRecipientsWouldBeDropped). Recordings keep
        the recipients they were sealed to, whatever changes later."""
        recipients = tuple(dict.fromkeys(parse_recipient(r) for r in org_recipients))
        if not recipients:
            raise UsageError("at least one organisation recipient (age1…) is needed")
        machine = self._machine()  # a broken machine.json: its error, nothing changed
        it_dropped = [r for r in machine.org_recipients if r not in recipients]
        if it_dropped and not replace_recipients:
            raise MachineRecipientsWouldBeDropped(it_dropped, str(machine_settings_path()))
        old = self._settings()
        dropped = [r for r in old.org_recipients if r not in recipients and _is_recipient(r)]
        if dropped and not replace_recipients:
            raise RecipientsWouldBeDropped(dropped)
        paths = self._paths.ensure()
        created = not paths.workstation_key.exists()
        name = workstation_name or old.workstation_name or host_name()
        self._save_settings(old.with_changes(workstation_name=name, org_recipients=recipients))
        self.identity.reload_key()  # the audit log follows the key it was built with
        self._audit().append(
            self._actor(),
            "workstation.setup",
            f"workstation:{self.key.fingerprint}",
            {
                "name": name,
                "recipients": list(recipients),
                "previous_recipients": list(old.org_recipients),
                "created_key": created,
                **({"replaced_recipients": dropped} if dropped else {}),
            },
        )
        return SetupResult(paths.root, name, self.key.fingerprint, recipients, created)

    # --- recipients ------------------------------------------------------------------------
    def add_recipients(self, new: Sequence[str]) -> RecipientChange:
        """Add recipients (a second officer, the sealed backup) to the active list; each one
        added is an audit entry. Recordings started from now on are sealed to them too."""
        before = self.recipients  # NotSetUp before set-up
        parsed = tuple(dict.fromkeys(parse_recipient(r) for r in new))
        added = tuple(r for r in parsed if r not in before)
        if not added:
            raise RecipientChangeRefused(
                Text(
                    "指定した受取人はすべて、すでに封印先に入っています",
                    "every recipient given is active already",
                ),
            )
        after = self._add(before, added)
        return RecipientChange(added, (), after, before)

    def _add(self, before: tuple[str, ...], added: tuple[str, ...], **why: str) -> tuple[str, ...]:
        """Seal to ``added`` too from now on, each one an audit entry; the list after."""
        after = before + added
        self._save_settings(self._settings().with_changes(org_recipients=after))
        for r in added:
            self._audit().append(
                self._actor(),
                "workstation.recipient_added",
                f"workstation:{self.key.fingerprint}",
                {"recipient": r, "recipients_before": list(before), "recipients": list(after),
                 **why},
            )  # fmt: skip
        return after

    def adopt_machine_recipients(self) -> tuple[str, ...]:
        """IT's recipients (machine.json) this PC does not seal to yet, added now — each an
        audit entry, as ``keys add-recipient`` makes: IT rotates the organisation key or adds
        an officer by installing again with a new /ORGRECIPIENT, and every PC's next recording
        is sealed to it without anyone running ``setup`` there. Never removes one (retiring is
        an officer's decision, ``keys retire-recipient``). Called before each recording and
        import; a PC not set up, or a machine.json that cannot be read, changes nothing."""
        if not self.identity.is_set_up:
            return ()
        try:
            machine = self._machine()
        except KasuharaError as e:  # said where machine.json is read for set-up; not here
            log.warning("machine.json not used for the recipients: %s", e.message("en"))
            return ()
        before = tuple(self._settings().org_recipients)
        added = tuple(r for r in machine.org_recipients if r not in before)
        if not added:
            return ()
        self._add(before, added, by="machine.json")
        log.info("sealing to IT's recipients from machine.json too: %s", ", ".join(added))
        return added

    def retire_recipient(self, recipient: str) -> RecipientChange:
        """Stop sealing new recordings to ``recipient`` (an officer who left, a rotated key).
        Recordings made before stay sealed to it as well as to the others; it is an audit
        entry. The last active recipient cannot be retired."""
        before = self.recipients
        r = parse_recipient(recipient)
        if r not in before:
            raise RecipientChangeRefused(
                Text(
                    f"{r} は封印先に入っていません（現在の封印先: {', '.join(before)}）",
                    f"{r} is not an active recipient (active: {', '.join(before)})",
                ),
            )
        if r in self._machine().org_recipients:
            raise RecipientChangeRefused(
                Text(
                    f"{r} は情報システム担当が端末共通の設定（{machine_settings_path()}）で指定した"
                    "公開鍵です。外すときは、情報システム担当が machine-settings set で設定を"
                    "変えてから行ってください",
                    f"{r} is set by IT for every user of this PC ({machine_settings_path()}); "
                    "IT changes it first with machine-settings set",
                ),
            )
        after = tuple(x for x in before if x != r)
        if not after:
            raise RecipientChangeRefused(
                Text(
                    "最後の受取人は外せません。先に新しい受取人を keys add-recipient で追加して"
                    "ください（録音を封印できる相手がいなくなります）",
                    "the last recipient cannot be retired: add the new one first with keys "
                    "add-recipient (recordings would have no one to be sealed to)",
                ),
            )
        self._save_settings(self._settings().with_changes(org_recipients=after))
        self._audit().append(
            self._actor(),
            "workstation.recipient_retired",
            f"workstation:{self.key.fingerprint}",
            {"recipient": r, "recipients_before": list(before), "recipients": list(after)},
        )
        return RecipientChange((), (r,), after, before)

    @property
    def is_set_up(self) -> bool:
        return self.identity.is_set_up

    # --- the keys --------------------------------------------------------------------------
    @property
    def recipients(self) -> tuple[str, ...]:
        return self.identity.recipients

    @property
    def key(self) -> WorkstationKey:
        return self.identity.key

    @property
    def info(self) -> WorkstationInfo:
        return self.identity.info


def _is_recipient(text: str) -> bool:
    """A damaged settings entry (not an age1… key at all) is no recipient to keep."""
    try:
        parse_recipient(text)
    except BadRecipient:
        return False
    return True
