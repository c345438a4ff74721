"""How fast `unioncard` starts: each command imports what it needs when it runs (issue 16).

    python benchmarks/cold_start.py [--runs N]

Prints the median wall time of N fresh processes for `unioncard --help`, `wallet show` and the desktop
app from process start to a painted map (bundled catalogue), each beside the naive way measured in the
same run: every command module imported and the whole command tree built before anything runs (what
the launcher did before). Run it twice: the first run also warms the disk cache.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENV = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
if hasattr(os, "geteuid") and os.geteuid() == 0:
    ENV["QTWEBENGINE_DISABLE_SANDBOX"] = "1"

# The naive way: import every command module and build the full tree first, then do the same work.
EAGER = "import widgets.launcher as l; l.build_full_parser(); import app.merchants.pinyin_index as p; p.pinyin_keys('中')"

GUI = """
import sys, time
from widgets.qt_app import ensure_qapplication
app = ensure_qapplication(offscreen=True)
from widgets.fonts import install_cjk_font
install_cjk_font(app)
from app.seed import open_seeded_store
store, districts = open_seeded_store(sys.argv[1])
from widgets.main_window import MainWindow
window = MainWindow(store, districts)
window.show()
while not window.explorer.map_settled:
    app.processEvents()
    time.sleep(0.002)
print(time.time(), flush=True)   # painted: the wall clock, for the parent to subtract its start from
import os; os._exit(0)           # not timed: QtWebEngine's teardown at exit
"""


def wall(argv: list[str]) -> float:
    """Seconds from starting the process to its end, or to the moment it prints (the map painted)."""
    start = time.time()
    done = subprocess.run(argv, cwd=ROOT, env=ENV, check=True, capture_output=True, text=True)
    end = time.time()
    lines = done.stdout.strip().splitlines()
    if argv[1] == "-c" and "map_settled" in argv[2]:
        end = float(lines[-1])
    return end - start


def median(argv: list[str], runs: int) -> float:
    return statistics.median(wall(argv) for _ in range(runs))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        db = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        wall([py, "-m", "widgets.launcher", "--db", db, "wallet", "show"])   # create and seed it once
        cases = [
            ("unioncard --help", [py, "-m", "widgets.launcher", "--help"],
             [py, "-c", EAGER + "; l.main(['--help'])"]),
            ("unioncard wallet show", [py, "-m", "widgets.launcher", "--db", db, "wallet", "show"],
             [py, "-c", EAGER + f"; l.main(['--db', {db!r}, 'wallet', 'show'])"]),
            ("app start → map painted", [py, "-c", GUI, db],
             [py, "-c", EAGER + "\n" + GUI, db]),
        ]
        print(f"median of {args.runs} fresh processes (seconds)")
        print(f"{'':28}{'now':>8}{'naive':>8}{'naive/now':>11}")
        for label, now_argv, naive_argv in cases:
            now = median(now_argv, args.runs)
            naive = median(naive_argv, args.runs)
            print(f"{label:28}{now:8.2f}{naive:8.2f}{naive / now:10.1f}×")


if __name__ == "__main__":
    main()
