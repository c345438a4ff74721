"""What a catalogue query asks, checked: shared by the SQL search (catalogue.py) and the in-memory
index (catalogue_index.py), and light to import (no pandas), so the window starts without them."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from app.command_line import QueryError
from app.geo.districts import DistrictIndex
from app.merchants.categories import resolve_category
from app.merchants.rows import RETIRED_CHOICES


@dataclass(frozen=True)
class MerchantQuery:
    districts: tuple[str, ...] = ()          # any spelling: 青山区, 青山, Qingshan, 420107
    categories: tuple[str, ...] = ()         # any spelling: 餐饮, 餐饮类, 吃, food
    text: str | None = None                  # name or offer text, or pinyin (zbcc, zhongbai)
    near: tuple[float, float] | None = None  # WGS84 lon, lat
    radius_m: float | None = None
    ids: tuple[str, ...] = ()
    min_saving: Decimal | None = None         # 0.1 = at least 10 % off (best percent clause)
    sort: str = "name"                        # name | saving (ignored with `near`: sorted by distance)
    retired: str = "exclude"                  # exclude | include | only (下架: staff see them on request)
    valid_on: dt.date | None = None           # only offers still valid that day (None: expired ones too)


def resolve_names(query: MerchantQuery, districts: DistrictIndex) -> tuple[list[str], list[str]]:
    """The query's district codes and canonical category names; QueryError for one that names nothing."""
    codes = []
    for d in query.districts:
        code = districts.resolve(d)
        if code is None:
            raise QueryError(f"未知的区“{d}”")
        codes.append(code)
    names = []
    for c in query.categories:
        cat = resolve_category(c)
        if cat is None:
            raise QueryError(f"未知的类别“{c}”")
        names.append(cat.name)
    return codes, names


def check_near(near: tuple[float, float], districts: DistrictIndex) -> None:
    """A "near here" point must be a real place in Wuhan (as the importer checks coordinates): a
    swapped pair or 0,0 would silently find nothing."""
    lon, lat = near
    if not (math.isfinite(lon) and math.isfinite(lat)):
        raise QueryError(f"“附近”的位置不是有效的数字：{lon},{lat}")
    if districts.contains_city(lon, lat):
        return
    if -180 <= lat <= 180 and -90 <= lon <= 90 and districts.contains_city(lat, lon):
        raise QueryError(f"“附近”的经度和纬度似乎填反了：{lon},{lat}，应写成 经度,纬度（如 {lat},{lon}）")
    raise QueryError(f"“附近”的位置（{lon},{lat}）不在武汉市范围内：应写成 经度,纬度（WGS84），如 114.39,30.63")


def checked_query(query: MerchantQuery, districts: DistrictIndex) -> tuple[list[str], list[str], Decimal | None]:
    """The query's district codes, category names and minimum saving, or QueryError naming what is wrong."""
    codes, category_names = resolve_names(query, districts)
    if (query.near is None) != (query.radius_m is None):
        raise QueryError("“附近”需要同时给出位置和半径")
    # str() first: Decimal(0.2) is 0.2000000000000000111, which would exclude a stored 0.2000.
    min_saving = None if query.min_saving is None else Decimal(str(query.min_saving))
    if min_saving is not None and not (Decimal(0) <= min_saving < 1):
        raise QueryError("最低优惠幅度应在 0 到 1 之间，如 0.1 表示至少九折")
    if query.retired not in RETIRED_CHOICES:
        raise QueryError(f"未知的下架筛选“{query.retired}”")
    if query.sort not in ("name", "saving"):
        raise QueryError(f"未知的排序方式“{query.sort}”")
    if query.radius_m is not None and not (query.radius_m > 0 and math.isfinite(query.radius_m)):
        raise QueryError("半径必须大于 0 米")
    if query.near is not None:
        check_near(query.near, districts)
    return codes, category_names, min_saving


EXPIRING_DAYS = 30


def validity_note(valid_to, today: dt.date | None = None) -> str | None:
    """已过期, or 12月15日到期 when the offer ends within EXPIRING_DAYS; None for an offer that runs on."""
    if not isinstance(valid_to, dt.date):
        return None
    today = today or dt.date.today()
    if valid_to < today:
        return "已过期"
    if (valid_to - today).days <= EXPIRING_DAYS:
        return f"{valid_to.month}月{valid_to.day}日到期"
    return None
