"""How the catalogue copes with 100,000 merchants: import, then the queries the window and CLI make.

    python benchmarks/catalogue_100k.py [--db URL] [--count N]

Prints seconds per step. Synthetic merchants are scattered over Wuhan's districts, with offers drawn
from the ones merchants wrote (the corpus and the blind batches). On SQLite it then imports a 50,000-row
file beside GDAL's ogr2ogr loading the same CSV into a GeoPackage, and prints the ratio.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import shutil
import subprocess
import time
import tomllib
from pathlib import Path

import geopandas as gpd
import numpy as np

from app.bundled import districts_geojson
from app.merchants.catalogue import MerchantQuery, search
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.importer import import_into_store
from app.merchants.pinyin_index import pinyin_keys
from app.merchants.rows import _read_offer
from app.seed import open_seeded_store

WORDS = "中百 武商 精益 丽华 艳阳 友缘 康宁 汉味 江城 楚天 黄鹤 东湖 长江 晴川 珞珈 光谷".split()
TRADES = "大药房 超市 眼镜 酒店 家政 摄影 书店 茶馆 面馆 影城 健身 花店".split()


def offer_pool() -> list[str]:
    """Offers as merchants write them: every distinct text of the corpus and the blind held-out batches
    (about a thousand), so the import parses real wording rather than one phrase a hundred thousand times."""
    texts: set[str] = set()
    data = Path(__file__).resolve().parent.parent / "tests" / "data"
    for path in [data / "offer_corpus.toml", *sorted((data / "heldout").glob("batch_*.toml"))]:
        for entries in tomllib.loads(path.read_text(encoding="utf-8")).values():
            if isinstance(entries, list):
                texts.update(e["text"] for e in entries if isinstance(e, dict) and isinstance(e.get("text"), str))
    return sorted(t for t in texts if t.strip())


def synthetic_csv(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    offers = offer_pool()
    districts = gpd.read_file(districts_geojson())
    points = districts.sample_points(size=count // len(districts) + 1, rng=np.random.default_rng(seed)).explode()
    coords = [(p.x, p.y) for p in points.geometry][:count]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "名称", "类别", "商户类别码", "优惠", "经度", "纬度"])
        for i, (lon, lat) in enumerate(coords):
            name = rng.choice(WORDS) + rng.choice(TRADES) + f"{i % 97}号店"
            w.writerow([f"bench-{i:06d}", name, rng.choice(CATEGORY_NAMES), "5812", rng.choice(offers), f"{lon:.6f}", f"{lat:.6f}"])


def timed(label: str, fn, *, seconds: list[float] | None = None):
    start = time.perf_counter()
    result = fn()
    took = time.perf_counter() - start
    print(f"{label:<48} {took:8.3f} s")
    if seconds is not None:
        seconds.append(took)
    return result


def beside_ogr2ogr(count: int, tmp: Path) -> None:
    """Our import of a CSV beside GDAL's ogr2ogr loading the same file into a GeoPackage, in one run."""
    ogr2ogr = shutil.which("ogr2ogr")
    if ogr2ogr is None:
        print("ogr2ogr not found (apt install gdal-bin): the side-by-side import is skipped")
        return
    path = tmp / f"side_by_side_{count}.csv"
    synthetic_csv(path, count, seed=11)
    gpkg = tmp / "ogr2ogr.gpkg"
    theirs: list[float] = []
    timed(f"ogr2ogr CSV -> GeoPackage ({count:,} rows)", lambda: subprocess.run(
        [ogr2ogr, "-f", "GPKG", str(gpkg), str(path), "-oo", "X_POSSIBLE_NAMES=经度", "-oo", "Y_POSSIBLE_NAMES=纬度",
         "-a_srs", "EPSG:4326", "-nln", "merchants"], check=True), seconds=theirs)
    store, districts = open_seeded_store(f"sqlite:///{tmp / 'side_by_side.sqlite'}")
    _read_offer.cache_clear()   # cold, as a staff member's first import of the day: every offer parsed once
    pinyin_keys.cache_clear()
    ours: list[float] = []
    timed(f"our import of the same file ({count:,} rows)", lambda: import_into_store(
        store, districts, path, duplicates="keep"), seconds=ours)
    store.close()
    print(f"  ours / ogr2ogr: {ours[0] / theirs[0]:.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", help="database URL (default: a temporary SQLite file)")
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        store, districts = open_seeded_store(url)
        path = Path(tmp) / "merchants.csv"
        timed(f"write synthetic CSV ({args.count:,} rows)", lambda: synthetic_csv(path, args.count))
        report = timed("import (validate + one transaction)", lambda: import_into_store(store, districts, path, duplicates="keep"))
        print(f"  added {report.added:,}, errors {sum(p.severity == 'error' for p in report.problems)}")
        timed("re-import same file (all unchanged)", lambda: import_into_store(store, districts, path, duplicates="keep"))
        frame = timed("search: everything", lambda: search(store, districts))
        print(f"  {len(frame):,} rows")
        timed("search: one district", lambda: search(store, districts, MerchantQuery(districts=("青山区",))))
        timed("search: one category", lambda: search(store, districts, MerchantQuery(categories=("餐饮",))))
        timed("search: pinyin initials 'zbdyf'", lambda: search(store, districts, MerchantQuery(text="zbdyf")))
        timed("search: near 114.39,30.63 within 1 km", lambda: search(store, districts, MerchantQuery(near=(114.39, 30.63), radius_m=1000)))
        store.close()
        if not args.db:
            beside_ogr2ogr(min(args.count, 50_000), Path(tmp))


if __name__ == "__main__":
    main()
