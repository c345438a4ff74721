"""The main window with its real QtWebEngine map page, driven like a member would (offscreen)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, QPoint, Qt, QUrl
from PySide6.QtGui import QFontDatabase, QFontInfo
from PySide6.QtWebEngineWidgets import QWebEngineView
from qt_helpers import WAIT_MS, close, page_value, settle

from app.geo.china_datum import wgs84_to_gcj02
from widgets.main_window import MainWindow
from widgets.map_view import LOCAL_SCHEMES, MapPage, RequestLog

pytestmark = pytest.mark.gui


def test_starts_with_the_seed_merchants_on_list_and_map(window, qtbot):
    explorer = window.explorer
    assert explorer.model.rowCount() == 12
    assert window.statusBar().currentMessage() == "共 12 家商户符合条件"
    assert page_value(qtbot, explorer.map, "featureCount") == 12
    # All in one district, so drawn at once (no city view): every one of them in a cluster or a dot.
    assert page_value(qtbot, explorer.map, "drawnCounts")["merchants"] == 12
    # District counts in the panel and shading on the map: only 青山区 has merchants.
    texts = [explorer.panel.district_list.item(i).text() for i in range(13)]
    assert "青山区（12）" in texts and "江岸区（0）" in texts
    assert page_value(qtbot, explorer.map, "districtFill", "420107") != page_value(
        qtbot, explorer.map, "districtFill", "420102")


def test_filters_change_list_and_page_to_the_same_count(window, qtbot):
    explorer = window.explorer
    explorer.panel.category_buttons["餐饮"].click()
    settle(qtbot, window)
    assert explorer.model.rowCount() == 2
    assert page_value(qtbot, explorer.map, "featureCount") == 2
    assert window.statusBar().currentMessage() == "共 2 家商户符合条件"

    explorer.panel.category_buttons["医疗"].click()  # categories add up
    settle(qtbot, window)
    assert explorer.model.rowCount() == page_value(qtbot, explorer.map, "featureCount") == 6

    explorer.panel.set_categories(set())
    qtbot.keyClicks(explorer.panel.search_box, "zbcc")  # pinyin initials, debounced
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 1, timeout=WAIT_MS)
    settle(qtbot, window)
    assert explorer.model.index(0, 0).data() == "中百仓储"
    assert page_value(qtbot, explorer.map, "featureCount") == 1

    explorer.panel.search_box.clear()
    explorer.panel.saving_box.setCurrentIndex(3)  # at least 20 % off
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 3, timeout=WAIT_MS)
    settle(qtbot, window)
    assert sorted(explorer.frame["name"]) == sorted(["精益眼镜", "武东医院", "友缘家政服务"])
    assert page_value(qtbot, explorer.map, "featureCount") == 3


def test_marker_click_in_the_page_selects_the_row_and_fills_details(window, qtbot):
    explorer = window.explorer
    with qtbot.waitSignal(explorer.map.bridge.merchantClicked, timeout=WAIT_MS) as clicked:
        explorer.map.call("clickMerchant", "qs-08")
    assert clicked.args == ["qs-08"]
    assert explorer.selected_id() == "qs-08"
    assert explorer.details.name_label.text() == "精益眼镜"
    assert "配镜：8.5折" in explorer.details.rules_label.text()
    assert "不参加：隐形产品相关附件" in explorer.details.rules_label.text()
    # The calculator prices what the member types.
    explorer.details.amount_box.setText("配镜=1000 隐形产品相关附件=100")
    result = explorer.details.result_label.text()
    assert "应付 ¥950.00" in result and "¥150.00" in result
    explorer.details.amount_box.setText("12.345")
    assert "最多两位小数" in explorer.details.result_label.text()


def test_row_selection_reaches_the_page(window, qtbot):
    explorer = window.explorer
    merchant_id = explorer.frame.set_index("name").loc["中百仓储", "id"]
    explorer.table.selectRow(explorer.model.row_of(merchant_id))
    qtbot.waitUntil(lambda: page_value(qtbot, explorer.map, "selectedId") == merchant_id, timeout=WAIT_MS)
    assert explorer.details.name_label.text() == "中百仓储"


def test_clicking_a_district_filters_to_it_and_says_so(window, qtbot):
    """Issue 27: a click that lands in a district with nothing to show only looks at it (it used to switch
    the filter silently to 0 results); one with merchants filters, and a chip above the map says so and
    takes it back."""
    explorer = window.explorer
    city = page_value(qtbot, explorer.map, "zoom")
    with qtbot.waitSignal(explorer.map.bridge.districtClicked, timeout=WAIT_MS):
        explorer.map.call("clickDistrict", "420102")  # 江岸区: no partner merchants yet
    assert explorer.panel.district_codes() == () and explorer.model.rowCount() == 12
    assert "江岸区没有符合当前条件的商户" in window.statusBar().currentMessage()
    assert not explorer.district_chip.isVisible()
    qtbot.waitUntil(lambda: page_value(qtbot, explorer.map, "zoom") > city, timeout=WAIT_MS)   # looked at it

    with qtbot.waitSignal(explorer.map.bridge.districtClicked, timeout=WAIT_MS):
        explorer.map.call("clickDistrict", "420107")
    assert explorer.panel.district_codes() == ("420107",)
    assert explorer.district_chip.isVisible() and explorer.district_chip.text().startswith("已筛选：青山区")
    qtbot.mouseClick(explorer.district_chip, Qt.MouseButton.LeftButton)
    assert explorer.panel.district_codes() == () and not explorer.district_chip.isVisible()

    explorer.map.call("clickDistrict", "420107")
    qtbot.waitUntil(lambda: explorer.district_chip.isVisible(), timeout=WAIT_MS)
    explorer.panel.clear_districts()              # the district list said otherwise: the chip goes
    assert not explorer.district_chip.isVisible()


def test_an_empty_near_here_says_how_far_the_nearest_is_and_widens_in_one_click(window, qtbot):
    """Issue 27: 附近 with nothing in the radius said only 没有符合条件的商户."""
    explorer = window.explorer
    explorer.panel.radius_box.setCurrentIndex(1)  # 1 km
    explorer.panel.pick_button.click()
    with qtbot.waitSignal(explorer.map.bridge.mapClicked, timeout=WAIT_MS):
        explorer.map.call("clickMap", 114.27, 30.58)   # 江汉区: the seed's merchants are all in 青山区
    settle(qtbot, window)
    assert explorer.model.rowCount() == 0
    text = explorer.empty_label.text()
    assert text.startswith("1 公里内没有符合条件的商户；最近的一家是") and "公里" in text.split("约")[-1]
    assert explorer.widen_button.isVisible() and explorer.widen_button.text().startswith("扩大到")
    explorer.widen_button.click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() > 0, timeout=WAIT_MS)
    nearest = explorer.model.index(0, 0).data(Qt.ItemDataRole.UserRole)
    assert explorer.record_of(nearest)["name"] in text             # the one it named comes first


def test_near_here_lists_merchants_by_distance(window, qtbot):
    explorer = window.explorer
    explorer.panel.radius_box.setCurrentIndex(1)  # 1 km
    explorer.panel.pick_button.click()
    near = explorer.frame[explorer.frame["id"] == "qs-06"].iloc[0]
    with qtbot.waitSignal(explorer.map.bridge.mapClicked, timeout=WAIT_MS):
        explorer.map.call("clickMap", float(near["lon"]), float(near["lat"]))
    settle(qtbot, window)
    assert not explorer.panel.pick_button.isChecked()
    assert 0 < explorer.model.rowCount() < 12
    assert not explorer.table.isColumnHidden(4)
    # Sorted by distance: the merchant under the click comes first, at 0 m.
    first = explorer.model.index(0, 0)
    assert first.data(Qt.ItemDataRole.UserRole) == "qs-06"
    # the seed's merchants are placed roughly (大致位置): their distances say 约 (issue 27)
    assert explorer.model.index(0, 4).data() == "约 0 米"
    assert "大致位置" in explorer.model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole)
    explorer.select_merchant("qs-06")
    assert "距离 约 0 米" in explorer.details.meta_label.text()
    distances = list(explorer.frame["distance_m"])
    assert all(d <= 1000 for d in distances)
    assert page_value(qtbot, explorer.map, "featureCount") == explorer.model.rowCount()
    explorer.panel.clear_near()
    settle(qtbot, window)
    assert explorer.model.rowCount() == 12 and explorer.table.isColumnHidden(4)


def test_the_page_never_leaves_the_machine(window, qtbot):
    explorer = window.explorer
    explorer.map.call("clickMerchant", "qs-01")
    explorer.panel.category_buttons["购物"].click()
    settle(qtbot, window)
    urls = explorer.map.requests.urls
    assert any(u.endswith("leaflet.js") for u in urls), "the interceptor sees the page's requests"
    assert explorer.map.requests.remote_urls() == []


def test_gcj02_correction_in_the_page_matches_the_core(window, qtbot):
    for lon, lat in [(114.30, 30.59), (114.42, 30.63), (113.9, 30.9)]:
        page = page_value(qtbot, window.explorer.map, "wgsToGcj", lon, lat)
        expected = wgs84_to_gcj02(lon, lat)
        assert page[0] == pytest.approx(float(expected[0]), abs=1e-9)
        assert page[1] == pytest.approx(float(expected[1]), abs=1e-9)
        back = page_value(qtbot, window.explorer.map, "gcjToWgs", *page)
        assert back == pytest.approx([lon, lat], abs=1e-8)


def test_chinese_uses_the_bundled_font(window):
    assert QFontInfo(window.explorer.table.font()).family() == "Noto Sans SC"
    assert "Noto Sans SC" in QFontDatabase.families()


def test_layout_and_filters_survive_a_restart(qtbot, qapp, store, settings):
    first = MainWindow(*store, settings=settings)
    first.show()
    settle(qtbot, first)
    first.explorer.panel.category_buttons["医疗"].click()
    first.explorer.panel.saving_box.setCurrentIndex(2)
    first.explorer.main_split.setSizes([300, 700, 340])
    sizes = first.explorer.main_split.sizes()
    close(first)  # closing saves

    second = MainWindow(*store, settings=settings)
    second.show()
    settle(qtbot, second)
    try:
        assert second.explorer.panel.category_names() == ("医疗",)
        assert str(second.explorer.panel.min_saving()) == "0.1"
        assert sorted(second.explorer.frame["name"]) == sorted(["好药师大药房", "湖北中联大药房", "武东医院"])
        # The side panels keep their widths; the map takes whatever the (screen-clamped) window has.
        restored = second.explorer.main_split.sizes()
        assert (restored[0], restored[2]) == (sizes[0], sizes[2])
    finally:
        close(second)


def test_export_web_map_from_the_window_opens_offline(window, qtbot, tmp_path):
    window.explorer.panel.category_buttons["购物"].click()
    settle(qtbot, window)
    written = window.export_web_map(str(tmp_path / "购物"))
    assert written.name == "购物.html"
    count = window.explorer.model.rowCount()
    assert count == 4 and f"已导出 {count} 家商户" in window.statusBar().currentMessage()
    # Open it in a plain browser page: it draws its merchants with no request off the machine.
    view = QWebEngineView()
    page = MapPage(view.page().profile(), view)
    log = RequestLog(view)
    page.setUrlRequestInterceptor(log)
    view.setPage(page)
    with qtbot.waitSignal(view.loadFinished, timeout=WAIT_MS):
        view.setUrl(QUrl.fromLocalFile(str(written)))
    box = []
    qtbot.waitUntil(lambda: page.runJavaScript("UnionMap.featureCount()", 0, box.append) or bool(box),
                    timeout=WAIT_MS)
    assert box[0] == count
    assert log.urls and all(QUrl(u).scheme() in LOCAL_SCHEMES for u in log.urls)
    assert [m for m in page.console if m[0] == "error"] == []
    view.setPage(None)
    page.deleteLater()
    view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def test_snapshot_command_writes_the_window(tmp_path, sqlite_url):
    from PySide6.QtGui import QImage

    from widgets.launcher import main

    out = tmp_path / "window.png"
    assert main(["--db", sqlite_url, "snapshot", "--district", "青山区", "--select", "qs-08", "--out", str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1360, 860)
    # The 购物 category colour of the markers is somewhere in the picture: the map was drawn.
    colours = {image.pixelColor(x, y).name() for x in range(0, 1360, 2) for y in range(60, 700, 2)}
    assert "#e67700" in colours


def test_list_sorts_by_real_values_and_keeps_the_selection(window, qtbot):
    explorer = window.explorer
    explorer.select_merchant("qs-06")
    explorer.sort_by(3, Qt.SortOrder.DescendingOrder)
    names = [explorer.model.index(r, 0).data() for r in range(explorer.model.rowCount())]
    assert names[0] == "精益眼镜"  # 7.5折 is the best saving
    assert [explorer.model.index(r, 3).data() for r in range(3)] == ["7.5折", "8折", "8折"]
    header = explorer.table.horizontalHeader()
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton,
                     pos=QPoint(header.sectionViewportPosition(1) + 5, header.height() // 2))
    assert header.sortIndicatorSection() == 1
    if header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder:
        header.setSortIndicator(1, Qt.SortOrder.AscendingOrder)
    categories = [explorer.model.index(r, 1).data() for r in range(explorer.model.rowCount())]
    assert categories[0] == "餐饮" and categories[-1] == "生活服务"  # 吃住行医游购娱, not code points
    assert explorer.selected_id() == "qs-06"
    assert explorer.details.name_label.text() == "中百仓储"


def test_markers_follow_the_gcj02_base_map(window, qtbot):
    explorer = window.explorer
    row = explorer.frame.set_index("id").loc["qs-08"]
    assert page_value(qtbot, explorer.map, "markerLatLng", "qs-08") == pytest.approx([row["lon"], row["lat"]])
    with qtbot.waitSignal(explorer.map.bridge.datumChanged, timeout=WAIT_MS) as changed:
        explorer.map.call("chooseBaseLayer", 0)  # 高德地图
    assert changed.args == ["gcj02"]
    shifted = page_value(qtbot, explorer.map, "markerLatLng", "qs-08")
    expected = wgs84_to_gcj02(row["lon"], row["lat"])
    assert shifted == pytest.approx([float(expected[0]), float(expected[1])], abs=1e-9)
    # A click on the shifted map still reports WGS84.
    explorer.panel.pick_button.click()
    with qtbot.waitSignal(explorer.map.bridge.mapClicked, timeout=WAIT_MS) as clicked:
        explorer.map.call("clickMap", float(row["lon"]), float(row["lat"]))
    assert clicked.args == pytest.approx([row["lon"], row["lat"]], abs=1e-8)
    assert page_value(qtbot, explorer.map, "chooseBaseLayer", None) == "wgs84"


def test_qts_own_buttons_speak_chinese(window):
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

    box = QMessageBox(QMessageBox.Icon.Question, "移动商户", "确定？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, window)
    assert "是" in box.button(QMessageBox.StandardButton.Yes).text()
    assert "否" in box.button(QMessageBox.StandardButton.No).text()
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
    assert buttons.button(QDialogButtonBox.StandardButton.Cancel).text().startswith("取消")
    assert buttons.button(QDialogButtonBox.StandardButton.Save).text().startswith("保存")
    box.deleteLater()
    buttons.deleteLater()


def test_rapid_selection_changes_during_animation_throw_nothing(window, qtbot):
    explorer = window.explorer
    ids = list(explorer.frame["id"])
    for i in range(25):   # faster than any animation can finish
        explorer.select_merchant(ids[i % len(ids)])
    explorer.refresh()
    explorer.select_merchant(ids[3])
    settle(qtbot, window)
    qtbot.waitUntil(lambda: page_value(qtbot, explorer.map, "isIdle"), timeout=WAIT_MS)
    assert page_value(qtbot, explorer.map, "selectedId") == ids[3]
    assert [m for m in explorer.map.console if m[0] == "error"] == []


def test_help_menu_gives_the_card_s_hotlines(window):
    """Seed 000 Q11: 汉口银行 96558, 武汉城市一卡通 81886666 and the union's 12351, each with what it is for."""
    help_menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "帮助")
    assert window.contacts_action in help_menu.actions()
    text = window.contacts_text()
    for number, what in (("12351", "工会"), ("96558", "挂失"), ("81886666", "武汉通")):
        assert number in text and what in text


