"""The main window, driven like a member would: pick a category, type pinyin, read the status bar."""

import pytest
from PySide6.QtGui import QFontDatabase, QFontInfo

from app.seed import open_seeded_store
from widgets.fonts import install_cjk_font
from widgets.main_window import MainWindow


@pytest.fixture
def window(qtbot, qapp, sqlite_url):
    install_cjk_font(qapp)
    store, districts = open_seeded_store(sqlite_url)
    w = MainWindow(store, districts)
    qtbot.addWidget(w)
    w.show()
    yield w
    store.close()


def test_shows_every_merchant_at_start(window):
    assert window.model.rowCount() == 12
    assert window.statusBar().currentMessage() == "共 12 家商户符合条件"


def test_filters_change_the_list(window, qtbot):
    window.category_box.setCurrentText("餐饮")
    assert window.model.rowCount() == 2
    assert window.statusBar().currentMessage() == "共 2 家商户符合条件"
    window.category_box.setCurrentText("全部")
    qtbot.keyClicks(window.search_box, "zbcc")
    assert window.model.rowCount() == 1
    assert window.model.index(0, 0).data() == "中百仓储"
    window.search_box.clear()
    window.district_box.setCurrentText("江岸区")
    assert window.model.rowCount() == 0


def test_chinese_uses_the_bundled_font(window, qapp):
    family = QFontInfo(window.table.font()).family()
    assert family == "Noto Sans SC"
    assert "Noto Sans SC" in QFontDatabase.families()
