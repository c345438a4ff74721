"""`unioncard snapshot`: the main window rendered offscreen to a PNG, after the map has drawn."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from app.command_line import UsageError, output_file
from app.geo.districts import DistrictIndex
from app.merchants.query import MerchantQuery, resolve_names
from app.store import Store

SNAPSHOT_SIZE = (1360, 860)
TIMEOUT_MS = 60_000
SETTLE_MS = 300  # the compositor hands the last page frame to the widget shortly after it paints


def take_snapshot(store: Store, districts: DistrictIndex, out: Path, district_names=(), category_names=(),
                  select: str | None = None, amount: str | None = None, tab: str = "map",
                  size=SNAPSHOT_SIZE, edit: bool = False) -> Path:
    from PySide6.QtCore import QCoreApplication, QEvent, QEventLoop, QTimer

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow
    from widgets.qt_app import ensure_qapplication

    codes, categories = resolve_names(MerchantQuery(districts=tuple(district_names),
                                                    categories=tuple(category_names)), districts)
    app = ensure_qapplication(offscreen=True)
    install_cjk_font(app)
    window = MainWindow(store, districts, settings=None)
    window.resize(*size)
    panel = window.explorer.panel
    panel.restore({"districts": codes, "categories": categories})
    window.show()
    wait_until(lambda: not window.explorer.loading)   # a large catalogue is read in the background
    if edit:
        window.edit_mode.set_active(True)
    if select is not None and not window.explorer.select_merchant(select):
        raise UsageError(f"当前筛选结果中没有编号为“{select}”的商户")
    if amount:
        window.explorer.details.amount_box.setText(amount)
    if tab == "wallet":
        window.tabs.setCurrentWidget(window.wallet_tab)

    loop = QEventLoop()
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setInterval(TIMEOUT_MS)
    timer.timeout.connect(loop.quit)
    timer.start()
    if tab == "map":
        window.explorer.mapSettled.connect(lambda: QTimer.singleShot(SETTLE_MS, loop.quit))
        if not window.explorer.map_settled:
            loop.exec()
        settled = window.explorer.map_settled
    else:
        # A hidden web page does not paint, so there is no map to wait for: just let layout settle.
        QTimer.singleShot(SETTLE_MS, loop.quit)
        loop.exec()
        settled = True
    timer.stop()
    try:
        if not settled:
            raise RuntimeError("地图在 60 秒内没有画完，未生成截图")
        if not window.grab().save(str(out)):
            raise UsageError(f"无法写入 {out}")
    finally:
        window.close()
        window.deleteLater()
        # Destroy the web page now, while QtWebEngine is still up.
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    return out


def wait_until(done, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Run the event loop until done() (checked every 20 ms) or the timeout; returns done()."""
    from PySide6.QtCore import QEventLoop, QTimer

    loop = QEventLoop()
    poll = QTimer()
    poll.setInterval(20)
    poll.timeout.connect(lambda: loop.quit() if done() else None)
    QTimer.singleShot(timeout_ms, loop.quit)
    if not done():
        poll.start()
        loop.exec()
        poll.stop()
    return done()


def _snapshot(args, store: Store, districts: DistrictIndex) -> int:
    out = output_file(args.out, (".png",))
    size = SNAPSHOT_SIZE
    if args.size:
        m = re.fullmatch(r"(\d{3,4})[x×](\d{3,4})", args.size.strip())
        if not m or not (640 <= int(m.group(1)) <= 3840 and 480 <= int(m.group(2)) <= 2160):
            raise UsageError(f"--size 应写成 宽x高，如 1024x700（640x480 到 3840x2160）：“{args.size}”")
        size = (int(m.group(1)), int(m.group(2)))
    take_snapshot(store, districts, out, args.district or (), args.category or (), args.select, args.amount, args.tab,
                  size=size, edit=args.edit)
    print(f"已保存截图 {out}")
    return 0


def add_commands(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", required=True, metavar="FILE.png")
    p.add_argument("--district", action="append", metavar="NAME", help="只显示这些区（可重复）")
    p.add_argument("--category", action="append", metavar="NAME", help="只显示这些类别（可重复）")
    p.add_argument("--select", metavar="ID", help="选中这家商户（显示详情并在地图上打开）")
    p.add_argument("--amount", metavar="TEXT", help="在“算一算”中填入的金额，如 300 或 配镜=1000")
    p.add_argument("--tab", choices=["map", "wallet"], default="map", help="要截图的标签页：地图或钱包")
    p.add_argument("--edit", action="store_true", help="打开编辑模式（商户维护）")
    p.add_argument("--size", metavar="WxH", help="窗口大小，如 1024x700 或 1920x1080（默认 1360x860）")
    p.set_defaults(handler=_snapshot)
