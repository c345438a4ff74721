"""The merchant explorer: filter panel, map, result list and details pane, kept in step."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, QItemSelectionModel, QModelIndex, Qt, QThread, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.command_line import QueryError
from app.geo.distances import warm_up as warm_up_distances
from app.geo.districts import DistrictIndex
from app.merchants.catalogue_index import CatalogueIndex, Selection, fingerprint
from app.merchants.categories import CATEGORIES
from app.merchants.favourites import (
    favourite_ids,
    is_favourite,
    recent_ids,
    record_view,
    set_favourite,
    unavailable_favourites,
)
from app.merchants.query import MerchantQuery
from app.merchants.rows import count_merchants
from app.store import Store
from app.store.identity import personal_data_available
from maps.merchant_layer import mask_bits, point_table
from widgets.filter_panel import RADIUS_CHOICES, FilterPanel
from widgets.map_view import MapView
from widgets.merchant_details import MerchantDetails
from widgets.merchant_table import ID_ROLE, MerchantTableModel, distance_text
from widgets.screen import scrolling

if TYPE_CHECKING:
    import geopandas as gpd

DISTANCE_COLUMN = 4
log = logging.getLogger(__name__)


# From this many merchants the catalogue is read on a worker thread (about 0.15 s per 10,000).
BACKGROUND_FROM = 20_000


def catalogue_json(index: CatalogueIndex) -> str:
    """setCatalogue's arguments, encoded: every merchant the page may show, as columns."""
    today = np.datetime64(dt.date.today(), "D")
    expired = (~np.isnat(index.valid_to)) & (index.valid_to < today)
    table = point_table(index.ids, index.lon, index.lat, index.categories, index.names, index.headlines,
                        expired=expired.tolist())
    return json.dumps([table], ensure_ascii=False, separators=(",", ":"))


NEAREST_WITHIN_M = 80_000.0   # the whole city from anywhere in it: how far an empty 附近 looks for the nearest


class IndexLoader(QThread):
    """Reads the catalogue index off the GUI thread, with the page's copy of it encoded; `loaded`
    carries both back (index, JSON)."""

    loaded = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts

    def run(self) -> None:
        try:
            index = CatalogueIndex.load(self._store, self._districts)
            index.prepare_text()   # here rather than on the member's first search
            self.loaded.emit((index, catalogue_json(index)))
        except Exception as exc:
            log.exception("reading the catalogue index failed")
            self.failed.emit(str(exc))


