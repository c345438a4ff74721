"""The one QApplication, created with what QtWebEngine needs here (no sandbox as root) and, for
commands that show nothing, on the offscreen platform."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

APP_ICON = Path(__file__).resolve().parent / "icons" / "unioncard.svg"   # drawn for this app (packaging/ renders its PNGs)


def app_icon() -> QIcon:
    return QIcon(str(APP_ICON))


def ensure_qapplication(offscreen: bool = False) -> QApplication:
    """The running QApplication, or a new one. Call before any Qt object is made."""
    app = QApplication.instance()
    if app is not None:
        return app
    if offscreen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # QtWebEngine refuses to run as root without this; only set it where it is needed.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
    return QApplication(sys.argv[:1])


def log_qt_messages() -> None:
    """Qt's own warnings (a page that failed to load, a missing platform library) into the app's log,
    as well as to the terminal when there is one."""
    import logging

    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    log = logging.getLogger("qt")
    levels = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}

    def handler(kind, context, message):
        log.log(levels.get(kind, logging.WARNING), "%s", message)
        if kind != QtMsgType.QtDebugMsg:
            print(message, file=sys.stderr)

    qInstallMessageHandler(handler)
