"""A read-only, sortable Qt table model over a catalogue result: positions into the catalogue index.

Nothing is built per row: a cell is read from the index's columns when the view paints it, so a
result of a million merchants is shown as fast as one of ten. The model sorts itself, with numpy
over whole columns (a sort proxy would call data() millions of times).
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor

from app.discounts.rules_text import offer_headline
from app.merchants.catalogue_index import CatalogueIndex, Selection
from app.merchants.categories import category_order
from app.merchants.query import validity_note
from widgets.category_icons import category_icon

ID_ROLE = Qt.ItemDataRole.UserRole


def distance_text(metres: float) -> str:
    return f"{metres:.0f} 米" if metres < 1000 else f"{metres / 1000:.1f} 公里"


class MerchantTableModel(QAbstractTableModel):
    COLUMNS = (("name", "名称"), ("category", "类别"), ("district", "区"), ("best", "最高优惠"),
               ("distance_m", "距离"))

    def __init__(self, parent=None):
        super().__init__(parent)
        self._index: CatalogueIndex | None = None
        self._rows = np.zeros(0, dtype=np.int64)           # catalogue positions, in display order
        self._distances: np.ndarray | None = None          # beside _rows, for a "near" result
        self._row_at = np.zeros(0, dtype=np.int64)         # catalogue position -> row (-1: not shown)
        self._sort: tuple[int, Qt.SortOrder] | None = None

    @property
    def has_distance(self) -> bool:
        return self._distances is not None

    def set_result(self, index: CatalogueIndex, selection: Selection) -> None:
        self.beginResetModel()
        self._index = index
        self._rows = selection.positions
        self._distances = selection.distances
        if self._sort is not None:
            self._order_rows(*self._sort)
        self._number_rows()
        self.endResetModel()

    def _number_rows(self) -> None:
        size = len(self._index) if self._index is not None else 0
        self._row_at = np.full(size, -1, dtype=np.int64)
        self._row_at[self._rows] = np.arange(len(self._rows))

    def sort_rows(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column; the view calls this from its header's sortIndicatorChanged signal."""
        if not 0 <= column < len(self.COLUMNS):
            return
        self._sort = (column, order)
        if self._index is None:
            return
        self.layoutAboutToBeChanged.emit()
        # Selection and current row follow their merchant to its new place.
        before = self.persistentIndexList()
        positions = [int(self._rows[i.row()]) for i in before]
        self._order_rows(column, order)
        self._number_rows()
        self.changePersistentIndexList(before, [self.index(int(self._row_at[p]), i.column())
                                                for p, i in zip(positions, before)])
        self.layoutChanged.emit()

    def _order_rows(self, column: int, order: Qt.SortOrder) -> None:
        # Ties keep the catalogue's order (pinyin name), whichever way the column is sorted.
        key = self._sort_key(self.COLUMNS[column][0])
        base = np.argsort(self._rows, kind="stable")
        keys = key[base]
        if order == Qt.SortOrder.DescendingOrder:
            keys = -keys
        final = base[np.argsort(keys, kind="stable")]
        self._rows = self._rows[final]
        if self._distances is not None:
            self._distances = self._distances[final]

    def _sort_key(self, key: str) -> np.ndarray:
        """A number per row (in the current row order) that sorts as the column should."""
        index, rows = self._index, self._rows
        if key == "name":
            return rows.astype(float)
        if key == "category":
            ranks = {name: category_order(name) for name in set(index.category_of(p) for p in rows.tolist())}
            return np.array([ranks[index.category_of(p)] for p in rows.tolist()], dtype=float)
        if key == "district":
            # The index numbers districts in code order (-1: none), so the number sorts as the code.
            return index.district[rows].astype(float)
        if key == "best":
            saving = index.saving[rows]
            return np.where(np.isnan(saving), -1.0, saving)
        if self._distances is None:
            return np.zeros(len(rows))
        return np.where(np.isnan(self._distances), np.inf, self._distances)

    def row_of(self, merchant_id: str) -> int | None:
        position = self._index.position(merchant_id) if self._index is not None else None
        if position is None:
            return None
        row = int(self._row_at[position])
        return row if row >= 0 else None

    def merchant_id(self, row: int) -> str:
        return self._index.ids[int(self._rows[row])]

    def distance(self, row: int) -> float | None:
        return None if self._distances is None else float(self._distances[row])

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def _display(self, row: int, key: str) -> str:
        index, position = self._index, int(self._rows[row])
        if key == "best":
            return offer_headline(index.headlines[position])
        if key == "distance_m":
            value = self.distance(row)
            if value is None or math.isnan(value):
                return ""
            # a merchant placed roughly (大致位置) is about so far: never a precise-looking figure
            return ("约 " if index.approximate[position] else "") + distance_text(value)
        if key == "category":
            return index.category_of(position)
        if key == "district":
            code = index.district_code(position)
            return index.district_names.get(code, "") if code else ""
        name = index.names[position]
        if index.retired[position]:
            return f"{name}（已下架）"
        if note := validity_note(index.valid_to_of(position)):
            return f"{name}（{note}）"
        return name

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = index.row()
        key = self.COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.ToolTipRole and self._index.approximate[int(self._rows[row])]:
            return f"{self._display(row, key)}\n位置为大致位置，以商户实际地址为准"
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return self._display(row, key)
        if role == ID_ROLE:
            return self.merchant_id(row)
        if role == Qt.ItemDataRole.DecorationRole and key == "category":
            return category_icon(self._index.category_of(int(self._rows[row])))
        if role == Qt.ItemDataRole.ForegroundRole:
            position = int(self._rows[row])
            if self._index.retired[position] or validity_note(self._index.valid_to_of(position)) == "已过期":
                return QColor("#868e96")   # retired (staff asked to see them) or expired (the member did): greyed
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][1]
        return None
