"""Helpers for GUI tests with the real main window and its QtWebEngine page."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, QTimer
from PySide6.QtWidgets import QApplication

WAIT_MS = 20_000


def page_value(qtbot, view, function, *args):
    """The result of UnionMap.<function>(*args) in the page, through the app's one call path."""
    box = []
    view.call(function, *args, callback=lambda value: box.append(value))
    qtbot.waitUntil(lambda: bool(box), timeout=WAIT_MS)
    return box[0]


def settle(qtbot, window):
    qtbot.waitUntil(lambda: window.explorer.map_settled, timeout=WAIT_MS)


def close(window):
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


# Checks that failed inside a dialog callback; a test's fixture raises the first one.
DIALOG_FAILURES: list[BaseException] = []


def answer_next_dialog(act):
    """Run act(dialog) on the next modal dialog, as a person answers it; returns a list that gets what
    act returned. A failed check inside closes the dialog and lands in DIALOG_FAILURES, so a test
    never hangs on a dialog nobody answers."""
    seen = []

    def check():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, check)
            return
        try:
            seen.append(act(dialog))
        except BaseException as exc:  # noqa: BLE001 - handed to the test by its fixture
            DIALOG_FAILURES.append(exc)
            dialog.reject()

    QTimer.singleShot(0, check)
    return seen
