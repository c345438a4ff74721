"""The first start of the app on a machine: where the member's data will live, and the two steps that get
the union's latest catalogue (trust the union's public key, say where its releases are published).
Both can be skipped: the app works at once on the merchants it ships with."""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
)

from app.merchants import release_update
from app.merchants.release_keys import KeyError_
from app.merchants.releases import ReleaseError
from app.store import Store
from widgets.about_dialog import places_html

DONE_KEY = "first_run/done"


def first_run_due(settings: QSettings | None) -> bool:
    return settings is not None and not settings.value(DONE_KEY, False, type=bool)


class FirstRunDialog(QDialog):
    fetchRequested = Signal(str)   # the member asked to fetch the catalogue from this source now

    def __init__(self, store: Store, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self._store = store
        self._settings = settings
        self.setWindowTitle("欢迎使用工会卡")
        self.resize(600, 420)
        intro = QLabel(
            "<h2>欢迎使用工会卡</h2>"
            "<p>软件已带有工会的合作商户，现在就可以查看地图、算优惠、记账。你的钱包和收藏只保存在下面的位置，"
            "不会上传，也不会写到程序所在的文件夹：</p>"
            f"<table>{places_html(store, settings)}</table>"
            "<p>想获得工会最新发布的商户目录，请完成下面两步（也可以以后在 帮助 → 更新商户目录 中进行）：</p>")
        intro.setWordWrap(True)
        self.key_status = QLabel()
        self.key_status.setWordWrap(True)
        self.key_button = QPushButton("选择工会提供的公钥文件…")
        self.key_button.clicked.connect(self._choose_key)
        self.source = QLineEdit(release_update.status(store)["source"] or "")
        self.source.setPlaceholderText("工会公布的网址（https://…/）或U盘上的文件夹")
        self.source.textChanged.connect(self._refresh)
        self.fetch_button = QPushButton("获取最新商户目录")
        self.fetch_button.clicked.connect(self._fetch)
        self.message = QLabel()
        self.message.setWordWrap(True)
        key_row = QHBoxLayout()
        key_row.addWidget(QLabel("1. 信任工会的发布公钥："))
        key_row.addWidget(self.key_status, 1)
        key_row.addWidget(self.key_button)
        source_row = QHBoxLayout()
        source_row.addWidget(QLabel("2. 更新来源："))
        source_row.addWidget(self.source, 1)
        source_row.addWidget(self.fetch_button)
        buttons = QDialogButtonBox()
        self.start_button = buttons.addButton("开始使用", QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(key_row)
        layout.addLayout(source_row)
        layout.addWidget(self.message)
        layout.addStretch(1)
        layout.addWidget(buttons)
        self._refresh()

    def _refresh(self) -> None:
        fingerprint = release_update.key_fingerprint(self._store)
        self.key_status.setText(f"已信任（指纹 {html.escape(fingerprint)}，请与工会公布的核对）" if fingerprint
                                else "尚未设置")
        self.fetch_button.setEnabled(bool(fingerprint and self.source.text().strip()))

    def trust_key_file(self, path: Path) -> bool:
        """Trust the public key in `path`; says what went wrong (the key stays as it was) if it cannot."""
        try:
            release_update.trust(self._store, path)
        except (KeyError_, ReleaseError, OSError, ValueError) as exc:
            self.message.setText(f"没有采用这个公钥：{exc}")
            return False
        self.message.setText(f"已信任 {path.name} 中的工会公钥。")
        self._refresh()
        return True

    def _choose_key(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择工会提供的公钥文件", str(Path.home()), "公钥 (*.pub);;所有文件 (*)")
        if path:
            self.trust_key_file(Path(path))

    def _fetch(self) -> None:
        source = self.source.text().strip()
        if source:
            self.fetchRequested.emit(source)

    def done(self, result: int) -> None:
        if self._settings is not None:   # shown once, however it is closed
            self._settings.setValue(DONE_KEY, True)
        super().done(result)
