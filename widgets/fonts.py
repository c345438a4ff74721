"""Registering the bundled Noto Sans SC with Qt, so Chinese renders on machines without CJK fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from app.bundled import cjk_font


def install_cjk_font(app: QApplication) -> str:
    """Load the font into the application and make it the default; returns its family name."""
    font_id = QFontDatabase.addApplicationFont(str(cjk_font()))
    if font_id < 0:
        raise RuntimeError(f"Qt could not load the bundled font {cjk_font()}")
    family = QFontDatabase.applicationFontFamilies(font_id)[0]
    font = QFont(family)
    font.setPointSize(max(app.font().pointSize(), 10))
    app.setFont(font)
    return family
