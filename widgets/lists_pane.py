"""The named lists pane (商户清单): create, rename and delete lists, add the merchants selected in the
list view or on the map, reorder by dragging or with the arrows, remove, export and print a flyer."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.geo.districts import DistrictIndex
from app.merchants.exporter import export_merchants
from app.merchants.list_commands import list_for_output, selection_notes
from app.merchants.lists import (
    ListError,
    add_to_list,
    all_lists,
    create_list,
    delete_list,
    list_merchants,
    remove_from_list,
    rename_list,
    reorder_list,
)
from app.store import Store
from maps.flyer import FlyerSpec
from maps.web_map import write_web_map
from widgets.flyer_dialog import FlyerDialog
from widgets.plain_text import ask


class ListsPane(QWidget):
    merchantActivated = Signal(str)   # a merchant double-clicked in the list: show it on the map

    def __init__(self, store: Store, districts: DistrictIndex, author, selected_ids, parent=None):
        """`author()` names who changes the lists; `selected_ids()` is the explorer's selection."""
        super().__init__(parent)
        self._store = store
        self._districts = districts
        self._author = author
        self._selected_ids = selected_ids
        self.lists = QComboBox()
        self.lists.setPlaceholderText("（还没有清单）")
        self.new_button = QPushButton("新建…")
        self.rename_button = QPushButton("改名…")
        self.delete_button = QPushButton("删除")
        self.items = QListWidget()
        self.items.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.items.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.items.model().rowsMoved.connect(lambda *_: self._save_order())
        self.items.itemDoubleClicked.connect(lambda item: self.merchantActivated.emit(item.data(Qt.ItemDataRole.UserRole)))
        self.add_button = QPushButton("加入所选商户")
        self.add_button.setToolTip("把列表或地图上选中的商户（可多选、可在地图上 Shift+拖动框选）加到清单末尾")
        self.remove_button = QPushButton("移出清单")
        self.up_button = QPushButton("上移")
        self.down_button = QPushButton("下移")
        self.export_button = QPushButton("导出表格…")
        self.flyer_button = QPushButton("导出传单…")
        self.web_map_button = QPushButton("导出网页地图…")
        self.note = QLabel()
        self.note.setWordWrap(True)

        # Compact: the pane shares a narrow dock with the history and the problems.
        self.lists.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.lists.setMinimumContentsLength(8)
        top = QHBoxLayout()
        for b in (self.new_button, self.rename_button, self.delete_button):
            top.addWidget(b)
        edit = QGridLayout()
        edit.addWidget(self.add_button, 0, 0)
        edit.addWidget(self.remove_button, 0, 1)
        edit.addWidget(self.up_button, 1, 0)
        edit.addWidget(self.down_button, 1, 1)
        out = QHBoxLayout()
        out.addWidget(self.export_button)
        out.addWidget(self.flyer_button)
        out.addWidget(self.web_map_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.lists)
        layout.addLayout(top)
        layout.addWidget(self.items, 1)
        layout.addLayout(edit)
        layout.addWidget(self.note)
        layout.addLayout(out)

        self.lists.currentIndexChanged.connect(lambda *_: self.show_list())
        self.new_button.clicked.connect(lambda: self.create())
        self.rename_button.clicked.connect(lambda: self.rename())
        self.delete_button.clicked.connect(self.delete)
        self.add_button.clicked.connect(lambda: self.add(self._selected_ids()))
        self.remove_button.clicked.connect(self.remove_selected)
        self.up_button.clicked.connect(lambda: self.move_selected(-1))
        self.down_button.clicked.connect(lambda: self.move_selected(1))
        self.export_button.clicked.connect(lambda: self.export())
        self.flyer_button.clicked.connect(lambda: self.flyer())
        self.web_map_button.clicked.connect(lambda: self.web_map())
        self.reload()

    # ---------------------------------------------------------------- reading

    def current_name(self) -> str | None:
        return self.lists.currentText() or None

    def merchant_ids(self) -> list[str]:
        return [self.items.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.items.count())]

    def reload(self, choose: str | None = None) -> None:
        """Read the lists again (a colleague may have changed them); keep or pick `choose`."""
        keep = choose or self.current_name()
        names = [n.name for n in all_lists(self._store)]
        self.lists.blockSignals(True)
        self.lists.clear()
        self.lists.addItems(names)
        if keep in names:
            self.lists.setCurrentText(keep)
        self.lists.blockSignals(False)
        self.show_list()

    def show_list(self) -> None:
        self.items.clear()
        name = self.current_name()
        has = name is not None
        for b in (self.rename_button, self.delete_button, self.add_button, self.remove_button, self.up_button,
                  self.down_button, self.export_button, self.flyer_button, self.web_map_button):
            b.setEnabled(has)
        if not has:
            self.note.setText("新建一个清单，再把商户加进去；清单可用于传单和网页地图。")
            return
        named, frame, retired = list_merchants(self._store, self._districts, name)
        rows = {r["id"]: r for _, r in frame.iterrows()}
        today = dt.date.today()
        for number, mid in enumerate(named.merchant_ids, start=1):
            row = rows.get(mid)
            text = f"{number}. {row['name']}（{row['category']} · {row['district']}）" if row is not None \
                else f"{number}. {mid}（已下架）"
            expired = row is not None and isinstance(row["valid_to"], dt.date) and row["valid_to"] < today
            item = QListWidgetItem(text + ("（优惠已过期）" if expired else ""))
            item.setData(Qt.ItemDataRole.UserRole, mid)
            if row is None or expired:
                item.setForeground(Qt.GlobalColor.gray)
            self.items.addItem(item)
        self.note.setText(f"共 {len(named.merchant_ids)} 家；创建人 {named.created_by}。拖动可调整顺序。"
                          + ("".join("；" + n for n in selection_notes(retired, 0))))

    # ---------------------------------------------------------------- changing

    def _run(self, work) -> bool:
        try:
            work()
        except ListError as exc:
            QMessageBox.warning(self, "商户清单", str(exc))
            self.reload()
            return False
        return True

    def create(self, name: str | None = None) -> bool:
        if name is None:
            name, ok = QInputDialog.getText(self, "新建清单", "清单名称（如：2026 金秋助学 合作商户 · 青山）：")
            if not ok:
                return False
        if self._run(lambda: create_list(self._store, name, author=self._author())):
            self.reload(" ".join(name.split()))
            return True
        return False

    def rename(self, new_name: str | None = None) -> bool:
        old = self.current_name()
        if old is None:
            return False
        if new_name is None:
            new_name, ok = QInputDialog.getText(self, "清单改名", "新的名称：", text=old)
            if not ok:
                return False
        if self._run(lambda: rename_list(self._store, old, new_name)):
            self.reload(" ".join(new_name.split()))
            return True
        return False

    def delete(self) -> None:
        name = self.current_name()
        if name is None:
            return
        if ask(self, "删除清单", f"删除清单“{name}”？（商户本身不受影响）") and \
                self._run(lambda: delete_list(self._store, name)):
            self.reload()

    def add(self, merchant_ids: list[str]) -> int:
        name = self.current_name()
        if name is None or not merchant_ids:
            return 0
        added = []
        if self._run(lambda: added.append(add_to_list(self._store, name, list(merchant_ids)))):
            self.reload()
            self.note.setText(f"已加入 {added[0]} 家。" + self.note.text())
            return added[0]
        return 0

    def remove_selected(self) -> None:
        name = self.current_name()
        ids = [item.data(Qt.ItemDataRole.UserRole) for item in self.items.selectedItems()]
        if name and ids and self._run(lambda: remove_from_list(self._store, name, ids)):
            self.reload()

    def move_selected(self, step: int) -> None:
        row = self.items.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.items.count():
            return
        item = self.items.takeItem(row)
        self.items.insertItem(target, item)
        self.items.setCurrentRow(target)
        self._save_order()

    def _save_order(self) -> None:
        name = self.current_name()
        if name and self._run(lambda: reorder_list(self._store, name, self.merchant_ids())):
            current = self.items.currentRow()
            self.reload()
            self.items.setCurrentRow(current)

    # ---------------------------------------------------------------- output

    def _output_frame(self):
        return list_for_output(self._store, self._districts, self.current_name(), include_expired=False)

    def export(self, path: str | None = None) -> Path | None:
        if self.current_name() is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出清单", f"{self.current_name()}.xlsx",
                                                  "Excel (*.xlsx);;CSV (*.csv);;GeoJSON (*.geojson);;GeoPackage (*.gpkg);;"
                                                  "Shapefile (*.shp);;KML (*.kml)")
            if not path:
                return None
        named, frame, notes = self._output_frame()
        try:
            written = export_merchants(frame, Path(path))
        except (ValueError, OSError) as exc:
            QMessageBox.warning(self, "导出失败", str(exc))
            return None
        self.note.setText(f"已导出 {len(frame)} 家到 {written}" + "".join("；" + n for n in notes))
        return written

    def web_map(self, path: str | None = None) -> Path | None:
        """The list as one offline web page, titled with the list's name."""
        if self.current_name() is None:
            return None
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出网页地图", f"{self.current_name()}.html", "网页 (*.html)")
            if not path:
                return None
        named, frame, notes = self._output_frame()
        try:
            written = write_web_map(Path(path), self._districts, frame, named.name)
        except OSError as exc:
            QMessageBox.warning(self, "导出失败", f"无法写入 {path}：{exc.strerror or exc}")
            return None
        self.note.setText(f"已导出 {len(frame)} 家到 {written}" + "".join("；" + n for n in notes))
        return written

    def flyer_dialog(self) -> FlyerDialog | None:
        if self.current_name() is None:
            return None
        named, frame, notes = self._output_frame()
        codes = sorted({c for c in frame["district_code"] if c}) if not frame.empty else []
        spec = FlyerSpec(named.name, tuple(self._districts.name(c) for c in codes), (), dt.date.today(),
                         keep_order=True)
        self.note.setText("；".join(notes))
        return FlyerDialog(frame, self._districts, codes, spec, self)

    def flyer(self) -> None:
        dialog = self.flyer_dialog()
        if dialog is not None:
            dialog.exec()
            dialog.deleteLater()
