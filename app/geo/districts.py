"""Wuhan's 13 districts: name lookup in every spelling, and district assignment by spatial join."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely import wkt
from sqlalchemy import select

from app.store import Store
from app.store.models import District

WGS84 = "EPSG:4326"
# Points this close outside the city line still count as Wuhan: boundary data and geocoders
# disagree by a few hundred metres along rivers and lakes.
_EDGE_TOLERANCE_DEG = 0.005


class DistrictIndex:
    """The districts as a GeoDataFrame (code, name, pinyin, geometry) with lookups on top."""

    def __init__(self, frame: gpd.GeoDataFrame):
        self.frame = frame.sort_values("code").reset_index(drop=True)
        self._names = dict(zip(self.frame["code"], self.frame["name"]))
        self._lookup: dict[str, str] = {}
        for code, name, pinyin in zip(self.frame["code"], self.frame["name"], self.frame["pinyin"]):
            for key in (code, name, name.removesuffix("区"), pinyin, pinyin.replace("'", "")):
                self._lookup[key.casefold()] = code
        self.city = shapely.union_all(self.frame.geometry.values).buffer(_EDGE_TOLERANCE_DEG)
        shapely.prepare(self.city)

    @classmethod
    def from_geojson(cls, path: Path) -> "DistrictIndex":
        frame = gpd.read_file(path)
        return cls(frame[["code", "name", "pinyin", "geometry"]].set_crs(WGS84, allow_override=True))

    @classmethod
    def from_store(cls, store: Store) -> "DistrictIndex":
        with store.session() as s:
            rows = s.execute(select(District.code, District.name, District.pinyin, District.geometry_wkt)).all()
        frame = gpd.GeoDataFrame(
            {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "pinyin": [r[2] for r in rows]},
            geometry=[wkt.loads(r[3]) for r in rows],
            crs=WGS84,
        )
        return cls(frame)

    @property
    def codes(self) -> list[str]:
        return list(self.frame["code"])

    def name(self, code: str | None) -> str | None:
        return self._names.get(code) if code else None

    def resolve(self, text: object) -> str | None:
        """The district code meant by 青山区, 青山, Qingshan or 420107; None if it names none."""
        if text is None:
            return None
        return self._lookup.get(str(text).strip().casefold())

    def contains_city(self, lon: float, lat: float) -> bool:
        return bool(shapely.contains_xy(self.city, lon, lat))

    def locate(self, lon, lat) -> np.ndarray:
        """District code of each point (object array, None outside every district), by spatial join."""
        points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=WGS84)
        if points.empty:
            return np.array([], dtype=object)
        joined = gpd.sjoin(points, self.frame[["code", "geometry"]], how="left", predicate="within")
        # A point on a shared border joins twice; keep the first district, deterministically.
        first = joined[~joined.index.duplicated(keep="first")].sort_index()
        return first["code"].astype(object).where(pd.notna(first["code"]), None).to_numpy()


def save_districts(store: Store, index: DistrictIndex) -> None:
    with store.session() as s:
        for code, name, pinyin, geom in zip(
            index.frame["code"], index.frame["name"], index.frame["pinyin"], index.frame.geometry
        ):
            s.merge(District(code=code, name=name, pinyin=pinyin, geometry_wkt=geom.wkt))
