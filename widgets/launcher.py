"""The `unioncard` entry point: the desktop app with no subcommand, the command line otherwise."""

from __future__ import annotations

import os
import sys
from typing import Sequence

from app.cli import build_parser, run
from app.seed import open_seeded_store
from maps.commands import add_commands as add_map_commands
from widgets.snapshot import add_commands as add_snapshot_commands


def run_gui(db_url: str | None) -> int:
    from PySide6.QtCore import QSettings

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow
    from widgets.qt_app import ensure_qapplication

    qt_app = ensure_qapplication()
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


# Commands that draw with Qt but show nothing. They get a full QApplication, offscreen, so that a
# window (or a test's widgets) can still be made in the same process afterwards.
QT_COMMANDS = ("flyer", "snapshot")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_full_parser().parse_args(argv)
    if args.command is None:
        return run_gui(args.db)
    if args.command in QT_COMMANDS:
        from widgets.qt_app import ensure_qapplication

        ensure_qapplication(offscreen=True)
    try:
        return run(args)
    except BrokenPipeError:
        # `unioncard merchants list | head`: the reader has what it wanted. Point stdout at devnull so
        # that the interpreter's own flush at exit does not raise again, and end as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


if __name__ == "__main__":
    sys.exit(main())
