"""帮助 → 关于工会卡: the version, the catalogue release the member has, where their data lives, and the
licence of everything the app carries (data, fonts, Leaflet, and every bundled package)."""

from __future__ import annotations

import html

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QTextBrowser, QVBoxLayout

from app import credits
from app.merchants import release_update
from app.store import Store
from maps.app_page import cache_dir


def places_html(store: Store, settings: QSettings | None, first: tuple[tuple[str, str], ...] = ()) -> str:
    rows = [*first, ("数据", store.url_for_display)]
    if settings is not None:
        rows.append(("设置", settings.fileName()))
    rows.append(("地图缓存", str(cache_dir())))
    return "".join(f"<tr><td><b>{k}</b></td><td style='padding-left:10px'>{html.escape(v)}</td></tr>" for k, v in rows)


def licences_html() -> str:
    data = "".join(
        f"<tr><td>{html.escape(c.what)}</td><td>{html.escape(c.source)}"
        + (f"<br><span style='color:#868e96'>{html.escape(c.url)}</span>" if c.url else "")
        + f"</td><td>{html.escape(c.licence)}</td></tr>"
        for c in credits.DATA_CREDITS)
    software = "".join(
        f"<tr><td>{html.escape(name)}</td><td>{html.escape(ver)}</td><td>{html.escape(lic)}</td></tr>"
        for name, ver, lic in [credits.runtime(), *credits.bundled_software()])
    return (
        "<h3>数据与素材</h3><table cellspacing='4'><tr><th align='left'>内容</th><th align='left'>来源</th>"
        f"<th align='left'>许可</th></tr>{data}</table>"
        f"<h3>随附软件</h3><p>{html.escape(credits.QT_NOTICE)}</p>"
        "<table cellspacing='4'><tr><th align='left'>软件包</th><th align='left'>版本</th>"
        f"<th align='left'>许可</th></tr>{software}</table>")


class AboutDialog(QDialog):
    def __init__(self, store: Store, settings: QSettings | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle("关于工会卡")
        self.resize(620, 560)
        self.summary = QLabel(
            f"<h2>工会卡 {html.escape(credits.version())}</h2>"
            "<p>武汉工会会员服务卡：优惠商户地图、算一算与钱包。离线可用；在线底图（OpenStreetMap、高德）默认关闭，"
            "可在地图右上角的图层按钮中打开。</p>"
            f"<table>{places_html(store, settings, (('商户目录', release_update.release_text(release_update.status(store))),))}</table>")
        self.summary.setWordWrap(True)
        self.licences = QTextBrowser()
        self.licences.setOpenExternalLinks(False)
        self.licences.setHtml(licences_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.licences, 1)
        layout.addWidget(buttons)
