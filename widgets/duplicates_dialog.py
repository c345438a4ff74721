"""The duplicate review queue (重复商户): each candidate pair side by side, field by field. Merge keeps
one merchant, takes the fields staff pick from the other and retires it (both histories stay); "not a
duplicate" is remembered, so the pair never comes back."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.geo.districts import DistrictIndex
from app.merchants import duplicate_review
from app.merchants.curation import CurationError, load
from app.merchants.duplicates import Candidate
from app.merchants.fields import FIELD_LABELS, display_value
from app.store import Store
from widgets.plain_text import plain_label
from widgets.screen import fit_to_screen


class DuplicatesDialog(QDialog):
    merged = Signal(str)          # the kept merchant's id, after a merge

    def __init__(self, store: Store, districts: DistrictIndex, author: str, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self._author = author
        self.setWindowTitle("重复商户")
        fit_to_screen(self, 900, 520)
        self.pairs = QListWidget()
        self.pairs.currentRowChanged.connect(lambda *_: self._show_pair())
        self.detail = QWidget()
        self.grid = QGridLayout(self.detail)
        self.keep_left = QRadioButton("保留左边")
        self.keep_right = QRadioButton("保留右边")
        self.keep_left.setChecked(True)
        keep = QButtonGroup(self)
        keep.addButton(self.keep_left)
        keep.addButton(self.keep_right)
        self.merge_button = QPushButton("合并")
        self.merge_button.setToolTip("保留一家，采用所选字段，另一家下架（不删除，历史都保留）")
        self.dismiss_button = QPushButton("不是重复")
        self.dismiss_button.setToolTip("记下这两家是不同的商户，以后不再提示")
        self.merge_button.clicked.connect(self.merge_current)
        self.dismiss_button.clicked.connect(self.dismiss_current)
        self.empty = QLabel("没有待处理的重复商户。")
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.addWidget(self.detail, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.keep_left)
        buttons.addWidget(self.keep_right)
        buttons.addStretch(1)
        buttons.addWidget(self.dismiss_button)
        buttons.addWidget(self.merge_button)
        right_layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.pairs)
        split.addWidget(right)
        split.setSizes([300, 600])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(split, 1)
        self.field_groups: dict[str, QButtonGroup] = {}
        self.reload()

    def reload(self) -> None:
        self.candidates: list[Candidate] = duplicate_review.candidates(self._store)
        self.pairs.clear()
        for c in self.candidates:
            a, b = load(self._store, c.first_id).state, load(self._store, c.second_id).state
            why = "电话相同" if c.reason == "phone" else f"名称相近，相距 {c.distance_m:.0f} 米"
            self.pairs.addItem(QListWidgetItem(f"{a['name']} ↔ {b['name']}\n{why}"))
        has = bool(self.candidates)
        self.empty.setVisible(not has)
        self.merge_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)
        if has:
            self.pairs.setCurrentRow(0)
        else:
            self._clear_grid()

    def _clear_grid(self) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.field_groups = {}

    def _show_pair(self) -> None:
        self._clear_grid()
        row = self.pairs.currentRow()
        if not 0 <= row < len(self.candidates):
            return
        c = self.candidates[row]
        left, right = load(self._store, c.first_id).state, load(self._store, c.second_id).state
        self.grid.addWidget(QLabel("<b>字段</b>"), 0, 0)
        self.grid.addWidget(QLabel(f"<b>左：{c.first_id}</b>"), 0, 1)
        self.grid.addWidget(QLabel(f"<b>右：{c.second_id}</b>"), 0, 2)
        for n, field in enumerate(duplicate_review.MERGEABLE, start=1):
            a = display_value(field, left[field], self._districts.name)
            b = display_value(field, right[field], self._districts.name)
            self.grid.addWidget(QLabel(FIELD_LABELS.get(field, field)), n, 0)
            if left[field] == right[field]:
                same = plain_label(a)
                same.setWordWrap(True)
                self.grid.addWidget(same, n, 1, 1, 2)
                continue
            group = QButtonGroup(self.detail)
            ra, rb = QRadioButton(a), QRadioButton(b)
            ra.setChecked(True)
            group.addButton(ra, 0)
            group.addButton(rb, 1)
            self.field_groups[field] = group
            self.grid.addWidget(ra, n, 1)
            self.grid.addWidget(rb, n, 2)

    def current(self) -> Candidate | None:
        row = self.pairs.currentRow()
        return self.candidates[row] if 0 <= row < len(self.candidates) else None

    def choose_field(self, field: str, right: bool) -> None:
        self.field_groups[field].button(1 if right else 0).setChecked(True)

    def merge_current(self) -> None:
        c = self.current()
        if c is None:
            return
        keep_right = self.keep_right.isChecked()
        keep, drop = (c.second_id, c.first_id) if keep_right else (c.first_id, c.second_id)
        # A field takes the dropped merchant's value when its side (left/right) is the dropped one.
        take = {f: "other" for f, g in self.field_groups.items() if (g.checkedId() == 1) != keep_right}
        try:
            result = duplicate_review.merge(self._store, self._districts, keep, drop, author=self._author, take=take)
        except CurationError as exc:
            QMessageBox.warning(self, "未合并", str(exc))
            self.reload()
            return
        if result.kept is not None and not result.kept.saved:
            QMessageBox.warning(self, "未合并", "另一位同事刚修改了这家商户，请重新核对后再合并")
        self.reload()
        self.merged.emit(keep)

    def dismiss_current(self) -> None:
        c = self.current()
        if c is not None:
            duplicate_review.dismiss(self._store, c.first_id, c.second_id, author=self._author)
            self.reload()
