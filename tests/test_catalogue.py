"""Catalogue queries, on SQLite and PostgreSQL alike."""

import pytest
from pyproj import Geod

from app.merchants.catalogue import MerchantQuery, QueryError, search

GEOD = Geod(ellps="WGS84")


def names(frame):
    return list(frame["name"])


def test_everything_comes_back_as_a_geodataframe_in_pinyin_order(seeded):
    store, districts = seeded
    frame = search(store, districts)
    assert len(frame) == 12
    assert frame.crs.to_epsg() == 4326
    assert names(frame)[:3] == ["慈铭健康体检中心", "好药师大药房", "湖北中联大药房"]
    assert names(frame)[-1] == "中百仓储"
    assert list(search(store, districts)["id"]) == list(frame["id"])  # stable


@pytest.mark.parametrize("spelling", ["青山区", "青山", "Qingshan", "qingshan", "420107"])
def test_district_accepts_every_spelling(seeded, spelling):
    store, districts = seeded
    assert len(search(store, districts, MerchantQuery(districts=(spelling,)))) == 12


def test_other_districts_are_empty_and_unknown_ones_refused(seeded):
    store, districts = seeded
    assert search(store, districts, MerchantQuery(districts=("江岸区",))).empty
    with pytest.raises(QueryError, match="火星区"):
        search(store, districts, MerchantQuery(districts=("火星区",)))
    with pytest.raises(QueryError, match="宠物"):
        search(store, districts, MerchantQuery(categories=("宠物",)))


def test_category_filter_and_aliases(seeded):
    store, districts = seeded
    assert set(names(search(store, districts, MerchantQuery(categories=("餐饮",))))) == {"丽华园酒店", "艳阳天酒店"}
    assert len(search(store, districts, MerchantQuery(categories=("医疗服务类",)))) == 4
    assert len(search(store, districts, MerchantQuery(categories=("医", "生活服务")))) == 6


@pytest.mark.parametrize(
    "text, expected",
    [
        ("zbcc", ["中百仓储"]),          # pinyin initials
        ("ZBCC", ["中百仓储"]),
        ("zhongbai", ["中百仓储"]),      # full pinyin
        ("眼镜", ["精益眼镜"]),           # name
        ("血压", ["好药师大药房"]),       # offer text
        ("%", ["武东医院"]),             # LIKE wildcards are literal: only 优惠20% has one
        ("_", []),
    ],
)
def test_text_search(seeded, text, expected):
    store, districts = seeded
    assert names(search(store, districts, MerchantQuery(text=text))) == expected


def test_near_is_sorted_by_true_distance_in_metres(seeded):
    store, districts = seeded
    centre = (114.390, 30.630)
    frame = search(store, districts, MerchantQuery(near=centre, radius_m=1500))
    assert len(frame) == 4
    assert list(frame["distance_m"]) == sorted(frame["distance_m"])
    for _, row in frame.iterrows():
        geodesic = GEOD.inv(centre[0], centre[1], row["lon"], row["lat"])[2]
        assert row["distance_m"] == pytest.approx(geodesic, rel=2e-3)
        assert row["distance_m"] <= 1500
    # One metre short of the nearest merchant, nothing is near.
    nearest = frame["distance_m"].iloc[0]
    assert search(store, districts, MerchantQuery(near=centre, radius_m=nearest - 1)).empty


def test_near_needs_a_radius(seeded):
    store, districts = seeded
    with pytest.raises(QueryError):
        search(store, districts, MerchantQuery(near=(114.39, 30.63)))
    with pytest.raises(QueryError):
        search(store, districts, MerchantQuery(near=(114.39, 30.63), radius_m=0))


def test_filters_combine(seeded):
    store, districts = seeded
    q = MerchantQuery(districts=("青山区",), categories=("购物",), text="9.8折")
    assert set(names(search(store, districts, q))) == {"武商量贩", "中百仓储", "苏宁电器"}
