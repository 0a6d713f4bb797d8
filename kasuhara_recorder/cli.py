"""Command line: argparse subcommands over the app facade. No logic lives here.

Every command returns an exit code (0 ok, 1 evidence/verification problem, 2 bad usage or
input) and, with --json, prints exactly one JSON object on stdout.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from kasuhara_recorder import __version__
from kasuhara_recorder.config import DataFolderError, resolve_data_dir
from kasuhara_recorder.errors import KasuharaError, UsageError
from kasuhara_recorder.logging_setup import configure_logging
from kasuhara_recorder.text import Text

log = logging.getLogger("kasuhara.cli")


def default_language() -> str:
    """Japanese unless the locale names another language: the app is made for Japanese offices,
    and C/POSIX (CI, services, minimal installs) is no language preference at all."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if not value or value.split(".")[0] in ("C", "POSIX"):
            continue
        return "ja" if value.lower().startswith("ja") else "en"
    return "ja"


@dataclass
class Console:
    """Where a command writes: plain text for people, or one JSON object for scripts."""

    lang: str
    json_mode: bool

    def say(self, ja: str, en: str) -> None:
        if not self.json_mode:
            print(ja if self.lang == "ja" else en)

    def result(self, obj: dict) -> None:
        if self.json_mode:
            print(json.dumps(obj, ensure_ascii=False, sort_keys=True))

    def error(self, err: KasuharaError) -> None:
        if self.json_mode:
            # an error may carry what was done before it (e.g. the files an import sealed)
            extra = getattr(err, "json_fields", {})
            obj = {**extra, "ok": False, "error": getattr(err, "json_name", type(err).__name__)}
            obj["message"] = err.message(self.lang)
            print(json.dumps(obj, ensure_ascii=False))
        print(err.message(self.lang), file=sys.stderr)


class ArgumentParser(argparse.ArgumentParser):
    """argparse that keeps the CLI contract on bad usage too: exit 2, and with --json one
    JSON object on stdout (argparse itself prints only usage text to stderr)."""

    def error(self, message: str) -> NoReturn:
        argv = sys.argv[1:] if _ARGV is None else _ARGV
        lang = _lang_from_argv(argv)
        err = UsageError(message)
        if "--json" in argv:
            Console(lang=lang, json_mode=True).error(err)
            sys.exit(2)
        self.print_usage(sys.stderr)
        print(err.message(lang), file=sys.stderr)
        hint = f"{self.prog} --help"
        print(f"詳しくは `{hint}` を参照してください。" if lang == "ja" else f"see `{hint}`",
              file=sys.stderr)  # fmt: skip
        sys.exit(2)


_ARGV: list[str] | None = None  # the argv main() parses, for ArgumentParser.error


def _lang_from_argv(argv: list[str]) -> str:
    """--lang as given on the command line (usable before parsing succeeded)."""
    for i, a in enumerate(argv):
        if a.startswith("--lang="):
            value = a.split("=", 1)[1]
        elif a == "--lang" and i + 1 < len(argv):
            value = argv[i + 1]
        else:
            continue
        if value in ("ja", "en"):
            return value
    return default_language()


UNEXPECTED = Text(
    "予期しないエラーが発生しました。詳細はログを確認してください: {where}",
    "unexpected error; details in the log: {where}",
)


class BadInput(UsageError):
    """A UsageError whose detail is a ``Text``, written in both languages."""

    json_name = "UsageError"  # scripts see the same error name as before


Command = Callable[[argparse.Namespace, Console], int]
COMMANDS: dict[str, Command] = {}


def _global_options(parser: argparse.ArgumentParser, *, suppress: bool) -> None:
    default = argparse.SUPPRESS if suppress else None
    parser.add_argument(
        "--data-dir",
        default=default,
        help="data folder (env KASUHARA_DATA_DIR; default: the OS user-data folder)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        default=argparse.SUPPRESS if suppress else False,
        help="print one JSON object for scripts",
    )
    parser.add_argument("--lang", choices=("ja", "en"), default=default, help="message language")


