"""Windows that fit the screen they open on (a 1024×700 netbook as well as a 1920×1080 monitor)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QScrollArea, QWidget


def fit_to_screen(widget: QWidget, width: int, height: int, margin: int = 40) -> None:
    """Resize to width×height, or to what the screen has room for, keeping a margin for the title bar
    and the task bar."""
    screen = widget.screen() or QGuiApplication.primaryScreen()
    if screen is not None:
        room = screen.availableGeometry()
        width, height = min(width, room.width() - margin), min(height, room.height() - margin)
    widget.resize(width, height)


def scrolling(widget: QWidget) -> QScrollArea:
    """`widget` in a frameless scroll area that scrolls only up and down: on a short screen it scrolls
    instead of setting the window's height."""
    area = QScrollArea()
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    return area
