"""Bulk actions on the merchants selected in the list or boxed on the map: set the category, set the
validity, retire, or add them to a named list."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QRadioButton,
    QVBoxLayout,
)

from app.merchants.categories import CATEGORY_NAMES
from widgets.merchant_form import OptionalDate

OPERATIONS = ("category", "validity", "retire", "list")


class BulkDialog(QDialog):
    def __init__(self, count: int, list_names: list[str], parent=None):
        super().__init__(parent)
        self.setWindowTitle(f"批量修改 · {count} 家商户")
        self.choice = QButtonGroup(self)
        self.radios = {op: QRadioButton(text) for op, text in zip(
            OPERATIONS, ("设置类别", "设置有效期", "下架", "加入清单"))}
        for i, op in enumerate(OPERATIONS):
            self.choice.addButton(self.radios[op], i)
        self.category = QComboBox()
        self.category.addItems(CATEGORY_NAMES)
        self.valid_from = OptionalDate("开始")
        self.valid_to = OptionalDate("截止")
        self.reason = QLineEdit("已停止合作")
        self.list_name = QComboBox()
        self.list_name.addItems(list_names)
        self.radios["list"].setEnabled(bool(list_names))
        grid = QGridLayout()
        grid.addWidget(self.radios["category"], 0, 0)
        grid.addWidget(self.category, 0, 1)
        grid.addWidget(self.radios["validity"], 1, 0)
        grid.addWidget(self.valid_from, 1, 1)
        grid.addWidget(self.valid_to, 2, 1)
        grid.addWidget(self.radios["retire"], 3, 0)
        grid.addWidget(self.reason, 3, 1)
        grid.addWidget(self.radios["list"], 4, 0)
        grid.addWidget(self.list_name, 4, 1)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("应用")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"对选中的 {count} 家商户："))
        layout.addLayout(grid)
        layout.addWidget(self.buttons)
        self.choice.idToggled.connect(lambda *_: self._update())
        self.reason.textChanged.connect(lambda *_: self._update())
        self.valid_from.changed.connect(self._update)
        self.valid_to.changed.connect(self._update)
        self._update()

    @property
    def ok_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Ok)

    def operation(self) -> str | None:
        checked = self.choice.checkedId()
        return OPERATIONS[checked] if checked >= 0 else None

    def _update(self) -> None:
        op = self.operation()
        start, end = self.valid_from.value(), self.valid_to.value()
        ok = op is not None
        if op == "retire":
            ok = bool(self.reason.text().strip())
        elif op == "validity":
            ok = not (start and end and end < start)
        self.ok_button.setEnabled(ok)

    def changes(self) -> dict[str, object]:
        """The fields to set on every selected merchant (not for "list")."""
        op = self.operation()
        if op == "category":
            return {"category": self.category.currentText()}
        if op == "validity":
            return {"valid_from": self.valid_from.value(), "valid_to": self.valid_to.value()}
        if op == "retire":
            return {"retired_on": dt.date.today(), "retired_reason": self.reason.text().strip()}
        return {}
