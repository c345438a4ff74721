"""Catalogue queries: which merchants match a member's filters, as a GeoDataFrame in a stable order."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal
from typing import Sequence

import geopandas as gpd
import pandas as pd

from app.command_line import QueryError  # noqa: F401 - raised here, caught by callers importing it from here
from app.geo.distances import bounding_box, distances_m
from app.geo.districts import WGS84, DistrictIndex
from app.merchants.categories import resolve_category
from app.merchants.rows import QUERY_FIELDS, RECORD_FIELDS, RETIRED_CHOICES, fetch_rows, merchant_query
from app.store import Store

COLUMNS = (*RECORD_FIELDS, "max_saving", "offer_headline", "rules_json", "revision", "retired_on", "retired_reason", "district")


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


def empty_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=[], crs=WGS84)


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


def search(store: Store, districts: DistrictIndex, query: MerchantQuery = MerchantQuery()) -> gpd.GeoDataFrame:
    """Merchants matching `query`. Sorted by distance when `near` is given, else by pinyin name then id."""
    codes, category_names, min_saving = checked_query(query, districts)
    bbox = bounding_box(*query.near, query.radius_m) if query.near and query.radius_m else None
    stmt = merchant_query(
        district_codes=codes, categories=category_names, text=(query.text or "").strip() or None, bbox=bbox, ids=query.ids,
        min_saving=min_saving, retired=query.retired, valid_on=query.valid_on,
    )
    rows = fetch_rows(store, stmt)
    if not rows:
        frame = empty_frame()
        if query.near:
            frame["distance_m"] = pd.Series(dtype=float)
        return frame
    df = pd.DataFrame.from_records(rows, columns=list(QUERY_FIELDS))
    df["district"] = df["district_code"].map(lambda c: districts.name(c))
    df["max_saving"] = df["max_saving"].map(lambda v: None if v is None else float(v)).astype(float)
    frame = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df["lon"], df["lat"]), crs=WGS84)
    if query.near and query.radius_m:
        frame["distance_m"] = distances_m(frame["lon"].to_numpy(), frame["lat"].to_numpy(), query.near)
        frame = frame[frame["distance_m"] <= query.radius_m]
        frame = frame.sort_values(["distance_m", "id"], kind="stable")
    elif query.sort == "saving":
        frame = frame.sort_values(["max_saving", "name_pinyin", "id"], ascending=[False, True, True],
                                  kind="stable", na_position="last")
    else:
        frame = frame.sort_values(["name_pinyin", "id"], kind="stable")
    return frame.drop(columns="name_pinyin").reset_index(drop=True)


def district_mismatches(store: Store, districts: DistrictIndex) -> pd.DataFrame:
    """Merchants whose stated district is not where their location lies (spatial join over all)."""
    frame = search(store, districts)
    if frame.empty:
        return pd.DataFrame(columns=["id", "name", "district", "located_district"])
    located = districts.locate(frame["lon"].to_numpy(), frame["lat"].to_numpy())
    frame = frame.assign(located_code=located)
    bad = frame[frame["located_code"].notna() & (frame["located_code"] != frame["district_code"])]
    out = bad[["id", "name", "district"]].copy()
    out["located_district"] = bad["located_code"].map(districts.name)
    return out.reset_index(drop=True)


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


def drop_expired(frame: gpd.GeoDataFrame, today: dt.date | None = None) -> tuple[gpd.GeoDataFrame, int]:
    """The merchants whose offer has not ended before `today`, and how many were left out (flyers and
    exports hand out only offers a member can still use, unless staff ask for the expired ones)."""
    if frame.empty:
        return frame, 0
    today = today or dt.date.today()
    expired = frame["valid_to"].map(lambda d: isinstance(d, dt.date) and d < today).astype(bool)
    return frame[~expired].reset_index(drop=True), int(expired.sum())


def in_order(frame: gpd.GeoDataFrame, ids: Sequence[str]) -> gpd.GeoDataFrame:
    """`frame`'s rows in the order of `ids` (a named list's order); ids not in the frame are skipped."""
    if frame.empty:
        return frame
    rank = {mid: i for i, mid in enumerate(ids)}
    order = frame["id"].map(rank)
    return frame.assign(_rank=order).sort_values("_rank", kind="stable").drop(columns="_rank").reset_index(drop=True)
