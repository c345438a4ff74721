"""Importing a staff spreadsheet in the app: check it, show what it would do (added, updated,
unchanged, possible duplicates with a choice per row, merchants of the same source it no longer lists),
then write it as one change set, or nothing.

The file is read once (per sheet) and checked on a worker thread, with progress and a way to stop: a
city-wide file of 50,000 rows takes seconds to check, and the window stays responsive meanwhile. A new
coordinate system checks the rows read before again, without reading the file again. Possible
duplicates are listed a page at a time, one row of the file per line (its closest matches beside it).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial
from pathlib import Path

from PySide6.QtCore import QThread, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
)

from app.geo.districts import DistrictIndex
from app.geo.china_datum import DATUM_CHOICES
from app.merchants.curation import load, retire
from app.merchants.importer import ImportReport, ParsedFile, check_read, import_into_store, read_file, sheet_names
from app.store import Store

log = logging.getLogger(__name__)
CHOICES = (("skip", "跳过（不导入这一行）"), ("update", "用这一行更新已有商户"), ("keep", "两者都保留"))
PAGE_ROWS = 100   # rows of possible duplicates shown at once: one combo box each


class _Stopped(Exception):
    """The check was stopped (staff pressed 停止, chose another sheet or closed the dialog)."""


class ImportCheck(QThread):
    """Reads the file (unless it was read before) and checks it as an import would, writing nothing.
    `finished_check` carries (read, parsed, plan); `progress` (done, total, what)."""

    progress = Signal(int, int, str)
    finished_check = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store, districts: DistrictIndex, path: Path, datum: str, sheet: str | None,
                 author: str, read, parent=None):
        super().__init__(parent)
        self._args = (store, districts, path, datum, sheet, author)
        self._read = read

    def _step(self, done: int, total: int) -> None:
        if self.isInterruptionRequested():
            raise _Stopped
        self.progress.emit(done, total, "正在检查")

    def run(self) -> None:
        store, districts, path, datum, sheet, author = self._args
        try:
            read = self._read
            if read is None:
                self.progress.emit(0, 0, "正在读取文件")
                read = read_file(path, None, sheet)
            if self.isInterruptionRequested():
                raise _Stopped
            parsed = check_read(path, read, districts, datum, progress=self._step)
            self.progress.emit(0, 0, "正在查找可能重复的商户")
            plan = import_into_store(store, districts, path, datum, author=author, duplicates="keep",
                                     dry_run=True, parsed=parsed)
            self.finished_check.emit((read, parsed, plan))
        except _Stopped:
            return
        except Exception as exc:
            log.exception("checking %s failed", path)
            self.failed.emit(str(exc))


class ImportDialog(QDialog):
    def __init__(self, store: Store, districts: DistrictIndex, path: Path, author: str, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.path = Path(path)
        self._author = author
        self.report: ImportReport | None = None       # after the import was written
        self.plan: ImportReport | None = None         # the last check's verdict
        self.retired: list[str] = []
        self.choices: dict[str, str] = {}             # new merchant id -> skip | update | keep
        self.choice_boxes: dict[str, QComboBox] = {}  # the page shown
        self.missing_ids: list[str] = []
        self._reads: dict[str | None, tuple] = {}     # sheet -> what read_file found, read once
        self._parsed: ParsedFile | None = None
        self._check: ImportCheck | None = None
        self._again = False
        self._page = 0
        self.setWindowTitle(f"导入商户 · {self.path.name}")
        self.resize(780, 600)
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
        self.progress = QProgressBar()
        self.progress.setTextVisible(True)
        self.stop_button = QPushButton("停止检查")
        self.stop_button.clicked.connect(self.stop_check)
        self.problems = QListWidget()
        self.duplicates = QTableWidget(0, 3)
        self.duplicates.setHorizontalHeaderLabels(["文件中的商户", "可能重复的已有商户", "处理"])
        self.duplicates.horizontalHeader().setStretchLastSection(True)
        self.all_choice = QComboBox()
        self.all_choice.addItem("逐行选择", None)
        for key, label in CHOICES:
            self.all_choice.addItem(f"全部：{label}", key)
        self.all_choice.currentIndexChanged.connect(self._choose_all)
        self.prev_button, self.next_button = QPushButton("上一页"), QPushButton("下一页")
        self.prev_button.clicked.connect(lambda: self.show_page(self._page - 1))
        self.next_button.clicked.connect(lambda: self.show_page(self._page + 1))
        self.page_label = QLabel()
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
        checking = QHBoxLayout()
        checking.addWidget(self.progress, 1)
        checking.addWidget(self.stop_button)
        paging = QHBoxLayout()
        self.duplicates_title = QLabel("可能已在目录中的商户（请逐行选择）：")
        paging.addWidget(self.duplicates_title, 1)
        paging.addWidget(self.all_choice)
        paging.addWidget(self.prev_button)
        paging.addWidget(self.page_label)
        paging.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(checking)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems)
        layout.addLayout(paging)
        layout.addWidget(self.duplicates)
        layout.addWidget(self.missing_box)
        layout.addWidget(self.missing)
        reason = QFormLayout()
        reason.addRow("下架原因", self.reason)
        layout.addLayout(reason)
        layout.addWidget(self.buttons)
        self._show_plan(None)
        self.preview()

    @property
    def import_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    @property
    def checking(self) -> bool:
        return self._check is not None

    # ---------------------------------------------------------------- the check, off the GUI thread

    def preview(self) -> None:
        """Check the file (on a worker) and show what an import would do; nothing is written."""
        if self._check is not None:   # the choice changed mid-check: stop it, then check again
            self._again = True
            self._check.requestInterruption()
            return
        self._parsed = None
        self.import_button.setEnabled(False)
        self.progress.setRange(0, 0)
        self.progress.setFormat("正在读取文件…")
        for w in (self.progress, self.stop_button):
            w.setVisible(True)
        sheet = self.sheet.currentData()
        check = ImportCheck(self._store, self._districts, self.path, self.datum.currentData(), sheet,
                            self._author, self._reads.get(sheet), self)
        check.progress.connect(self._on_progress)
        check.finished_check.connect(lambda result, sheet=sheet: self._on_checked(sheet, result))
        check.failed.connect(self._on_failed)
        check.finished.connect(self._on_thread_done)
        self._check = check
        check.start()

    def stop_check(self) -> None:
        if self._check is not None:
            self._again = False
            self._check.requestInterruption()
            self.summary.setText("已停止检查：文件未导入。更改选择或重新打开文件可再次检查。")

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress.setFormat(f"{what}：{done:,} / {total:,} 行")
        else:
            self.progress.setRange(0, 0)
            self.progress.setFormat(f"{what}…")

    def _on_checked(self, sheet, result) -> None:
        read, parsed, plan = result
        self._reads[sheet] = read
        self._parsed = parsed
        self._show_plan(plan)

    def _on_failed(self, message: str) -> None:
        self.summary.setText(f"<b style='color:#c92a2a'>检查失败</b>：{message}")

    def _on_thread_done(self) -> None:
        check, self._check = self._check, None
        if check is not None:
            check.deleteLater()
        for w in (self.progress, self.stop_button):
            w.setVisible(False)
        if self._again:
            self._again = False
            self.preview()

    def done(self, result: int) -> None:   # closing the dialog stops a check still running
        if self._check is not None:
            self._again = False
            self._check.requestInterruption()
            self._check.wait()
        super().done(result)

    # ---------------------------------------------------------------- what the check found

    def _show_plan(self, plan: ImportReport | None) -> None:
        self.plan = plan
        problems = plan.problems if plan else ()
        errors = [p for p in problems if p.severity == "error"]
        self.problems.clear()
        self.problems.addItems([str(p) for p in problems[:500]])
        if len(problems) > 500:
            self.problems.addItem(f"……另有 {len(problems) - 500} 处问题")
        self.problems.setVisible(bool(problems))
        if plan is None:
            self.summary.setText("正在检查文件（不会写入任何内容）…")
        elif errors:
            self.summary.setText(f"<b style='color:#c92a2a'>文件有 {len(errors)} 处错误，不能导入</b>；改正后再试（不会写入任何内容）。")
        else:
            self.summary.setText(f"将新增 {plan.added}，更新 {plan.updated}，未变 {plan.unchanged}。")
        self._rows = self._duplicate_rows(plan.duplicates if plan else ())
        self.choices = {new_id: self.choices.get(new_id, CHOICES[0][0]) for new_id, _m in self._rows}
        self.show_page(0)
        missing = plan.missing if plan else ()
        self.missing.clear()
        self.missing.addItems([f"{mid} {name}" for mid, name in missing])
        self.missing_ids = [mid for mid, _ in missing]
        self.missing_box.setText(f"导入后下架文件中已不再列出的 {len(missing)} 家同来源商户（请先核对下面的名单）")
        for w in (self.missing_box, self.missing, self.reason):
            w.setVisible(bool(missing))
        self.import_button.setEnabled(plan is not None and not errors)

    @staticmethod
    def _duplicate_rows(matches) -> list[tuple[str, list]]:
        """One line per row of the file: its matches, closest first."""
        rows: dict[str, list] = {}
        for m in matches:
            rows.setdefault(m.new_id, []).append(m)
        return list(rows.items())

    def show_page(self, page: int) -> None:
        pages = max(1, -(-len(self._rows) // PAGE_ROWS))
        self._page = max(0, min(page, pages - 1))
        shown = self._rows[self._page * PAGE_ROWS:(self._page + 1) * PAGE_ROWS]
        self.duplicates.setRowCount(len(shown))
        self.choice_boxes = {}
        for row, (new_id, matches) in enumerate(shown):
            first = matches[0]
            self.duplicates.setItem(row, 0, QTableWidgetItem(f"{first.where} {first.new_name}"))
            text = "；".join(f"{m.existing_name}（{m.existing_id}，"
                            f"{'电话相同' if m.reason == 'phone' else f'相距 {m.distance_m:.0f} 米'}）" for m in matches)
            self.duplicates.setItem(row, 1, QTableWidgetItem(text))
            box = QComboBox()
            for key, label in CHOICES:
                box.addItem(label, key)
            box.setCurrentIndex(box.findData(self.choices[new_id]))
            box.currentIndexChanged.connect(partial(self._chosen, new_id, box))
            self.duplicates.setCellWidget(row, 2, box)
            self.choice_boxes[new_id] = box
        self.duplicates.resizeColumnsToContents()
        several = pages > 1
        for w in (self.prev_button, self.next_button, self.page_label):
            w.setVisible(several)
        self.page_label.setText(f"第 {self._page + 1} / {pages} 页（共 {len(self._rows)} 行）")
        self.prev_button.setEnabled(self._page > 0)
        self.next_button.setEnabled(self._page < pages - 1)
        for w in (self.duplicates, self.duplicates_title, self.all_choice):
            w.setVisible(bool(self._rows))

    def _chosen(self, new_id: str, box: QComboBox, _index: int) -> None:
        self.choices[new_id] = box.currentData()

    def choose(self, new_id: str, choice: str) -> None:
        self.choices[new_id] = choice
        if (box := self.choice_boxes.get(new_id)) is not None:
            box.setCurrentIndex(box.findData(choice))

    def _choose_all(self) -> None:
        choice = self.all_choice.currentData()
        if choice is None:
            return
        for new_id in self.choices:
            self.choose(new_id, choice)

    # ---------------------------------------------------------------- the import

    def run_import(self) -> None:
        if self._parsed is None:
            return
        report = import_into_store(self._store, self._districts, self.path, self.datum.currentData(),
                                   author=self._author, duplicates=dict(self.choices), parsed=self._parsed)
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
