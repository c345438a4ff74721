"""A read-only, sortable Qt table model over a catalogue result (a GeoDataFrame of merchants).

The model sorts itself: a sort proxy would call data() a couple of million times for 100,000
merchants (seconds in Python); sorting the rows once by key takes a tenth of a second.
"""

from __future__ import annotations

import math

import geopandas as gpd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.discounts.rules_text import offer_headline
from app.merchants.catalogue import empty_frame, validity_note
from app.merchants.categories import category_order
from widgets.category_icons import category_icon

ID_ROLE = Qt.ItemDataRole.UserRole


def _retired(row: dict) -> bool:
    value = row.get("retired_on")
    return value is not None and value == value   # not None, not NaN


def distance_text(metres: float) -> str:
    return f"{metres:.0f} 米" if metres < 1000 else f"{metres / 1000:.1f} 公里"


class MerchantTableModel(QAbstractTableModel):
    COLUMNS = (("name", "名称"), ("category", "类别"), ("district", "区"), ("best", "最高优惠"),
               ("distance_m", "距离"))

    def __init__(self, frame: gpd.GeoDataFrame | None = None, parent=None):
        super().__init__(parent)
        self._frame = empty_frame()
        self._rows: list[dict] = []
        self._row_of: dict[str, int] = {}
        self._sort: tuple[int, Qt.SortOrder] | None = None
        if frame is not None:
            self.set_frame(frame)

    @property
    def frame(self) -> gpd.GeoDataFrame:
        return self._frame

    @property
    def has_distance(self) -> bool:
        return "distance_m" in self._frame.columns

    def set_frame(self, frame: gpd.GeoDataFrame) -> None:
        self.beginResetModel()
        self._frame = frame.reset_index(drop=True)
        # Plain dicts: data() runs for every painted cell, and DataFrame.iloc is slow per cell.
        # Built from column lists: DataFrame.to_dict("records") is ten times slower.
        columns = ["id", "name", "category", "district", "district_code", "max_saving", "offer_headline", "retired_on",
                   "valid_to"]
        if self.has_distance:
            columns.append("distance_m")
        values = [self._frame[c].tolist() for c in columns]
        self._rows = [dict(zip(columns, row), _position=i) for i, row in enumerate(zip(*values))]
        if self._sort is not None:
            self._order_rows(*self._sort)
        self._row_of = {r["id"]: i for i, r in enumerate(self._rows)}
        self.endResetModel()

    def sort_rows(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; the view calls this from its header's sortIndicatorChanged signal."""
        if not 0 <= column < len(self.COLUMNS):
            return
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        # Selection and current row follow their merchant to its new place.
        before = self.persistentIndexList()
        ids = [self._rows[i.row()]["id"] for i in before]
        self._order_rows(column, order)
        self._row_of = {r["id"]: i for i, r in enumerate(self._rows)}
        self.changePersistentIndexList(before, [self.index(self._row_of[m], i.column()) for m, i in zip(ids, before)])
        self.layoutChanged.emit()

    def _order_rows(self, column: int, order: Qt.SortOrder) -> None:
        key = self.COLUMNS[column][0]
        # Ties keep the catalogue's order, whichever way the column is sorted.
        reverse = order == Qt.SortOrder.DescendingOrder
        self._rows.sort(key=lambda r: r["_position"])
        self._rows.sort(key=lambda r: self._sort_key(r, key), reverse=reverse)

    def row_of(self, merchant_id: str) -> int | None:
        return self._row_of.get(merchant_id)

    def merchant_id(self, row: int) -> str:
        return self._rows[row]["id"]

    def record(self, row: int):
        """The full merchant row (a pandas Series) for the details pane."""
        return self._frame.iloc[self._rows[row]["_position"]]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def _display(self, row: dict, key: str) -> str:
        if key == "best":
            return offer_headline(row["offer_headline"])
        if key == "distance_m":
            value = row.get("distance_m")
            return "" if value is None or math.isnan(value) else distance_text(value)
        value = row.get(key)
        if key == "name" and _retired(row):
            return f"{value}（已下架）"
        if key == "name" and (note := validity_note(row.get("valid_to"))):
            return f"{value}（{note}）"
        return "" if value is None else str(value)

    def _sort_key(self, row: dict, key: str):
        if key == "name":
            return row["_position"]  # the catalogue already returns merchants in pinyin order
        if key == "category":
            return category_order(row["category"])
        if key == "district":
            return row["district_code"] or ""
        if key == "best":
            saving = row["max_saving"]
            return -1.0 if saving is None or math.isnan(saving) else float(saving)
        value = row.get("distance_m")
        return math.inf if value is None or math.isnan(value) else float(value)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        key = self.COLUMNS[index.column()][0]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, key)
        if role == ID_ROLE:
            return row["id"]
        if role == Qt.ItemDataRole.DecorationRole and key == "category":
            return category_icon(row["category"])
        if role == Qt.ItemDataRole.ForegroundRole and (_retired(row) or validity_note(row.get("valid_to")) == "已过期"):
            return QColor("#868e96")   # retired (staff asked to see them) or expired (the member did): greyed
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][1]
        return None
