"""The conflict view: a colleague saved the same field meanwhile. Each field shows the value both
started from, theirs and mine; the save stays disabled until every one is decided."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QGridLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
)

from app.merchants.curation import Conflict
from app.merchants.fields import display_value
from widgets.plain_text import plain_label


class ConflictDialog(QDialog):
    def __init__(self, merchant_name: str, conflicts: tuple[Conflict, ...], district_name=None, parent=None):
        super().__init__(parent)
        self.conflicts = conflicts
        self.setWindowTitle(f"修改冲突 · {merchant_name}")
        intro = plain_label(f"你编辑期间，别人也修改了“{merchant_name}”的相同字段。"
                       f"请逐项决定保留哪一个（共 {len(conflicts)} 处冲突）：")
        intro.setWordWrap(True)
        grid = QGridLayout()
        for column, title in enumerate(("字段", "原来", "", "")):
            grid.addWidget(QLabel(f"<b>{title}</b>"), 0, column)
        self.groups: list[QButtonGroup] = []
        for row, c in enumerate(conflicts, start=1):
            grid.addWidget(QLabel(f"冲突 {row}/{len(conflicts)} · {c.label}"), row, 0)
            grid.addWidget(plain_label(display_value(c.field, c.base, district_name)), row, 1)
            theirs = QRadioButton(f"{c.their_author} 的：{display_value(c.field, c.theirs, district_name)}")
            mine = QRadioButton(f"我的：{display_value(c.field, c.mine, district_name)}")
            group = QButtonGroup(self)
            group.addButton(theirs, 0)
            group.addButton(mine, 1)
            group.buttonToggled.connect(self._update)
            self.groups.append(group)
            grid.addWidget(theirs, row, 2)
            grid.addWidget(mine, row, 3)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("按所选保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("放弃我的修改")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(grid)
        layout.addWidget(self.buttons)
        self._update()

    @property
    def save_button(self):
        return self.buttons.button(QDialogButtonBox.StandardButton.Save)

    def _update(self, *_args) -> None:
        self.save_button.setEnabled(all(g.checkedId() >= 0 for g in self.groups))

    def choose(self, index: int, mine: bool) -> None:
        """Decide conflict `index` (0-based) as a click on its radio button would."""
        self.groups[index].button(1 if mine else 0).setChecked(True)

    def resolution(self) -> dict[str, object]:
        """The values to save: for each conflict, mine or theirs as chosen."""
        return {c.field: (c.mine if g.checkedId() == 1 else c.theirs) for c, g in zip(self.conflicts, self.groups)}