def test_details_say_when_a_merchant_s_category_code_is_assumed(window):
    """Issue 18: the seed gives no category codes; the one given to 精益眼镜 decides its points, so the
    member is told it is an assumption."""
    window.explorer.select_merchant("qs-08")
    place = window.explorer.details.place_label.text()
    assert "商户类别码：8043（假定" in place


def test_expired_offers_are_hidden_unless_asked_and_soon_ending_ones_say_so(window, store, tmp_path, qtbot):
    """Issue 15: an offer whose validity has ended is never shown as current; one ending within 30 days
    says when; 显示已过期的优惠 brings the expired back, greyed and marked."""
    import datetime as dt

    from app.merchants.importer import import_into_store

    soon = dt.date.today() + dt.timedelta(days=10)
    path = tmp_path / "dated.csv"
    path.write_text("编号,名称,类别,区,优惠,经度,纬度,有效期止\n"
                    "old-1,武昌万达影城,娱乐,武昌区,观影9折,114.316,30.556,2025-12-31\n"
                    f"soon-1,楚天书店,购物,武昌区,全场9折,114.330,30.560,{soon.isoformat()}\n", encoding="utf-8")
    assert import_into_store(*store, path, duplicates="keep").added == 2
    explorer = window.explorer
    explorer.refresh()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 13, timeout=WAIT_MS)
    names = [explorer.model.index(r, 0).data() for r in range(explorer.model.rowCount())]
    assert not any("万达" in n for n in names)
    assert f"楚天书店（{soon.month}月{soon.day}日到期）" in names

    explorer.panel.expired_box.click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 14, timeout=WAIT_MS)
    row = explorer.model.row_of("old-1")
    assert explorer.model.index(row, 0).data() == "武昌万达影城（已过期）"
    assert explorer.model.index(row, 0).data(Qt.ItemDataRole.ForegroundRole) is not None   # greyed
    explorer.select_merchant("old-1")
    assert explorer.details.name_label.text() == "武昌万达影城（优惠已过期）"
    assert "2025-12-31（已过期）" in explorer.details.place_label.text()
    # Issue 24: an expired offer is priced at full price, with why, never with its old discount.
    explorer.details.amount_box.setText("观影=100")
    text = explorer.details.result_label.text()
    assert "应付 ¥100.00" in text and "省 <b style='color:#2b8a3e'>¥0.00" in text and "优惠已过期" in text
    # ... and the map's popup for it says so too.
    assert "优惠已过期" in page_value(qtbot, explorer.map, "popupOf", "old-1")