def build_parser() -> argparse.ArgumentParser:
    parser = ArgumentParser(
        prog="kasuhara-recorder",
        description="Kasuhara Recorder — カスタマーハラスメント録音・証拠管理. "
        "With no subcommand, starts the desktop app.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    _global_options(parser, suppress=False)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def add(name: str, func: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        _global_options(p, suppress=True)
        p.set_defaults(func=func)
        return p

    add("gui", cmd_gui, "start the desktop app (the default)")
    for register in REGISTRARS:
        register(add)
    return parser


# Each feature module adds its subcommands through a registrar: fn(add) -> None.
REGISTRARS: list[Callable[[Callable[..., argparse.ArgumentParser]], None]] = []


def cmd_gui(args: argparse.Namespace, console: Console) -> int:
    from kasuhara_recorder.ui.app import run_gui  # Qt is imported only for the GUI

    # only an explicit --lang overrides the saved setting; the GUI falls back to the locale
    return run_gui(data_dir=resolve_data_dir(args.data_dir), lang=getattr(args, "lang", None))


def gui_main() -> int:
    """The GUI-only entry of the frozen app (``KasuharaRecorder``, built with console=False):
    on Windows it has no console, so ``sys.stdout``/``sys.stderr`` are None and a print or a
    stream handler would raise; they go to the null device, the log file keeps the rest."""
    if sys.stdout is None:
        sys.stdout = open(os.devnull, "w", encoding="utf-8")
    if sys.stderr is None:
        sys.stderr = open(os.devnull, "w", encoding="utf-8")
    return main(["gui", *sys.argv[1:]])


def _never_fail_on_encoding() -> None:
    """A console or pipe in a code page without Japanese (cp1252: an English Windows, IT's
    deployment tool capturing the output) would make a print raise UnicodeEncodeError and a
    command that worked fail; what it cannot show is written as \\uXXXX instead (still valid
    inside a --json string)."""
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None and encoding != "utf8":
            reconfigure(errors="backslashreplace")


def main(argv: list[str] | None = None) -> int:
    global _ARGV
    _ARGV = None if argv is None else list(argv)
    _never_fail_on_encoding()
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = args.lang or default_language()
    console = Console(lang=lang, json_mode=bool(args.json))
    data_dir = resolve_data_dir(args.data_dir)
    log_file = configure_logging(data_dir)
    func: Command = getattr(args, "func", cmd_gui)
    try:
        return func(args, console)
    except KasuharaError as err:
        log.error("%s failed: %s", args.command or "gui", err.message("en"))
        console.error(err)
        return err.exit_code
    except KeyboardInterrupt:
        return 130
    except OSError as e:
        # A file the command could not read or write (a read-only or misplaced data folder,
        # a full disk): say which file and what to check, not "unexpected error".
        # the traceback only into a log file: on stderr it would bury the message
        log.error("%s failed on a file: %s", args.command or "gui", e, exc_info=bool(log_file))
        folder_error = DataFolderError.from_os_error(e, data_dir)
        console.error(folder_error)
        return folder_error.exit_code
    except Exception as e:
        log.exception("unexpected error in %s", args.command or "gui")
        where = str(log_file) if log_file else "stderr"
        msg = UNEXPECTED.format(where=where).pick(lang)
        if console.json_mode:  # still one JSON object for the script
            print(json.dumps({"ok": False, "error": type(e).__name__, "message": msg},
                             ensure_ascii=False))  # fmt: skip
        print(msg, file=sys.stderr)
        return 1


def _load_feature_commands() -> None:
    # Each module under commands/ appends its registrar to REGISTRARS; all are Qt-free.
    import importlib

    from kasuhara_recorder.commands import FEATURE_MODULES

    for mod in FEATURE_MODULES:
        importlib.import_module(f"kasuhara_recorder.commands.{mod}")


_load_feature_commands()
