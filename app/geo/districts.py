"""Wuhan's 13 districts: name lookup in every spelling, and district assignment by spatial join."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple
from collections.abc import Callable

from app.store import Store
from app.store.models import District

if TYPE_CHECKING:
    import geopandas as gpd
    import numpy as np

WGS84 = "EPSG:4326"
# Points this close outside the city line still count as Wuhan: boundary data and geocoders
# disagree by a few hundred metres along rivers and lakes.
_EDGE_TOLERANCE_DEG = 0.005


class _Shapes(NamedTuple):
    codes: Any         # numpy array of codes, sorted, in the tree's order
    city: Any          # the prepared city outline (shapely)
    tree: Any          # shapely STRtree over the districts


class _Names(NamedTuple):
    codes: list[str]   # sorted
    names: dict[str, str]
    lookup: dict[str, str]


def _names_of(rows: list[tuple[str, str, str]]) -> _Names:
    """Codes, names and every spelling's lookup from (code, name, pinyin) rows."""
    rows = sorted(rows)
    lookup: dict[str, str] = {}
    for code, name, pinyin in rows:
        for key in (code, name, name.removesuffix("区"), pinyin, pinyin.replace("'", "")):
            lookup[key.casefold()] = code
    return _Names([r[0] for r in rows], {r[0]: r[1] for r in rows}, lookup)


