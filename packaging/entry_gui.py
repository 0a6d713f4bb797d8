"""``KasuharaRecorder`` of the frozen app (console=False): the desktop app only."""

import sys

from kasuhara_recorder.cli import gui_main

sys.exit(gui_main())
