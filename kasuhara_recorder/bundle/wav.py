"""Canonical RIFF/WAVE for exported recordings, and a parser that finds the data chunk.

The exported WAV is a 44-byte header (RIFF, a 16-byte PCM ``fmt `` chunk, ``data``) followed by
the captured PCM bytes unchanged, so SHA-256 of the data chunk's payload equals the capture-time
``pcm_sha256``. The parser accepts any RIFF/WAVE (extra chunks, WAVE_FORMAT_EXTENSIBLE) so a
recipient's re-save can still be checked, and reports where the payload lies.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from kasuhara_recorder.bundle.errors import WavFormatError

HEADER_SIZE = 44
MAX_DATA = 0xFFFFFFFF - 36  # RIFF sizes are 32-bit


@dataclass(frozen=True)
class WavLayout:
    format_tag: int
    channels: int
    samplerate: int
    bits_per_sample: int
    data_offset: int
    data_size: int


def wav_header(data_size: int, samplerate: int, channels: int, bits: int = 16) -> bytes:
    if data_size > MAX_DATA:
        raise WavFormatError(f"{data_size} bytes of audio do not fit a RIFF WAV (4 GiB limit)")
    if data_size % 2:
        raise WavFormatError("odd PCM length for 16-bit samples")
    block_align = channels * bits // 8
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        36 + data_size,
        b"WAVE",
        b"fmt ",
        16,
        1,  # WAVE_FORMAT_PCM
        channels,
        samplerate,
        samplerate * block_align,
        block_align,
        bits,
        b"data",
        data_size,
    )


def parse_wav_header(head: bytes, file_size: int) -> WavLayout:
    """Walk the chunks in ``head`` (the first bytes of the file) up to the data chunk."""
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise WavFormatError("not a RIFF/WAVE file")
    pos = 12
    fmt: tuple[int, int, int, int] | None = None
    while pos + 8 <= len(head):
        cid, size = struct.unpack_from("<4sI", head, pos)
        body = pos + 8
        if cid == b"fmt ":
            if size < 16 or body + 16 > len(head):
                raise WavFormatError("short fmt chunk")
            tag, ch, rate, _br, _ba, bits = struct.unpack_from("<HHIIHH", head, body)
            if tag == 0xFFFE and size >= 40:
                tag = struct.unpack_from("<H", head, body + 24)[0]
            fmt = (tag, ch, rate, bits)
        elif cid == b"data":
            if fmt is None:
                raise WavFormatError("data chunk before fmt chunk")
            if body + size > file_size:
                raise WavFormatError(f"data chunk declares {size} bytes past the end of the file")
            return WavLayout(fmt[0], fmt[1], fmt[2], fmt[3], body, size)
        pos = body + size + (size & 1)
    raise WavFormatError("no data chunk in the first bytes of the file")
