"""Catalogue queries: which merchants match a member's filters, as a GeoDataFrame in a stable order."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import geopandas as gpd
import pandas as pd

from app.command_line import QueryError  # noqa: F401 - raised here, caught by callers importing it from here
from app.geo.distances import bounding_box, distances_m
from app.geo.districts import WGS84, DistrictIndex
from app.merchants.query import (  # noqa: F401 - the catalogue's query API, re-exported for its callers
    EXPIRING_DAYS,
    MerchantQuery,
    check_near,
    checked_query,
    resolve_names,
    validity_note,
)
from app.merchants.rows import QUERY_FIELDS, RECORD_FIELDS, fetch_rows, merchant_query
from app.store import Store

COLUMNS = (*RECORD_FIELDS, "max_saving", "offer_headline", "rules_json", "revision", "retired_on", "retired_reason", "district")


def empty_frame() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame({c: [] for c in COLUMNS}, geometry=[], crs=WGS84)


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
