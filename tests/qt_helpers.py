"""Helpers for GUI tests with the real main window and its QtWebEngine page."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent

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
