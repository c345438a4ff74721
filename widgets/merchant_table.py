"""A read-only Qt table model over a catalogue result (a GeoDataFrame of merchants)."""

from __future__ import annotations

import geopandas as gpd
from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt

from app.catalogue import empty_frame


class MerchantTableModel(QAbstractTableModel):
    COLUMNS = (("name", "名称"), ("category", "类别"), ("district", "区"), ("offer", "优惠"))

    def __init__(self, frame: gpd.GeoDataFrame | None = None, parent=None):
        super().__init__(parent)
        self._frame = frame if frame is not None else empty_frame()

    @property
    def frame(self) -> gpd.GeoDataFrame:
        return self._frame

    def set_frame(self, frame: gpd.GeoDataFrame) -> None:
        self.beginResetModel()
        self._frame = frame.reset_index(drop=True)
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._frame)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.COLUMNS)

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        key = self.COLUMNS[index.column()][0]
        value = self._frame.iloc[index.row()][key]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return self._frame.iloc[index.row()]["id"]
        return None

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.COLUMNS[section][1]
        return None
