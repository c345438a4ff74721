"""The map page files (no Qt): local assets only, compact merchant data, a self-contained web map."""

import json
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from app.merchants.catalogue import MerchantQuery, search
from maps.merchant_layer import district_collection, district_counts, frame_points, mask_bits
from maps.page import render_web_map, write_app_page
from maps.web_map import selection_title
from widgets.launcher import main

# What a page loads as it opens: scripts, stylesheets and CSS url()s (a plain <a href> is not a load).
LOADS = re.compile(r"""<script[^>]*\ssrc="([^"]+)"|<link[^>]*\shref="([^"]+)"|url\(["']?([^"')]+)""", re.IGNORECASE)


def _loads(page: str) -> list[str]:
    return [next(g for g in m.groups() if g) for m in LOADS.finditer(page)]


def test_app_page_loads_only_local_files(tmp_path, district_index):
    page = write_app_page(tmp_path, district_index).read_text(encoding="utf-8")
    loads = _loads(page)
    assert all(u.startswith("file://") or u == "qwebchannel.js" for u in loads), loads
    for unwanted in ("jquery", "bootstrap", "awesome-markers", "cdn.jsdelivr"):
        assert unwanted not in page.lower()
    refs = [u for u in loads if u.startswith("file://")]
    assert any(r.endswith("/leaflet.js") for r in refs)
    assert any(r.endswith("/union_map.js") for r in refs)
    for ref in refs:
        assert Path(ref.removeprefix("file://")).is_file(), ref
    assert 'src="qwebchannel.js"' in page
    assert "UnionMap.init(" in page
    # The font comes from a file of ours, so Chinese renders without system CJK fonts.
    font = re.search(r'@font-face \{ font-family: "UnionCardSans"; src: url\("(file://[^"]+)"\)', page)
    assert font and Path(font.group(1).removeprefix("file://")).is_file()


def test_online_base_maps_are_offered_but_off(tmp_path, district_index):
    page = write_app_page(tmp_path, district_index).read_text(encoding="utf-8")
    assert "tile.openstreetmap.org" in page and "autonavi.com" in page
    # folium adds a tile layer to the map only when it is shown; ours are only in the control.
    assert not re.search(r"tile_layer_\w+\.addTo\(", page)


def test_district_layer_has_every_district_with_a_label_inside(district_index):
    from shapely.geometry import Point, shape

    layer = district_collection(district_index)
    assert len(layer["features"]) == 13
    for feature in layer["features"]:
        p = feature["properties"]
        assert shape(feature["geometry"]).contains(Point(p["label_lon"], p["label_lat"])), p["name"]


def test_merchants_cross_as_compact_columns(seeded):
    store, districts = seeded
    frame = search(store, districts, MerchantQuery(categories=("餐饮",)))
    data = frame_points(frame)
    assert data["ids"] == list(frame["id"]) and data["n"] == list(frame["name"])
    # Coordinates as whole millionths of a degree, categories and best offers as numbers into tables.
    assert data["x"][0] == round(frame["lon"].iloc[0] * 1e6) and data["y"][0] == round(frame["lat"].iloc[0] * 1e6)
    assert {data["codes"][c] for c in data["c"]} == {"food"}
    assert {data["bestText"][b] for b in data["b"]} <= {"9折", "9.2折"}
    assert "o" not in data and "a" not in data          # offer text only in an exported page
    assert set(frame_points(frame, rich=True)["o"]) == set(frame["offer"])
    assert district_counts(frame) == {"420107": len(frame)}


def test_a_filter_crosses_as_one_bit_per_merchant():
    import base64

    import numpy as np

    mask = np.zeros(100_000, dtype=bool)
    mask[[0, 9, 99_999]] = True
    bits = mask_bits(mask)
    assert len(bits) < 17_000                             # 100,000 merchants in under 17 kB
    raw = base64.b64decode(bits)
    assert raw[0] == 0b1000_0000 and raw[1] == 0b0100_0000 and len(raw) == 12_500
    assert raw[99_999 >> 3] == 1 << (7 - (99_999 & 7))


def test_web_map_is_self_contained(seeded, tmp_path):
    store, districts = seeded
    frame = search(store, districts, MerchantQuery(districts=("青山区",)))
    page = render_web_map(districts, frame_points(frame, rich=True), district_counts(frame),
                          selection_title(["青山区"]))
    assert not re.search(r"<script[^>]*\ssrc=|<link[\s>]", page), "scripts and styles are inlined"
    assert not [u for u in _loads(page) if re.match(r"(https?:)?//", u)]
    assert "file://" not in page
    assert "<title>武汉工会会员服务卡 · 青山区优惠商户</title>" in page
    # Every merchant and its offer text travels inside the page.
    for name, offer in zip(frame["name"], frame["offer"]):
        assert name in page and offer in page
    # The embedded font is a subset that still has the glyphs the page shows.
    font_b64 = re.search(r'src: url\("data:font/otf;base64,([A-Za-z0-9+/=]+)"\)', page).group(1)
    font_file = tmp_path / "subset.otf"
    import base64

    font_file.write_bytes(base64.b64decode(font_b64))
    cmap = TTFont(str(font_file)).getBestCmap()
    for ch in "青山区精益眼镜配镜折":
        assert ord(ch) in cmap, ch
    assert len(font_file.read_bytes()) < 1_000_000  # a subset, not the 8 MB font
    # Leaflet's control images are inlined too.
    assert "data:image/png;base64," in page