def test_the_calculator_reads_what_people_type_and_offers_the_item_names(window, qtbot):
    """Issue 15: 配镜 1000, 配镜：1000, ￥300, 1,000 and full-width digits all price; the offer's own item
    names are chips that type themselves."""
    explorer = window.explorer
    explorer.select_merchant("qs-08")   # 精益眼镜: 配镜8.5折 …
    details = explorer.details
    for typed in ("配镜 1000", "配镜：1000", "配镜１０００", "配镜=1,000"):
        details.amount_box.setText(typed)
        assert "应付 ¥850.00" in details.result_label.text(), typed
    details.amount_box.clear()
    assert details.chip_names()[:3] == ["配镜", "太阳镜", "隐形产品"]
    chip = next(details.chips.itemAt(i).widget() for i in range(details.chips.count())
                if details.chips.itemAt(i).widget() is not None and details.chips.itemAt(i).widget().text() == "太阳镜")
    qtbot.mouseClick(chip, Qt.MouseButton.LeftButton)
    assert details.amount_box.text() == "太阳镜="
    details.amount_box.insert("400")
    assert "应付 ¥300.00" in details.result_label.text()
    explorer.select_merchant("qs-06")   # 中百仓储: a bare amount is 正价 goods, with the note (issue 24)
    details.amount_box.setText("￥300")
    assert "应付 ¥294.00" in details.result_label.text() and "特价、促销商品不参加" in details.result_label.text()
    explorer.select_merchant("qs-08")   # 精益眼镜: a bare amount under scoped clauses shows each one's price
    details.amount_box.setText("1200")
    assert "若是配镜，应付 ¥1,020.00" in details.result_label.text()
    assert "若是太阳镜，应付 ¥900.00" in details.result_label.text()