class DistrictIndex:
    """The districts as a GeoDataFrame (code, name, pinyin, geometry) with lookups on top.

    Built from a frame, or from loaders that run on first use, each reading only what is asked for:
    names and codes (the filters, the list), shapes with shapely alone (`contains_city`, `locate`), the
    GeoDataFrame last (flyers, exports). A command that never asks about districts (`wallet show`) never
    reads them, and the window opens without geopandas. Threads may share an index; touch `frame`
    before handing it to them if they will need it, since importing geopandas starts GDAL and PROJ,
    which must not happen while other threads work."""

    def __init__(self, frame: gpd.GeoDataFrame | None = None, loader: Callable[[], gpd.GeoDataFrame] | None = None,
                 names_loader: Callable[[], list[tuple[str, str, str]]] | None = None,
                 shapes_loader: Callable[[], list[tuple[str, str, str, str]]] | None = None):
        self._loader = loader
        self._names_loader = names_loader
        self._shapes_loader = shapes_loader   # (code, name, pinyin, WKT) rows: shapes without geopandas
        self._lock = threading.RLock()
        self._contains_lock = threading.Lock()
        self._frame: gpd.GeoDataFrame | None = None
        self._shapes: _Shapes | None = None
        self._names: _Names | None = None
        if frame is not None:
            self._frame = frame.sort_values("code").reset_index(drop=True)
            self._shapes = self._shapes_of_frame()
            self._names = self._names_of_frame()

    @staticmethod
    def _build(codes: list[str], geometries: list) -> _Shapes:
        """The prepared city outline and the spatial index, built and warmed up in one thread before any
        other can use them."""
        import numpy as np
        import shapely

        order = sorted(range(len(codes)), key=codes.__getitem__)
        geometries = [geometries[i] for i in order]
        city = shapely.union_all(geometries).buffer(_EDGE_TOLERANCE_DEG)
        shapely.prepare(city)
        tree = shapely.STRtree(geometries)   # what `locate` queries
        # GEOS builds a tree's internal index on its first query, and two threads doing that at once
        # crash the process: query it once here, under the lock, at a point inside the city (one
        # outside every envelope is answered before any index is built).
        inside = shapely.get_coordinates(city.representative_point())[0]
        tree.query(shapely.points(*inside), predicate="within")
        return _Shapes(np.array([codes[i] for i in order], dtype=object), city, tree)

    def digest(self) -> str:
        """A fingerprint of the districts' codes, names and shapes (for caches built from them)."""
        import hashlib

        h = hashlib.sha256()
        if self._frame is None and self._shapes_loader is not None:
            rows = self._shapes_loader()
        else:
            import shapely

            frame = self.frame
            rows = zip(frame["code"], frame["name"], frame["pinyin"], shapely.to_wkt(frame.geometry.values))
        for row in sorted(rows):
            h.update("\x00".join(row).encode("utf-8") + b"\x01")
        return h.hexdigest()

    def _light(self) -> _Names:
        """Codes and names only: what the lists and filters need, without geopandas or geometry."""
        if self._names is None:
            if self._names_loader is not None:
                self._names = _names_of(self._names_loader())
            else:
                self._names = self._names_of_frame()
        return self._names

    def _names_of_frame(self) -> _Names:
        frame = self.frame
        return _names_of(list(zip(frame["code"], frame["name"], frame["pinyin"])))

    def _shapes_of_frame(self) -> _Shapes:
        frame = self.frame
        return self._build(list(frame["code"]), list(frame.geometry.values))

    def _shapes_data(self) -> _Shapes:
        """Shapely only (no geopandas): what `contains_city` and `locate` need."""
        if self._shapes is None:
            with self._lock:   # the first use may come from several threads at once (tests/test_catalogue_roles.py)
                if self._shapes is None:
                    if self._shapes_loader is not None:
                        import shapely

                        rows = self._shapes_loader()
                        self._shapes = self._build([r[0] for r in rows], list(shapely.from_wkt([r[3] for r in rows])))
                    else:
                        self._shapes = self._shapes_of_frame()
        return self._shapes

    @property
    def frame(self) -> gpd.GeoDataFrame:
        """The districts as a GeoDataFrame sorted by code (imports geopandas: flyers, exports, checks)."""
        if self._frame is None:
            with self._lock:
                if self._frame is None:
                    self._frame = self._loader().sort_values("code").reset_index(drop=True)
        return self._frame

    @property
    def city(self):
        return self._shapes_data().city

    @classmethod
    def from_geojson(cls, path: Path) -> DistrictIndex:
        import geopandas as gpd

        frame = gpd.read_file(path)
        return cls(frame[["code", "name", "pinyin", "geometry"]].set_crs(WGS84, allow_override=True))

    @classmethod
    def from_store(cls, store: Store, deferred: bool = False) -> DistrictIndex:
        """The districts saved in the store; with `deferred`, read when first needed."""

        from sqlalchemy import select

        def names() -> list[tuple[str, str, str]]:
            with store.session() as s:
                return [tuple(r) for r in s.execute(select(District.code, District.name, District.pinyin)).all()]

        def shapes() -> list[tuple[str, str, str, str]]:
            with store.session() as s:
                return [tuple(r) for r in s.execute(
                    select(District.code, District.name, District.pinyin, District.geometry_wkt)).all()]

        def load() -> gpd.GeoDataFrame:
            import geopandas as gpd
            from shapely import wkt

            rows = shapes()
            return gpd.GeoDataFrame(
                {"code": [r[0] for r in rows], "name": [r[1] for r in rows], "pinyin": [r[2] for r in rows]},
                geometry=[wkt.loads(r[3]) for r in rows],
                crs=WGS84,
            )

        return cls(loader=load, names_loader=names, shapes_loader=shapes) if deferred else cls(load())

    @property
    def codes(self) -> list[str]:
        return list(self._light().codes)

    def name(self, code: str | None) -> str | None:
        return self._light().names.get(code) if code else None

    def resolve(self, text: object) -> str | None:
        """The district code meant by 青山区, 青山, Qingshan or 420107; None if it names none."""
        if text is None:
            return None
        return self._light().lookup.get(str(text).strip().casefold())

    def contains_city(self, lon: float, lat: float) -> bool:
        import shapely

        city = self.city
        # A prepared polygon builds parts of its point locator lazily, on queries in places not
        # asked before, and two threads doing that at once corrupt the heap (GEOS 3.14: tcache
        # aborts in tests/test_catalogue_roles.py). One point is microseconds: ask one at a time.
        with self._contains_lock:
            return bool(shapely.contains_xy(city, lon, lat))

    def locate(self, lon, lat) -> np.ndarray:
        """District code of each point (object array, None outside every district), by spatial join.

        Plain shapely on an index built (and first queried) once, so threads may share it."""
        import numpy as np
        import shapely

        points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
        codes = np.full(len(points), None, dtype=object)
        if not len(points):
            return codes
        shapes = self._shapes_data()
        point_index, district_index = shapes.tree.query(points, predicate="within")
        # A point on a shared border is within two districts; keep the first by code, deterministically.
        order = np.lexsort((district_index, point_index))
        point_index, district_index = point_index[order], district_index[order]
        first = np.unique(point_index, return_index=True)[1]
        codes[point_index[first]] = shapes.codes[district_index[first]]
        return codes


def save_districts(store: Store, index: DistrictIndex) -> None:
    with store.session() as s:
        for code, name, pinyin, geom in zip(
            index.frame["code"], index.frame["name"], index.frame["pinyin"], index.frame.geometry
        ):
            s.merge(District(code=code, name=name, pinyin=pinyin, geometry_wkt=geom.wkt))
