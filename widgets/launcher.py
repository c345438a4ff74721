"""The `unioncard` entry point: the desktop app with no subcommand, the command line otherwise."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from app.cli import ALL, COMMANDS, Command, build_parser, command_named, run

# The app's own commands on top of app/'s: maps/ draws the web map and the flyers, widgets/ the window.
APP_COMMANDS = tuple(
    Command(c.name, c.help, (*c.builders, "maps.commands:add_list_flyer")) if c.name == "lists" else c
    for c in COMMANDS
) + (
    Command("export-map", "把筛选结果（或一个商户清单）导出为一个可离线打开的网页地图（.html）",
            ("maps.commands:add_export_map",), leaf=True),
    Command("flyer", "为一个区（或每个区）生成可打印的优惠商户传单（PDF）", ("maps.commands:add_flyer",), leaf=True),
    Command("snapshot", "在后台渲染主窗口（含地图）并保存为 PNG", ("widgets.snapshot:add_commands",), leaf=True),
)


def run_gui(db_url: str | None) -> int:
    from PySide6.QtCore import QSettings

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow
    from widgets.qt_app import app_icon, ensure_qapplication

    from app.logs import start_logging
    from widgets.qt_app import log_qt_messages

    start_logging()           # a window started from the menu has no terminal: its troubles go to the log
    qt_app = ensure_qapplication()
    log_qt_messages()
    qt_app.setApplicationName("工会卡")
    qt_app.setOrganizationName("unioncard")
    qt_app.setDesktopFileName("unioncard")   # the menu entry packaging/ installs: its icon, on Wayland too
    qt_app.setWindowIcon(app_icon())
    install_cjk_font(qt_app)
    from app.seed import open_seeded_store

    from widgets.first_run import first_run_due

    try:
        store, districts = open_seeded_store(db_url)
    except OSError as exc:   # a read-only or full home: say so on screen (the menu entry has no terminal)
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(None, "工会卡无法启动", f"无法在用户文件夹中保存数据：{exc}\n\n请检查该文件夹可写且磁盘未满，然后再打开工会卡。")
        return 1
    settings = QSettings("unioncard", "unioncard")
    window = MainWindow(store, districts, settings=settings)
    window.show()
    if first_run_due(settings):
        window.open_first_run()   # where the data lives; trust the union's key and fetch the catalogue
    try:
        return qt_app.exec()
    finally:
        store.close()


def build_full_parser(only: str | None = ALL):
    """The whole command tree (the fuzz test walks it), or only what `only` needs to run."""
    parser, _ = build_parser(APP_COMMANDS, only)
    return parser


# Commands that draw with Qt but show nothing. They get a full QApplication, offscreen, so that a
# window (or a test's widgets) can still be made in the same process afterwards.
QT_COMMANDS = ("flyer", "snapshot")


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_full_parser(only=command_named(argv, APP_COMMANDS)).parse_args(argv)
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
