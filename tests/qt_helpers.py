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


def wait_until(predicate, timeout_s: float = 20.0) -> None:
    """Inside a dialog's answer (answer_next_dialog), where qtbot cannot wait: process events until
    `predicate()` holds, or fail after `timeout_s`."""
    import time

    end = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError("timed out waiting inside a dialog")
        QApplication.processEvents()
        time.sleep(0.01)


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
        except BaseException as exc:
            DIALOG_FAILURES.append(exc)
            dialog.reject()

    QTimer.singleShot(0, check)
    return seen


def assert_map_drawn(png, size=(1200, 800)) -> None:
    """A snapshot of the window whose middle is the map: Leaflet's district fill (blue) and merchant dots
    in many colours, not a blank or an error page."""
    from PySide6.QtGui import QImage

    image = QImage(str(png))
    assert (image.width(), image.height()) == size
    colours, blue = set(), 0
    for x in range(400, 800, 4):
        for y in range(150, 550, 4):
            c = image.pixelColor(x, y)
            colours.add(c.rgb())
            blue += c.blue() > c.red() + 60
    assert len(colours) > 40 and blue > 500, (len(colours), blue)
