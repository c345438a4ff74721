"""Synthetic catalogues of any size for the map benchmarks, written straight into SQLite.

The importer validates each row (100,000 take about a minute); a benchmark of a million merchants
needs the rows, not the validation. Rows are built the way the importer stores them (the same
district lookup, pinyin keys and parsed offer columns) and bulk-inserted, and the file is kept
under the system's temporary folder, so later runs at the same size reuse it.

    python benchmarks/bench_catalogue.py --count 1000000     # builds, prints where it is
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import insert

from app.merchants.categories import CATEGORY_NAMES
from app.merchants.pinyin_index import pinyin_keys
from app.merchants.rows import rules_columns
from app.seed import open_seeded_store
from app.store.models import Merchant

WORDS = "中百 武商 精益 丽华 艳阳 友缘 康宁 汉味 江城 楚天 黄鹤 东湖 长江 晴川 珞珈 光谷".split()
TRADES = "大药房 超市 眼镜 酒店 家政 摄影 书店 茶馆 面馆 影城 健身 花店".split()
OFFERS = ("全场8折", "全场8.5折", "全场9折", "全场9.5折", "满100减10", "凭卡消费9折，酒水除外")
CACHE = Path(tempfile.gettempdir()) / "unioncard-bench"
VERSION = 1   # bump when the rows change, so cached files are rebuilt


def catalogue_url(count: int, seed: int = 7) -> str:
    """A SQLite URL holding `count` synthetic merchants (built on first use, then reused)."""
    path = CACHE / f"catalogue-v{VERSION}-{count}-{seed}.sqlite"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        _build(f"sqlite:///{partial}", count, seed)
        partial.rename(path)
    return f"sqlite:///{path}"


def _points(districts, count: int, seed: int) -> tuple[np.ndarray, np.ndarray, list]:
    """Points inside the districts, about as many per district (denser in the small central ones)."""
    rng = np.random.default_rng(seed)
    frame = districts.frame
    per = count // len(frame) + 1
    lons, lats, codes = [], [], []
    for code, geom in zip(frame["code"], frame.geometry):
        west, south, east, north = geom.bounds
        got = 0
        while got < per:
            lon = rng.uniform(west, east, per * 3)
            lat = rng.uniform(south, north, per * 3)
            inside = np.array(districts.locate(lon, lat), dtype=object) == code
            take = min(per - got, int(inside.sum()))
            lons.append(lon[inside][:take])
            lats.append(lat[inside][:take])
            codes += [code] * take
            got += take
    return np.concatenate(lons)[:count], np.concatenate(lats)[:count], codes[:count]


def _build(url: str, count: int, seed: int) -> None:
    store, districts = open_seeded_store(url)
    rng = random.Random(seed)
    lons, lats, codes = _points(districts, count, seed)
    offers = {o: rules_columns(o) for o in OFFERS}
    order = list(range(count))
    rng.shuffle(order)
    batch: list[dict] = []
    with store.session() as s:
        for n, i in enumerate(order):
            name = rng.choice(WORDS) + rng.choice(TRADES) + f"{i % 97}号店"
            full, initials = pinyin_keys(name)
            offer = rng.choice(OFFERS)
            batch.append({
                "id": f"bench-{i:07d}", "name": name, "category": rng.choice(CATEGORY_NAMES),
                "district_code": codes[i], "mcc": "5812", "offer": offer,
                "lon": round(float(lons[i]), 6), "lat": round(float(lats[i]), 6),
                "name_pinyin": full, "name_initials": initials, **offers[offer],
            })
            if len(batch) == 20_000 or n == count - 1:
                s.execute(insert(Merchant), batch)
                batch = []
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    start = time.perf_counter()
    print(catalogue_url(args.count), f"({time.perf_counter() - start:.1f} s)")


if __name__ == "__main__":
    main()
