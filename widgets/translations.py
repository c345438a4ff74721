"""Qt's own words in Chinese: standard buttons (确定/取消/是/否), context menus and dialogs, from the
translations that ship with PySide6. Without them a Chinese window says "Yes", "Cancel", "Copy"."""

from __future__ import annotations

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

_installed: list[QTranslator] = []   # kept alive for as long as the application runs


def install_qt_translations(app: QApplication) -> bool:
    """Load qtbase_zh_CN once per application; False if PySide6 was installed without translations."""
    if _installed:
        return True
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        return False
    app.installTranslator(translator)
    _installed.append(translator)
    return True
