"""Whatever a merchant's name, offer or address contains, every view shows it as text and never runs
it: the app's map page, the exported web map, the details pane, the flyer (issue 17)."""

from __future__ import annotations

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QCoreApplication, QEvent, Qt, QUrl
from PySide6.QtWebEngineWidgets import QWebEngineView
from qt_helpers import WAIT_MS, page_value, settle

from app.merchants.curation import add_merchant
from app.merchants.fields import MerchantRecord
from widgets.map_view import MapPage

pytestmark = pytest.mark.gui

NAME = '<!--<script><img src=x onerror="window.pwned=1">店'   # <!--<script> once blanked a whole exported map
OFFER = '9折</script><script>window.pwned=2</script>\u2028"\'<b>粗</b>'
ADDRESS = "和平大道\u2029</script>1号"


def js(qtbot, page, expression):
    box = []
    qtbot.waitUntil(lambda: page.runJavaScript(expression, 0, box.append) or bool(box), timeout=WAIT_MS)
    return box[0]


@pytest.fixture
def hostile(window, qtbot, store):
    db, districts = store
    record = MerchantRecord("x-1", NAME, "餐饮", "420107", 114.39, 30.63, offer=OFFER, address=ADDRESS)
    assert add_merchant(db, districts, record, author="测试").saved
    window.explorer.refresh()
    settle(qtbot, window)
    return window


def test_the_app_page_and_details_show_it_as_text(hostile, qtbot):
    explorer = hostile.explorer
    explorer.select_merchant("x-1")
    qtbot.waitUntil(lambda: page_value(qtbot, explorer.map, "isIdle"), timeout=WAIT_MS)
    page = explorer.map.page()
    assert js(qtbot, page, "String(window.pwned)") == "undefined"
    assert js(qtbot, page, "document.querySelector('.uc-popup-name').textContent") == NAME
    assert explorer.details.name_label.text() == NAME
    assert explorer.details.name_label.textFormat() == Qt.TextFormat.PlainText
    assert explorer.details.offer_label.text() == OFFER


def test_the_exported_web_map_shows_it_as_text(hostile, qtbot, tmp_path):
    written = hostile.export_web_map(str(tmp_path / "map.html"))
    view = QWebEngineView()
    view.resize(900, 700)
    view.show()   # a map with no size cannot zoom to a merchant
    page = MapPage(view.page().profile(), view)
    view.setPage(page)
    with qtbot.waitSignal(view.loadFinished, timeout=WAIT_MS):
        view.setUrl(QUrl.fromLocalFile(str(written)))
    assert js(qtbot, page, "UnionMap.featureCount()") == 13
    assert js(qtbot, page, "UnionMap.selectMerchant('x-1') && true") is True
    qtbot.waitUntil(lambda: js(qtbot, page, "!!document.querySelector('.uc-popup-offer')"), timeout=WAIT_MS)
    assert js(qtbot, page, "document.querySelector('.uc-popup-offer').textContent") == OFFER
    assert js(qtbot, page, "String(window.pwned)") == "undefined"
    assert [m for m in page.console if m[0] == "error"] == []
    view.setPage(None)
    page.deleteLater()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_the_flyer_prints_it_as_text(hostile, tmp_path):
    dialog = hostile.flyer_dialog()
    pdf = tmp_path / "f.pdf"
    assert dialog.save(str(pdf)) is not None
    dialog.deleteLater()
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    assert "onerror" in text and "<b>粗</b>" in "".join(text.split())
