"""导出传单: the flyer of the current selection, previewed (QtPdf) before it is saved or printed."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Sequence

from PySide6.QtCore import QSize, QTemporaryDir
from PySide6.QtGui import QPainter
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app.geo.districts import DistrictIndex
from app.safe_write import WriteFailed, replacing
from maps.flyer import FlyerResult, FlyerSpec, write_flyer
from widgets.screen import fit_to_screen

if TYPE_CHECKING:
    import geopandas as gpd


class FlyerDialog(QDialog):
    def __init__(self, frame: gpd.GeoDataFrame, districts: DistrictIndex, focus_codes: Sequence[str],
                 spec: FlyerSpec, parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"导出传单 · {spec.title}")
        fit_to_screen(self, 760, 900)
        self._frame = frame
        self._districts = districts
        self._focus = list(focus_codes)
        self._spec = spec
        self._dir = QTemporaryDir()
        self.result: FlyerResult | None = None

        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setDocument(self.document)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.size_box = QComboBox()
        self.size_box.addItem("A4 纵向", "a4")
        self.size_box.addItem("A5 纵向", "a5")
        self.size_box.setCurrentIndex(max(0, self.size_box.findData(spec.size)))
        self.size_box.currentIndexChanged.connect(self.render)
        self.summary = QLabel()
        self.save_button = QPushButton("保存 PDF…")
        self.save_button.clicked.connect(lambda: self.save())
        self.print_button = QPushButton("打印…")
        self.print_button.clicked.connect(self.print_dialog)
        close_button = QPushButton("关闭")
        close_button.clicked.connect(self.reject)
        bar = QHBoxLayout()
        bar.addWidget(QLabel("纸张"))
        bar.addWidget(self.size_box)
        bar.addWidget(self.summary, 1)
        bar.addWidget(self.save_button)
        bar.addWidget(self.print_button)
        bar.addWidget(close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.view, 1)
        self.render()

    @property
    def pdf_path(self) -> Path:
        return Path(self._dir.path()) / "flyer.pdf"

    def render(self) -> None:
        self._spec = replace(self._spec, size=self.size_box.currentData())
        self.document.close()
        self.result = write_flyer(self.pdf_path, self._frame, self._districts, self._focus, self._spec)
        self.document.load(str(self.pdf_path))
        missing = f"；字体缺少 {self.result.missing}，印出来是空白" if self.result.missing else ""
        self.summary.setText(f"{self.result.merchants} 家商户，{self.result.pages} 页{missing}")

    def save(self, path: str | None = None) -> Path | None:
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "保存传单", f"{self._spec.title}.pdf", "PDF (*.pdf)")
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() != ".pdf":
            target = target.with_suffix(".pdf")
        try:
            with replacing(target) as partial:   # whole or not at all: a full disk leaves the old file as it was
                shutil.copyfile(self.pdf_path, partial)
        except OSError as exc:
            QMessageBox.warning(self, "保存失败", str(exc) if isinstance(exc, WriteFailed) else
                                f"无法写入 {target}：{exc.strerror or exc}")
            return None
        return target

    def print_to(self, printer: QPrinter) -> int:
        """Print every page, each rendered at the printer's resolution; returns the pages printed."""
        painter = QPainter()
        if not painter.begin(printer):
            return 0
        try:
            rect = printer.pageLayout().paintRectPixels(printer.resolution())
            for index in range(self.document.pageCount()):
                if index:
                    printer.newPage()
                page = self.document.pagePointSize(index)
                scale = min(rect.width() / page.width(), rect.height() / page.height())
                image = self.document.render(index, QSize(int(page.width() * scale), int(page.height() * scale)))
                painter.drawImage(0, 0, image)
        finally:
            painter.end()
        return self.document.pageCount()

    def print_dialog(self) -> None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        dialog.setWindowTitle("打印传单")
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.print_to(printer)
