"""The Recorder on its own: real PulseAudio device, real sealer, real faults where they can be
caused (a device that disappears mid-recording is a null sink unloaded under the stream)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest
import soundfile as sf

from kasuhara_recorder.audio.audio_format import AudioFormat
from kasuhara_recorder.audio.devices import list_input_devices, resolve_input_device
from kasuhara_recorder.audio.errors import DeviceLost, DeviceUnavailable
from kasuhara_recorder.audio.file_source import FileSource
from kasuhara_recorder.audio.recorder import EndReason, Recorder
from kasuhara_recorder.audio.stream_source import StreamSource
from kasuhara_recorder.evidence.sealed_writer import SealedWriter
from tests.support.signals import aligned_correlation, sweep, tone, write_wav
from tests.support.waiting import wait_until


def test_devices_lists_the_pulse_input_and_marks_one_default(pulse_sink):
    devices = list_input_devices()
    names = [d.name for d in devices]
    assert "pulse" in names
    assert sum(d.is_default for d in devices) == 1
    assert all(d.channels >= 1 and d.host_api for d in devices)


def test_a_device_name_that_does_not_exist_is_a_clear_error(pulse_sink):
    with pytest.raises(DeviceUnavailable) as e:
        resolve_input_device("USB Phone Adapter XYZ")
    ja = e.value.message("ja")
    assert "USB Phone Adapter XYZ" in ja and "接続されていません" in ja and "pulse" in ja
    assert "not connected" not in ja  # the English reason is for the log
    assert "pulse" in e.value.message("en")  # says what is there instead


def test_missing_portaudio_library_is_a_typed_error_not_a_traceback(tmp_path):
    # Injected: libportaudio2 cannot be uninstalled under a running test suite, so the child
    # process is made unable to find it (ctypes.util.find_library → None), which is exactly
    # what sounddevice sees on a machine without it.
    code = textwrap.dedent(
        """
        import ctypes.util, sys
        real = ctypes.util.find_library
        ctypes.util.find_library = lambda n: None if "portaudio" in n else real(n)
        sys.modules.pop("_sounddevice_data", None)
        sys.meta_path.insert(0, type("Block", (), {"find_spec": staticmethod(
            lambda name, *a: (_ for _ in ()).throw(ImportError()) if name == "_sounddevice_data"
            else None)}))
        from kasuhara_recorder.audio.devices import list_input_devices
        from kasuhara_recorder.audio.errors import PortAudioMissing
        try:
            list_input_devices()
        except PortAudioMissing as e:
            print("TYPED", e.message("ja"))
        """
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert "TYPED" in r.stdout, r.stderr
    assert "libportaudio2" in r.stdout


def test_sweep_through_the_device_is_sealed_and_decrypts_to_the_same_signal(
    pulse_sink, tmp_path, org_identity
):
    sig = sweep(200.0, 6000.0, 3.0)
    wav = write_wav(tmp_path / "sweep.wav", sig)
    writer = SealedWriter(tmp_path / "rec.age", [org_identity.recipient])
    rec = Recorder(StreamSource(resolve_input_device("pulse"), AudioFormat()), writer)
    rec.start()
    # The null-sink monitor may take ~2 s to deliver its first block after a stream connects
    # (parecord shows the same); play only once audio flows.
    assert rec.wait_for_audio(10)
    player = pulse_sink.play(wav)
    peaks = []
    while player.poll() is None:  # the meter, read from this thread as the GUI would
        peaks.append(rec.levels.peak_dbfs)
        time.sleep(0.05)  # a sampling interval, like the GUI's 20 Hz timer, not a wait
    played = rec.position_s  # 0.3 s more of the recording, so the sweep's end is in
    wait_until(lambda: rec.position_s >= played + 0.3, 10, "0.3 s more audio")
    assert max(peaks) > -12  # the 0.5-amplitude sweep is about -6 dBFS
    result = rec.stop()
    assert result.end is EndReason.STOPPED and result.dropped_frames == 0
    pcm = org_identity.decrypt_pcm(tmp_path / "rec.age")
    assert len(pcm) == result.frames == result.seal.pcm_bytes // 2
    corr, _ = aligned_correlation(sig, pcm.astype(np.float32) / 32768)
    assert corr >= 0.95


def test_device_unplugged_mid_recording_seals_what_was_captured(
    pulse_server, tmp_path, org_identity
):
    # Real fault: the null sink (our "device") is unloaded under the running stream; PulseAudio
    # kills the stream and PortAudio ends it, as when a USB microphone is pulled out.
    sink = pulse_server.new_sink()
    events = []
    writer = SealedWriter(tmp_path / "rec.age", [org_identity.recipient])
    rec = Recorder(
        StreamSource(resolve_input_device("pulse"), AudioFormat()), writer, on_event=events.append
    )
    rec.start()
    assert rec.wait_for_audio(10)
    wait_until(lambda: rec.position_s >= 1.0, 10, "1 s of audio")
    sink.remove()
    assert rec.wait_until_ended(10)
    result = rec.stop()
    assert result.end is EndReason.DEVICE_LOST and isinstance(result.error, DeviceLost)
    assert [e.kind for e in events] == [EndReason.DEVICE_LOST]
    assert "録音装置" in events[0].message("ja")
    assert result.frames >= 48000 * 0.9
    assert len(org_identity.decrypt_pcm(tmp_path / "rec.age")) == result.frames


class SilentlyDyingSource:
    """A live source whose driver stops delivering without reporting an error.

    Injected: a real device that hangs silently (no callback, no error) cannot be produced
    on the PulseAudio test server, so this source stands in for it; the Recorder under test
    is the real one.
    """

    realtime = True
    label = "hanging-device"
    overflows = 0
    finished = False
    natural_end = False
    alive = True

    def __init__(self) -> None:
        self.format = AudioFormat()

    def open(self, queue) -> None:
        self.queue = queue

    def start(self) -> None:
        self.queue.offer(bytes(9600))  # 100 ms of audio, then nothing

    def stop(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_stream_that_goes_silent_dead_is_detected_as_device_lost(collecting_sink):
    events = []
    rec = Recorder(SilentlyDyingSource(), collecting_sink, stall_timeout_s=0.5,
                   on_event=events.append)  # fmt: skip
    rec.start()
    assert rec.wait_until_ended(5)
    result = rec.stop()
    assert result.end is EndReason.DEVICE_LOST and "no audio" in result.error.detail
    assert result.frames == 4800 and collecting_sink.closed


def test_input_file_unpaced_goes_through_the_sealer_bit_exact(tmp_path, org_identity):
    sig = tone(440.0, 5.0)
    wav = write_wav(tmp_path / "in.wav", sig)
    writer = SealedWriter(tmp_path / "rec.age", [org_identity.recipient])
    rec = Recorder(FileSource(wav, paced=False), writer)
    rec.start()
    assert rec.wait_until_ended(30)
    result = rec.stop()
    assert result.end is EndReason.SOURCE_ENDED
    expected = sf.read(wav, dtype="int16")[0]
    assert np.array_equal(org_identity.decrypt_pcm(tmp_path / "rec.age"), expected)


def test_input_file_can_be_cut_at_max_seconds(tmp_path, collecting_sink):
    wav = write_wav(tmp_path / "in.wav", tone(440.0, 3.0))
    rec = Recorder(FileSource(wav, paced=False, max_seconds=1.25), collecting_sink)
    rec.start()
    assert rec.wait_until_ended(30)
    assert rec.stop().frames == 60000


def test_writer_keeps_up_while_the_caller_thread_hogs_the_interpreter(
    pulse_sink, tmp_path, org_identity
):
    # The caller (a frozen GUI) busy-loops in Python for 2 s; the writer thread still drains
    # into the real sealer, and all of it is in the sealed file.
    writer = SealedWriter(tmp_path / "rec.age", [org_identity.recipient])
    rec = Recorder(StreamSource(resolve_input_device("pulse"), AudioFormat()), writer)
    rec.start()
    assert rec.wait_for_audio(10)
    before = rec.written_frames
    end = time.monotonic() + 2.0  # the stimulus lasts 2 s; nothing waits on a time
    while time.monotonic() < end:
        pass
    result = rec.stop()
    assert result.dropped_frames == 0 and result.overflows == 0
    assert result.frames - before >= 48000 * 1.9  # the 2 s of the hog went in
    assert len(org_identity.decrypt_pcm(tmp_path / "rec.age")) == result.frames


def test_a_disk_that_filled_behind_the_last_write_is_said_as_disk_full(tmp_path):
    """The sealer writes behind the producer: with an input file the last write can return
    before the sealer meets the full disk, which it then says only at close. The recording
    must end as disk full, with the DiskFull error and its event, exactly as when a write said
    it (the CLI's --json then names DiskFull). The sink stands in for the sealer's timing only
    (which cannot be forced for real); tests/commands/test_error_paths.py fills a real tmpfs."""
    from dataclasses import dataclass

    from kasuhara_recorder.evidence.sealed_writer import DiskFull

    @dataclass
    class Sealed:
        disk_full: bool = True

    class FilledBehind:
        path = tmp_path / "vault" / "rec.age"

        def write(self, data: bytes | memoryview) -> None:
            pass

        def close(self) -> Sealed:
            return Sealed()

    events = []
    wav = write_wav(tmp_path / "in.wav", tone(440.0, 1.0))
    rec = Recorder(FileSource(wav, paced=False), FilledBehind(), on_event=events.append)
    rec.start()
    assert rec.wait_until_ended(30)
    result = rec.stop()
    assert result.end is EndReason.DISK_FULL and isinstance(result.error, DiskFull)
    assert [e.kind for e in events][-1] is EndReason.DISK_FULL
    assert "disk full" in result.error.message("en")
