"""Conversions between WGS84 and the datums Chinese web maps publish (GCJ-02 for 高德/腾讯, BD-09 for 百度).

GCJ-02 is an obfuscated offset of WGS84 with no closed-form inverse; the inverse here iterates the
forward transform until the round trip is below a millimetre, instead of the common one-step
approximation that is off by metres.
"""

from __future__ import annotations

import math
from typing import Literal

import numpy as np

Datum = Literal["wgs84", "gcj02", "bd09"]
DATUMS: tuple[Datum, ...] = ("wgs84", "gcj02", "bd09")

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as used by the GCJ-02 algorithm
_EE = 0.00669342162296594323
_X_PI = math.pi * 3000.0 / 180.0


def _offset(lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = lon - 105.0
    y = lat - 35.0
    dlat = (
        -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlon = (
        300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlon = (dlon * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlon, dlat


def wgs84_to_gcj02(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlon, dlat = _offset(lon, lat)
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat):
    """Invert GCJ-02 by fixed-point iteration (converges to < 1e-9 degrees in a few steps)."""
    glon = np.asarray(lon, dtype=float)
    glat = np.asarray(lat, dtype=float)
    wlon, wlat = glon.copy(), glat.copy()
    for _ in range(30):
        flon, flat = wgs84_to_gcj02(wlon, wlat)
        elon, elat = flon - glon, flat - glat
        wlon, wlat = wlon - elon, wlat - elat
        if np.all(np.abs(elon) < 1e-10) and np.all(np.abs(elat) < 1e-10):
            break
    return wlon, wlat


def bd09_to_gcj02(lon, lat):
    x = np.asarray(lon, dtype=float) - 0.0065
    y = np.asarray(lat, dtype=float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def gcj02_to_bd09(lon, lat):
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    z = np.sqrt(lon * lon + lat * lat) + 0.00002 * np.sin(lat * _X_PI)
    theta = np.arctan2(lat, lon) + 0.000003 * np.cos(lon * _X_PI)
    return z * np.cos(theta) + 0.0065, z * np.sin(theta) + 0.006


def to_wgs84(lon, lat, datum: Datum):
    """Convert coordinates published in `datum` to WGS84 (arrays or scalars in, same shape out)."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return gcj02_to_wgs84(lon, lat)
    if datum == "bd09":
        return gcj02_to_wgs84(*bd09_to_gcj02(lon, lat))
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


def from_wgs84(lon, lat, datum: Datum):
    """Convert WGS84 coordinates to `datum`, e.g. to line markers up with 高德 tiles."""
    if datum == "wgs84":
        return np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
    if datum == "gcj02":
        return wgs84_to_gcj02(lon, lat)
    if datum == "bd09":
        return gcj02_to_bd09(*wgs84_to_gcj02(lon, lat))
    raise ValueError(f"unknown datum {datum!r}; expected one of {', '.join(DATUMS)}")


# The datums staff and members meet, as forms offer them.
DATUM_CHOICES = (("wgs84", "WGS84（GPS、天地图）"), ("gcj02", "GCJ-02（高德、腾讯）"), ("bd09", "BD-09（百度）"))


def parse_point(text: str) -> tuple[float, float] | None:
    """"114.39,30.63" as pasted from a map (full-width commas and spaces too); None if it is not that."""
    parts = text.replace("，", ",").replace(" ", ",").split(",")
    parts = [p for p in parts if p.strip()]
    if len(parts) != 2:
        return None
    try:
        return float(parts[0]), float(parts[1])
    except ValueError:
        return None
