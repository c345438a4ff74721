import numpy as np
import pytest
from pyproj import Geod

from app.geo.china_datum import from_wgs84, gcj02_to_wgs84, to_wgs84, wgs84_to_gcj02

GEOD = Geod(ellps="WGS84")


def _metres(a, b):
    return GEOD.inv(a[0], a[1], b[0], b[1])[2]


def test_gcj02_offset_in_wuhan_is_hundreds_of_metres():
    # The obfuscation moves points in Wuhan by roughly half a kilometre: not converting is visible.
    wgs = (114.39, 30.63)
    gcj = tuple(float(x) for x in wgs84_to_gcj02(*wgs))
    assert 300 < _metres(wgs, gcj) < 800


@pytest.mark.parametrize("datum", ["gcj02", "bd09"])
def test_round_trip_is_below_a_decimetre(datum):
    lon = np.linspace(113.7, 115.07, 25)
    lat = np.linspace(29.97, 31.36, 25)
    back = to_wgs84(*from_wgs84(lon, lat, datum), datum)
    worst = max(_metres((a, b), (c, d)) for a, b, c, d in zip(lon, lat, *back))
    assert worst < 0.1


def test_gcj_inverse_is_exact_not_the_one_step_approximation():
    gcj = wgs84_to_gcj02(114.30, 30.60)
    lon, lat = gcj02_to_wgs84(*gcj)
    assert abs(lon - 114.30) < 1e-9 and abs(lat - 30.60) < 1e-9


def test_wgs84_is_identity_and_unknown_datum_refused():
    assert tuple(map(float, to_wgs84(114.3, 30.6, "wgs84"))) == (114.3, 30.6)
    with pytest.raises(ValueError):
        to_wgs84(114.3, 30.6, "utm")