def test_search_by_keyboard_enter_takes_the_first_hit_esc_clears_and_nothing_found_says_so(window, qtbot):
    """Issue 15: Ctrl+F focuses the search, Enter selects the only or first hit, Esc clears the search
    and stops picking a point; a search that finds nothing says so in the list with 清除筛选."""
    explorer = window.explorer
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    explorer.table.setFocus()
    qtbot.keyClick(explorer.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    box = explorer.panel.search_box
    assert box.hasFocus()
    qtbot.keyClicks(box, "zbcc")                  # pinyin initials of 中百仓储
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert explorer.model.rowCount() == 1 and explorer.selected_id() == "qs-06"
    assert explorer.details.name_label.text() == "中百仓储"
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 12, timeout=WAIT_MS)
    assert box.text() == ""

    explorer.panel.pick_button.click()            # picking a point on the map, then changing one's mind
    assert explorer.panel.pick_button.isChecked()
    qtbot.keyClick(box, Qt.Key.Key_Escape)
    assert not explorer.panel.pick_button.isChecked()

    box.insert("qqqqzzz")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert explorer.model.rowCount() == 0
    assert explorer.empty_note.isVisible() and explorer.empty_label.text() == "没有符合条件的商户"
    qtbot.mouseClick(explorer.clear_filters_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 12, timeout=WAIT_MS)
    assert not explorer.empty_note.isVisible() and box.text() == ""


