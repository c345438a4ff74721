"""Distances in metres around Wuhan: a metric projection for exact figures, a lon/lat box for SQL."""

from __future__ import annotations

import math

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point

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


def distances_m(points: gpd.GeoSeries, centre: tuple[float, float]) -> pd.Series:
    """Metres from `centre` (WGS84 lon, lat) to each WGS84 point, to the decimetre."""
    origin = gpd.GeoSeries([Point(*centre)], crs=WGS84).to_crs(METRIC_CRS).iloc[0]
    return points.to_crs(METRIC_CRS).distance(origin).round(1)
