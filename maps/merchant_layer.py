"""Catalogue results as the compact GeoJSON the map page draws, and the per-district counts it shades by."""

from __future__ import annotations

import json
import math

import geopandas as gpd
from shapely.ops import polylabel

from app.discounts.rules_text import offer_headline
from app.geo.districts import DistrictIndex
from app.merchants.categories import CATEGORIES, resolve_category

# Six decimals of a degree is about 0.1 m: finer than any merchant location we hold.
_PLACES = 6
APPROXIMATE_NOTE = "位置为示意（大致位置），以商户实际地址为准"


def category_table() -> dict[str, dict[str, str]]:
    """Category code -> name, letter and colour, in 吃住行医游购娱 order (the page's legend)."""
    return {c.code: {"name": c.name, "letter": c.letter, "colour": c.colour} for c in CATEGORIES}


def _code(category: str) -> str:
    found = resolve_category(category)
    return found.code if found else "services"


def merchant_collection(frame: gpd.GeoDataFrame, rich: bool = False) -> dict:
    """One Feature per merchant, with short property keys: 100,000 of them cross the bridge.

    n name, c category code, b best offer (9折). With `rich` (the exported web map, which has no
    details pane) also o offer text and a address or the approximate-location note.
    """
    ids = frame["id"].tolist()
    names = frame["name"].tolist()
    codes = [_code(c) for c in frame["category"].tolist()]
    best = [offer_headline(h) for h in frame["offer_headline"].tolist()]
    lons = [round(float(v), _PLACES) for v in frame["lon"].tolist()]
    lats = [round(float(v), _PLACES) for v in frame["lat"].tolist()]
    if rich:
        offers = frame["offer"].tolist()
        notes = [
            (addr if isinstance(addr, str) and addr else (APPROXIMATE_NOTE if approx else ""))
            for addr, approx in zip(frame["address"].tolist(), frame["location_approximate"].tolist())
        ]
    features = []
    for i, mid in enumerate(ids):
        props = {"n": names[i], "c": codes[i], "b": best[i]}
        if rich:
            props["o"] = offers[i] or ""
            props["a"] = notes[i]
        features.append({
            "type": "Feature", "id": mid, "properties": props,
            "geometry": {"type": "Point", "coordinates": [lons[i], lats[i]]},
        })
    return {"type": "FeatureCollection", "features": features}


def district_counts(frame: gpd.GeoDataFrame) -> dict[str, int]:
    """Matching merchants per district code (districts with none are left out)."""
    if frame.empty:
        return {}
    counts = frame["district_code"].dropna().value_counts()
    return {str(code): int(n) for code, n in counts.items()}


def district_collection(districts: DistrictIndex, places: int = 5) -> dict:
    """The 13 districts, each with a label point well inside it (a centroid may fall outside)."""
    frame = districts.frame
    features = []
    for code, name, geom in zip(frame["code"], frame["name"], frame.geometry):
        label = _label_point(geom)
        shape = json.loads(gpd.GeoSeries([geom]).to_json())["features"][0]["geometry"]
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
    return polylabel(max(parts, key=lambda p: p.area), tolerance=0.0005)


def _round_coords(geometry: dict, places: int) -> dict:
    def walk(value):
        if isinstance(value, (int, float)):
            return round(value, places) if math.isfinite(value) else value
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
