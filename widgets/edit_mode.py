"""The staff's edit mode (商户维护): add on the map, edit, drag to move, retire and restore, history and
revert, undo and redo. Every change is saved at once as a revision under the optimistic lock; a
colleague's change to other fields merges, the same field opens the conflict view.

Undo and redo never rewrite history: each is a new revision that puts the fields back.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMenu, QMessageBox, QToolBar

from app.geo.districts import DistrictIndex
from app.merchants.curation import (
    CurationError,
    SaveResult,
    add_merchant,
    bulk_change,
    load,
    save_changes,
)
from app.merchants.history import revert
from app.store import Store
from app.store.identity import Editor, current_editor
from widgets.bulk_dialog import BulkDialog
from widgets.change_log_dialog import ChangeLogDialog
from widgets.conflict_dialog import ConflictDialog
from widgets.duplicates_dialog import DuplicatesDialog
from widgets.explorer import Explorer
from widgets.history_pane import HistoryPane
from widgets.import_dialog import ImportDialog
from widgets.lists_pane import ListsPane
from widgets.merchant_form import MerchantForm
from widgets.plain_text import ask
from widgets.problems_pane import ProblemsPane
from widgets.retire_dialog import RetireDialog

UNDO_ADD = {"retired_on": None, "retired_reason": None}


class MerchantChange(QUndoCommand):
    """One saved change, undoable: undo saves `before` again, redo saves `after` again."""

    def __init__(self, controller: EditMode, merchant_id: str, before: dict, after: dict, text: str):
        super().__init__(text)
        self._controller = controller
        self.merchant_id = merchant_id
        self.before, self.after = before, after
        self._first = True   # pushed after it was saved: the stack's first redo has nothing to do

    def redo(self) -> None:
        if self._first:
            self._first = False
            return
        if self._controller.apply(self.merchant_id, self.after, comment=f"重做：{self.text()}") is None:
            self.setObsolete(True)

    def undo(self) -> None:
        if self._controller.apply(self.merchant_id, self.before, comment=f"撤销：{self.text()}") is None:
            self.setObsolete(True)


class EditMode(QObject):
    """Owns the edit actions, the undo stack and the history dock of one main window."""

    toggled = Signal(bool)
    saved = Signal(str, int)         # merchant id, its new revision

    def __init__(self, window: QMainWindow, explorer: Explorer, store: Store, districts: DistrictIndex):
        super().__init__(window)
        self._window = window
        self._explorer = explorer
        self._store = store
        self._districts = districts
        self.editor: Editor = current_editor(store)
        self.undo_stack = QUndoStack(self)
        self.active = False

        self.history = HistoryPane(store, districts)
        self.history.revertRequested.connect(self.revert_to)
        self.history_dock = self._dock("历史", "history_dock", self.history)

        self.lists = ListsPane(store, districts, lambda: self.editor.name, explorer.selected_ids)
        self.lists.merchantActivated.connect(explorer.select_merchant)
        self.lists_dock = self._dock("商户清单", "lists_dock", self.lists, tab_with=self.history_dock)

        self.problems = ProblemsPane(districts)
        self.problems.merchantActivated.connect(explorer.select_merchant)
        self.problems_dock = self._dock("问题", "problems_dock", self.problems, tab_with=self.lists_dock)
        explorer.matched.connect(lambda _n: self._refresh_problems())

        self._build_actions()
        explorer.map.bridge.merchantMoved.connect(self._on_moved)
        explorer.map.bridge.boxSelected.connect(self._on_box)
        explorer.placeRequested.connect(self.add_at)
        explorer.selectionChanged.connect(self._on_selection)

    def _dock(self, title: str, name: str, widget, tab_with: QDockWidget | None = None) -> QDockWidget:
        """A pane on the right, hidden until the edit mode opens; tabbed with the one before it."""
        dock = QDockWidget(title, self._window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self._window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        if tab_with is not None:
            self._window.tabifyDockWidget(tab_with, dock)
        dock.hide()
        return dock

    # ---------------------------------------------------------------- actions

    def _action(self, text: str, slot, shortcut: str | None = None, tip: str | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(slot)
        return action

    def _build_actions(self) -> None:
        self.toggle_action = QAction("编辑模式", self)
        self.toggle_action.setCheckable(True)
        self.toggle_action.setShortcut(QKeySequence("Ctrl+Shift+E"))
        self.toggle_action.setStatusTip("打开后可以新增、修改、移动、下架商户；每次修改都会记入历史")
        self.toggle_action.toggled.connect(self.set_active)
        self.add_on_map_action = self._action("新增商户（在地图上点选位置）", self.start_place, "Ctrl+N",
                                              "点一下按钮，再在地图上点一下新商户的位置")
        self.add_typed_action = self._action("新增商户（输入坐标）…", lambda: self.add_at(None, None), None,
                                             "输入或粘贴坐标（可选 高德/百度 坐标系）")
        self.edit_action = self._action("编辑所选商户…", self.edit_selected, "F2")
        self.retire_action = self._action("下架所选商户…", self.retire_selected, None,
                                          "商户从会员的地图、传单和导出中消失，但不会被删除，可随时恢复")
        self.restore_action = self._action("恢复所选商户", self.restore_selected)
        self.import_action = self._action("导入表格…", lambda: self.import_file(), "Ctrl+I",
                                          "导入 Excel / CSV / GeoJSON：先显示将新增、更新和可能重复的商户，再写入")
        self.duplicates_action = self._action("重复商户…", lambda: self.review_duplicates(), None,
                                              "名称相近且相距约150米内、或电话相同的商户：合并或标记为不重复")
        self.bulk_action = self._action("批量修改所选商户…", lambda: self.bulk_selected(), None,
                                        "对多选（Ctrl/Shift 点击或在地图上 Shift+拖动框选）的商户设置类别、有效期、下架或加入清单")
        self.change_log_action = self._action("变更记录…", lambda: self.show_change_log(), None,
                                              "整个目录的修改记录：按经办人、日期、区、操作筛选，可导出 CSV")
        self.show_retired_action = QAction("显示已下架的商户", self)
        self.show_retired_action.setCheckable(True)
        self.show_retired_action.toggled.connect(self._show_retired)
        self.undo_action = self.undo_stack.createUndoAction(self, "撤销")
        self.undo_action.setShortcut(QKeySequence("Ctrl+Z"))
        self.redo_action = self.undo_stack.createRedoAction(self, "重做")
        self.redo_action.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        self.edit_actions = [self.add_on_map_action, self.add_typed_action, self.edit_action, self.retire_action,
                             self.restore_action, self.bulk_action, self.import_action, self.duplicates_action,
                             self.change_log_action,
                             self.show_retired_action, self.undo_action, self.redo_action]

        bar = self._window.menuBar()
        menu = QMenu("商户维护", bar)
        bar.insertMenu(bar.actions()[-1], menu)   # before 帮助
        menu.addAction(self.toggle_action)
        menu.addSeparator()
        for action in self.edit_actions[:6]:
            menu.addAction(action)
        menu.addSeparator()
        menu.addAction(self.import_action)
        menu.addAction(self.duplicates_action)
        menu.addAction(self.change_log_action)
        menu.addSeparator()
        menu.addAction(self.undo_action)
        menu.addAction(self.redo_action)
        menu.addSeparator()
        menu.addAction(self.show_retired_action)
        menu.addAction(self.history_dock.toggleViewAction())
        menu.addAction(self.lists_dock.toggleViewAction())
        menu.addAction(self.problems_dock.toggleViewAction())
        self.menu = menu
        self.toolbar = QToolBar("商户维护", self._window)
        self.toolbar.setObjectName("edit_toolbar")
        self.toolbar.addAction(self.toggle_action)
        for action in (self.add_on_map_action, self.edit_action, self.retire_action, self.undo_action,
                       self.redo_action):
            self.toolbar.addAction(action)
        self._window.addToolBar(self.toolbar)
        # Members' windows stay clean: the toolbar shows while the edit mode is on (the menu switches
        # it on); a read-only role (a member's on the shared catalogue) never sees the menu either.
        self.toolbar.hide()
        if not self.editor.can_edit:
            self.menu.menuAction().setVisible(False)
        self._update_actions()

    def set_active(self, on: bool) -> None:
        on = bool(on) and self.editor.can_edit
        if self.toggle_action.isChecked() != on:
            self.toggle_action.setChecked(on)
            return
        self.active = on
        self.toolbar.setVisible(on)
        self._explorer.map.call("setEditMode", on)
        self.history_dock.setVisible(on)
        self.lists_dock.setVisible(on)
        self.problems_dock.setVisible(on)
        self._explorer.set_multi_select(on)
        if on:
            self.lists.reload()
            self._refresh_problems()
            self.history_dock.raise_()
            # The map keeps most of the width: the docks take about a quarter of the window.
            QTimer.singleShot(0, self, lambda: self._window.resizeDocks(   # cancelled if the window goes first
                [self.history_dock], [max(300, self._window.width() // 4)], Qt.Orientation.Horizontal))
        if not on and self.show_retired_action.isChecked():
            self.show_retired_action.setChecked(False)
        who = f"（{self.editor.name}）"
        self._window.statusBar().showMessage(
            f"编辑模式已打开{who}：拖动选中的商户可移动位置，Shift+拖动可框选" if on else "编辑模式已关闭")
        self._update_actions()
        self._on_selection(self._explorer.selected_id())
        self.toggled.emit(on)

    def _update_actions(self) -> None:
        selected = self._explorer.selected_id()
        retired = selected is not None and self._is_retired(selected)
        for action in self.edit_actions:
            action.setEnabled(self.active)
        self.edit_action.setEnabled(self.active and selected is not None)
        self.retire_action.setEnabled(self.active and selected is not None and not retired)
        self.restore_action.setEnabled(self.active and retired)
        if self.active:
            self.undo_action.setEnabled(self.undo_stack.canUndo())
            self.redo_action.setEnabled(self.undo_stack.canRedo())

    def _is_retired(self, merchant_id: str) -> bool:
        try:
            return load(self._store, merchant_id).retired
        except CurationError:
            return False

    def _on_selection(self, merchant_id) -> None:
        if self.active:
            name = None
            if merchant_id:
                row = self._explorer.record_of(merchant_id)
                name = row["name"] if row is not None else None
            self.history.show_merchant(merchant_id, name)
        self._update_actions()

    def _refresh_problems(self) -> None:
        if self.active:
            self.problems.show_frame(self._explorer.frame)
            errors = sum(p.severity == "error" for _, p in self.problems.problems)
            self.problems_dock.setWindowTitle(f"问题（{errors}）" if errors else "问题")

    def bulk_selected(self, dialog: BulkDialog | None = None) -> list[SaveResult]:
        ids = self._explorer.selected_ids()
        if not (self.active and ids):
            return []
        own = dialog is None
        if own:
            dialog = BulkDialog(len(ids), [n for n in (self.lists.lists.itemText(i) for i in range(self.lists.lists.count()))],
                                self._window)
            if not dialog.exec():
                return []
        if dialog.operation() == "list":
            self.lists.lists.setCurrentText(dialog.list_name.currentText())
            self.lists.add(ids)
            self.lists_dock.raise_()
            return []
        results = bulk_change(self._store, self._districts, ids, dialog.changes(), author=self.editor.name,
                              comment=f"批量修改 {len(ids)} 家")
        saved = [r for r in results if r.saved]
        if saved:
            self.undo_stack.beginMacro(f"批量修改 {len(saved)} 家商户")
            for r in saved:
                self._push(r.merchant_id, r, f"批量修改 {r.merchant_id}")
            self.undo_stack.endMacro()
        refused = [r for r in results if not r.saved and r.errors]
        self._explorer.refresh()
        message = f"已修改 {len(saved)} 家商户"
        if refused:
            message += f"；{len(refused)} 家未修改：" + "；".join(f"{r.merchant_id} {r.errors[0].message}" for r in refused[:3])
        self._window.statusBar().showMessage(message)
        self._update_actions()
        return results

    def show_change_log(self) -> ChangeLogDialog | None:
        if not self.active:
            return None
        dialog = ChangeLogDialog(self._store, self._districts, self._window)
        dialog.merchantActivated.connect(self._explorer.select_merchant)
        dialog.show()
        return dialog

    def import_file(self, path: str | None = None) -> ImportDialog | None:
        if not self.active:
            return None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(self._window, "导入商户", "",
                                                  "商户文件 (*.xlsx *.xls *.ods *.csv *.txt *.geojson *.json *.gpkg *.shp)")
            if not path:
                return None
        dialog = ImportDialog(self._store, self._districts, Path(path), self.editor.name, self._window)
        if dialog.exec() and dialog.report is not None:
            r = dialog.report
            self._explorer.refresh()
            self.lists.reload()
            retired = f"，下架 {len(dialog.retired)}" if dialog.retired else ""
            self._window.statusBar().showMessage(
                f"已导入 {dialog.path.name}：新增 {r.added}，更新 {r.updated}，未变 {r.unchanged}{retired}")
        return dialog

    def review_duplicates(self) -> None:
        if not self.active:
            return
        dialog = DuplicatesDialog(self._store, self._districts, self.editor.name, self._window)
        dialog.merged.connect(lambda _keep: self._explorer.refresh())
        dialog.exec()
        self._explorer.refresh()
        dialog.deleteLater()

    def _on_box(self, merchant_ids: list) -> None:
        if self.active:
            n = self._explorer.select_ids(merchant_ids)
            self._window.statusBar().showMessage(f"已框选 {n} 家商户")

    def _show_retired(self, on: bool) -> None:
        self._explorer.set_retired_filter("include" if on else "exclude")

    # ---------------------------------------------------------------- saving

    def apply(self, merchant_id: str, changes: dict, *, base: int | None = None, comment: str | None = None,
              action: str | None = None) -> SaveResult | None:
        """Save `changes` (against `base`, default the latest revision); resolve conflicts with the
        staff member. Returns the saved result, or None when nothing was saved."""
        if base is None:
            base = load(self._store, merchant_id).revision
        result = save_changes(self._store, self._districts, merchant_id, base, changes, author=self.editor.name,
                              comment=comment, action=action)
        while result.conflicts:
            name = load(self._store, merchant_id).state.get("name") or merchant_id
            dialog = ConflictDialog(str(name), result.conflicts, self._districts.name, self._window)
            if not dialog.exec():
                self._window.statusBar().showMessage("已放弃修改：保留别人已保存的内容")
                return None
            conflicted = {c.field for c in result.conflicts}
            resolved = {**{f: v for f, v in changes.items() if f not in conflicted}, **dialog.resolution()}
            result = save_changes(self._store, self._districts, merchant_id, result.revision, resolved,
                                  author=self.editor.name, comment=comment, action=action)
        if not result.saved:
            if result.errors:
                QMessageBox.warning(self._window, "未保存", "\n".join(p.message for p in result.errors))
            else:
                self._window.statusBar().showMessage("没有需要保存的变化")
            return None
        self._after_save(merchant_id, result)
        return result

    def _after_save(self, merchant_id: str, result: SaveResult) -> None:
        merged = f"，已与 {'、'.join(result.merged_with)} 的修改合并" if result.merged_with else ""
        self._explorer.refresh()
        self._explorer.select_merchant(merchant_id)
        self._on_selection(merchant_id)
        self._window.statusBar().showMessage(f"已保存：{merchant_id} 第 {result.revision} 版{merged}")
        self.saved.emit(merchant_id, result.revision)

    def _push(self, merchant_id: str, result: SaveResult, text: str) -> None:
        before = {f: old for f, (old, _new) in result.changes.items()}
        after = {f: new for f, (_old, new) in result.changes.items()}
        self.undo_stack.push(MerchantChange(self, merchant_id, before, after, text))
        self._update_actions()

    def _name(self, merchant_id: str) -> str:
        return str(load(self._store, merchant_id).state.get("name") or merchant_id)

    # ---------------------------------------------------------------- the actions themselves

    def start_place(self) -> None:
        if self.active:
            self._explorer.start_pick("add")
            self._window.statusBar().showMessage("请在地图上点一下新商户的位置（Esc 取消）")

    def add_at(self, lon: float | None, lat: float | None) -> SaveResult | None:
        at = (lon, lat) if lon is not None and lat is not None else None
        form = MerchantForm(self._store, self._districts, at=at, parent=self._window)
        if not form.exec() or form.record() is None:
            return None
        record = form.record()
        result = add_merchant(self._store, self._districts, record, author=self.editor.name,
                              comment=form.comment.text() or None)
        if not result.saved:
            QMessageBox.warning(self._window, "未保存", "\n".join(p.message for p in result.errors))
            return None
        self._after_save(record.id, result)
        today = dt.date.today()
        self.undo_stack.push(MerchantChange(self, record.id, {"retired_on": today, "retired_reason": "撤销新增"},
                                            dict(UNDO_ADD), f"新增 {record.name}"))
        self._update_actions()
        return result

    def edit_selected(self) -> SaveResult | None:
        merchant_id = self._explorer.selected_id()
        if not (self.active and merchant_id):
            return None
        opened = load(self._store, merchant_id)
        form = MerchantForm(self._store, self._districts, merchant_id=merchant_id, state=opened.state,
                            parent=self._window)
        if not form.exec():
            return None
        changes = form.changes()
        if not changes:
            return None
        result = self.apply(merchant_id, changes, base=opened.revision, comment=form.comment.text() or None)
        if result is not None:
            self._push(merchant_id, result, f"编辑 {self._name(merchant_id)}")
        return result

    def _on_moved(self, merchant_id: str, lon: float, lat: float) -> None:
        if not self.active:
            self._explorer.map.call("resetMarker", merchant_id)
            return
        current = load(self._store, merchant_id)
        if not self._districts.contains_city(lon, lat):
            QMessageBox.warning(self._window, "不能移动", "新位置不在武汉市范围内")
            self._explorer.map.call("resetMarker", merchant_id)
            return
        new_code = self._districts.locate([lon], [lat])[0]
        old_name = self._districts.name(current.state.get("district_code")) or "未知"
        new_name = self._districts.name(new_code)
        where = f"新位置在{new_name}" + ("" if new_code == current.state.get("district_code") else f"（原在{old_name}）")
        if not ask(self._window, "移动商户", f"把“{current.state['name']}”移到 {lon:.6f}, {lat:.6f}？\n{where}"):
            self._explorer.map.call("resetMarker", merchant_id)
            return
        changes = {"lon": round(lon, 7), "lat": round(lat, 7), "district_code": new_code}
        result = self.apply(merchant_id, changes, base=current.revision)
        if result is None:
            self._explorer.map.call("resetMarker", merchant_id)
        else:
            self._push(merchant_id, result, f"移动 {current.state['name']}")

    def retire_selected(self) -> SaveResult | None:
        merchant_id = self._explorer.selected_id()
        if not (self.active and merchant_id):
            return None
        name = self._name(merchant_id)
        dialog = RetireDialog(name, self._window)
        if not dialog.exec():
            return None
        result = self.apply(merchant_id, dialog.changes())
        if result is not None:
            self._push(merchant_id, result, f"下架 {name}")
        return result

    def restore_selected(self) -> SaveResult | None:
        merchant_id = self._explorer.selected_id()
        if not (self.active and merchant_id):
            return None
        result = self.apply(merchant_id, dict(UNDO_ADD))
        if result is not None:
            self._push(merchant_id, result, f"恢复 {self._name(merchant_id)}")
        return result

    def revert_to(self, merchant_id: str, revision: int) -> SaveResult | None:
        if not self.active:
            return None
        if not ask(self._window, "回退", f"把“{self._name(merchant_id)}”恢复成第 {revision} 版的样子？"
                   "\n（作为新的一版保存，原有记录都会保留）"):
            return None
        try:
            result = revert(self._store, self._districts, merchant_id, revision, author=self.editor.name)
        except CurationError as exc:
            self._window.statusBar().showMessage(str(exc))
            return None
        if not result.saved:
            QMessageBox.warning(self._window, "未保存", "\n".join(p.message for p in result.errors) or "有冲突，请重试")
            return None
        self._after_save(merchant_id, result)
        self._push(merchant_id, result, f"回退 {self._name(merchant_id)} 到第 {revision} 版")
        return result
