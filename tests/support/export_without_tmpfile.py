"""`kasuhara-recorder` with O_TMPFILE unavailable, as on a vfat/exFAT stick, an SMB share or
Windows: the seam in bundle/destination_file.py (``open_unnamed``) says "not here", so an export
takes the portable path (a hidden partial file, recorded in the data folder before it exists).

This kernel cannot mount vfat in the test container ("unknown filesystem type"), so the seam is
how the tests reach that path with a real process and a real SIGKILL. Run as a script:
``python tests/support/export_without_tmpfile.py --data-dir D export …``.
"""

import sys

from kasuhara_recorder.bundle import destination_file

destination_file.open_unnamed = lambda folder: None  # the filesystem has no O_TMPFILE

from kasuhara_recorder.cli import main  # noqa: E402

raise SystemExit(main(sys.argv[1:]))
