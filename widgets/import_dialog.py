"""Importing a staff spreadsheet in the app: check it, show what it would do (added, updated,
unchanged, possible duplicates with a choice per row, merchants of the same source it no longer lists),
then write it as one change set, or nothing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.geo.china_datum import DATUM_CHOICES
from app.geo.districts import DistrictIndex
from app.merchants.curation import load, retire
from app.merchants.importer import ImportReport, import_into_store, sheet_names
from app.store import Store

CHOICES = (("skip", "跳过（不导入这一行）"), ("update", "用这一行更新已有商户"), ("keep", "两者都保留"))


class ImportDialog(QDialog):
    def __init__(self, store: Store, districts: DistrictIndex, path: Path, author: str, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.path = Path(path)
        self._author = author
        self.report: ImportReport | None = None       # after the import was written
        self.retired: list[str] = []
        self.setWindowTitle(f"导入商户 · {self.path.name}")
        self.resize(760, 560)
        self.datum = QComboBox()
        for key, label in DATUM_CHOICES:
            self.datum.addItem(label, key)
        self.datum.currentIndexChanged.connect(lambda *_: self.preview())
        # A workbook's sheet or a GeoPackage's layer; shown when there is more than one to choose
        self.sheet = QComboBox()
        self.sheet.addItem("自动（含“名称”列的那一个）", None)
        names = sheet_names(self.path)
        for n in names:
            self.sheet.addItem(n, n)
        self.sheet.currentIndexChanged.connect(lambda *_: self.preview())
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.problems = QListWidget()
        self.duplicates = QTableWidget(0, 3)
        self.duplicates.setHorizontalHeaderLabels(["文件中的商户", "可能重复的已有商户", "处理"])
        self.duplicates.horizontalHeader().setStretchLastSection(True)
        self.missing_box = QCheckBox()
        self.missing = QListWidget()
        self.reason = QLineEdit("已不在合作名单")
        form = QFormLayout()
        form.addRow("文件坐标系", self.datum)
        if len(names) > 1:
            form.addRow("工作表" if self.path.suffix.lower() != ".gpkg" else "图层", self.sheet)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("导入")
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems)
        layout.addWidget(QLabel("可能已在目录中的商户（请逐行选择）："))
        layout.addWidget(self.duplicates)
        layout.addWidget(self.missing_box)
        layout.addWidget(self.missing)
        reason = QFormLayout()
        reason.addRow("下架原因", self.reason)
        layout.addLayout(reason)
        layout.addWidget(self.buttons)
        self.preview()

    @property
    def import_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def preview(self) -> ImportReport:
        """Check the file and show what an import would do; nothing is written."""
        plan = import_into_store(self._store, self._districts, self.path, self.datum.currentData(),
                                 author=self._author, duplicates="keep", dry_run=True, sheet=self.sheet.currentData())
        errors = [p for p in plan.problems if p.severity == "error"]
        self.problems.clear()
        self.problems.addItems([str(p) for p in plan.problems])
        self.problems.setVisible(bool(plan.problems))
        if errors:
            self.summary.setText(f"<b style='color:#c92a2a'>文件有 {len(errors)} 处错误，不能导入</b>；改正后再试（不会写入任何内容）。")
        else:
            self.summary.setText(f"将新增 {plan.added}，更新 {plan.updated}，未变 {plan.unchanged}。")
        self.duplicates.setRowCount(len(plan.duplicates))
        self.choice_boxes: dict[str, QComboBox] = {}
        for row, d in enumerate(plan.duplicates):
            self.duplicates.setItem(row, 0, QTableWidgetItem(f"{d.where} {d.new_name}"))
            how = "电话相同" if d.reason == "phone" else f"相距 {d.distance_m:.0f} 米"
            self.duplicates.setItem(row, 1, QTableWidgetItem(f"{d.existing_name}（{d.existing_id}，{how}）"))
            box = QComboBox()
            for key, label in CHOICES:
                box.addItem(label, key)
            self.duplicates.setCellWidget(row, 2, box)
            self.choice_boxes[d.new_id] = box
        self.duplicates.resizeColumnsToContents()
        self.duplicates.setVisible(bool(plan.duplicates))
        self.missing.clear()
        self.missing.addItems([f"{mid} {name}" for mid, name in plan.missing])
        self.missing_ids = [mid for mid, _ in plan.missing]
        self.missing_box.setText(f"导入后下架文件中已不再列出的 {len(plan.missing)} 家同来源商户（请先核对下面的名单）")
        for w in (self.missing_box, self.missing, self.reason):
            w.setVisible(bool(plan.missing))
        self.import_button.setEnabled(not errors)
        return plan

    def choose(self, new_id: str, choice: str) -> None:
        box = self.choice_boxes[new_id]
        box.setCurrentIndex(box.findData(choice))

    def run_import(self) -> None:
        choices = {new_id: box.currentData() for new_id, box in self.choice_boxes.items()}
        report = import_into_store(self._store, self._districts, self.path, self.datum.currentData(),
                                   author=self._author, duplicates=choices, sheet=self.sheet.currentData())
        if not report.written:
            self.summary.setText("<b style='color:#c92a2a'>未导入</b>：" + "；".join(str(p) for p in report.problems[:3]))
            return
        self.report = report
        if self.missing_box.isChecked() and self.reason.text().strip():
            for mid in self.missing_ids:
                current = load(self._store, mid)
                if not current.retired and retire(self._store, self._districts, mid, current.revision,
                                                  reason=self.reason.text().strip(), on=dt.date.today(),
                                                  author=self._author, comment=f"导入 {self.path.name} 后下架").saved:
                    self.retired.append(mid)
        self.accept()
