"""Updating the member's catalogue from the union's releases in the app: in a worker thread (the window
never waits), with a progress bar, a plain message when offline, and the what's-new list afterwards."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, QThread, Signal, Slot
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
)

from app.merchants import release_update
from app.merchants.curation import CurationError, load
from app.merchants.release_keys import KeyError_
from app.merchants.releases import ReleaseError
from app.store import Store

log = logging.getLogger(__name__)


class UpdateWorker(QObject):
    """Runs one update on its own connection (a database connection belongs to one thread)."""

    progress = Signal(str, int, int)
    finished = Signal(object)      # UpdateResult
    failed = Signal(str)

    def __init__(self, url: str, source: str | None):
        super().__init__()
        self._url = url
        self._source = source

    @Slot()
    def run(self) -> None:
        store = Store(self._url)
        try:
            result = release_update.update(store, source=self._source,
                                           progress=lambda n, d, t: self.progress.emit(n, d, t))
        except (ReleaseError, KeyError_) as exc:
            self.failed.emit(str(exc))
        except Exception as exc:   # anything else: said to the member, kept in the log
            log.exception("catalogue update failed")
            self.failed.emit(f"更新失败（详情已记入日志，帮助 → 复制诊断信息）：{exc}。商户目录保持不变")
        else:
            self.finished.emit(result)
        finally:
            store.close()


class UpdateRunner(QObject):
    """Starts a worker thread and forwards its signals; one update at a time."""

    progress = Signal(str, int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self._store = store
        self._thread: QThread | None = None
        self._worker: UpdateWorker | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, source: str | None = None) -> bool:
        if self._thread is not None:
            return False
        self._thread = QThread(self)
        self._worker = UpdateWorker(self._store.url, source)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._done)
        self._worker.failed.connect(self._fail)
        self._thread.start()
        return True

    def _stop(self) -> None:
        if self._thread is not None:
            self._thread.quit()
            self._thread.wait()
            self._worker.deleteLater()
            self._thread.deleteLater()
        self._thread = self._worker = None

    def _done(self, result) -> None:
        self._stop()
        self.finished.emit(result)

    def _fail(self, message: str) -> None:
        self._stop()
        self.failed.emit(message)

    def wait(self) -> None:
        """Block until a running update ends (closing the window)."""
        if self._thread is not None:
            self._thread.wait()


class WhatsNewList(QListWidget):
    """新增 / 变更 / 下架 since the last update; activating a merchant shows it on the map."""

    merchantActivated = Signal(str)

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self._store = store
        self.itemActivated.connect(self._activate)
        self.itemDoubleClicked.connect(self._activate)

    def show_news(self, news: release_update.WhatsNew | None) -> None:
        self.clear()
        if news is None:
            return
        for label, ids in (("新增", news.added), ("变更", news.changed), ("下架", news.retired)):
            for mid in ids:
                try:
                    name = load(self._store, mid).state["name"]
                except CurationError:
                    name = mid
                item = QListWidgetItem(f"{label} · {name}")
                item.setData(Qt.ItemDataRole.UserRole, mid)
                self.addItem(item)

    def _activate(self, item: QListWidgetItem) -> None:
        self.merchantActivated.emit(item.data(Qt.ItemDataRole.UserRole))


class UpdateDialog(QDialog):
    """帮助 → 更新商户目录: where from, progress, and what changed."""

    merchantActivated = Signal(str)
    updated = Signal(object)

    def __init__(self, store: Store, runner: UpdateRunner, parent=None):
        super().__init__(parent)
        self._store = store
        self._runner = runner
        self.setWindowTitle("更新商户目录")
        self.resize(560, 460)
        info = release_update.status(store)
        current = f"第 {info['release']} 版" if info["release"] else "随软件附带的商户"
        self.current = QLabel(f"现在：{current}")
        self.source = QLineEdit(info["source"] or "")
        self.source.setPlaceholderText("工会公布的网址（https://…/）或U盘上的文件夹")
        self.bar = QProgressBar()
        self.bar.setVisible(False)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.news = WhatsNewList(store)
        self.news.merchantActivated.connect(self.merchantActivated)
        self.start_button = QPushButton("检查并更新")
        self.start_button.clicked.connect(self.start)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("更新来源", self.source)
        layout = QVBoxLayout(self)
        layout.addWidget(self.current)
        layout.addLayout(form)
        layout.addWidget(self.start_button)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(QLabel("上次更新的变化（双击在地图上查看）："))
        layout.addWidget(self.news, 1)
        layout.addWidget(buttons)
        self.news.show_news(release_update.whats_new(store))
        runner.progress.connect(self._progress)
        runner.finished.connect(self._finished)
        runner.failed.connect(self._failed)

    def start(self) -> None:
        source = self.source.text().strip() or None
        if self._runner.start(source):
            self.start_button.setEnabled(False)
            self.message.setText("正在检查工会发布的商户目录…")

    def _progress(self, name: str, done: int, total: int) -> None:
        self.bar.setVisible(True)
        self.bar.setMaximum(max(total, 1))
        self.bar.setValue(done)
        self.bar.setFormat(f"{name} %p%")

    def _finished(self, result) -> None:
        self.start_button.setEnabled(True)
        self.bar.setVisible(False)
        if not result.updated:
            self.message.setText(f"商户目录已是最新（第 {result.after} 版）")
            return
        news = result.whats_new
        self.current.setText(f"现在：第 {result.after} 版")
        self.message.setText(f"已更新到第 {result.after} 版：新增 {len(news.added)}，变更 {len(news.changed)}，"
                             f"下架 {len(news.retired)}")
        self.news.show_news(news)
        self.updated.emit(result)

    def _failed(self, message: str) -> None:
        self.start_button.setEnabled(True)
        self.bar.setVisible(False)
        self.message.setText(f"<span style='color:#c92a2a'>{message}</span>")
