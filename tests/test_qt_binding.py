"""The Qt binding keeps Python's reference counts: PySide6 6.12.0 did not, and the app aborted at exit.

6.12.0 dropped a reference to True on every bool emitted through a Python-declared signal (and to
None on every call of a Python override from C++); after a few thousand, CPython 3.11 freed True
itself. pyproject.toml excludes that release; this test fails on any release with the same fault.
"""

import sys

import pytest
from PySide6.QtCore import QObject, Signal


class _Toggle(QObject):
    changed = Signal(bool)
    carried = Signal(object)


class _Token:
    """A mortal object: its reference count means something on every Python (True is immortal from 3.12)."""


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="True and False are immortal from Python 3.12: "
                    "their reference counts no longer move, and a dropped one can no longer free them")
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


def test_emitting_objects_keeps_their_reference_counts(qapp):
    """The same fault on an object that can be freed: every emission must leave its count as it was."""
    toggle = _Toggle()
    received = []
    toggle.carried.connect(lambda value: received.append(value is token))
    token = _Token()
    before = sys.getrefcount(token)
    for _ in range(200):
        toggle.carried.emit(token)
    assert received == [True] * 200
    assert sys.getrefcount(token) == before
