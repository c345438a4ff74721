"""How the map copes with 100,000 merchants: what a filter change costs, from query to painted page.

    python benchmarks/map_100k.py [--count N]

Runs the real window offscreen (QtWebEngine included) and prints seconds per step: the catalogue
query, building the GeoJSON, and the page receiving it, clustering it and painting.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")

sys.path.insert(0, str(Path(__file__).resolve().parent))
from catalogue_100k import synthetic_csv, timed  # noqa: E402

from app.merchants.catalogue import search  # noqa: E402
from app.merchants.importer import import_into_store  # noqa: E402
from app.seed import open_seeded_store  # noqa: E402
from maps.merchant_layer import merchant_collection  # noqa: E402


def wait_for(app, predicate, timeout_s: float = 300) -> None:
    deadline = time.perf_counter() + timeout_s
    while not predicate():
        if time.perf_counter() > deadline:
            raise TimeoutError("the map did not finish drawing")
        app.processEvents()
        time.sleep(0.005)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    from PySide6.QtWidgets import QApplication

    from widgets.fonts import install_cjk_font
    from widgets.main_window import MainWindow

    with tempfile.TemporaryDirectory() as tmp:
        store, districts = open_seeded_store(f"sqlite:///{Path(tmp) / 'bench.sqlite'}")
        path = Path(tmp) / "merchants.csv"
        synthetic_csv(path, args.count)
        import_into_store(store, districts, path, duplicates="keep")

        frame = timed("catalogue query: everything", lambda: search(store, districts))
        data = timed("GeoJSON for the page", lambda: merchant_collection(frame))
        payload = timed("JSON encoding", lambda: json.dumps(data, ensure_ascii=False))
        print(f"  {len(frame):,} merchants, {len(payload.encode()) / 1e6:.1f} MB to the page")

        app = QApplication.instance() or QApplication(sys.argv[:1])
        install_cjk_font(app)
        start = time.perf_counter()
        window = MainWindow(store, districts)
        window.show()
        explorer = window.explorer
        wait_for(app, lambda: explorer.map_settled)
        print(f"{'window open, all merchants drawn':<48} {time.perf_counter() - start:8.3f} s")

        for label, action in (
            ("filter: one category (餐饮)", lambda: explorer.panel.category_buttons["餐饮"].click()),
            ("filter: back to all categories", lambda: explorer.panel.category_buttons["餐饮"].click()),
            ("filter: one district (青山区)", lambda: explorer.panel.select_only_district("420107")),
            ("filter: whole city again", explorer.panel.clear_districts),
        ):
            start = time.perf_counter()
            action()
            wait_for(app, lambda: explorer.map_settled)
            print(f"{label + ', query to painted page':<48} {time.perf_counter() - start:8.3f} s")
        window.close()
        store.close()


if __name__ == "__main__":
    main()
