"""Links that open a place in the map apps members use every day, and dial a number.

高德 and 百度 take coordinates in their own datums (GCJ-02 and BD-09), so a WGS84 point is converted
first; otherwise the pin lands a few hundred metres off. The URI forms are the apps' public ones:
https://lbs.amap.com/api/uri-api/guide/mobile-web/point and https://lbsyun.baidu.com/index.php?title=uri.
"""

from __future__ import annotations

import re
from urllib.parse import quote, urlencode

from app.geo.china_datum import from_wgs84


def _quote(text, *_args, **_kwargs) -> str:
    return quote(text, safe=",")    # "lon,lat" stays as the apps document it


def amap_url(lon: float, lat: float, name: str | None) -> str:
    """高德: a marker at the place (opens the app on a phone, the web map elsewhere); without a name, a
    link short enough to read in a chat (the text around it names the place)."""
    x, y = (float(v) for v in from_wgs84(lon, lat, "gcj02"))
    query = {"position": f"{x:.6f},{y:.6f}", **({"name": name} if name else {}), "src": "unioncard",
             "coordinate": "gaode", "callnative": 1}
    return "https://uri.amap.com/marker?" + urlencode(query, quote_via=_quote)


def baidu_url(lon: float, lat: float, name: str, content: str = "") -> str:
    """百度: a marker at the place, in BD-09 as 百度 expects."""
    x, y = (float(v) for v in from_wgs84(lon, lat, "bd09"))
    return "https://api.map.baidu.com/marker?" + urlencode(
        {"location": f"{y:.6f},{x:.6f}", "title": name, "content": content or name, "output": "html",
         "coord_type": "bd09ll", "src": "unioncard"}, quote_via=_quote)


def tel_url(phone: str | None) -> str | None:
    """tel: for the first number in a phone field (027-86861234, 86861234 转 8); None without one."""
    if not phone:
        return None
    m = re.search(r"\+?\d[\d\- ]{4,}\d", phone)
    return f"tel:{re.sub(r'[ -]', '', m.group())}" if m else None
