"""The `unioncard` entry point: the desktop app with no subcommand, the app/ command line otherwise."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from app.cli import build_parser, run
from app.seed import open_seeded_store


def _prepare_qt_environment() -> None:
    # QtWebEngine refuses to run as root without this; only set it where it is needed.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def run_gui(db_url: str | None) -> int:
    _prepare_qt_environment()
    from PySide6.QtWidgets import QApplication

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("工会卡")
    qt_app.setOrganizationName("unioncard")
    install_cjk_font(qt_app)
    store, districts = open_seeded_store(db_url)
    window = MainWindow(store, districts)
    window.show()
    try:
        return qt_app.exec()
    finally:
        store.close()


def main(argv: Sequence[str] | None = None) -> int:
    parser, _sub = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        return run_gui(args.db)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