class Explorer(QWidget):
    """Every filter change asks the in-memory catalogue index which merchants match, and hands the
    answer to the list (positions) and the map (one bit per merchant); full rows are read from the
    store only for the merchant shown and for exports."""

    matched = Signal(int)       # merchants matching the filters, after each refresh
    problem = Signal(str)       # a filter the catalogue refused, in plain Chinese
    mapSettled = Signal()       # the page has drawn the latest result
    placeRequested = Signal(float, float)   # edit mode: staff clicked the map to place a new merchant
    selectionChanged = Signal(object)        # the selected merchant's id, or None

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self._index: CatalogueIndex | None = None
        self._loader: IndexLoader | None = None
        self._read_again = False
        self._warmed = False
        self._selection = Selection(np.zeros(0, dtype=np.int64))
        self._frame: gpd.GeoDataFrame | None = None   # the result's full rows, read when first asked for
        self._last_view: tuple | None = None  # districts, near point, radius: what the map was fitted to
        self._sent_loads = 0     # setMerchants calls sent to the page
        self._drawn_load = 0     # the newest of them the page has painted
        self._echo_from_map = False
        self._pick_for = "near"   # what the next map click in pick mode is for: near-here, or placing a merchant
        self._retired = "exclude"

        self.panel = FilterPanel(districts)
        self.map = MapView(districts)
        self.model = MerchantTableModel(parent=self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setTabKeyNavigation(False)   # Tab leaves the list; the arrow keys move within it
        header = self.table.horizontalHeader()
        header.setSectionsClickable(True)
        header.setSortIndicatorShown(True)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)
        header.sortIndicatorChanged.connect(self.model.sort_rows)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 10)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        # Widths for the widest value each column can hold, worked out once: fitting them to the
        # contents asks every row (20,000 data() calls per filter change at city scale), and fitting
        # to the rows in view cuts off a longer value scrolled to later.
        metrics = self.table.fontMetrics()
        widest = {
            1: [c.name for c in CATEGORIES],
            2: [districts.name(code) or "" for code in districts.codes],
            3: ["满减 最高100%", "立减1000元", "免费项目", "最高优惠"],
            4: ["999.9 公里", "距离"],
        }
        extra = {1: 40}   # the category's colour icon
        for column, texts in widest.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, max(metrics.horizontalAdvance(t) for t in texts) + 20 + extra.get(column, 0))
        self.details = MerchantDetails()
        # The member's own favourites and recently viewed: only where their own data can be kept.
        self.personal = personal_data_available(store)
        self.details.favourites_enabled = self.personal
        self.panel.mine_group.setVisible(self.personal)
        self.details.favouriteToggled.connect(self._on_favourite)

        # A district chosen by clicking the map says so above it, with one click back (a stray click
        # never filters silently).
        self.district_chip = QPushButton()
        self.district_chip.setObjectName("districtChip")
        self.district_chip.setStyleSheet(
            "#districtChip { background:#e7f5ff; color:#1864ab; border:1px solid #74c0fc; border-radius:11px;"
            " padding:2px 10px; }")
        self.district_chip.setToolTip("点击取消这个区的筛选，回到全市")
        self.district_chip.clicked.connect(self.clear_map_district)
        self.district_chip.setVisible(False)
        self._chip_code: str | None = None
        self._counts_everywhere: dict[str, int] = {}
        map_box = QWidget()
        map_layout = QVBoxLayout(map_box)
        map_layout.setContentsMargins(0, 0, 0, 0)
        map_layout.setSpacing(2)
        chip_row = QHBoxLayout()
        chip_row.setContentsMargins(6, 2, 6, 0)
        chip_row.addWidget(self.district_chip)
        chip_row.addStretch(1)
        map_layout.addLayout(chip_row)
        map_layout.addWidget(self.map, 1)
        self.centre_split = QSplitter(Qt.Orientation.Vertical)
        self.centre_split.addWidget(map_box)
        self.centre_split.addWidget(self.table)
        self.centre_split.setStretchFactor(0, 3)
        self.centre_split.setStretchFactor(1, 2)
        self.main_split = QSplitter(Qt.Orientation.Horizontal)
        # The filters scroll when the window is short (a 1024×700 screen), rather than setting its height.
        self.panel_scroll = scrolling(self.panel)
        self.panel_scroll.setMinimumWidth(self.panel.minimumSizeHint().width() + 12)
        self.main_split.addWidget(self.panel_scroll)
        self.main_split.addWidget(self.centre_split)
        self.main_split.addWidget(self.details)
        self.main_split.setStretchFactor(0, 0)
        self.main_split.setStretchFactor(1, 1)
        self.main_split.setStretchFactor(2, 0)
        self.main_split.setSizes([250, 760, 330])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.main_split)

        # Nothing found: say so where the list is, with one click back to everything.
        self.empty_note = QWidget(self.table.viewport())
        note_layout = QVBoxLayout(self.empty_note)
        self.empty_label = QLabel("没有符合条件的商户")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setStyleSheet("color:#495057")
        self.clear_filters_button = QPushButton("清除筛选")
        self.clear_filters_button.clicked.connect(self.panel.clear_all)
        # An empty 附近: how far the nearest match is, and one click to reach it.
        self.widen_button = QPushButton()
        self.widen_button.clicked.connect(lambda: self.panel.set_radius(self._widen_to))
        self._widen_to = 0
        note_layout.addWidget(self.empty_label)
        note_layout.addWidget(self.widen_button, 0, Qt.AlignmentFlag.AlignHCenter)
        note_layout.addWidget(self.clear_filters_button, 0, Qt.AlignmentFlag.AlignHCenter)
        self.empty_note.setVisible(False)
        self.table.viewport().installEventFilter(self)

        # The keyboard: Ctrl+F to search, Enter to take the first hit, Esc to clear or stop picking.
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        find.activated.connect(self.focus_search)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        escape.activated.connect(self.escape)
        self.panel.search_box.returnPressed.connect(self.take_first_hit)

        self.panel.changed.connect(self.refresh)
        self.panel.pickModeChanged.connect(lambda on: self.start_pick("near") if on else self.map.call("setPickMode", False))
        self.map.bridge.merchantClicked.connect(self._on_marker_clicked)
        self.map.bridge.districtClicked.connect(self._on_district_clicked)
        self.map.bridge.mapClicked.connect(self._on_map_clicked)
        self.map.bridge.drawn.connect(self._on_drawn)
        self.table.selectionModel().currentRowChanged.connect(self._on_row_changed)
        # Back in the app after another program (a command-line import, another staff member on a
        # shared catalogue) may have changed the catalogue: look again.
        QGuiApplication.instance().applicationStateChanged.connect(self._on_application_state)
        self.refresh()

    # ---------------------------------------------------------------- queries

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The current result's full catalogue rows, in the result's order (for exports and flyers)."""
        if self._frame is None:
            from app.merchants.catalogue import search  # pandas and geopandas: only for exports

            codes = self.panel.district_codes()
            frame = search(self._store, self._districts, self.query(with_districts=False))
            self._frame = (frame[frame["district_code"].isin(codes)] if codes else frame).reset_index(drop=True)
        return self._frame

    @property
    def match_count(self) -> int:
        return len(self._selection)

    @property
    def loading(self) -> bool:
        """The catalogue is being read in the background (a large one, at start or after a change)."""
        return self._loader is not None

    def _ensure_index(self, reload: bool = False) -> bool:
        """Make the index current; True when it can answer now (False: a first read is under way).

        A small catalogue is read at once. A large one (BACKGROUND_FROM merchants and more: a second
        per 100,000) is read on a worker thread while the window stays usable: the first time with
        the list and map empty and saying so, later with the previous catalogue shown until the new
        one is in. A change made meanwhile reads it once more when that read ends.
        """
        current = self._index is not None and self._index.generation == self._store.catalogue_generation
        if current and not reload:
            return True
        if self._loader is not None:
            self._read_again = self._read_again or reload
            return self._index is not None
        size = len(self._index) if self._index is not None else count_merchants(self._store)
        if size < BACKGROUND_FROM:
            self._take_index(CatalogueIndex.load(self._store, self._districts))
            return True
        self._loader = IndexLoader(self._store, self._districts, self)
        self._loader.loaded.connect(self._on_index_loaded)
        self._loader.failed.connect(self._on_index_failed)
        self._loader.start()
        if self._index is None:
            self._show_loading(size)
        return self._index is not None

    def _take_index(self, index: CatalogueIndex, encoded: str | None = None) -> None:
        self._index = index
        self.map.call_encoded("setCatalogue", encoded if encoded is not None else catalogue_json(index))

    def _on_index_loaded(self, loaded: tuple[CatalogueIndex, str]) -> None:
        self._finish_loader()
        self._take_index(*loaded)
        # Asked to look again while reading: read once more only if the catalogue did change since.
        # (A change made through this store shows in its generation: refresh reads again for that.)
        again, self._read_again = self._read_again, False
        if again and fingerprint(self._store) != self._index.stamp:
            self._ensure_index(reload=True)
        self.refresh()

    def _on_index_failed(self, message: str) -> None:
        self._finish_loader()
        self.problem.emit(f"未能读取商户目录：{message}")

    def _finish_loader(self) -> None:
        self._loader.wait()
        self._loader.deleteLater()
        self._loader = None

    def _show_loading(self, size: int) -> None:
        self.empty_label.setText(f"正在读取商户目录（{size:,} 家）…")
        self.clear_filters_button.setVisible(False)
        self.empty_note.setVisible(True)
        self.empty_note.resize(self.table.viewport().size())

    def wait_for_catalogue(self) -> None:
        """Block until a background read of the catalogue ends (before the window goes)."""
        if self._loader is not None:
            self._loader.wait()

    def check_catalogue(self) -> None:
        """Refresh if anyone changed the catalogue since it was read (one aggregate query): another
        program, or this one through another connection (the catalogue update's worker)."""
        if self._index is None:
            return
        if self._loader is not None:
            self._read_again = True   # checked when that read ends
        elif fingerprint(self._store) != self._index.stamp:
            if self._ensure_index(reload=True) and self._loader is None:
                self.refresh()

    def _on_application_state(self, state) -> None:
        if state == Qt.ApplicationState.ApplicationActive:
            self.check_catalogue()

    def query(self, with_districts: bool = True) -> MerchantQuery:
        near = self.panel.near()
        return MerchantQuery(
            districts=self.panel.district_codes() if with_districts else (),
            categories=self.panel.category_names(),
            text=self.panel.text(),
            near=near,
            radius_m=float(self.panel.radius_m()) if near else None,
            min_saving=self.panel.min_saving(),
            retired=self._retired,
            ids=self._mine_ids(),
            # Members see only offers valid today unless they ask; staff editing see everything.
            valid_on=None if self.panel.show_expired() or self._retired != "exclude" else dt.date.today(),
        )

    def _mine_ids(self) -> tuple[str, ...]:
        mine = self.panel.mine() if self.personal else None
        if mine is None:
            return ()
        ids = favourite_ids(self._store) if mine == "favourites" else recent_ids(self._store)
        return tuple(ids) or ("",)   # nothing starred yet: an empty list, not the whole catalogue

    def _on_favourite(self, merchant_id: str, on: bool) -> None:
        set_favourite(self._store, merchant_id, on)
        if self.panel.mine() == "favourites":
            self.refresh()
        else:
            self._show_unavailable_favourites()

    def _show_unavailable_favourites(self) -> None:
        gone = unavailable_favourites(self._store) if self.personal else []
        self.panel.set_mine_note(f"有 {len(gone)} 家收藏的商户已不能使用：" + "；".join(map(str, gone)) if gone else "")

    def set_retired_filter(self, retired: str) -> None:
        """Staff's edit mode may show retired merchants too ("include"); members never do."""
        if retired != self._retired:
            self._retired = retired
            self.refresh()

    def focus_search(self) -> None:
        self.panel.search_box.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.panel.search_box.selectAll()

    def take_first_hit(self) -> None:
        """Enter in the search box: the only hit, or the first, is selected and shown."""
        self.panel.flush_text()
        if self.model.rowCount():
            self._select_row(self.model.merchant_id(0), tell_map=True)

    def escape(self) -> None:
        """Esc: stop picking a point on the map if that is under way, else clear the search."""
        if self.panel.pick_button.isChecked() or self._pick_for == "add":
            self._pick_for = "near"
            self.panel.pick_button.setChecked(False)
            self.map.call("setPickMode", False)
        elif self.panel.search_box.text():
            self.panel.search_box.clear()
            self.panel.flush_text()

    def eventFilter(self, watched, event) -> bool:
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            self.empty_note.resize(event.size())
        return super().eventFilter(watched, event)

    def _show_empty_note(self) -> None:
        empty = self.model.rowCount() == 0
        self.empty_note.setVisible(empty)
        self.widen_button.setVisible(False)
        if empty:
            filtering = self.panel.is_filtering()
            self.empty_label.setText("没有符合条件的商户" if filtering else "商户目录是空的")
            self.clear_filters_button.setVisible(filtering)
            if (nearest := self._nearest_beyond()) is not None:
                name, metres = nearest
                radius = self.panel.radius_box.currentText()
                self.empty_label.setText(f"{radius}内没有符合条件的商户；最近的一家是{name}，约 {distance_text(metres)}")
                self._widen_to = int(metres) + 1
                wider = next((label for label, m in RADIUS_CHOICES if m >= metres), RADIUS_CHOICES[-1][0])
                self.widen_button.setText(f"扩大到 {wider}")
                self.widen_button.setVisible(True)
            self.empty_note.resize(self.table.viewport().size())

    def _nearest_beyond(self) -> tuple[str, float] | None:
        """For an empty 附近: the nearest merchant matching the other filters, and how far it is."""
        query = self.query()
        if query.near is None or self._index is None:
            return None
        try:
            wide = self._index.in_districts(
                self._index.select(self._districts, dataclasses.replace(query, radius_m=NEAREST_WITHIN_M)),
                self.panel.district_codes())
        except QueryError:
            return None
        if not len(wide) or wide.distances is None:
            return None
        return self._index.names[int(wide.positions[0])], float(wide.distances[0])

    def start_pick(self, purpose: str) -> None:
        """The next map click picks a point: for near-here ("near") or to place a new merchant ("add")."""
        self._pick_for = purpose
        what = "新商户的位置" if purpose == "add" else "要查附近商户的位置"
        self.map.call("setPickMode", True, f"在地图上点一下{what}（Esc 取消）")

    def _on_map_clicked(self, lon: float, lat: float) -> None:
        purpose, self._pick_for = self._pick_for, "near"
        if purpose == "add":
            self.placeRequested.emit(lon, lat)
        else:
            self.panel.set_near(lon, lat)

    def set_multi_select(self, on: bool) -> None:
        """Staff select several merchants at once (Ctrl/Shift-click, or a box on the map)."""
        mode = QAbstractItemView.SelectionMode.ExtendedSelection if on else QAbstractItemView.SelectionMode.SingleSelection
        self.table.setSelectionMode(mode)

    def selected_ids(self) -> list[str]:
        """Every selected merchant, in list order (the current one alone in single selection)."""
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        ids = [self.model.merchant_id(r) for r in rows]
        current = self.selected_id()
        return ids or ([current] if current else [])

    def select_ids(self, merchant_ids: list[str]) -> int:
        """Select these merchants in the list (those in the current result); returns how many."""
        selection = self.table.selectionModel()
        rows = [r for r in (self.model.row_of(m) for m in merchant_ids) if r is not None]
        selection.clearSelection()
        for r in rows:
            selection.select(self.model.index(r, 0),
                             QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
        return len(rows)

    def record_of(self, merchant_id: str):
        """The catalogue row (a pandas Series) of a merchant in the current result, or None."""
        row = self.model.row_of(merchant_id)
        if row is None:
            return None
        from app.merchants.catalogue import search

        found = search(self._store, self._districts, MerchantQuery(ids=(merchant_id,), retired="include"))
        if found.empty:
            return None
        record = found.iloc[0].copy()
        if self.model.has_distance:
            record["distance_m"] = self.model.distance(row)
        return record

    def _on_district_clicked(self, code: str) -> None:
        """A click on a district on the map: filter to it when it has merchants under the other filters,
        saying so in a chip above the map; one with none is only zoomed into (a stray click in the next
        district used to switch the filter silently to nothing)."""
        name = self._districts.name(code) or code
        if not self._counts_everywhere.get(code):
            self.map.call("fit", [code])   # look at it, the filters left as they are
            self.problem.emit(f"{name}没有符合当前条件的商户：筛选未改变")
            return
        self.panel.select_only_district(code)
        self._chip_code = code
        self.district_chip.setText(f"已筛选：{name}  ✕")
        self.district_chip.setVisible(True)

    def clear_map_district(self) -> None:
        self._chip_code = None
        self.district_chip.setVisible(False)
        self.panel.clear_districts()

    def refresh(self) -> None:
        if not self._ensure_index():
            return   # the first read of a large catalogue: refreshed when it is in
        index = self._index
        # The query without the district filter gives the per-district counts the panel shows; the
        # district filter is then a subset of it.
        try:
            everywhere = index.select(self._districts, self.query(with_districts=False))
        except QueryError as exc:
            self.problem.emit(str(exc))
            return
        self._counts_everywhere = index.district_counts(everywhere)
        self.panel.set_district_counts(self._counts_everywhere)
        codes = self.panel.district_codes()
        if self._chip_code is not None and tuple(codes) != (self._chip_code,):
            self._chip_code = None   # the district list said otherwise since: the chip has nothing to undo
            self.district_chip.setVisible(False)
        self._selection = index.in_districts(everywhere, codes)
        self._frame = None
        selected = self.details.merchant_id

        self.table.selectionModel().blockSignals(True)
        self.model.set_result(index, self._selection)
        self.table.selectionModel().blockSignals(False)
        self.table.setColumnHidden(DISTANCE_COLUMN, not self.model.has_distance)
        if self.model.has_distance:
            self.sort_by(DISTANCE_COLUMN)
        elif self.table.horizontalHeader().sortIndicatorSection() == DISTANCE_COLUMN:
            self.sort_by(0)

        near = self.panel.near()
        if near:
            self.map.call("setNear", near[0], near[1], self.panel.radius_m())
        else:
            self.map.call("setNear", None, None, 0)
        # Where to look changes only with the districts or the near circle, not with other filters;
        # the circle wins when both are set.
        view = (codes, near, self.panel.radius_m() if near else None)
        fit = "results"   # other filters: follow the results, unless the member moved the map
        if self._last_view is None:
            # The first load: the page opens on the whole city, or on where the filters already look
            # (chosen while a large catalogue was being read).
            fit = ("near" if near else list(codes)) if (codes or near) else None
        elif view != self._last_view or self.panel.wants_overview:
            fit = "near" if near else list(codes) if codes else "all"
        self._last_view = view
        self.panel.wants_overview = False
        self._sent_loads += 1
        self.map.call("setMerchants", mask_bits(index.mask_of(self._selection)), index.district_counts(self._selection),
                      fit, self._sent_loads)

        if selected is not None and self.model.row_of(selected) is not None:
            self._select_row(selected, tell_map=False)
        else:
            self.details.clear()
        self._show_unavailable_favourites()
        self._show_empty_note()
        self.matched.emit(len(self._selection))

    # ---------------------------------------------------------------- selection, both ways

    def _index_of(self, merchant_id: str) -> QModelIndex | None:
        row = self.model.row_of(merchant_id)
        return None if row is None else self.model.index(row, 0)

    def _select_row(self, merchant_id: str, tell_map: bool) -> bool:
        index = self._index_of(merchant_id)
        if index is None:
            return False
        self._echo_from_map = not tell_map
        try:
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
        finally:
            self._echo_from_map = False
        self.table.scrollTo(index)
        return True

    def sort_by(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the list as a click on the column header would."""
        header = self.table.horizontalHeader()
        if (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (column, order):
            self.model.sort_rows(column, order)
        else:
            header.setSortIndicator(column, order)

    def select_merchant(self, merchant_id: str) -> bool:
        """Select a merchant as if its row were clicked: details filled, map flies to it."""
        return self._select_row(merchant_id, tell_map=True)

    def selected_id(self) -> str | None:
        index = self.table.selectionModel().currentIndex()
        return index.data(ID_ROLE) if index.isValid() else None

    def _on_marker_clicked(self, merchant_id: str) -> None:
        self._select_row(merchant_id, tell_map=False)

    def _on_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.clear()
            self.selectionChanged.emit(None)
            return
        row = self.record_of(self.model.merchant_id(current.row()))
        if row is None:   # gone from the catalogue since the list was filled
            self.details.clear()
            self.selectionChanged.emit(None)
            return
        self.details.show_merchant(row)
        if self.personal:
            self.details.set_favourite(is_favourite(self._store, row["id"]))
            record_view(self._store, row["id"])
        if not self._echo_from_map:
            self.map.call("selectMerchant", row["id"])
        self.selectionChanged.emit(row["id"])

    def _on_drawn(self, load: int, _count: int) -> None:
        # The page skips loads superseded while it was busy; only the newest one counts.
        self._drawn_load = max(self._drawn_load, load)
        if self.map_settled:
            self.mapSettled.emit()
            if not self._warmed:
                self._warmed = True
                # Once the map is up: what the first "near here" and the first search need (the city
                # outline, the map projection, the text to search; a quarter of a second), so those
                # filter changes are as quick as the others.
                QTimer.singleShot(0, self, self._warm_up)

    def _warm_up(self) -> None:
        self._districts.contains_city(0.0, 0.0)
        warm_up_distances()
        if self._index is not None:
            self._index.prepare_text()   # a small catalogue, read here: ready for the first search

    @property
    def map_settled(self) -> bool:
        return self.map.is_ready and not self.loading and self._drawn_load == self._sent_loads

    # ---------------------------------------------------------------- remembering the layout

    def save_layout(self) -> dict[str, QByteArray]:
        return {"main_split": self.main_split.saveState(), "centre_split": self.centre_split.saveState()}

    def restore_layout(self, state: dict) -> None:
        for key, widget in (("main_split", self.main_split), ("centre_split", self.centre_split)):
            if isinstance(state.get(key), QByteArray):
                widget.restoreState(state[key])