def test_export_map_command(tmp_path, sqlite_url, capsys):
    out = tmp_path / "qingshan.html"
    assert main(["--db", sqlite_url, "export-map", "--district", "青山", "--category", "医",
                 "--out", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["count"] == 4
    assert report["title"] == "武汉工会会员服务卡 · 青山区医疗类优惠商户"
    page = out.read_text(encoding="utf-8")
    init = re.search(r"UnionMap\.init\(Object\.assign\((\{.*?\}), \{\n", page, re.DOTALL).group(1)
    points = json.loads(init)["points"]
    assert sorted(points["n"]) == sorted(
        ["慈铭健康体检中心", "好药师大药房", "湖北中联大药房", "武东医院"])
    assert not (tmp_path / "qingshan.html.part").exists()


@pytest.mark.parametrize("args, message", [
    (["--out", "x.pdf"], "应是 .html"),
    (["--out", "/nonexistent-dir/x.html"], "目录不存在"),
    (["--district", "火星区", "--out", "x.html"], "未知的区"),
])
def test_export_map_refuses_bad_arguments(args, message, sqlite_url, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", sqlite_url, "export-map", *args]) == 2
    assert message in capsys.readouterr().err
    assert not list(tmp_path.glob("*.html"))


def test_map_commands_are_built_when_they_run():
    from widgets.launcher import build_full_parser

    parser = build_full_parser(only="export-map")
    args = parser.parse_args(["export-map", "--out", "a.html", "--district", "青山区"])
    assert args.district == ["青山区"] and callable(args.handler)
    args = build_full_parser(only="lists").parse_args(["lists", "flyer", "清单", "--out", "a.pdf"])
    assert args.list == "清单" and callable(args.handler)


def test_the_app_page_is_cached_and_rebuilt_when_the_districts_change(tmp_path, monkeypatch, seeded, district_index):
    from maps import app_page

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    store, districts = seeded
    first = app_page.app_page(tmp_path / "a", districts).read_text(encoding="utf-8")
    fresh = write_app_page(tmp_path / "fresh", districts).read_text(encoding="utf-8")

    def same(page: str) -> str:   # folium names each element with a random id
        return re.sub(r"_[0-9a-f]{32}(?![0-9a-f])", "_id", page)

    assert same(first) == same(fresh)
    assert len(list(app_page.cache_dir().glob("*.html"))) == 1
    # Served from the cache: the same page, without building it again.
    monkeypatch.setattr("maps.page.write_app_page", lambda *a: pytest.fail("built again"))
    assert app_page.app_page(tmp_path / "b", districts).read_text(encoding="utf-8") == first
    # Other district boundaries are another page.
    frame = district_index.frame.copy()
    frame.loc[frame["code"] == "420107", "name"] = "青山新区"
    monkeypatch.undo()
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    from app.geo.districts import DistrictIndex

    changed = app_page.app_page(tmp_path / "c", DistrictIndex(frame)).read_text(encoding="utf-8")
    assert "青山新区" in changed and "青山新区" not in first
    assert len(list(app_page.cache_dir().glob("*.html"))) == 2


@pytest.mark.gui
def test_the_exported_web_map_has_its_title_a_searchable_list_links_and_opens_on_its_merchants(
        window, qtbot, store, tmp_path):
    """Issue 27: a web map someone opens from a chat shows what it is, lists its merchants to search, opens
    on them (not on the whole city), and each popup offers 高德导航 and a call."""
    from PySide6.QtCore import QCoreApplication, QEvent, QUrl
    from PySide6.QtWebEngineWidgets import QWebEngineView
    from qt_helpers import WAIT_MS, settle

    from app.merchants.curation import add_merchant
    from app.merchants.fields import MerchantRecord
    from widgets.map_view import MapPage

    db, districts = store
    assert add_merchant(db, districts, MerchantRecord("q-tel", "青山眼镜城", "购物", "420107", 114.40, 30.64, offer="8折",
                                                      phone="027-86861234"), author="测试").saved
    window.explorer.refresh()
    settle(qtbot, window)
    written = window.export_web_map(str(tmp_path / "map.html"))
    view = QWebEngineView()
    view.resize(900, 700)
    view.show()
    page = MapPage(view.page().profile(), view)
    view.setPage(page)
    with qtbot.waitSignal(view.loadFinished, timeout=WAIT_MS):
        view.setUrl(QUrl.fromLocalFile(str(written)))

    def js(expression):
        box = []
        qtbot.waitUntil(lambda: page.runJavaScript(expression, 0, box.append) or bool(box), timeout=WAIT_MS)
        return box[0]

    try:
        title = js("document.querySelector('.uc-page-title').textContent")
        assert title == view.title() and title.startswith("武汉工会会员服务卡")
        assert "商户列表（13）" in js("document.querySelector('.uc-list-head').textContent")
        def listed(query):
            return json.loads(js(f"JSON.stringify(UnionMap.listed({json.dumps(query)}))"))

        assert len(listed("")) == 13
        found = listed("眼镜")
        assert len(found) == 2 and all("眼镜" in row for row in found)
        assert listed("没有这家") == []
        opened = js("UnionMap.zoom()")
        js("UnionMap.fit('all'); true")
        qtbot.waitUntil(lambda: js("UnionMap.zoom()") < opened, timeout=WAIT_MS)   # it opened closer than the city
        assert js("UnionMap.selectMerchant('q-tel') && true") is True
        qtbot.waitUntil(lambda: js("!!document.querySelector('.uc-popup-nav')"), timeout=WAIT_MS)
        assert js("document.querySelector('.uc-popup-nav').href").startswith("https://uri.amap.com/marker?")
        assert js("document.querySelector('.uc-popup-tel').href") == "tel:027-86861234".replace("-", "")
        assert [m for m in page.console if m[0] == "error"] == []
    finally:
        view.setPage(None)
        page.deleteLater()
        view.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
