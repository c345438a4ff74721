"""Issue 16: a command imports what it needs when it runs. `unioncard --help` and `wallet show` start
without geopandas, pandas, folium, pypinyin, Qt or Alembic (seconds of imports); the figures are in
benchmarks/cold_start.py. And building only the command that runs changes nothing it parses."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.cli import command_named
from widgets.launcher import APP_COMMANDS, build_full_parser

HEAVY = ("geopandas", "pandas", "shapely", "folium", "pypinyin", "PySide6", "alembic", "requests", "openpyxl")


def imported_by(*argv: str) -> set[str]:
    """Top-level packages a real `unioncard` process imports to run argv."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    done = subprocess.run([sys.executable, "-m", "widgets.launcher", *argv], capture_output=True, text=True,
                          env=env, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.slow
def test_help_imports_no_library_it_does_not_need():
    assert not set(HEAVY) & imported_by("--help")


@pytest.mark.slow
def test_wallet_show_reads_the_database_without_the_map_libraries(sqlite_url):
    imported_by("--db", sqlite_url, "wallet", "show")        # the first run creates and seeds the database
    imported = imported_by("--db", sqlite_url, "wallet", "show")
    assert "sqlalchemy" in imported                       # it did open the database
    assert not set(HEAVY) & imported


def test_a_command_that_needs_the_districts_still_gets_them(capsys, sqlite_url):
    from widgets.launcher import main

    assert main(["--db", sqlite_url, "districts", "list"]) == 0
    assert "青山区" in capsys.readouterr().out


@pytest.mark.parametrize("argv, name", [
    (["wallet", "show"], "wallet"),
    (["--db", "sqlite:///x.sqlite", "merchants", "list"], "merchants"),
    (["--db=sqlite:///x.sqlite", "export-map", "--out", "a.html"], "export-map"),
    (["--help"], None),
    (["nonsense"], None),
    ([], None),
])
def test_the_command_that_runs_is_found_before_parsing(argv, name):
    assert command_named(argv, APP_COMMANDS) == name


def test_the_top_level_help_is_the_same_built_whole_or_lazily():
    assert build_full_parser(only=None).format_help() == build_full_parser().format_help()
    for command in APP_COMMANDS:
        whole = build_full_parser()._subparsers._group_actions[0].choices[command.name]
        alone = build_full_parser(only=command.name)._subparsers._group_actions[0].choices[command.name]
        assert alone.format_help() == whole.format_help(), command.name


WINDOW = """
import sys, time
from widgets.qt_app import ensure_qapplication
app = ensure_qapplication(offscreen=True)
from app.seed import open_seeded_store
from widgets.main_window import MainWindow
store, districts = open_seeded_store(sys.argv[1])
window = MainWindow(store, districts)
window.show()
deadline = time.time() + 60
while not window.explorer.map_settled and time.time() < deadline:
    app.processEvents()
    time.sleep(0.005)
print(window.explorer.model.rowCount(), *sorted(m for m in sys.modules if "." not in m))
import os; os._exit(0)
"""


@pytest.mark.gui
@pytest.mark.slow
def test_the_app_opens_to_its_map_without_the_data_libraries(sqlite_url, tmp_path):
    """The window's filters answer from the in-memory catalogue and its page comes from the cache, so
    it paints its merchants without geopandas, pandas or folium (flyers and exports load them)."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache"), "QT_QPA_PLATFORM": "offscreen"}

    def run() -> tuple[int, set[str]]:
        done = subprocess.run([sys.executable, "-c", WINDOW, sqlite_url], capture_output=True, text=True,
                              env=env, timeout=180)
        assert done.returncode == 0, done.stderr[-2000:]
        first, *modules = done.stdout.split()
        return int(first), set(modules)

    count, modules = run()                    # the first start builds the page (folium) and keeps it
    assert count == 12 and "folium" in modules
    assert list((tmp_path / "cache" / "unioncard" / "map-pages").glob("explorer-*.html"))
    count, modules = run()
    assert count == 12
    assert not {"geopandas", "pandas", "folium"} & modules
