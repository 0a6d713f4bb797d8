"""The Qt binding itself: a fault in it ends a recording as surely as one of ours."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QPushButton


def test_qt_calls_keep_the_reference_counts_of_none_and_the_bools():
    # PySide6 6.12.0 on Python 3.11 dropped one reference to None (and to True/False) per call of
    # a void method; the window's 20 Hz updates drained None in about a minute of recording and
    # the interpreter aborted ("none_dealloc"). From Python 3.12 these objects are immortal.
    button = QPushButton()
    singletons = (None, True, False)
    before = [sys.getrefcount(x) for x in singletons]
    for i in range(3000):
        button.setText(str(i))
        button.resize(100 + i % 7, 30)
        button.setEnabled(i % 2 == 0)
    after = [sys.getrefcount(x) for x in singletons]
    drift = [a - b for a, b in zip(after, before, strict=True)]
    assert all(abs(d) < 200 for d in drift), f"refcount drift of None/True/False: {drift}"
    button.deleteLater()
