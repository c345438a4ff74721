"""Distances in metres around Wuhan: a metric projection for exact figures, a lon/lat box for SQL."""

from __future__ import annotations

import math
import threading

import numpy as np

from app.geo.districts import WGS84

# Distances are measured in metres in CGCS2000 / 3-degree Gauss-Kruger CM 114E, the national grid
# zone whose central meridian runs through Wuhan; never in degrees.
METRIC_CRS = "EPSG:4547"
# The shortest degree of latitude (at the equator), so the box errs on the large side.
_METRES_PER_DEGREE_LAT = 110_574.0


def bounding_box(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A lon/lat box surely containing the circle, so SQL can drop far-away rows first."""
    dlat = radius_m / _METRES_PER_DEGREE_LAT * 1.01
    dlon = dlat / max(math.cos(math.radians(lat)), 1e-6)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


_local = threading.local()


def _to_metric():
    """This thread's transformer (pyproj's are not to be shared between threads), made once."""
    if getattr(_local, "transformer", None) is None:
        from pyproj import Transformer

        _local.transformer = Transformer.from_crs(WGS84, METRIC_CRS, always_xy=True)
    return _local.transformer


def warm_up() -> None:
    """Set up the projection now (a fifth of a second, once) rather than in the first distance asked for."""
    _to_metric()


def metric_xy(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """WGS84 lon/lat arrays in the metric grid (metres east, north)."""
    x, y = _to_metric().transform(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    return np.asarray(x, dtype=float), np.asarray(y, dtype=float)


def distances_m(lon: np.ndarray, lat: np.ndarray, centre: tuple[float, float]) -> np.ndarray:
    """Metres from `centre` (WGS84 lon, lat) to each WGS84 point, to the decimetre."""
    x, y = metric_xy(lon, lat)
    cx, cy = metric_xy(np.array([centre[0]]), np.array([centre[1]]))
    return np.round(np.hypot(x - cx[0], y - cy[0]), 1)
