"""``kasuhara-recorder`` of the frozen app: the command line; with no arguments, the GUI."""

import sys

from kasuhara_recorder.cli import main

sys.exit(main())