def test_share_navigate_and_call_from_the_details(window, qtbot):
    """Issue 15: 分享 gives a text card to copy and its QR code; 高德导航 and 百度地图 open the place in
    their datums; 拨打电话 dials where a number exists (URLs caught by Qt's own URL handlers)."""
    from PySide6.QtCore import QObject, Slot
    from PySide6.QtGui import QDesktopServices, QGuiApplication
    from qt_helpers import answer_next_dialog

    from app.geo.china_datum import from_wgs84

    class Catcher(QObject):
        def __init__(self):
            super().__init__()
            self.urls = []

        @Slot(QUrl)
        def open(self, url):
            self.urls.append(url.toString())

    catcher = Catcher()
    for scheme in ("https", "tel"):
        QDesktopServices.setUrlHandler(scheme, catcher, "open")
    try:
        explorer = window.explorer
        explorer.select_merchant("qs-08")
        details = explorer.details

        def look(dialog):
            from widgets.share_dialog import qr_pixmap

            # the QR code is the 高德 link: a phone's camera opens the place, ready to navigate
            assert dialog.qr_payload.startswith("https://uri.amap.com/marker?")
            assert "%E7%B2%BE%E7%9B%8A%E7%9C%BC%E9%95%9C%EF%BC%88%E5%A4%A7%E8%87%B4%E4%BD%8D%E7%BD%AE%EF%BC%89" in dialog.qr_payload   # 精益眼镜（大致位置）
            assert dialog.qr_label.pixmap().toImage() == qr_pixmap(dialog.qr_payload).toImage()
            assert dialog.qr_label.pixmap().width() > 100
            dialog.copy_button.click()
            text = dialog.text
            dialog.reject()
            return text
        seen = answer_next_dialog(look)
        qtbot.mouseClick(details.share_button, Qt.MouseButton.LeftButton)
        text = seen[0]
        assert text.startswith("【工会卡优惠】精益眼镜") and "配镜8.5折" in text and "12351" in text
        assert "大致位置" in text          # no address: the approximate-location note instead
        assert "高德导航：https://uri.amap.com/marker?position=" in text and "name=" not in text   # short to read
        assert QGuiApplication.clipboard().text() == text

        qtbot.mouseClick(details.amap_button, Qt.MouseButton.LeftButton)
        qtbot.mouseClick(details.baidu_button, Qt.MouseButton.LeftButton)
        amap, baidu = catcher.urls
        row = explorer.record_of("qs-08")
        gx, gy = (float(v) for v in from_wgs84(row["lon"], row["lat"], "gcj02"))
        assert amap.startswith("https://uri.amap.com/marker?") and f"position={gx:.6f},{gy:.6f}" in amap
        bx, by = (float(v) for v in from_wgs84(row["lon"], row["lat"], "bd09"))
        assert f"location={by:.6f},{bx:.6f}" in baidu and "coord_type=bd09ll" in baidu
        assert not details.call_button.isEnabled()   # the seed gives 精益眼镜 no phone
    finally:
        for scheme in ("https", "tel"):
            QDesktopServices.unsetUrlHandler(scheme)


def test_tel_links_take_the_first_number():
    from app.geo.map_links import tel_url

    assert tel_url("027-8686 1234 转 8") == "tel:02786861234"
    assert tel_url("86861234") == "tel:86861234" and tel_url(None) is None and tel_url("无") is None


