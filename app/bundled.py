"""Where the data files shipped with the product live, in a source checkout and in an installed wheel."""

from __future__ import annotations

import sys
from pathlib import Path

_PROJECT_ROOT = Path(__file__).resolve().parent.parent


def merchants_geojson() -> Path:
    """The curated partner merchants (seeded into an empty database)."""
    for candidate in (
        _PROJECT_ROOT / "merchants.geojson",                        # checkout / editable install
        Path(sys.prefix) / "share" / "unioncard" / "merchants.geojson",  # wheel install
    ):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("merchants.geojson is missing from this installation")


def districts_geojson() -> Path:
    """The 13 Wuhan districts (WGS84). The file belongs to maps/, but it is data, not code,
    so reading it keeps the widgets -> maps -> app import direction intact."""
    path = _PROJECT_ROOT / "maps" / "data" / "wuhan_districts.geojson"
    if not path.is_file():
        raise FileNotFoundError(f"district boundaries missing: {path}")
    return path


def places_json() -> Path:
    """The offline gazetteer of Wuhan's 街道, 镇 and 乡 (GeoNames, CC BY 4.0), for 附近."""
    path = _PROJECT_ROOT / "maps" / "data" / "wuhan_places.json"
    if not path.is_file():
        raise FileNotFoundError(f"place names missing: {path}")
    return path


def cjk_font() -> Path:
    """Noto Sans SC (SIL OFL), from a PyPI package, so Chinese renders with no system CJK fonts."""
    import pylopdf_fonts_zh_cn

    return Path(pylopdf_fonts_zh_cn.sans_path())
