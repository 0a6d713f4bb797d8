"""Runtime hook: ``ctypes.util.find_library`` finds the libraries the frozen app carries.

On Linux it asks ldconfig, which knows only the system's libraries, so on a PC without
libportaudio2 sounddevice would get None and raise "PortAudio library not found" although the
contrib hook put ``libportaudio.so.2`` in the app's folder. The app's copy comes first; other
names fall through to the system. (Windows: PyInstaller's own loader already looks there.)
"""

import ctypes.util
import glob
import os
import sys

if sys.platform.startswith("linux"):
    _system_find_library = ctypes.util.find_library

    def _bundled_first(name):
        here = glob.glob(os.path.join(sys._MEIPASS, f"lib{name}.so*"))
        return sorted(here, key=len)[0] if here else _system_find_library(name)

    ctypes.util.find_library = _bundled_first
