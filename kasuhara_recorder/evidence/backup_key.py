"""The sealed backup of the organisation identity: a second recipient whose key lives on paper.

``keys backup`` makes a new age X25519 identity for the safe. Its recipient (``age1…``) goes to
the workstations beside the officers' (``keys add-recipient``), so every recording made from
then on is sealed to it too; its secret key is written once, to a page to print (the key as
text and as a QR code, instructions in Japanese and English), and nowhere else. Printed, the
page goes into a sealed envelope in the safe and the file is deleted. If the passphrase of the
officers' identity is lost, or both officers leave, the paper key still opens every recording
sealed while its recipient was active (never those made before it was added).

The page (``resources/backup/paper-key.html``) has no script and no external resource; the QR
code is a PNG in the page (segno).
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass
from pathlib import Path
from string import Template

import pyrage

from kasuhara_recorder.atomic_file import make_private_dir, write_atomic
from kasuhara_recorder.errors import UsageError
from kasuhara_recorder.resources import resource

BACKUP_RECIPIENT_NAME = "backup-recipient.txt"
PAPER_KEY_NAME = "backup-paper-key.html"


@dataclass(frozen=True)
class BackupFiles:
    recipient_file: Path
    paper_key: Path  # holds the secret key: print it, then delete it
    recipient: str
    created: str


def qr_png_data_uri(text: str) -> str:
    import segno

    # Medium error correction: a worn or creased page still reads; alphanumeric mode (the
    # upper-case Bech32 key) keeps it small (version 4, 33×33 modules).
    return segno.make(text, error="m").png_data_uri(scale=8, border=4)


def paper_key_html(secret: str, recipient: str, created: str, label: str) -> str:
    e = html.escape
    label_line = f"<tr><th>名前 / label</th><td>{e(label)}</td></tr>" if label else ""
    page = Template(resource("backup", "paper-key.html").read_text(encoding="utf-8"))
    return page.substitute(
        created=e(created),
        label_line=label_line,
        recipient=e(recipient),
        secret=e(secret),
        qr=qr_png_data_uri(secret),
    )


def make_backup(out_dir: Path, label: str = "") -> BackupFiles:
    """A new backup identity in ``out_dir``: ``backup-recipient.txt`` (public, for the
    workstations) and ``backup-paper-key.html`` (the secret, mode 0600, to print and delete).
    Refuses to overwrite either."""
    try:
        out_dir = make_private_dir(Path(out_dir))
    except OSError as e:
        raise UsageError(f"--out {out_dir}: {e.strerror or e} (nothing was created)") from None
    rec_path, paper = out_dir / BACKUP_RECIPIENT_NAME, out_dir / PAPER_KEY_NAME
    for p in (rec_path, paper):
        if p.exists():
            raise UsageError(f"{p} already exists; refusing to overwrite a backup key")
    identity = pyrage.x25519.Identity.generate()
    recipient = str(identity.to_public())
    created = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    page = paper_key_html(str(identity), recipient, created, label)
    try:
        write_atomic(paper, page.encode("utf-8"), mode=0o600, exclusive=True)
        write_atomic(rec_path, f"{recipient}\n".encode("ascii"), mode=0o644, exclusive=True)
    except FileExistsError as e:
        raise UsageError(
            f"{e.filename or out_dir} already exists; refusing to overwrite a backup key"
        ) from None
    return BackupFiles(rec_path, paper, recipient, created)


def read_secret_key(text: str, where: str) -> pyrage.x25519.Identity:
    """The identity from a typed or scanned paper key (``AGE-SECRET-KEY-1…``, one line;
    spaces and a lower-case copy accepted). The text is never echoed in an error."""
    lines = [
        "".join(ln.split()).upper()
        for ln in text.splitlines()
        if "".join(ln.split()).upper().startswith("AGE-SECRET-KEY-1")
    ]
    if len(lines) != 1:
        raise UsageError(f"{where}: no single AGE-SECRET-KEY-1… line")
    try:
        return pyrage.x25519.Identity.from_str(lines[0])
    except (pyrage.IdentityError, ValueError):
        raise UsageError(
            f"{where}: the secret key does not read (a character was copied wrongly: "
            "compare it with the paper again)"
        ) from None
