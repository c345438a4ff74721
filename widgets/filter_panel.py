"""The filter panel: districts with counts, category toggles, minimum saving, search and "near here"."""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCore import QSize, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.command_line import QueryError
from app.geo.china_datum import parse_point, to_wgs84
from app.geo.districts import DistrictIndex
from app.geo.places import Gazetteer, bundled_gazetteer
from app.merchants.categories import CATEGORIES
from app.merchants.query import check_near
from widgets.category_icons import colour_icon

SAVING_CHOICES = (("不限", None), ("至少 5%（95折）", Decimal("0.05")), ("至少 10%（9折）", Decimal("0.1")),
                  ("至少 20%（8折）", Decimal("0.2")), ("至少 30%（7折）", Decimal("0.3")))
RADIUS_CHOICES = (("500 米", 500), ("1 公里", 1000), ("2 公里", 2000), ("5 公里", 5000), ("10 公里", 10000),
                  ("20 公里", 20000))
TEXT_DELAY_MS = 250


class FilterPanel(QWidget):
    """Emits `changed` whenever the member's filters change (typing is debounced)."""

    changed = Signal()
    pickModeChanged = Signal(bool)

    def __init__(self, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._districts = districts
        self._near: tuple[float, float] | None = None
        self._gazetteer: Gazetteer | None = None
        self.wants_overview = False   # 全部区, 清除 or 清除筛选 asked to see the whole city again

        self.search_box = QLineEdit()
        self.search_box.setPlaceholderText("名称、优惠或拼音首字母，如 zbcc")
        self.search_box.setClearButtonEnabled(True)
        self._text_timer = QTimer(self)
        self._text_timer.setSingleShot(True)
        self._text_timer.setInterval(TEXT_DELAY_MS)
        self._text_timer.timeout.connect(self.changed)
        self.search_box.textChanged.connect(self._text_timer.start)

        self.district_list = QListWidget()
        self.district_list.setUniformItemSizes(True)
        for code in districts.codes:
            name = districts.name(code)
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, code)
            item.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.district_list.addItem(item)
        self.district_list.itemChanged.connect(lambda _item: self.changed.emit())
        self.clear_districts_button = QPushButton("全部区")
        self.clear_districts_button.setToolTip("取消所有勾选：显示全市")
        self.clear_districts_button.clicked.connect(self.clear_districts)

        self.category_buttons: dict[str, QToolButton] = {}
        category_grid = QGridLayout()
        category_grid.setSpacing(4)
        for i, cat in enumerate(CATEGORIES):
            button = QToolButton()
            button.setText(f"{cat.letter}·{cat.name}" if cat.letter != cat.name[:len(cat.letter)] else cat.name)
            button.setIcon(colour_icon(cat.colour))
            button.setIconSize(QSize(12, 12))
            button.setCheckable(True)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.setToolTip(f"只看{cat.name}类商户（可多选；都不选即全部）")
            button.toggled.connect(lambda _on: self.changed.emit())
            self.category_buttons[cat.name] = button
            category_grid.addWidget(button, i // 2, i % 2)

        self.saving_box = QComboBox()
        for label, value in SAVING_CHOICES:
            self.saving_box.addItem(label, value)
        self.saving_box.currentIndexChanged.connect(lambda _i: self.changed.emit())
        self.expired_box = QCheckBox("显示已过期的优惠")
        self.expired_box.setToolTip("默认只列出今天仍有效的优惠；勾选后已过期的也列出，并标明“已过期”")
        self.expired_box.toggled.connect(lambda _on: self.changed.emit())

        self.pick_button = QPushButton("在地图上点选位置")
        self.pick_button.setCheckable(True)
        self.pick_button.setToolTip("点一下按钮，再在地图上点一下：列出附近的商户，按距离排序")
        self.pick_button.toggled.connect(self.pickModeChanged)
        self.radius_box = QComboBox()
        for label, metres in RADIUS_CHOICES:
            self.radius_box.addItem(label, metres)
        self.radius_box.setCurrentIndex(1)
        self.radius_box.currentIndexChanged.connect(lambda _i: self._near and self.changed.emit())
        # Or a place typed by name (区, 街道, 镇, 乡 from the bundled gazetteer), or a coordinate copied
        # from 高德/百度 (their datums), for a place the outline map cannot show.
        self.point_edit = QLineEdit()
        self.point_edit.setPlaceholderText("地名（如 关山街道）或坐标")
        self.point_edit.setToolTip("武汉的区、街道、镇、乡名（可用拼音），或从高德、百度地图复制的坐标"
                                   "（如 114.39,30.63，右边选择它来自哪家地图）")
        self.point_edit.setClearButtonEnabled(True)
        self._place_model = QStringListModel(self)
        self._place_completer = QCompleter(self._place_model, self)
        # The gazetteer ranks the suggestions (exact, then prefix, then contains; pinyin too).
        self._place_completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self._place_completer.activated.connect(self._place_chosen)
        self.point_edit.setCompleter(self._place_completer)
        self.point_edit.textEdited.connect(self._suggest_places)
        self.point_datum = QComboBox()
        for key, label in (("gcj02", "高德"), ("bd09", "百度"), ("wgs84", "GPS")):
            self.point_datum.addItem(label, key)
        self.point_datum.setToolTip("粘贴的坐标来自哪家地图（地名不需要选）")
        self.point_edit.returnPressed.connect(self.near_from_text)
        self.near_label = QLabel("未选择位置")
        self.near_label.setWordWrap(True)
        self.clear_near_button = QPushButton("清除")
        self.clear_near_button.setEnabled(False)
        self.clear_near_button.clicked.connect(self.clear_near)

        # 我的: the member's own favourites and recently viewed (kept in their own database).
        self.favourites_button = QToolButton()
        self.favourites_button.setText("★ 收藏")
        self.recent_button = QToolButton()
        self.recent_button.setText("最近浏览")
        for button, other in ((self.favourites_button, self.recent_button), (self.recent_button, self.favourites_button)):
            button.setCheckable(True)
            button.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
            button.toggled.connect(lambda on, o=other: (on and o.setChecked(False), self.changed.emit()))
        self.favourites_button.setToolTip("只看我收藏的商户")
        self.recent_button.setToolTip("只看最近看过的商户")
        self.mine_note = QLabel()
        self.mine_note.setWordWrap(True)
        self.mine_note.setStyleSheet("color:#c92a2a")
        self.mine_note.setVisible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        search_group = QGroupBox("搜索")
        QVBoxLayout(search_group).addWidget(self.search_box)
        layout.addWidget(search_group)

        self.mine_group = QGroupBox("我的")
        mine_layout = QVBoxLayout(self.mine_group)
        mine_row = QHBoxLayout()
        mine_row.addWidget(self.favourites_button)
        mine_row.addWidget(self.recent_button)
        mine_layout.addLayout(mine_row)
        mine_layout.addWidget(self.mine_note)
        layout.addWidget(self.mine_group)

        category_group = QGroupBox("类别（吃住行医游购娱）")
        category_group.setLayout(category_grid)
        layout.addWidget(category_group)

        saving_group = QGroupBox("优惠幅度")
        saving_layout = QVBoxLayout(saving_group)
        saving_layout.addWidget(self.saving_box)
        saving_layout.addWidget(self.expired_box)
        layout.addWidget(saving_group)

        near_group = QGroupBox("附近")
        near_layout = QVBoxLayout(near_group)
        near_layout.addWidget(self.pick_button)
        row = QHBoxLayout()
        row.addWidget(QLabel("半径"))
        row.addWidget(self.radius_box, 1)
        row.addWidget(self.clear_near_button)
        near_layout.addLayout(row)
        near_layout.addWidget(self.point_edit)
        datum_row = QHBoxLayout()
        datum_row.addWidget(QLabel("粘贴的坐标来自"))
        datum_row.addWidget(self.point_datum, 1)
        near_layout.addLayout(datum_row)
        near_layout.addWidget(self.near_label)
        layout.addWidget(near_group)

        district_group = QGroupBox("区（不勾选即全市）")
        district_layout = QVBoxLayout(district_group)
        district_layout.addWidget(self.district_list, 1)
        district_layout.addWidget(self.clear_districts_button)
        layout.addWidget(district_group, 1)

    # ---------------------------------------------------------------- reading the filters

    def district_codes(self) -> tuple[str, ...]:
        return tuple(
            self.district_list.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.district_list.count())
            if self.district_list.item(i).checkState() == Qt.CheckState.Checked
        )

    def category_names(self) -> tuple[str, ...]:
        return tuple(name for name, button in self.category_buttons.items() if button.isChecked())

    def min_saving(self) -> Decimal | None:
        return self.saving_box.currentData()

    def show_expired(self) -> bool:
        return self.expired_box.isChecked()

    def text(self) -> str | None:
        return self.search_box.text().strip() or None

    def near(self) -> tuple[float, float] | None:
        return self._near

    def set_radius(self, metres: int) -> None:
        """The smallest radius offered that reaches `metres` (the widest when none does)."""
        for i in range(self.radius_box.count()):
            if self.radius_box.itemData(i) >= metres:
                self.radius_box.setCurrentIndex(i)
                return
        self.radius_box.setCurrentIndex(self.radius_box.count() - 1)

    def radius_m(self) -> int:
        return int(self.radius_box.currentData())

    # ---------------------------------------------------------------- changing them

    @property
    def gazetteer(self) -> Gazetteer:
        """The places one can type for 附近, read when first asked for (it needs the district shapes)."""
        if self._gazetteer is None:
            self._gazetteer = bundled_gazetteer(self._districts)
        return self._gazetteer

    def set_district_counts(self, counts: dict[str, int]) -> None:
        """Show how many merchants each district has under the other filters: 青山区 (12)."""
        self.district_list.blockSignals(True)
        for i in range(self.district_list.count()):
            item = self.district_list.item(i)
            code = item.data(Qt.ItemDataRole.UserRole)
            n = counts.get(code, 0)
            item.setText(f"{self._districts.name(code)}（{n}）")
            item.setForeground(QColor("#212529" if n else "#868e96"))
        self.district_list.blockSignals(False)

    def _set_checked_districts(self, codes) -> None:
        self.district_list.blockSignals(True)
        for i in range(self.district_list.count()):
            item = self.district_list.item(i)
            on = item.data(Qt.ItemDataRole.UserRole) in codes
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.district_list.blockSignals(False)

    def select_only_district(self, code: str) -> None:
        self._set_checked_districts({code})
        self.changed.emit()

    def clear_districts(self) -> None:
        self._set_checked_districts(set())
        self.wants_overview = True
        self.changed.emit()

    def set_categories(self, names) -> None:
        for name, button in self.category_buttons.items():
            button.blockSignals(True)
            button.setChecked(name in names)
            button.blockSignals(False)
        self.changed.emit()

    def set_near(self, lon: float, lat: float, place: str | None = None) -> None:
        self._near = (lon, lat)
        where = place or f"东经 {lon:.5f}，北纬 {lat:.5f}"
        self.near_label.setText(f"中心：{html.escape(where)}")
        self.clear_near_button.setEnabled(True)
        self.pick_button.setChecked(False)
        self.changed.emit()

    def _suggest_places(self, text: str) -> None:
        if parse_point(text) is not None:
            self._place_model.setStringList([])
            return
        self._place_model.setStringList([p.label for p in self.gazetteer.find(text)])

    def _place_chosen(self, label: str) -> None:
        place = self.gazetteer.locate(label)
        if place is not None:
            self.set_near(place.lon, place.lat, place.label)

    def near_from_text(self) -> bool:
        """The typed place, or the pasted coordinate converted from its map's datum, as the 附近 centre;
        a wrong one says why, and several places of that name are offered to choose from."""
        text = self.point_edit.text().strip()
        point = parse_point(text)
        if point is None:
            return self._near_place(text)
        lon, lat = (float(v) for v in to_wgs84(point[0], point[1], self.point_datum.currentData()))
        try:
            check_near((lon, lat), self._districts)
        except QueryError as exc:
            self._near_problem(str(exc))
            return False
        self.set_near(lon, lat)
        return True

    def _near_place(self, text: str) -> bool:
        place = self.gazetteer.locate(text)
        if place is not None:
            self.set_near(place.lon, place.lat, place.label)
            return True
        found = self.gazetteer.find(text)
        if found:
            self._near_problem(f"“{text}”可指多处，请从列表中选一个")
            self._place_model.setStringList([p.label for p in found])
            self._place_completer.complete()
        elif text:
            self._near_problem(f"找不到“{text}”：请输入武汉的区、街道、镇名，或粘贴 经度,纬度（如 114.39,30.63）")
        else:
            self._near_problem("请输入地名（如 关山街道），或粘贴 经度,纬度（如 114.39,30.63）")
        return False

    def _near_problem(self, message: str) -> None:
        self.near_label.setText(f"<span style='color:#c92a2a'>{html.escape(message)}</span>")

    def clear_near(self) -> None:
        self._near = None
        self.near_label.setText("未选择位置")
        self.clear_near_button.setEnabled(False)
        self.wants_overview = True
        self.changed.emit()

    def is_filtering(self) -> bool:
        """Does any filter narrow the list (so that 清除筛选 would show more)?"""
        return bool(self.district_codes() or self.category_names() or self.text() or self._near
                    or self.min_saving() is not None or self.mine())

    def clear_all(self) -> None:
        """Every filter back to "everything valid today", in one change."""
        self.blockSignals(True)
        try:
            self._set_checked_districts(set())
            self.set_categories(set())
            self.saving_box.setCurrentIndex(0)
            self.search_box.clear()
            self._text_timer.stop()
            self.clear_near()
            self.pick_button.setChecked(False)
            self.favourites_button.setChecked(False)
            self.recent_button.setChecked(False)
        finally:
            self.blockSignals(False)
        self.changed.emit()

    def flush_text(self) -> None:
        """Apply what is typed now rather than after the typing pause (Enter in the search box)."""
        if self._text_timer.isActive():
            self._text_timer.stop()
            self.changed.emit()

    # ---------------------------------------------------------------- remembering them

    def mine(self) -> str | None:
        """"favourites" or "recent" when the member narrowed the list to their own; else None."""
        if self.favourites_button.isChecked():
            return "favourites"
        if self.recent_button.isChecked():
            return "recent"
        return None

    def set_mine_note(self, text: str) -> None:
        self.mine_note.setText(text)
        self.mine_note.setVisible(bool(text))

    def state(self) -> dict:
        return {
            "districts": list(self.district_codes()),
            "categories": list(self.category_names()),
            "min_saving": None if self.min_saving() is None else str(self.min_saving()),
            "text": self.search_box.text(),
            "radius_m": self.radius_m(),
            "mine": self.mine(),
            "show_expired": self.show_expired(),
        }

    def restore(self, state: dict) -> None:
        """Put back filters saved by `state()`; unknown values (an old district code) are ignored."""
        self.blockSignals(True)
        try:
            self._set_checked_districts(set(state.get("districts") or ()))
            self.set_categories(set(state.get("categories") or ()))
            wanted = state.get("min_saving")
            for i in range(self.saving_box.count()):
                value = self.saving_box.itemData(i)
                if (value is None and wanted is None) or (value is not None and str(value) == wanted):
                    self.saving_box.setCurrentIndex(i)
            radius = state.get("radius_m")
            for i in range(self.radius_box.count()):
                if self.radius_box.itemData(i) == radius:
                    self.radius_box.setCurrentIndex(i)
            self.search_box.setText(state.get("text") or "")
            self._text_timer.stop()
            self.favourites_button.setChecked(state.get("mine") == "favourites")
            self.recent_button.setChecked(state.get("mine") == "recent")
            self.expired_box.setChecked(bool(state.get("show_expired")))
        finally:
            self.blockSignals(False)
        self.changed.emit()
