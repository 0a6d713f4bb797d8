"""Input devices as PortAudio sees them, and resolving a preset's remembered device name.

sounddevice loads the PortAudio shared library when it is imported and raises OSError when it is
missing; that import happens here only, so every caller gets ``PortAudioMissing`` instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import ModuleType

from kasuhara_recorder.audio.errors import DeviceUnavailable, NoInputDevice, PortAudioMissing


def sounddevice() -> ModuleType:
    """The sounddevice module, or PortAudioMissing when libportaudio2 is not installed."""
    try:
        import sounddevice as sd
    except OSError as e:  # "PortAudio library not found"
        raise PortAudioMissing(str(e)) from None
    return sd


@dataclass(frozen=True)
class InputDevice:
    index: int
    name: str
    host_api: str
    channels: int  # max input channels
    default_samplerate: float
    is_default: bool


def list_input_devices() -> list[InputDevice]:
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_in = sd.default.device[0]
    except sd.PortAudioError as e:
        raise NoInputDevice(str(e)) from None
    if default_in is None or default_in < 0:
        # sd.default is "unset"; ask PortAudio for its own default input
        try:
            default_in = sd.query_devices(kind="input")["index"]
        except (sd.PortAudioError, ValueError):
            default_in = -1
    out = []
    for d in devices:
        if d["max_input_channels"] < 1:
            continue
        out.append(
            InputDevice(
                index=int(d["index"]),
                name=str(d["name"]),
                host_api=str(apis[d["hostapi"]]["name"]),
                channels=int(d["max_input_channels"]),
                default_samplerate=float(d["default_samplerate"]),
                is_default=int(d["index"]) == default_in,
            )
        )
    return out


def resolve_input_device(name: str | None) -> InputDevice:
    """The device a preset names: exact name first, then a unique case-insensitive substring.

    ``None`` or "" means the system default input. Raises NoInputDevice when there is no input
    at all, DeviceUnavailable when the named one is not there (or the name is ambiguous).
    """
    devices = list_input_devices()
    if not devices:
        raise NoInputDevice("PortAudio lists no input device")
    if not name:
        for d in devices:
            if d.is_default:
                return d
        return devices[0]
    exact = [d for d in devices if d.name == name]
    if exact:
        return exact[0]
    low = name.casefold()
    partial = [d for d in devices if low in d.name.casefold()]
    if len(partial) == 1:
        return partial[0]
    known = ", ".join(d.name for d in devices)
    if partial:
        names = ", ".join(d.name for d in partial)
        raise DeviceUnavailable(
            name, f"ambiguous, matches: {names}", f"この名前は複数の装置に当てはまります（{names}）"
        )
    raise DeviceUnavailable(
        name, f"not connected (available: {known})", f"接続されていません（使える装置: {known}）"
    )


@dataclass(frozen=True)
class OutputDevice:
    index: int
    name: str
    host_api: str
    channels: int  # max output channels
    is_default: bool


def list_output_devices() -> list[OutputDevice]:
    """Where the officer's player may play: every device with an output channel."""
    sd = sounddevice()
    try:
        devices = sd.query_devices()
        apis = sd.query_hostapis()
        default_out = sd.default.device[1]
        if default_out is None or default_out < 0:
            default_out = sd.query_devices(kind="output")["index"]
    except (sd.PortAudioError, ValueError):
        return []
    return [
        OutputDevice(
            index=int(d["index"]),
            name=str(d["name"]),
            host_api=str(apis[d["hostapi"]]["name"]),
            channels=int(d["max_output_channels"]),
            is_default=int(d["index"]) == default_out,
        )  # fmt: skip
        for d in devices
        if d["max_output_channels"] > 0
    ]
