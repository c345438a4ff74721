"""Wuhan's 13 districts: name lookup in every spelling, and district assignment by spatial join."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from app.store import Store
from app.store.models import District

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

WGS84 = "EPSG:4326"
# Points this close outside the city line still count as Wuhan: boundary data and geocoders
# disagree by a few hundred metres along rivers and lakes.
_EDGE_TOLERANCE_DEG = 0.005


class DistrictIndex:
    """The districts as a GeoDataFrame (code, name, pinyin, geometry) with lookups on top.

    Built from a frame, or from a loader that runs on first use: a command that never asks about
    districts (`wallet show`) never reads them, nor imports geopandas."""

    def __init__(self, frame: gpd.GeoDataFrame | None = None, loader: Callable[[], gpd.GeoDataFrame] | None = None):
        if frame is not None:
            self.__dict__["frame"] = frame.sort_values("code").reset_index(drop=True)
        self._loader = loader

    @cached_property
    def frame(self) -> gpd.GeoDataFrame:
        return self._loader().sort_values("code").reset_index(drop=True)

    @cached_property
    def _names(self) -> dict[str, str]:
        return dict(zip(self.frame["code"], self.frame["name"]))

    @cached_property
    def _lookup(self) -> dict[str, str]:
        lookup: dict[str, str] = {}
        for code, name, pinyin in zip(self.frame["code"], self.frame["name"], self.frame["pinyin"]):
            for key in (code, name, name.removesuffix("区"), pinyin, pinyin.replace("'", "")):
                lookup[key.casefold()] = code
        return lookup

    @cached_property
    def city(self):
        import shapely

        city = shapely.union_all(self.frame.geometry.values).buffer(_EDGE_TOLERANCE_DEG)
        shapely.prepare(city)
        return city

    @classmethod
    def from_geojson(cls, path: Path) -> "DistrictIndex":
        import geopandas as gpd

        frame = gpd.read_file(path)
        return cls(frame[["code", "name", "pinyin", "geometry"]].set_crs(WGS84, allow_override=True))

    @classmethod
    def from_store(cls, store: Store, deferred: bool = False) -> "DistrictIndex":
        """The districts saved in the store; with `deferred`, read when first needed."""

        def load() -> gpd.GeoDataFrame:
            import geopandas as gpd
            from shapely import wkt
            from sqlalchemy import select

            with store.session() as s:
                rows = s.execute(select(District.code, District.name, District.pinyin, District.geometry_wkt)).all()
            return gpd.GeoDataFrame(
                {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "pinyin": [r[2] for r in rows]},
                geometry=[wkt.loads(r[3]) for r in rows],
                crs=WGS84,
            )

        return cls(loader=load) if deferred else cls(load())

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
        import shapely

        return bool(shapely.contains_xy(self.city, lon, lat))

    def locate(self, lon, lat) -> np.ndarray:
        """District code of each point (object array, None outside every district), by spatial join."""
        import geopandas as gpd
        import numpy as np
        import pandas as pd

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
