"""The shareable web map: the current selection as one HTML file that opens offline in any browser."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING
from collections.abc import Sequence

from app.geo.districts import DistrictIndex
from maps.merchant_layer import district_counts, frame_points
from app.safe_write import write_text

if TYPE_CHECKING:
    import geopandas as gpd

CARD_TITLE = "武汉工会会员服务卡"


def selection_title(district_names: Sequence[str] = (), category_names: Sequence[str] = ()) -> str:
    """武汉工会会员服务卡 · 青山区医疗类优惠商户 (全市 when no district is chosen)."""
    where = "、".join(district_names) if district_names else "全市"
    what = "、".join(category_names) + "类" if category_names else ""
    return f"{CARD_TITLE} · {where}{what}优惠商户"


def write_web_map(path: Path, districts: DistrictIndex, frame: gpd.GeoDataFrame, title: str) -> Path:
    """Write the merchants in `frame` as a self-contained web map; the file is replaced whole or not at all."""
    from maps.page import render_web_map  # folium

    page = render_web_map(districts, frame_points(frame, rich=True), district_counts(frame), title)
    return write_text(Path(path), page)
