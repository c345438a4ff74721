"""The 问题 pane: every check that fails for the merchants shown, errors first; a double-click jumps
to the merchant so staff can fix it."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QLabel, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from app.geo.districts import DistrictIndex
from app.merchants.checks import check_merchant
from app.merchants.fields import TRACKED_FIELDS
from app.problems import Problem

if TYPE_CHECKING:
    import geopandas as gpd

COLOURS = {"error": QColor("#c92a2a"), "warning": QColor("#d9480f")}


def frame_problems(frame: gpd.GeoDataFrame, districts: DistrictIndex,
                   today: dt.date | None = None) -> list[tuple[str, Problem]]:
    """(merchant id, problem) for each merchant in a catalogue result, errors before warnings."""
    found = []
    for row in frame.to_dict("records"):
        state = {f: row.get(f) for f in TRACKED_FIELDS}
        state = {k: (None if isinstance(v, float) and v != v else v) for k, v in state.items()}   # NaN -> None
        unparsed = tuple(json.loads(row["rules_json"]).get("unparsed", ()))
        for p in check_merchant(state, districts, merchant_id=row["id"], today=today, unparsed=unparsed):
            found.append((row["id"], p))
    return sorted(found, key=lambda item: item[1].severity != "error")


class ProblemsPane(QWidget):
    merchantActivated = Signal(str)

    def __init__(self, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._districts = districts
        self.summary = QLabel()
        self.list = QListWidget()
        self.list.itemActivated.connect(lambda item: self.merchantActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.list.itemDoubleClicked.connect(lambda item: self.merchantActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.summary)
        layout.addWidget(self.list, 1)
        self.problems: list[tuple[str, Problem]] = []

    def show_frame(self, frame: gpd.GeoDataFrame) -> None:
        self.problems = frame_problems(frame, self._districts)
        self.list.clear()
        for merchant_id, p in self.problems:
            item = QListWidgetItem(f"{'错误' if p.severity == 'error' else '提醒'} · {p.record}"
                                   + (f" · {p.field}" if p.field else "") + f"：{p.message}")
            item.setForeground(COLOURS[p.severity])
            item.setData(Qt.ItemDataRole.UserRole, merchant_id)
            self.list.addItem(item)
        errors = sum(p.severity == "error" for _, p in self.problems)
        self.summary.setText(f"{errors} 个错误，{len(self.problems) - errors} 个提醒（双击转到商户）"
                             if self.problems else "当前显示的商户没有问题")
