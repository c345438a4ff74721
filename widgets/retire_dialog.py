"""下架 (retire) a merchant: the reason and the day, both kept in its history."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QLineEdit, QVBoxLayout

from widgets.plain_text import plain_label


class RetireDialog(QDialog):
    def __init__(self, merchant_name: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("下架商户")
        self.reason = QLineEdit("已停止合作")
        self.on = QDateEdit(QDate.currentDate())
        self.on.setCalendarPopup(True)
        self.on.setDisplayFormat("yyyy-MM-dd")
        note = plain_label(f"下架后，会员的地图、传单和导出中不再出现“{merchant_name}”；它不会被删除，可随时恢复。")
        note.setWordWrap(True)
        form = QFormLayout()
        form.addRow("原因", self.reason)
        form.addRow("下架日期", self.on)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("下架")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.reason.textChanged.connect(
            lambda text: self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(text.strip())))
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(form)
        layout.addWidget(self.buttons)

    def changes(self) -> dict[str, object]:
        day: dt.date = self.on.date().toPython()
        return {"retired_on": day, "retired_reason": self.reason.text().strip()}
