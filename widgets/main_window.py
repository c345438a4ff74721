"""The main window: the merchant explorer and the wallet in tabs, menus, status bar, saved layout."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QMainWindow, QMessageBox, QTabWidget

from app.card_service import CONTACTS
from app.geo.districts import DistrictIndex
from app.merchants import release_update
from app.merchants.categories import CATEGORY_NAMES
from app.store import Store
from app.store.identity import personal_data_available
from maps.web_map import selection_title
from widgets.about_dialog import AboutDialog
from widgets.catalogue_update import UpdateDialog, UpdateRunner
from widgets.edit_mode import EditMode
from widgets.explorer import Explorer
from widgets.first_run import FirstRunDialog
from widgets.translations import install_qt_translations
from widgets.wallet_tab import WalletTab

WINDOW_TITLE = "工会卡 · 武汉工会会员服务卡优惠商户"


class MainWindow(QMainWindow):
    """`settings` keeps the layout and last filters between runs; None starts fresh and keeps nothing."""

    def __init__(self, store: Store, districts: DistrictIndex, settings: QSettings | None = None):
        super().__init__()
        install_qt_translations(QApplication.instance())
        self._store = store
        self._districts = districts
        self._settings = settings
        self.setWindowTitle(WINDOW_TITLE)
        self.resize(1360, 860)

        self.explorer = Explorer(store, districts)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.explorer, "商户地图")
        if personal_data_available(store):
            self.wallet_tab = WalletTab(store, districts)
            self.tabs.addTab(self.wallet_tab, "我的钱包")
            self.explorer.details.recordRequested.connect(self.record_purchase)
        else:
            self.wallet_tab = None
            note = QLabel("这是工会的共享商户目录。钱包只保存在您自己电脑上的数据库中：\n"
                          "不带 --db 打开工会卡即可使用钱包。")
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.tabs.addTab(note, "我的钱包")
            self.explorer.details.record_button.setEnabled(False)
        self.setCentralWidget(self.tabs)
        self.explorer.matched.connect(self._show_count)
        self.explorer.problem.connect(lambda text: self.statusBar().showMessage(text))
        self._build_menus()
        self.edit_mode = EditMode(self, self.explorer, store, districts)
        self.updates = UpdateRunner(store, self)
        self.updates.finished.connect(self._catalogue_updated)
        self.updates.failed.connect(lambda message: self.statusBar().showMessage(f"未能更新商户目录：{message}"))
        self._restore()
        # The union's releases: checked at most once a day, in the background, after the window is up.
        if release_update.due(store):
            QTimer.singleShot(0, self, self.check_for_updates)
        self._show_count(self.explorer.match_count)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件")
        self.export_map_action = QAction("导出网页地图…", self)
        self.export_map_action.setShortcut(QKeySequence("Ctrl+E"))
        self.export_map_action.setStatusTip("把当前筛选出的商户导出为一个可离线打开、可分享的网页")
        self.export_map_action.triggered.connect(self.export_web_map)
        file_menu.addAction(self.export_map_action)
        self.flyer_action = QAction("导出传单…", self)
        self.flyer_action.setShortcut(QKeySequence("Ctrl+P"))
        self.flyer_action.setStatusTip("把当前筛选出的商户做成可打印的传单（PDF），先预览再保存或打印")
        self.flyer_action.triggered.connect(lambda: self.open_flyer())
        file_menu.addAction(self.flyer_action)
        self.district_flyers_action = QAction("为每个区导出传单…", self)
        self.district_flyers_action.setStatusTip("每个有商户的区各一份传单（PDF），存到选定的文件夹；可按类别筛选")
        self.district_flyers_action.triggered.connect(lambda: self.export_district_flyers())
        file_menu.addAction(self.district_flyers_action)
        file_menu.addSeparator()
        quit_action = QAction("退出", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助")
        self.update_action = QAction("更新商户目录…", self)
        self.update_action.setStatusTip("从工会发布的网址或文件夹获取最新的商户目录（验证签名后才使用）")
        self.update_action.triggered.connect(lambda: self.open_update())
        help_menu.addAction(self.update_action)
        self.contacts_action = QAction("客服电话…", self)
        self.contacts_action.setStatusTip("工会、汉口银行、武汉通的咨询电话和网址")
        self.contacts_action.triggered.connect(self._contacts)
        help_menu.addAction(self.contacts_action)
        self.diagnostics_action = QAction("复制诊断信息", self)
        self.diagnostics_action.setStatusTip("把版本、数据位置和日志的最近几百行复制到剪贴板，发给帮您排查问题的人")
        self.diagnostics_action.triggered.connect(lambda: self.copy_diagnostics())
        help_menu.addAction(self.diagnostics_action)
        about = QAction("关于工会卡", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def copy_diagnostics(self) -> str:
        """帮助 → 复制诊断信息: versions, where the data and the log are, and the log's last lines."""
        from PySide6.QtGui import QGuiApplication

        from app.logs import diagnostics

        text = diagnostics({"数据": self._store.url_for_display})
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage("已复制诊断信息（含日志最近的记录，卡号、手机号已隐去）", 8000)
        return text

    def record_purchase(self, merchant_id: str, items_text: str) -> None:
        """记一笔 from the explorer: the wallet's purchase form with that merchant, discount applied."""
        self.tabs.setCurrentWidget(self.wallet_tab)
        self.wallet_tab.start_purchase(merchant_id, items_text)

    def _show_count(self, count: int) -> None:
        self.statusBar().showMessage(f"共 {count} 家商户符合条件")

    # ---------------------------------------------------------------- web map export

    def current_title(self) -> str:
        panel = self.explorer.panel
        names = [self._districts.name(c) for c in panel.district_codes()]
        categories = [c for c in CATEGORY_NAMES if c in panel.category_names()]
        return selection_title(names, categories)

    def export_web_map(self, path: str | None = None) -> Path | None:
        """Write the current selection as a web map; asks where when `path` is not given."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, "导出网页地图", "工会卡商户地图.html", "网页 (*.html)")
            if not path:
                return None
        target = Path(path)
        if target.suffix.lower() not in (".html", ".htm"):
            target = target.with_suffix(".html")
        frame, notes = self.handout_frame()
        try:
            from maps.web_map import write_web_map  # folium: only when a map is exported

            written = write_web_map(target, self._districts, frame, self.current_title())
        except OSError as exc:
            QMessageBox.warning(self, "导出失败", f"无法写入 {target}：{exc.strerror or exc}")
            return None
        self.statusBar().showMessage("；".join([f"已导出 {len(frame)} 家商户到 {written}", *notes]))
        return written

    def handout_frame(self):
        """What a flyer or a web map of the current filter hands out: no retired merchants, no expired
        offers; and the notes saying what was left out."""
        frame = self.explorer.frame
        if "retired_on" in frame:
            retired = frame["retired_on"].notna()
            frame = frame[~retired]
            retired_count = int(retired.sum())
        else:
            retired_count = 0
        from app.merchants.catalogue import drop_expired
        from app.merchants.list_commands import selection_notes

        frame, expired = drop_expired(frame)
        return frame, selection_notes(retired_count, expired)

    def flyer_dialog(self) -> FlyerDialog:  # noqa: F821 - imported when a flyer is made
        """The flyer of the current filter: checked districts, or those the matching merchants are in."""
        panel = self.explorer.panel
        frame, notes = self.handout_frame()
        if notes:
            self.statusBar().showMessage("传单" + "；".join(notes))
        codes = list(panel.district_codes()) or sorted(set(frame["district_code"].dropna()))
        names = [self._districts.name(c) for c in panel.district_codes()]
        categories = tuple(c for c in CATEGORY_NAMES if c in panel.category_names())
        from maps.flyer import FlyerSpec
        from widgets.flyer_dialog import FlyerDialog

        spec = FlyerSpec(self.current_title(), tuple(names), categories, dt.date.today())
        return FlyerDialog(frame, self._districts, codes, spec, self)

    def export_district_flyers(self, folder: str | None = None):
        """文件 → 为每个区导出传单: one flyer per district with merchants (the checked categories only),
        with a progress dialog that can stop between districts; the flyers written so far stay."""
        from PySide6.QtWidgets import QProgressDialog

        from app.safe_write import WriteFailed
        from maps.flyer import write_district_flyers

        if folder is None:
            folder = QFileDialog.getExistingDirectory(self, "选择存放传单的文件夹")
            if not folder:
                return None
        categories = tuple(c for c in CATEGORY_NAMES if c in self.explorer.panel.category_names())
        progress = QProgressDialog("正在准备传单…", "停止", 0, len(self._districts.codes), self)
        progress.setWindowTitle("为每个区导出传单")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)

        class Stopped(Exception):
            pass

        def step(done: int, total: int, name: str) -> None:
            if progress.wasCanceled():
                raise Stopped
            progress.setMaximum(total)
            progress.setValue(done)
            progress.setLabelText(f"正在生成 {name} 的传单（{done + 1} / {total}）…")
            QApplication.processEvents()

        try:
            made = write_district_flyers(self._store, self._districts, Path(folder), categories, dt.date.today(),
                                         progress=step)
        except Stopped:
            progress.close()
            self.statusBar().showMessage("已停止：已生成的传单保留在文件夹中，每份都是完整的", 8000)
            return None
        except (OSError, WriteFailed) as exc:
            progress.close()
            QMessageBox.warning(self, "导出传单失败", str(exc))
            return None
        progress.setValue(progress.maximum())
        empty = f"；没有商户的区未生成：{'、'.join(made.empty)}" if made.empty else ""
        self.statusBar().showMessage(f"已为 {len(made.written)} 个区生成传单，存在 {folder}{empty}", 10000)
        return made

    def open_flyer(self) -> None:
        dialog = self.flyer_dialog()
        dialog.exec()
        dialog.deleteLater()

    # ---------------------------------------------------------------- catalogue releases

    def check_for_updates(self) -> None:
        """The quiet start-up check: success and failure show in the status bar, nothing blocks."""
        self.updates.start()

    def _catalogue_updated(self, result) -> None:
        if not result.updated:
            return
        self.explorer.check_catalogue()   # written through the worker's own connection
        news = result.whats_new
        self.statusBar().showMessage(
            f"商户目录已更新到第 {result.after} 版：新增 {len(news.added)}，变更 {len(news.changed)}，"
            f"下架 {len(news.retired)}（帮助 → 更新商户目录 查看）")

    def update_dialog(self) -> UpdateDialog:
        dialog = UpdateDialog(self._store, self.updates, self)
        dialog.merchantActivated.connect(self.show_merchant)
        return dialog

    def fetch_from(self, source: str) -> UpdateDialog:
        """The update dialog, started on `source` (first run's 获取最新商户目录)."""
        dialog = self.update_dialog()
        dialog.source.setText(source)
        dialog.start()
        dialog.open()
        return dialog

    def first_run_dialog(self) -> FirstRunDialog:
        dialog = FirstRunDialog(self._store, self._settings, self)
        dialog.fetchRequested.connect(self.fetch_from)
        return dialog

    def open_first_run(self) -> None:
        self.first_run_dialog().open()

    def open_update(self) -> None:
        dialog = self.update_dialog()
        dialog.exec()
        dialog.deleteLater()

    def show_merchant(self, merchant_id: str) -> None:
        """Bring a merchant into view from a list elsewhere (what's new): clears filters that hide it."""
        self.tabs.setCurrentWidget(self.explorer)
        if not self.explorer.select_merchant(merchant_id):
            self.explorer.panel.restore({})   # the filters hid it: show everything
            if not self.explorer.select_merchant(merchant_id):
                self.statusBar().showMessage("这家商户已下架，不在地图上")

    def contacts_text(self) -> str:
        rows = "".join(f"<tr><td><b>{c.short}</b></td><td style='padding:0 12px'><b>{c.phone}</b></td>"
                       f"<td>{c.what_for}<br><span style='color:#868e96'>{c.website}</span></td></tr>"
                       for c in CONTACTS)
        return f"<p>使用工会卡有疑问，可以咨询：</p><table cellspacing='6'>{rows}</table>"

    def _contacts(self) -> None:
        QMessageBox.information(self, "客服电话", self.contacts_text())

    def about_dialog(self) -> AboutDialog:
        return AboutDialog(self._store, self._settings, self)

    def _about(self) -> None:
        dialog = self.about_dialog()
        dialog.exec()
        dialog.deleteLater()

    # ---------------------------------------------------------------- remembering layout and filters

    def _restore(self) -> None:
        s = self._settings
        if s is None:
            return
        geometry = s.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        self.explorer.restore_layout({k: s.value(f"explorer/{k}") for k in ("main_split", "centre_split")})
        raw = s.value("explorer/filters")
        if isinstance(raw, str):
            try:
                state = json.loads(raw)
            except json.JSONDecodeError:
                state = None
            if isinstance(state, dict):
                self.explorer.panel.restore(state)

    def save_settings(self) -> None:
        s = self._settings
        if s is None:
            return
        s.setValue("window/geometry", self.saveGeometry())
        for key, value in self.explorer.save_layout().items():
            s.setValue(f"explorer/{key}", value)
        s.setValue("explorer/filters", json.dumps(self.explorer.panel.state(), ensure_ascii=False))
        s.sync()

    def closeEvent(self, event) -> None:
        self.updates.wait()
        self.explorer.wait_for_catalogue()
        self.save_settings()
        super().closeEvent(event)
