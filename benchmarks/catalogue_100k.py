"""How the catalogue copes with 100,000 merchants: import, then the queries the window and CLI make.

    python benchmarks/catalogue_100k.py [--db URL] [--count N]

Prints seconds per step. Synthetic merchants are scattered over Wuhan's districts.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

import geopandas as gpd
import numpy as np

from app.bundled import districts_geojson
from app.merchants.catalogue import MerchantQuery, search
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.importer import import_into_store
from app.seed import open_seeded_store

WORDS = "中百 武商 精益 丽华 艳阳 友缘 康宁 汉味 江城 楚天 黄鹤 东湖 长江 晴川 珞珈 光谷".split()
TRADES = "大药房 超市 眼镜 酒店 家政 摄影 书店 茶馆 面馆 影城 健身 花店".split()


def synthetic_csv(path: Path, count: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    districts = gpd.read_file(districts_geojson())
    points = districts.sample_points(size=count // len(districts) + 1, rng=np.random.default_rng(seed)).explode()
    coords = [(p.x, p.y) for p in points.geometry][:count]
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["编号", "名称", "类别", "商户类别码", "优惠", "经度", "纬度"])
        for i, (lon, lat) in enumerate(coords):
            name = rng.choice(WORDS) + rng.choice(TRADES) + f"{i % 97}号店"
            w.writerow([f"bench-{i:06d}", name, rng.choice(CATEGORY_NAMES), "5812", f"全场{rng.choice([8, 8.5, 9, 9.5])}折", f"{lon:.6f}", f"{lat:.6f}"])


def timed(label: str, fn):
    start = time.perf_counter()
    result = fn()
    print(f"{label:<48} {time.perf_counter() - start:8.3f} s")
    return result


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


if __name__ == "__main__":
    main()
