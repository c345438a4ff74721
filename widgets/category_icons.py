"""Coloured dots for the eight categories: the same colours as the map's markers and the flyers' pins."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

from app.merchants.categories import resolve_category


def colour_icon(colour: str, size: int = 14) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setBrush(QColor(colour))
    painter.setPen(QColor("#ffffff"))
    painter.drawEllipse(1, 1, size - 2, size - 2)
    painter.end()
    return QIcon(pixmap)


@lru_cache(maxsize=32)
def category_icon(name: str, size: int = 12) -> QIcon | None:
    cat = resolve_category(name)
    return colour_icon(cat.colour, size) if cat else None
