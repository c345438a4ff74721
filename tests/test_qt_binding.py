"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 did not, and the app aborted at exit.

6.12.0 dropped a reference to True on every bool emitted through a Python-declared signal (and to
None on every call of a Python override from C++); after a few thousand, CPython 3.11 freed True
itself. pyproject.toml excludes that release; this test fails on any release with the same fault.
"""

import sys

from PySide6.QtCore import QObject, Signal


class _Toggle(QObject):
    changed = Signal(bool)


def test_emitting_bools_keeps_their_reference_counts(qapp):
    toggle = _Toggle()
    received = []
    toggle.changed.connect(lambda on: received.append(on))
    before = sys.getrefcount(True), sys.getrefcount(False)
    for i in range(200):
        toggle.changed.emit(i % 2 == 0)
    after = sys.getrefcount(True), sys.getrefcount(False)
    assert len(received) == 200
    # The 100 Trues and 100 Falses held by `received` are the only new references.
    assert (after[0] - before[0], after[1] - before[1]) == (100, 100)
