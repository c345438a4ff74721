"""The selected merchant's history (历史): every revision with who, when and what, and 回退 to any."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QPushButton, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from app.geo.districts import DistrictIndex
from app.merchants.fields import FIELD_LABELS, display_value
from app.merchants.history import Revision, history
from app.store import Store
from widgets.plain_text import plain_label


class HistoryPane(QWidget):
    revertRequested = Signal(str, int)     # merchant id, revision to go back to

    def __init__(self, store: Store, districts: DistrictIndex, parent=None):
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self.merchant_id: str | None = None
        self.revisions: list[Revision] = []
        self.title = plain_label("选中一家商户查看它的修改记录")
        self.title.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(["版本", "时间", "经办人", "操作"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        self.revert_button = QPushButton("回退到此版")
        self.revert_button.setToolTip("把商户恢复成所选这一版的样子（作为新的一版保存，历史不会被改写）")
        self.revert_button.setEnabled(False)
        self.revert_button.clicked.connect(self._revert)
        self.tree.currentItemChanged.connect(lambda *_: self._update_button())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.revert_button)

    def show_merchant(self, merchant_id: str | None, name: str | None = None) -> None:
        self.merchant_id = merchant_id
        self.tree.clear()
        self.revisions = history(self._store, merchant_id) if merchant_id else []
        self.title.setText(f"{name or merchant_id} 的修改记录（{len(self.revisions)} 版）" if merchant_id
                           else "选中一家商户查看它的修改记录")
        for r in reversed(self.revisions):
            when = r.created_at.astimezone().strftime("%m-%d %H:%M")
            item = QTreeWidgetItem([f"第 {r.revision} 版", when, r.author, r.action_text])
            item.setToolTip(1, r.created_at.astimezone().strftime("%Y-%m-%d %H:%M:%S"))
            item.setData(0, Qt.ItemDataRole.UserRole, r.revision)
            if r.comment:
                item.setToolTip(0, r.comment)
            for f, (old, new) in r.changes.items():
                child = QTreeWidgetItem(["", FIELD_LABELS.get(f, f),
                                         display_value(f, old, self._districts.name),
                                         "→ " + display_value(f, new, self._districts.name)])
                item.addChild(child)
            self.tree.addTopLevelItem(item)
        for column in range(4):
            self.tree.resizeColumnToContents(column)
        self._update_button()

    def select_revision(self, revision: int) -> None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item.data(0, Qt.ItemDataRole.UserRole) == revision:
                self.tree.setCurrentItem(item)
                return

    def _selected_revision(self) -> int | None:
        item = self.tree.currentItem()
        while item is not None and item.parent() is not None:
            item = item.parent()
        return None if item is None else item.data(0, Qt.ItemDataRole.UserRole)

    def _update_button(self) -> None:
        chosen = self._selected_revision()
        latest = self.revisions[-1].revision if self.revisions else None
        self.revert_button.setEnabled(chosen is not None and chosen != latest)

    def _revert(self) -> None:
        chosen = self._selected_revision()
        if self.merchant_id and chosen is not None:
            self.revertRequested.emit(self.merchant_id, chosen)
