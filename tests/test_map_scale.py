"""The map at city scale (issue 16), driven as a member would: merchants drawn as clusters and dots
for the viewport only, picked with the mouse; a large catalogue read while the window stays usable;
changes made elsewhere noticed; a city-wide flyer that stays readable."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QPoint, Qt
from qt_helpers import WAIT_MS, close, page_value, settle
from sqlalchemy import insert

from app.merchants.catalogue import MerchantQuery, search
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.curation import add_merchant
from app.merchants.fields import MerchantRecord
from app.merchants.pinyin_index import pinyin_keys
from app.merchants.rows import rules_columns
from app.store import Store
from app.store.models import Merchant

pytestmark = pytest.mark.gui


def click_map(qtbot, view, x: float, y: float) -> None:
    """A real left click on the page at container pixel (x, y)."""
    qtbot.mouseClick(view.focusProxy(), Qt.MouseButton.LeftButton, pos=QPoint(round(x), round(y)))


def add_many(store, districts, count: int, code: str = "420106", seed: int = 16) -> None:
    """`count` merchants scattered over one district (武昌区 by default), straight into the table."""
    import shapely

    geom = districts.frame.set_index("code").geometry[code]
    rng = random.Random(seed)
    rows = []
    west, south, east, north = geom.bounds
    while len(rows) < count:
        lon, lat = rng.uniform(west, east), rng.uniform(south, north)
        if not shapely.contains_xy(geom, lon, lat):
            continue
        name = f"测试商户{len(rows)}号"
        full, initials = pinyin_keys(name)
        rows.append({"id": f"many-{len(rows):05d}", "name": name, "category": rng.choice(CATEGORY_NAMES),
                     "district_code": code, "offer": "全场9折", "lon": round(lon, 6), "lat": round(lat, 6),
                     "name_pinyin": full, "name_initials": initials, **rules_columns("全场9折")})
    with store.session() as s:
        s.execute(insert(Merchant), rows)


def test_a_dot_clicked_with_the_mouse_selects_its_merchant(window, qtbot):
    explorer, view = window.explorer, window.explorer.map
    explorer.select_merchant("qs-08")                      # the map flies there: street view, dots
    qtbot.waitUntil(lambda: page_value(qtbot, view, "isIdle") and page_value(qtbot, view, "zoom") >= 12
                    and page_value(qtbot, view, "selectedId") == "qs-08", timeout=WAIT_MS)
    explorer.table.clearSelection()
    # Another merchant drawn as a dot of its own near the selected one.
    drawn = page_value(qtbot, view, "drawnCounts")
    assert drawn["dots"] >= 1 and drawn["selected"] == 1
    others = [m for m in ("qs-01", "qs-02", "qs-03", "qs-05", "qs-07", "qs-09", "qs-10", "qs-11", "qs-12")]
    size = view.size()
    target = None
    for mid in others:
        x, y = page_value(qtbot, view, "pointOf", mid)
        if 20 < x < size.width() - 20 and 20 < y < size.height() - 20:
            target = (mid, x, y)
            break
    assert target, "no other merchant in view"
    mid, x, y = target
    click_map(qtbot, view, x, y)
    qtbot.waitUntil(lambda: explorer.selected_id() == mid, timeout=WAIT_MS)
    assert explorer.details.merchant_id == mid
    assert page_value(qtbot, view, "selectedId") == mid


def test_a_cluster_click_zooms_in_and_a_filter_recounts_without_redrawing_the_page(window, qtbot, store):
    db, districts = store
    add_many(db, districts, 3000)
    explorer, view = window.explorer, window.explorer.map
    explorer.refresh()
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 3012, timeout=WAIT_MS)
    explorer.panel.select_only_district("420106")
    settle(qtbot, window)
    drawn = page_value(qtbot, view, "drawnCounts")
    # 3,000 merchants drawn as a few dozen clusters standing for all of them, not 3,000 DOM markers.
    assert drawn["merchants"] == 3000 and 0 < drawn["clusters"] < 200
    clusters = page_value(qtbot, view, "clusterPoints")
    for i, (x1, y1, _, s1) in enumerate(clusters):           # no badge covers another
        for x2, y2, _, s2 in clusters[i + 1:]:
            assert (x1 - x2) ** 2 + (y1 - y2) ** 2 >= ((s1 + s2) / 2) ** 2
    zoom = page_value(qtbot, view, "zoom")
    x, y, n, _ = max(clusters, key=lambda c: c[2])
    click_map(qtbot, view, x, y)
    qtbot.waitUntil(lambda: page_value(qtbot, view, "zoom") > zoom, timeout=WAIT_MS)
    assert page_value(qtbot, view, "followsResults") is False   # the member's own move

    # A filter change is a recount of the same page: the catalogue is not sent again.
    sent = []
    view.bridge.invoke.connect(sent.append)
    explorer.panel.category_buttons["餐饮"].click()
    settle(qtbot, window)
    assert [m for m in sent if '"fn": "setCatalogue"' in m] == []
    expected = search(db, districts, MerchantQuery(districts=("420106",), categories=("餐饮",)))
    assert page_value(qtbot, view, "featureCount") == explorer.model.rowCount() == len(expected)
    assert max(len(m) for m in sent) < 2_000                     # a few bits per merchant, not GeoJSON


def test_a_large_catalogue_is_read_while_the_window_stays_usable(qtbot, qapp, store, settings, monkeypatch):
    import widgets.explorer
    from widgets.main_window import MainWindow

    monkeypatch.setattr(widgets.explorer, "BACKGROUND_FROM", 5)   # the 12 seed merchants count as large
    w = MainWindow(*store, settings=settings)
    w.show()
    try:
        explorer = w.explorer
        # The window is up at once and says what it is doing; the list fills when the read ends.
        assert explorer.loading and explorer.model.rowCount() == 0
        assert "正在读取商户目录（12 家）" in explorer.empty_label.text() and explorer.empty_note.isVisible()
        qtbot.waitUntil(lambda: explorer.model.rowCount() == 12, timeout=WAIT_MS)
        settle(qtbot, w)
        assert not explorer.loading and not explorer.empty_note.isVisible()
        assert page_value(qtbot, explorer.map, "featureCount") == 12

        # A merchant added meanwhile: read again in the background, the old list shown until then.
        db, districts = store
        record = MerchantRecord("bg-1", "后台新增的小馆", "餐饮", "420107", 114.39, 30.63, offer="9折")
        assert add_merchant(db, districts, record, author="测试").saved
        explorer.refresh()
        assert explorer.loading and explorer.model.rowCount() == 12
        qtbot.waitUntil(lambda: explorer.model.rowCount() == 13, timeout=WAIT_MS)
        settle(qtbot, w)
        # and it does not go on reading for ever: a second read would begin as the first one's result lands
        assert not explorer.loading
        assert page_value(qtbot, explorer.map, "featureCount") == 13
    finally:
        close(w)


def test_a_change_made_by_another_program_is_noticed(window, qtbot, store):
    db, districts = store
    explorer = window.explorer
    other = Store(db.url)                                  # e.g. a command-line import meanwhile
    record = MerchantRecord("other-1", "别处新增的小馆", "餐饮", "420107", 114.39, 30.63, offer="9折")
    assert add_merchant(other, districts, record, author="别人").saved
    other.close()
    explorer.check_catalogue()                             # as when the member comes back to the app
    qtbot.waitUntil(lambda: explorer.model.rowCount() == 13, timeout=WAIT_MS)
    settle(qtbot, window)
    assert page_value(qtbot, explorer.map, "featureCount") == 13
    assert explorer.select_merchant("other-1")


def test_a_city_wide_flyer_shows_counts_instead_of_piles_of_pins(store, tmp_path):
    from maps.flyer import COUNTS_NOTE, FlyerSpec, ensure_gui, write_flyer

    db, districts = store
    add_many(db, districts, 150)
    ensure_gui()
    frame = search(db, districts)
    result = write_flyer(tmp_path / "city.pdf", frame, districts, [],
                         FlyerSpec("全市优惠商户", (), (), dt.date(2026, 11, 29)))
    first = PdfReader(str(result.path)).pages[0].extract_text()
    assert COUNTS_NOTE.split("：")[0] in first.replace("\n", "")
    assert "各区商户数" in first and "150" in first and "12" in first   # 武昌区 150, 青山区 12
    # A district's flyer with few merchants keeps its numbered pins.
    few = write_flyer(tmp_path / "qs.pdf", frame[frame["district_code"] == "420107"], districts, ["420107"],
                      FlyerSpec("青山区", ("青山区",), (), dt.date(2026, 11, 29)))
    assert "各区商户数" not in PdfReader(str(few.path)).pages[0].extract_text()
