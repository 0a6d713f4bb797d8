"""`devices`, `record` and `recover` over ``app.recording`` (the same path the GUI takes)."""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
from dataclasses import asdict
from pathlib import Path

from kasuhara_recorder import cli
from kasuhara_recorder.app.service import AppService
from kasuhara_recorder.config import resolve_data_dir
from kasuhara_recorder.errors import KasuharaError
from kasuhara_recorder.text import Text

WAIT_STEP_S = 0.1


def _service(args: argparse.Namespace) -> AppService:
    return AppService(resolve_data_dir(getattr(args, "data_dir", None)))


def cmd_devices(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.audio.devices import list_input_devices

    devices = list_input_devices()
    if not devices:
        console.say("録音装置が見つかりません。", "no input devices found")
    for d in devices:
        mark = "*" if d.is_default else " "
        console.say(
            f"{mark} {d.name}  [{d.host_api}]  {d.channels}ch  {d.default_samplerate:.0f} Hz",
            f"{mark} {d.name}  [{d.host_api}]  {d.channels}ch  {d.default_samplerate:.0f} Hz",
        )
    if devices:
        console.say("（* = 既定の入力）", "(* = default input)")
    console.result({"ok": True, "devices": [asdict(d) for d in devices]})
    return 0


def _parse_tag(text: str) -> tuple[str, float]:
    code, sep, at = text.rpartition("@")
    try:
        seconds = float(at)
    except ValueError:
        seconds = -1.0
    # nan/inf parse as floats but can never be reached: the tag would be dropped unseen
    if not sep or not code or not math.isfinite(seconds) or seconds < 0:
        raise cli.BadInput(
            Text(
                f"--tag {text!r}: 「コード@秒」の形で指定してください（例: conduct.mental@12.5）",
                f"--tag {text!r}: expected CODE@SECONDS, e.g. conduct.mental@12.5",
            ),
        )
    return code, seconds


def _notice_seconds(text: str) -> float:
    try:
        at = float(text)
    except ValueError:
        at = -1.0
    if not 0 <= at < float("inf"):
        raise argparse.ArgumentTypeError(f"--notice-at {text!r}: not a number of seconds ≥ 0")
    return at


def _file_seconds(path: str) -> float | None:
    """The length of an input file, to refuse a tag past its end before recording; None when
    the header is unreadable (the recorder then reports the file itself)."""
    import soundfile

    try:
        info = soundfile.info(path)
    except Exception:  # noqa: BLE001 - any unreadable file: left to the recorder's own error
        return None
    return info.frames / info.samplerate if info.samplerate else None


def _record_tags(args: argparse.Namespace) -> list[tuple[str, float]]:
    """The --tag values in time order, once the arguments make sense together (BadInput
    otherwise, before any device or file is opened)."""
    if args.device and args.input_file:
        raise cli.BadInput(
            Text(
                "--device と --input-file は同時に指定できません",
                "--device and --input-file cannot be used together",
            ),
        )
    if args.seconds is None and not args.input_file:
        raise cli.BadInput(
            Text(
                "録音装置から録音するときは --seconds N（秒数）が必要です",
                "--seconds N is needed when recording from a device",
            ),
        )
    if args.seconds is not None and not (math.isfinite(args.seconds) and args.seconds > 0):
        raise cli.BadInput(
            Text(
                f"--seconds には正の数を指定してください（{args.seconds} は使えません）",
                f"--seconds must be a positive number, not {args.seconds}",
            ),
        )
    tags = sorted((_parse_tag(t) for t in args.tag), key=lambda t: t[1])
    if args.seconds is not None and tags and tags[-1][1] > args.seconds:
        raise cli.BadInput(
            Text(
                f"{tags[-1][1]} 秒のタグは録音の終わり（{args.seconds} 秒）より後です",
                f"tag at {tags[-1][1]} s is after the end ({args.seconds} s)",
            ),
        )
    if args.input_file and not Path(args.input_file).is_file():
        raise cli.BadInput(
            Text(
                f"--input-file {args.input_file}: ファイルが見つからないか、ファイルではありません",
                f"--input-file {args.input_file}: not found or not a file",
            ),
        )
    if args.input_file and tags:
        length = _file_seconds(args.input_file)
        if length is not None and tags[-1][1] > length:
            raise cli.BadInput(
                Text(
                    f"{tags[-1][1]} 秒のタグは {args.input_file} の終わり"
                    f"（{length:.2f} 秒）より後です",
                    f"tag at {tags[-1][1]} s is after the end of {args.input_file}"
                    f" ({length:.2f} s)",
                ),
            )
    return tags


def cmd_record(args: argparse.Namespace, console: cli.Console) -> int:
    tags = _record_tags(args)
    app = _service(args)
    for code, _ in tags:  # refuse before recording, not half-way
        if not app.profile.is_known_code(code):
            from kasuhara_recorder.app.recording_service import UnknownTag

            raise UnknownTag(code)
    interrupted = threading.Event()

    def on_signal(signum, frame):  # SIGINT/SIGTERM: stop and seal, not die
        interrupted.set()

    old = {s: signal.signal(s, on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        session = app.recording.start(
            args.channel,
            incident_id=args.incident,
            device=args.device,
            input_file=args.input_file,
            paced=not args.unpaced,
            max_seconds=args.seconds,
        )
        console.say(f"録音開始: {session.id}", f"recording: {session.id}")
        sys.stdout.flush()
        if args.notice_at is not None:  # the counter's 告知しました, at a given offset
            session.give_notice(offset_ms=int(args.notice_at * 1000))
        live = args.input_file is None or not args.unpaced
        errors: list = []  # what ended the recording early, for --json
        pending = list(tags)
        end = args.seconds if args.input_file is None else None
        while not interrupted.is_set() and not session.recorder.wait_until_ended(WAIT_STEP_S):
            _print_events(session, console, errors)
            pos = session.position_s
            while pending and (not live or pos >= pending[0][1]):
                code, at = pending.pop(0)
                _tag(session, console, code, at)
            if end is not None and pos >= end:
                break
        missed = []
        for code, at in pending:  # a file that ended early still gets its tags
            if at <= session.position_s:
                _tag(session, console, code, at)
            else:
                missed.append((code, at))
        manifest = session.stop()
        _print_events(session, console, errors)
        for code, at in missed:  # stopped (Ctrl+C, device lost) before the tag's time
            msg = (
                f"タグ {code}@{at:g} は記録されませんでした: 録音がその時点より前に終わりました。"
                if console.lang == "ja"
                else f"tag {code}@{at:g} was not recorded: the recording ended before that time"
            )
            print(msg, file=sys.stderr)
    finally:
        for s, h in old.items():
            signal.signal(s, h)
        app.close()
    ok = manifest.status == "complete"
    sealed_path = app.paths.vault / manifest.sealed_name
    console.say(
        f"{manifest.id}\n  {manifest.duration_ms / 1000:.2f} 秒、状態 {manifest.status}、"
        f"欠落フレーム {manifest.dropped_frames}\n  封印ファイル: {sealed_path}",
        f"{manifest.id}\n  {manifest.duration_ms / 1000:.2f} s, status {manifest.status}, "
        f"dropped frames {manifest.dropped_frames}\n  sealed: {sealed_path}",
    )
    cap = session.capture
    failed = {}
    if not ok:  # sealed, but cut short: a failure object like every other (error, message)
        err = errors[-1] if errors else None
        failed = {
            "error": type(err).__name__ if err else "RecordingIncomplete",
            "message": err.message(console.lang)
            if err
            else (
                f"録音は状態 {manifest.status} で終わりました。"
                if console.lang == "ja"
                else f"the recording ended with status {manifest.status}"
            ),
        }
    console.result(
        {
            **failed,
            "ok": ok,
            "id": manifest.id,
            "sealed_path": str(sealed_path),
            "pcm_sha256": manifest.pcm_sha256,
            "sealed_sha256": manifest.sealed_sha256,
            "status": manifest.status,
            "frames": manifest.frames,
            "duration_ms": manifest.duration_ms,
            "dropped_frames": manifest.dropped_frames,
            "overflows": cap.overflows if cap else 0,
            "tags": [asdict(t) for t in manifest.tags],
            "notice": None if manifest.notice is None else manifest.notice.to_dict(),
            "tags_not_recorded": [f"{code}@{at:g}" for code, at in missed],
            "start_latency_ms": round((cap.start_latency_s if cap else 0) * 1000, 1),
            "first_audio_ms": None
            if cap is None or cap.first_audio_s is None
            else round(cap.first_audio_s * 1000, 1),
            "stop_latency_ms": round((session.stop_latency_s or 0) * 1000, 1),
        }
    )
    return 0 if ok else 1


def _tag(session, console: cli.Console, code: str, at: float) -> None:
    """A live tag. The tag is in the recording (its manifest) before its audit entry is
    written; a database that refuses the entry must not end the command while the capture
    runs (the recording would be sealed but reported as a plain database error)."""
    try:
        session.tag(code, offset_ms=int(at * 1000))
    except KasuharaError as e:
        from kasuhara_recorder.store.database import DatabaseError  # loaded by now anyway

        if not isinstance(e, DatabaseError):
            raise
        print(
            f"タグ {code}@{at:g} は録音に付けましたが、監査ログに記録できませんでした: "
            f"{e.message('ja')}"
            if console.lang == "ja"
            else f"tag {code}@{at:g} is in the recording but not in the audit log: "
            f"{e.message('en')}",
            file=sys.stderr,
            flush=True,
        )


def _print_events(session, console: cli.Console, errors: list | None = None) -> None:
    for ev in session.poll_events():
        if ev.kind in ("stopped", "source_ended"):
            continue
        print(ev.message(console.lang), file=sys.stderr, flush=True)
        if errors is not None and ev.error is not None and ev.kind != "low_space":
            errors.append(ev.error)


def cmd_recover(args: argparse.Namespace, console: cli.Console) -> int:
    from kasuhara_recorder.app.recording_service import RecoveryIncomplete

    app = _service(args)
    incomplete = None
    try:
        # What a killed export left on its destination (plaintext audio) goes first.
        partials = app.export.remove_partials()
        recovered = app.recording.recover()
    except RecoveryIncomplete as e:  # the others were recovered: list them, then the error
        recovered, incomplete = e.recovered, e
    finally:
        app.close()
    from kasuhara_recorder.commands.bundle import partial_exports_result, say_partial_exports

    say_partial_exports(console, partials)
    if not recovered and incomplete is None:
        console.say("復旧が必要な録音はありません。", "nothing to recover")
    for r in recovered:
        m = r.manifest
        if r.recovered_from == "empty":  # an early crash: say so, not "0.00 s recovered"
            console.say(
                f"記録を閉じました: {m.id}（アプリが止まる前に保存が確定した音声はありません"
                f"でした。空の録音として記録しました。開始 {m.started_at}）",
                f"closed: {m.id} (no audio had been made durable before the crash; recorded "
                f"as an empty recording; started {m.started_at})",
            )
            continue
        console.say(
            f"復旧しました: {m.id}（{m.duration_ms / 1000:.2f} 秒、チェックポイント "
            f"{m.recovery.checkpoint_written_at if m.recovery else '-'}）",
            f"recovered: {m.id} ({m.duration_ms / 1000:.2f} s, checkpoint "
            f"{m.recovery.checkpoint_written_at if m.recovery else '-'})",
        )
    items = [
        {
            "id": r.manifest.id,
            "sealed_path": str(app.paths.vault / r.manifest.sealed_name),
            "pcm_sha256": r.manifest.pcm_sha256,
            "sealed_sha256": r.manifest.sealed_sha256,
            "frames": r.manifest.frames,
            "duration_ms": r.manifest.duration_ms,
            "cut_bytes": r.cut_bytes,
            "recovered_from": r.recovered_from,
            "tail": r.manifest.tail.to_dict() if r.manifest.tail is not None else None,
        }
        for r in recovered
    ]
    if incomplete is not None:
        incomplete.json_fields = {
            "recovered": items,
            **partial_exports_result(partials),
            "failed": [
                {"id": rid, "error": type(e).__name__, "message": e.message(console.lang)}
                for rid, e in incomplete.failed
            ],
        }
        raise incomplete
    console.result({"ok": True, "recovered": items, **partial_exports_result(partials)})
    return 0


def register(add) -> None:
    add("devices", cmd_devices, "list audio input devices (録音装置の一覧)")
    p = add("record", cmd_record, "record and seal from a device or an audio file (録音)")
    p.add_argument("--seconds", type=float, help="length in seconds (default for a file: all)")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--device", help="input device name (default: the channel's preset)")
    src.add_argument("--input-file", help="feed an audio file (WAV, FLAC…) instead of a device")
    p.add_argument("--unpaced", action="store_true", help="with --input-file: as fast as possible")
    p.add_argument("--tag", action="append", default=[], metavar="CODE@SECONDS", help="a live tag")
    p.add_argument(
        "--notice-at", type=_notice_seconds, metavar="SECONDS",
        help="the recording notice was spoken at this offset (告知しました)",
    )  # fmt: skip
    p.add_argument("--incident", help="incident id to attach the recording to")
    p.add_argument("--channel", choices=("counter", "phone"), default="counter")
    add("recover", cmd_recover, "close recordings a crash left open (録音の復旧)")


cli.REGISTRARS.append(register)
