"""The members' desktop bundle beside the developer's venv: size on disk, size packed, and how fast each
starts (issue 25: at most 250 MB packed, and no slower to start than the venv).

    python packaging/build.py                       # once: build/bundle/dist/unioncard and dist/*.tar.xz
    python benchmarks/bundle.py [--runs N] [--bundle DIR] [--archive FILE]

Each command runs as a fresh process in a fresh HOME (so no map page cached from before): the first
run of each is printed apart ("first"), as a member's first start after unpacking; then the median of
N more. `snapshot` opens the main window offscreen, draws the map and saves it: the start of the app
up to a painted map, then exit.
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


def folder_size(path: Path) -> int:
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def timed(program: Path, args: list[str], home: Path) -> float:
    env = {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"
    start = time.perf_counter()
    subprocess.run([str(program), *args], env=env, cwd=home, check=True, capture_output=True)
    return time.perf_counter() - start


def measure(program: Path, args: list[str], runs: int) -> tuple[float, float]:
    """(first run in a new HOME, median of `runs` more in new HOMEs once the disk cache is warm)."""
    with tempfile.TemporaryDirectory() as tmp:
        first = timed(program, args, Path(tmp))
    rest = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            rest.append(timed(program, args, Path(tmp)))
    return first, statistics.median(rest)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--bundle", type=Path, default=ROOT / "build" / "bundle" / "dist" / "unioncard")
    parser.add_argument("--archive", type=Path, default=None, help="default: the newest dist/unioncard-*.tar.xz")
    args = parser.parse_args()
    bundled = args.bundle / "unioncard"
    venv = Path(sys.executable).parent / "unioncard"
    if not bundled.is_file():
        print(f"no bundle at {args.bundle}: run python packaging/build.py first", file=sys.stderr)
        return 1
    archives = sorted((ROOT / "dist").glob("unioncard-*.tar.xz"), key=lambda p: p.stat().st_mtime)
    archive = args.archive or (archives[-1] if archives else None)

    site = Path(next(p for p in sys.path if p.endswith("site-packages")))
    print("size (MB)")
    print(f"  bundle folder            {folder_size(args.bundle) / 1e6:8.0f}")
    if archive:
        print(f"  bundle packed (.tar.xz)  {archive.stat().st_size / 1e6:8.0f}   target ≤ 250")
    print(f"  venv site-packages       {folder_size(site) / 1e6:8.0f}   (with the test tools)")

    with tempfile.TemporaryDirectory() as out:
        shot = ["snapshot", "--out", str(Path(out) / "w.png")]
        cases = [("--version", ["--version"]), ("wallet show", ["wallet", "show"]),
                 ("discount price", ["discount", "price", "--merchant", "qs-08", "--item", "配镜=1000"]),
                 ("snapshot (map painted)", shot)]
        print(f"\nstart to finish (s): first run in a new HOME, then median of {args.runs}")
        print(f"  {'':24}{'bundle':>16}{'venv':>16}")
        for label, argv in cases:
            b_first, b_median = measure(bundled, argv, args.runs)
            v_first, v_median = measure(venv, argv, args.runs)
            print(f"  {label:24}{b_first:7.2f} /{b_median:6.2f}  {v_first:7.2f} /{v_median:6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
