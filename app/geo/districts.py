"""Wuhan's 13 districts: name lookup in every spelling, and district assignment by spatial join."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NamedTuple

from app.store import Store
from app.store.models import District

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

WGS84 = "EPSG:4326"
# Points this close outside the city line still count as Wuhan: boundary data and geocoders
# disagree by a few hundred metres along rivers and lakes.
_EDGE_TOLERANCE_DEG = 0.005


class _Built(NamedTuple):
    frame: Any         # GeoDataFrame, sorted by code
    names: dict[str, str]
    lookup: dict[str, str]
    city: Any          # the prepared city outline (shapely)
    tree: Any          # shapely STRtree over the districts, in frame order


class DistrictIndex:
    """The districts as a GeoDataFrame (code, name, pinyin, geometry) with lookups on top.

    Built from a frame, or from a loader that runs on first use: a command that never asks about
    districts (`wallet show`) never reads them, nor imports geopandas. Threads may share an index once
    it is built; build it (touch `frame`) before handing it to them, since importing geopandas starts
    GDAL and PROJ, which must not happen while other threads work."""

    def __init__(self, frame: gpd.GeoDataFrame | None = None, loader: Callable[[], gpd.GeoDataFrame] | None = None):
        self._loader = loader
        self._lock = threading.Lock()
        self._built: _Built | None = None
        if frame is not None:
            self._built = self._build(frame)

    @staticmethod
    def _build(frame: gpd.GeoDataFrame) -> _Built:
        """Everything at once (frame, names, lookup, the prepared city outline, the spatial index), built
        and warmed up in one thread before any other can use it."""
        import shapely

        frame = frame.sort_values("code").reset_index(drop=True)
        names = dict(zip(frame["code"], frame["name"]))
        lookup: dict[str, str] = {}
        for code, name, pinyin in zip(frame["code"], frame["name"], frame["pinyin"]):
            for key in (code, name, name.removesuffix("区"), pinyin, pinyin.replace("'", "")):
                lookup[key.casefold()] = code
        city = shapely.union_all(frame.geometry.values).buffer(_EDGE_TOLERANCE_DEG)
        shapely.prepare(city)
        tree = shapely.STRtree(frame.geometry.values)   # what `locate` queries
        # GEOS builds a prepared geometry's and a tree's internal index on their first query, and two
        # threads doing that at once crash the process: query both once here, under the lock.
        shapely.contains_xy(city, 0.0, 0.0)
        tree.query(shapely.points(0.0, 0.0), predicate="within")
        return _Built(frame, names, lookup, city, tree)

    def _data(self) -> _Built:
        if self._built is None:
            with self._lock:   # the first use may come from several threads at once (tests/test_catalogue_roles.py)
                if self._built is None:
                    self._built = self._build(self._loader())
        return self._built

    @property
    def frame(self) -> gpd.GeoDataFrame:
        return self._data().frame

    @property
    def city(self):
        return self._data().city

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
        return self._data().names.get(code) if code else None

    def resolve(self, text: object) -> str | None:
        """The district code meant by 青山区, 青山, Qingshan or 420107; None if it names none."""
        if text is None:
            return None
        return self._data().lookup.get(str(text).strip().casefold())

    def contains_city(self, lon: float, lat: float) -> bool:
        import shapely

        return bool(shapely.contains_xy(self.city, lon, lat))

    def locate(self, lon, lat) -> np.ndarray:
        """District code of each point (object array, None outside every district), by spatial join.

        Plain shapely on an index built (and first queried) once, so threads may share it."""
        import numpy as np
        import shapely

        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        codes = np.full(len(points), None, dtype=object)
        if not len(points):
            return codes
        point_index, district_index = self._data().tree.query(points, predicate="within")
        # A point on a shared border is within two districts; keep the first by code, deterministically.
        order = np.lexsort((district_index, point_index))
        point_index, district_index = point_index[order], district_index[order]
        first = np.unique(point_index, return_index=True)[1]
        codes[point_index[first]] = self.frame["code"].to_numpy()[district_index[first]]
        return codes


def save_districts(store: Store, index: DistrictIndex) -> None:
    with store.session() as s:
        for code, name, pinyin, geom in zip(
            index.frame["code"], index.frame["name"], index.frame["pinyin"], index.frame.geometry
        ):
            s.merge(District(code=code, name=name, pinyin=pinyin, geometry_wkt=geom.wkt))
