"""The `unioncard` entry point: the desktop app with no subcommand, the command line otherwise."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from app.cli import build_parser, run
from app.seed import open_seeded_store
from maps.commands import add_commands as add_map_commands
from widgets.snapshot import add_commands as add_snapshot_commands


def _prepare_qt_environment() -> None:
    # QtWebEngine refuses to run as root without this; only set it where it is needed.
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")


def run_gui(db_url: str | None) -> int:
    _prepare_qt_environment()
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow

    qt_app = QApplication.instance() or QApplication(sys.argv[:1])
    qt_app.setApplicationName("工会卡")
    qt_app.setOrganizationName("unioncard")
    install_cjk_font(qt_app)
    store, districts = open_seeded_store(db_url)
    window = MainWindow(store, districts, settings=QSettings("unioncard", "unioncard"))
    window.show()
    try:
        return qt_app.exec()
    finally:
        store.close()


def build_full_parser():
    parser, sub = build_parser()
    add_map_commands(sub)
    add_snapshot_commands(sub)
    return parser


# Commands that draw with Qt. They get a full QApplication, offscreen when there is no screen, so
# that a window (or a test's widgets) can still be made in the same process afterwards.
QT_COMMANDS = ("flyer", "snapshot")


def _ensure_qapplication() -> None:
    from PySide6.QtWidgets import QApplication

    if QApplication.instance() is None:
        if not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
            os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        _prepare_qt_environment()
        QApplication(sys.argv[:1])


def main(argv: Sequence[str] | None = None) -> int:
    args = build_full_parser().parse_args(argv)
    if args.command is None:
        return run_gui(args.db)
    if args.command in QT_COMMANDS:
        _ensure_qapplication()
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
