"""The organisation identity: an age X25519 key pair held by the evidence officers.

The identity file is the age identity text (``AGE-SECRET-KEY-1…``) encrypted with a passphrase
(age scrypt recipient), so Debian's ``age -d -i org-identity.age`` opens recordings after asking
for the passphrase. The recipient (``age1…``) is written beside it for the workstations, which
only ever hold recipients (DESIGN invariant 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pyrage

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.errors import KasuharaError, UsageError
from kasuhara_recorder.text import Text

IDENTITY_NAME = "org-identity.age"
RECIPIENT_NAME = "org-recipient.txt"
MAX_KEY_FILE = 64 * 1024


class WrongPassphrase(KasuharaError):
    template = Text(
        "パスフレーズが違います（{detail}）。入力し直してください。"
        "正しいはずの場合は、鍵ファイルが壊れている可能性があります。",
        "wrong passphrase for {detail} (or the identity file is damaged)",
    )
    attempt: int  # the how-manieth failed unlock (set by the export service)


class DamagedIdentity(KasuharaError):
    template = Text(
        "組織の鍵ファイル {detail} が壊れているか、鍵ファイルではありません。",
        "organisation identity file {detail} is damaged or not an identity file",
    )
    attempt: int  # the how-manieth failed unlock (set by the export service)


class BadRecipient(KasuharaError):
    # The reason in each language (pyrage's 「invalid Bech32 encoding」 meant nothing in the
    # Japanese message); where: the file and line, the same in both.
    template = Text(
        "受取人の公開鍵が正しくありません（{reason}）。age1 で始まる文字列が必要です。",
        "bad recipient {reason}: expected an age1… public key",
    )
    fields = ("reason",)


@dataclass(frozen=True)
class OrgIdentityFiles:
    identity: Path
    recipient_file: Path
    recipient: str


def read_passphrase_file(path: Path) -> str:
    """The passphrase in ``path``: its first line, without the line ending."""
    try:
        raw = Path(path).read_bytes()[:MAX_KEY_FILE]
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")  # a BOM (Windows Notepad) is not part of the phrase
    except UnicodeDecodeError:
        raise UsageError(f"{path}: the passphrase file is not UTF-8 text") from None
    lines = text.splitlines()
    passphrase = lines[0] if lines else ""
    if not passphrase:
        raise UsageError(f"{path}: the passphrase file is empty")
    return passphrase


def parse_recipient(text: str, where: str = "") -> str:
    """A checked ``age1…`` X25519 recipient string. ``where`` names its file and line.

    What is not a recipient is never echoed: it may be a passphrase or a secret key given
    by mistake, and the message goes to the screen and the log."""
    s = text.strip()
    at = f"{where}: " if where else ""
    at_ja = where.replace(" line ", " の ") + " 行目: " if where else ""
    if s.upper().startswith("AGE-SECRET-KEY-"):
        raise BadRecipient(
            Text(
                f"{at_ja}これは秘密鍵（identity）で、受取人（公開鍵）ではありません。"
                "秘密鍵は端末に置かないでください",
                f"{at}this is a secret key (identity), not a recipient; keep it off workstations",
            ),
        )
    if not s.startswith("age1"):
        raise BadRecipient(Text(f"{at_ja}age1 で始まっていません", f"{at}not an age1… recipient"))
    try:
        pyrage.x25519.Recipient.from_str(s)
    except (pyrage.RecipientError, ValueError) as e:
        raise BadRecipient(
            Text(f"{at_ja}{s[:20]}…: 文字が欠けているか、誤っています", f"{at}{s[:20]}…: {e}")
        ) from None
    return s


def read_recipients(arg: str) -> list[str]:
    """Recipients from a literal ``age1…`` or a file of them: one a line, ``#`` comments and
    blank lines skipped, CRLF and a UTF-8 BOM (Windows Notepad) accepted."""
    if not arg.strip():
        raise BadRecipient(Text("--org-recipient が空です", "empty --org-recipient"))
    if arg.strip().startswith("age1") or arg.strip().upper().startswith("AGE-SECRET-KEY-"):
        return [parse_recipient(arg)]
    path = Path(arg)
    try:
        raw = path.read_bytes()[:MAX_KEY_FILE]
    except OSError as e:
        raise BadRecipient(Text(f"{arg} を読めません", f"{arg} ({e.strerror or e})")) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BadRecipient(
            Text(f"{arg} は文字のファイルではありません", f"{arg} (not text)")
        ) from None
    out = [
        parse_recipient(ln, f"{arg} line {n}")
        for n, ln in enumerate(text.splitlines(), 1)
        if ln.strip() and not ln.strip().startswith("#")
    ]
    if not out:
        raise BadRecipient(Text(f"{arg} に age1… の行がありません", f"{arg} (no age1… line)"))
    return out


def init_org(
    out_dir: Path, passphrase: str, identity: pyrage.x25519.Identity | None = None
) -> OrgIdentityFiles:
    """Create a new identity in ``out_dir`` (or protect ``identity``, restored from a paper
    backup, with ``passphrase``); refuses to overwrite an existing one."""
    try:
        out_dir = make_private_dir(Path(out_dir))
    except OSError as e:
        raise UsageError(f"--out {out_dir}: {e.strerror or e} (nothing was created)") from None
    ident_path, rec_path = out_dir / IDENTITY_NAME, out_dir / RECIPIENT_NAME
    for p in (ident_path, rec_path):
        if p.exists():
            raise UsageError(f"{p} already exists; refusing to overwrite an organisation key")
    if not passphrase:
        raise UsageError("empty passphrase")
    identity = pyrage.x25519.Identity.generate() if identity is None else identity
    recipient = str(identity.to_public())
    created = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    text = f"# created: {created}\n# public key: {recipient}\n{identity}\n".encode("ascii")
    try:  # exclusive: a second init-org racing this one must not replace the identity
        write_atomic(
            ident_path, pyrage.passphrase.encrypt(text, passphrase), mode=0o600, exclusive=True
        )
        write_atomic(rec_path, f"{recipient}\n".encode("ascii"), mode=0o644, exclusive=True)
    except FileExistsError as e:
        raise UsageError(
            f"{e.filename or out_dir} already exists; refusing to overwrite an organisation key"
        ) from None
    return OrgIdentityFiles(ident_path, rec_path, recipient)


def unlock_identity(path: Path, passphrase: str) -> pyrage.x25519.Identity:
    """Decrypt the identity file with ``passphrase``.

    Raises WrongPassphrase (the scrypt stanza does not open: a wrong passphrase, which age
    cannot tell from a damaged salt or header MAC) or DamagedIdentity (not an age file, a
    damaged payload, or no identity inside).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise UsageError(f"{path}: {e.strerror or e}") from None
    if not raw.startswith(b"age-encryption.org/v1\n-> scrypt "):
        raise DamagedIdentity(str(path))
    try:
        text = pyrage.passphrase.decrypt(raw, passphrase)
    except pyrage.DecryptError as e:
        # rage reports a failed scrypt unwrap as "Decryption failed"; anything else means the
        # header parsed and opened but the file is not intact.
        if "decryption failed" in str(e).lower():
            raise WrongPassphrase(str(path)) from None
        raise DamagedIdentity(str(path)) from None
    keys = [
        ln.strip()
        for ln in text.decode("ascii", "replace").splitlines()
        if ln.strip().startswith("AGE-SECRET-KEY-")
    ]
    if len(keys) != 1:
        raise DamagedIdentity(str(path))
    try:
        return pyrage.x25519.Identity.from_str(keys[0])
    except (pyrage.IdentityError, ValueError):
        raise DamagedIdentity(str(path)) from None
