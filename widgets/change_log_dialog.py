"""The catalogue's change log (变更记录): who changed what and when, filtered by staff member, dates,
district and kind of change; exported to CSV; a double-click shows the merchant."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.geo.districts import DistrictIndex
from app.merchants.curation import ACTIONS
from app.merchants.history import Revision, authors, change_log, write_change_log_csv
from app.store import Store
from widgets.merchant_form import OptionalDate
from widgets.screen import fit_to_screen

COLUMNS = ("时间", "经办人", "操作", "商户", "区", "修改内容", "说明")


class ChangeLogDialog(QDialog):
    merchantActivated = Signal(str)

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.revisions: list[Revision] = []
        self.setWindowTitle("变更记录")
        fit_to_screen(self, 1000, 560)
        self.author = QComboBox()
        self.author.addItem("全部经办人", None)
        for name in authors(store):
            self.author.addItem(name, name)
        self.action = QComboBox()
        self.action.addItem("全部操作", None)
        for key, label in ACTIONS.items():
            self.action.addItem(label, key)
        self.district = QComboBox()
        self.district.addItem("全部区", None)
        for code, name in zip(districts.frame["code"], districts.frame["name"]):
            self.district.addItem(name, code)
        self.since = OptionalDate("从")
        self.until = OptionalDate("到")
        self.count = QLabel()
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.cellDoubleClicked.connect(lambda row, _c: self.merchantActivated.emit(self.revisions[row].merchant_id))
        self.export_button = QPushButton("导出 CSV…")
        self.export_button.clicked.connect(lambda: self.export())
        filters = QFormLayout()
        row = QHBoxLayout()
        for w in (self.author, self.action, self.district):
            row.addWidget(w)
        filters.addRow("筛选", row)
        dates = QHBoxLayout()
        dates.addWidget(self.since)
        dates.addWidget(self.until)
        filters.addRow("日期", dates)
        bottom = QHBoxLayout()
        bottom.addWidget(self.count, 1)
        bottom.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        for combo in (self.author, self.action, self.district):
            combo.currentIndexChanged.connect(lambda *_: self.reload())
        self.since.changed.connect(self.reload)
        self.until.changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        self.revisions = change_log(self._store, author=self.author.currentData(), action=self.action.currentData(),
                                    district_code=self.district.currentData(), since=self.since.value(),
                                    until=self.until.value())
        self.table.setRowCount(len(self.revisions))
        for row, r in enumerate(self.revisions):
            values = (r.created_at.astimezone().strftime("%Y-%m-%d %H:%M"), r.author, r.action_text,
                      f"{r.merchant_name or ''}（{r.merchant_id}）", self._districts.name(r.district_code) or "",
                      r.changes_text(self._districts.name), r.comment or "")
            for column, value in enumerate(values):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(row, column, item)
        self.table.resizeColumnsToContents()
        self.table.setColumnWidth(5, min(self.table.columnWidth(5), 420))
        self.count.setText(f"共 {len(self.revisions)} 条修改")
        self.export_button.setEnabled(bool(self.revisions))

    def export(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出变更记录", "变更记录.csv", "CSV (*.csv)")
            if not path:
                return None
        written = write_change_log_csv(self.revisions, self._districts, Path(path))
        self.count.setText(f"已导出 {len(self.revisions)} 条修改到 {written}")
        return written

    def choose(self, combo: QComboBox, data) -> None:
        combo.setCurrentIndex(combo.findData(data))

