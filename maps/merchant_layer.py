"""What the map page draws: merchants as compact columns with a bit mask of those matching the
filters, the per-district counts it shades by, and the district shapes."""

from __future__ import annotations

import base64
import math
from typing import TYPE_CHECKING
from collections.abc import Sequence

import numpy as np

from app.discounts.rules_text import offer_headline
from app.geo.districts import DistrictIndex
from app.merchants.categories import CATEGORIES, resolve_category

if TYPE_CHECKING:
    import geopandas as gpd

_SCALE = 1_000_000   # coordinates cross as integers of a millionth of a degree
APPROXIMATE_NOTE = "位置为示意（大致位置），以商户实际地址为准"


def category_table() -> dict[str, dict[str, str]]:
    """Category code -> name, letter and colour, in 吃住行医游购娱 order (the page's legend)."""
    return {c.code: {"name": c.name, "letter": c.letter, "colour": c.colour} for c in CATEGORIES}


def _code(category: str) -> str:
    found = resolve_category(category)
    return found.code if found else "services"


def point_table(ids: Sequence[str], lons: Sequence[float], lats: Sequence[float], categories: Sequence[str],
                names: Sequence[str], headlines: Sequence[str | None], *, offers: Sequence[str] | None = None,
                notes: Sequence[str] | None = None, expired: Sequence[bool] | None = None,
                links: Sequence[str] | None = None, phones: Sequence[str | None] | None = None) -> dict:
    """Merchants as columns for the page (union_map.js readPoints): sent once, not per filter change.

    x, y are lon, lat in millionths of a degree (about 0.1 m, finer than any location we hold); c a
    category number into `codes`; b a best-offer number into `bestText` (-1: none); e the positions
    of merchants whose offer has ended (their popup says so, shown only when 显示已过期的优惠 brings
    them back). An exported page, which has no details pane, also carries o (offer text), a (address
    or approximate-location note), nav (a 高德 link to navigate to it) and tel (a tel: link, or "").
    """
    codes = [c.code for c in CATEGORIES]
    code_number = {code: i for i, code in enumerate(codes)}
    best_text: list[str] = []
    best_number: dict[str, int] = {}

    def best(value: str | None) -> int:
        text = offer_headline(value)
        if not text:
            return -1
        if text not in best_number:
            best_number[text] = len(best_text)
            best_text.append(text)
        return best_number[text]

    categories_seen: dict[str, int] = {}
    for c in set(categories):
        categories_seen[c] = code_number[_code(c)]
    table = {
        "ids": list(ids), "n": list(names),
        "x": np.rint(np.asarray(lons, dtype=float) * _SCALE).astype(np.int64).tolist(),
        "y": np.rint(np.asarray(lats, dtype=float) * _SCALE).astype(np.int64).tolist(),
        "c": [categories_seen[c] for c in categories], "b": [best(h) for h in headlines],
        "codes": codes, "bestText": best_text,
    }
    if expired is not None:
        table["e"] = [i for i, gone in enumerate(expired) if gone]
    if offers is not None:
        table["o"] = [o or "" for o in offers]
    if notes is not None:
        table["a"] = list(notes)
    if links is not None:
        table["nav"] = list(links)
    if phones is not None:
        table["tel"] = [p or "" for p in phones]
    return table


def frame_points(frame: gpd.GeoDataFrame, rich: bool = False) -> dict:
    """`point_table` of a catalogue result; with `rich`, the offer and address for an exported page."""
    extra = {}
    if rich:
        from app.geo.map_links import amap_url, tel_url

        extra["offers"] = frame["offer"].tolist()
        extra["links"] = [amap_url(lon, lat, name + ("（大致位置）" if approx else ""))
                          for lon, lat, name, approx in zip(frame["lon"].tolist(), frame["lat"].tolist(),
                                                            frame["name"].tolist(), frame["location_approximate"].tolist())]
        extra["phones"] = [tel_url(p if isinstance(p, str) else None) for p in frame["phone"].tolist()]
        extra["notes"] = [
            (addr if isinstance(addr, str) and addr else (APPROXIMATE_NOTE if approx else ""))
            for addr, approx in zip(frame["address"].tolist(), frame["location_approximate"].tolist())
        ]
    return point_table(frame["id"].tolist(), frame["lon"].tolist(), frame["lat"].tolist(), frame["category"].tolist(),
                       frame["name"].tolist(), frame["offer_headline"].tolist(), **extra)


def mask_bits(mask: np.ndarray) -> str:
    """Which merchants match, one bit each (most significant bit first), as base64: 12.5 kB for
    100,000 merchants. The page reads it back in readMask."""
    return base64.b64encode(np.packbits(mask.astype(bool)).tobytes()).decode("ascii")


def district_counts(frame: gpd.GeoDataFrame) -> dict[str, int]:
    """Matching merchants per district code (districts with none are left out)."""
    if frame.empty:
        return {}
    counts = frame["district_code"].dropna().value_counts()
    return {str(code): int(n) for code, n in counts.items()}


def district_collection(districts: DistrictIndex, places: int = 5) -> dict:
    """The 13 districts, each with a label point well inside it (a centroid may fall outside)."""
    import shapely.geometry

    frame = districts.frame
    features = []
    for code, name, geom in zip(frame["code"], frame["name"], frame.geometry):
        label = _label_point(geom)
        shape = shapely.geometry.mapping(geom)
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": name,
                           "label_lon": round(label.x, places), "label_lat": round(label.y, places)},
            "geometry": _round_coords(shape, places),
        })
    return {"type": "FeatureCollection", "features": features}


def _label_point(geom):
    """The pole of inaccessibility of the largest part: the point farthest from every edge."""
    parts = list(geom.geoms) if hasattr(geom, "geoms") else [geom]
    from shapely.ops import polylabel

    return polylabel(max(parts, key=lambda p: p.area), tolerance=0.0005)


def _round_coords(geometry: dict, places: int) -> dict:
    def walk(value):
        if isinstance(value, (int, float)):
            return round(value, places) if math.isfinite(value) else value
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