def test_the_map_page_speaks_chinese(window, qtbot):
    """Issue 15: the zoom buttons' tooltips, the scale bar's units and the attribution are Chinese."""
    found = []
    script = """JSON.stringify({
        zoomIn: document.querySelector('.leaflet-control-zoom-in').title,
        zoomOut: document.querySelector('.leaflet-control-zoom-out').title,
        scale: document.querySelector('.leaflet-control-scale-line').textContent,
        attribution: document.querySelector('.leaflet-control-attribution').textContent})"""
    window.explorer.map.page().runJavaScript(script, 0, found.append)
    qtbot.waitUntil(lambda: bool(found), timeout=WAIT_MS)
    page = __import__("json").loads(found[0])
    assert (page["zoomIn"], page["zoomOut"]) == ("放大", "缩小")
    assert page["scale"].endswith(" 公里") or page["scale"].endswith(" 米")
    assert page["attribution"].startswith("地图引擎 Leaflet")


def test_tab_leaves_the_list_and_arrows_move_within_it(window, qtbot):
    """Issue 15: Tab moves on through the window instead of stepping the selection through the list."""
    explorer = window.explorer
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    explorer.select_merchant("qs-03")
    explorer.table.setFocus()
    row = explorer.table.currentIndex().row()
    qtbot.keyClick(explorer.table, Qt.Key.Key_Down)
    assert explorer.table.currentIndex().row() == row + 1            # arrows move within the list
    moved_to = explorer.selected_id()
    qtbot.keyClick(explorer.table, Qt.Key.Key_Tab)
    assert not explorer.table.hasFocus()                              # Tab leaves it
    assert explorer.selected_id() == moved_to                         # and changes no selection


def test_the_flyer_preview_fits_a_small_screen(window):
    """Issue 15: the preview was a fixed 760×900; on a screen with less room it fits what is there
    (the offscreen test screen is 800×800)."""
    dialog = window.flyer_dialog()
    room = dialog.screen().availableGeometry()
    assert dialog.height() <= room.height() - 40 and dialog.width() <= room.width()
    dialog.deleteLater()


def test_the_map_follows_the_results_until_the_member_moves_it(window, qtbot):
    """Issue 15: a filter change fits the map to the results, unless the member has moved the map since;
    全部区 zooms back out to the whole city."""
    explorer, view = window.explorer, window.explorer.map
    city = page_value(qtbot, view, "zoom")
    explorer.panel.category_buttons["医疗"].click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 4 and page_value(qtbot, view, "zoom") > city, timeout=WAIT_MS)
    followed = page_value(qtbot, view, "zoom")

    clicked = []   # the member presses the map's own zoom-out button, as they would
    view.page().runJavaScript("document.querySelector('.leaflet-control-zoom-out').click(); true", 0, clicked.append)
    qtbot.waitUntil(lambda: bool(clicked) and page_value(qtbot, view, "zoom") == followed - 1, timeout=WAIT_MS)
    assert page_value(qtbot, view, "followsResults") is False
    explorer.panel.category_buttons["购物"].click()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 8, timeout=WAIT_MS)
    settle(qtbot, window)                                            # the page has drawn the new result
    assert page_value(qtbot, view, "zoom") == followed - 1          # and left the map where the member put it

    qtbot.mouseClick(explorer.panel.clear_districts_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page_value(qtbot, view, "zoom") == city, timeout=WAIT_MS)
    assert page_value(qtbot, view, "followsResults") is True


def test_the_window_fits_a_1024_by_700_screen(window, qtbot):
    """Issue 15: nothing sets a minimum size beyond a 1024×700 screen (the filters scroll, the points
    statement and savings scroll, long journal lines no longer widen the wallet's forms)."""
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().width() == 1024 and window.size().height() == 700, timeout=WAIT_MS)
    assert window.minimumSizeHint().height() <= 700 and window.minimumSizeHint().width() <= 1024
    window.tabs.setCurrentWidget(window.wallet_tab)
    journal = window.wallet_tab.journal_table
    qtbot.waitUntil(lambda: journal.isVisible(), timeout=WAIT_MS)
    assert journal.viewport().height() >= 3 * journal.verticalHeader().defaultSectionSize()   # rows to read


def test_threshold_and_free_offers_have_a_headline_and_are_filtered_fairly(window, store, tmp_path, qtbot):
    """Issue 15: 满200减30 shows 满减 最高15% and counts as 15 % in 优惠幅度; 门票免费 shows 免费项目."""
    from app.merchants.importer import import_into_store

    path = tmp_path / "offers.csv"
    path.write_text("编号,名称,类别,区,优惠,经度,纬度\n"
                    "t-1,楚天超市,购物,青山区,满200减30,114.40,30.63\n"
                    "f-1,青山公园,旅游,青山区,门票免费,114.41,30.62\n", encoding="utf-8")
    assert import_into_store(*store, path, duplicates="keep").added == 2
    explorer = window.explorer
    explorer.refresh()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 14, timeout=WAIT_MS)
    best = {explorer.model.merchant_id(r): explorer.model.index(r, 3).data() for r in range(explorer.model.rowCount())}
    assert best["t-1"] == "满减 最高15%" and best["f-1"] == "免费项目" and best["qs-08"] == "7.5折"
    box = explorer.panel.saving_box
    box.setCurrentIndex(box.findText("至少 10%（9折）"))
    qtbot.waitUntil(lambda: explorer.model.row_of("t-1") is not None and explorer.model.rowCount() < 14,
                    timeout=WAIT_MS)
    explorer.select_merchant("t-1")
    assert "满减 最高15%" in explorer.details.meta_label.text()


def test_near_here_from_a_coordinate_pasted_from_gaode_or_baidu(window, qtbot):
    """Issue 15: 附近 takes a coordinate copied from 高德/百度, converted from that map's datum; a swapped
    or far-away one says why and changes nothing."""
    from app.geo.china_datum import from_wgs84

    panel, explorer = window.explorer.panel, window.explorer
    wgs = (114.386, 30.648)                                          # 好药师大药房's point
    gx, gy = (float(v) for v in from_wgs84(*wgs, "gcj02"))
    panel.point_edit.setText(f"{gx:.6f}，{gy:.6f}")                   # as copied, full-width comma and all
    qtbot.keyClick(panel.point_edit, Qt.Key.Key_Return)
    lon, lat = panel.near()
    assert abs(lon - wgs[0]) < 1e-5 and abs(lat - wgs[1]) < 1e-5    # back in WGS84, not 500 m off
    qtbot.waitUntil(lambda: explorer.model.has_distance and explorer.model.rowCount() > 0, timeout=WAIT_MS)
    assert explorer.model.merchant_id(0) == "qs-02"                  # nearest first

    panel.point_edit.setText(f"{gy:.6f},{gx:.6f}")                    # swapped
    qtbot.keyClick(panel.point_edit, Qt.Key.Key_Return)
    assert "填反" in panel.near_label.text() and abs(panel.near()[0] - wgs[0]) < 1e-5


def test_city_view_counts_districts_and_street_view_shows_merchants(window, qtbot, store, tmp_path):
    """Issue 15: zoomed out over results in several districts, the map shows each district's name and
    count and no merchant clusters (their badges covered the names and looked like the counts);
    zoomed in, the merchants, with the district names above them and no counts."""
    from app.merchants.importer import import_into_store

    path = tmp_path / "more.csv"
    path.write_text("编号,名称,类别,区,优惠,经度,纬度\n"
                    "ja-1,江岸书店,购物,江岸区,9折,114.30,30.60\n"
                    "wc-1,武昌茶馆,餐饮,武昌区,9折,114.31,30.55\n"
                    "wc-2,武昌书店,购物,武昌区,9折,114.315,30.553\n"
                    "wc-3,武昌药房,医疗,武昌区,9折,114.318,30.556\n"
                    "jh-1,江汉茶庄,购物,江汉区,9折,114.27,30.60\n"
                    "qk-1,硚口面馆,餐饮,硚口区,9折,114.23,30.58\n"
                    "hy-1,汉阳酒家,餐饮,汉阳区,9折,114.22,30.55\n"
                    "hs-1,洪山书店,购物,洪山区,9折,114.34,30.50\n", encoding="utf-8")
    assert import_into_store(*store, path, duplicates="keep").added == 8
    explorer, view = window.explorer, window.explorer.map
    explorer.refresh()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 20, timeout=WAIT_MS)
    settle(qtbot, window)
    state_js = """JSON.stringify((() => {
        const shown = (sel) => Array.from(document.querySelectorAll(sel)).filter((e) => e.offsetParent !== null
            && getComputedStyle(e.closest('.uc-district-label') || e).visibility !== 'hidden');
        const boxes = shown('.uc-label-box').map((e) => e.getBoundingClientRect());
        const overlaps = boxes.some((a, i) => boxes.some((b, j) => j > i && a.left < b.right && b.left < a.right
            && a.top < b.bottom && b.top < a.bottom));
        return {overlaps: overlaps, counts: shown('.uc-district-count').map((e) => e.textContent),
                names: shown('.uc-district-name').map((e) => e.textContent),
                merchants: shown('.uc-cluster').length + shown('.uc-pin').length,
                labelsAbove: +getComputedStyle(document.querySelector('.leaflet-ucLabels-pane')).zIndex
                    > +getComputedStyle(document.querySelector('.leaflet-marker-pane')).zIndex};
    })())"""

    def state():
        box = []
        qtbot.waitUntil(lambda: view.page().runJavaScript(state_js, 0, box.append) or bool(box), timeout=WAIT_MS)
        return __import__("json").loads(box[0])

    view.call("fit", "all")                                            # 全部区: the whole city
    qtbot.waitUntil(lambda: page_value(qtbot, view, "zoom") < 12, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: state()["merchants"] == 0, timeout=WAIT_MS)
    city = state()
    # Issue 27: every district with results shows its count, however crowded the centre (武昌区's 3 was
    # hidden under its neighbours'): 青山 12, 武昌 3, and 江岸、江汉、硚口、汉阳、洪山 1 each; none overlap.
    assert sorted(city["counts"], key=int) == ["1"] * 5 + ["3", "12"], city
    assert {"青山区", "武昌区", "江岸区", "江汉区", "硚口区", "汉阳区", "洪山区"} <= set(city["names"])
    assert not city["overlaps"], city

    zoom = page_value(qtbot, view, "zoom")
    while zoom < 12:                                                   # the member zooms in, click by click
        qtbot.waitUntil(lambda: page_value(qtbot, view, "isIdle"), timeout=WAIT_MS)   # a click mid-zoom is lost
        view.page().runJavaScript("document.querySelector('.leaflet-control-zoom-in').click(); true")
        qtbot.waitUntil(lambda z=zoom: page_value(qtbot, view, "zoom") == z + 1, timeout=WAIT_MS)
        zoom += 1
    qtbot.waitUntil(lambda: state()["merchants"] > 0, timeout=WAIT_MS)
    street = state()
    assert street["counts"] == [] and street["names"] and street["labelsAbove"]

    explorer.panel.select_only_district("420107")                      # one district: its merchants at any zoom
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 12, timeout=WAIT_MS)
    view.call("fit", "all")
    qtbot.waitUntil(lambda: page_value(qtbot, view, "zoom") < 12 and state()["merchants"] > 0, timeout=WAIT_MS)


def test_the_calculator_warns_when_part_of_the_offer_was_not_understood(window, qtbot):
    """Issue 14: 好药师大药房's "门店其他优惠优先享受" is not in the rule model; 算一算 prices what it understood
    and says the rest may change the price, where 精益眼镜's fully read offer carries no such warning."""
    explorer = window.explorer
    details = explorer.details
    explorer.select_merchant("qs-02")
    details.amount_box.setText("100")
    assert "应付 ¥88.00" in details.result_label.text()
    assert "未能识别：门店其他优惠优先享受" in details.result_label.text()
    explorer.select_merchant("qs-08")
    details.amount_box.setText("配镜 1000")
    assert "应付 ¥850.00" in details.result_label.text() and "未能识别" not in details.result_label.text()


def test_the_details_say_whether_a_time_limited_offer_holds_today(window, qtbot, store, tmp_path):
    """Issue 14: 每周三会员日全场7折 says 今天可用 on a Wednesday and 今天不可用：仅周三 otherwise, and 算一算
    prices it for now."""
    import datetime as dt

    from app.merchants.importer import import_into_store

    path = tmp_path / "wed.csv"
    path.write_text("编号,名称,类别,区,优惠,经度,纬度\nw-1,周三茶馆,餐饮,青山区,每周三会员日全场7折,114.40,30.63\n",
                    encoding="utf-8")
    assert import_into_store(*store, path, duplicates="keep").added == 1
    explorer = window.explorer
    explorer.refresh()
    qtbot.waitUntil(lambda: explorer.model.row_of("w-1") is not None, timeout=WAIT_MS)
    explorer.select_merchant("w-1")
    details = explorer.details
    wednesday = dt.date.today().weekday() == 2
    assert ("今天可用" if wednesday else "今天不可用：仅周三") in details.place_label.text()
    assert "全部消费：7折（周三）" in details.rules_label.text()
    details.amount_box.setText("100")
    assert ("应付 ¥70.00" if wednesday else "应付 ¥100.00") in details.result_label.text()


def test_the_legend_folds_away_and_never_covers_the_selected_pin(window, qtbot):
    """Issue 27: a merchant under the legend could not be seen once selected. The legend folds itself when
    the selected pin comes under it (the member drags the map there), and the member can fold or unfold
    it by its title."""
    import json

    view = window.explorer.map
    settle(qtbot, window)
    with qtbot.waitSignal(view.bridge.merchantClicked, timeout=WAIT_MS):
        view.call("clickMerchant", "qs-01")
    assert page_value(qtbot, view, "legendFolded") is False
    qtbot.waitUntil(lambda: page_value(qtbot, view, "isIdle"), timeout=WAIT_MS)   # the popup has opened
    # The member drags the map so that the pin sits in the middle of the legend.
    drag = """(() => {
        const map = Object.values(window).find((v) => v instanceof L.Map);
        const l = document.querySelector('.uc-legend').getBoundingClientRect();
        const c = map.getContainer().getBoundingClientRect();
        const tx = (l.left + l.right) / 2 - c.left, ty = (l.top + l.bottom) / 2 - c.top;
        const [x, y] = UnionMap.pointOf('qs-01');
        map.closePopup();
        map.panBy([x - tx, y - ty], {animate: false});
        return JSON.stringify([l.left - c.left, l.top - c.top, l.right - c.left, l.bottom - c.top]);
    })()"""
    box = []
    qtbot.waitUntil(lambda: view.page().runJavaScript(drag, 0, box.append) or bool(box), timeout=WAIT_MS)
    left, top, right, bottom = json.loads(box[0])
    px, py = page_value(qtbot, view, "pointOf", "qs-01")
    assert left < px < right and top < py < bottom            # the pin is where the legend was
    qtbot.waitUntil(lambda: page_value(qtbot, view, "legendFolded") is True, timeout=WAIT_MS)
    clicked = []
    view.page().runJavaScript("document.querySelector('.uc-legend-title').click(); true", 0, clicked.append)
    qtbot.waitUntil(lambda: bool(clicked) and page_value(qtbot, view, "legendFolded") is False, timeout=WAIT_MS)
