"""The in-memory catalogue index answers every filter exactly as the catalogue's SQL search does
(same merchants, same order, same distances), and notices when the catalogue changes (issue 16)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert

from app.merchants.catalogue import MerchantQuery, QueryError, search
from app.merchants.catalogue_index import CatalogueIndex, fingerprint
from app.merchants.categories import CATEGORY_NAMES
from app.merchants.curation import add_merchant, load, retire
from app.merchants.fields import MerchantRecord
from app.merchants.pinyin_index import pinyin_keys
from app.merchants.rows import rules_columns
from app.seed import open_seeded_store
from app.store import Store
from app.store.models import Merchant

NAMES = ["KFC汉街店", "kfc光谷店", "中百仓储", "中百超市", "好药师大药房", "精益眼镜", "Costa咖啡", "百分百_美发", "100%果汁"]
OFFERS = ["全场9折", "全场8.5折，酒水除外", "满100减20", "", "凭卡9折（周三会员日8折）", "门票免费"]
CENTRES = [(114.39, 30.63), (114.31, 30.55), (114.27, 30.58)]
TODAY = dt.date(2026, 11, 29)


@pytest.fixture(scope="module")
def catalogue(tmp_path_factory):
    """The seed merchants and 400 varied ones: every district, category, validity and retirement."""
    path = tmp_path_factory.mktemp("index") / "index.sqlite"
    store, districts = open_seeded_store(f"sqlite:///{path}")
    rng = random.Random(16)
    codes = districts.codes
    rows = []
    for i in range(400):
        name = rng.choice(NAMES) + (str(i % 7) if i % 3 else "")
        offer = rng.choice(OFFERS)
        full, initials = pinyin_keys(name)
        lon, lat = rng.uniform(114.1, 114.6), rng.uniform(30.4, 30.8)
        rows.append({
            "id": f"ix-{i:03d}" if i % 5 else f"IX-{i:03d}", "name": name, "category": rng.choice(CATEGORY_NAMES),
            "district_code": rng.choice([*codes, None]) if i % 11 else None, "offer": offer,
            "lon": round(lon, 6), "lat": round(lat, 6), "name_pinyin": full, "name_initials": initials,
            "valid_to": rng.choice([None, None, TODAY - dt.timedelta(days=3), TODAY, TODAY + dt.timedelta(days=40)]),
            "retired_on": TODAY if i % 13 == 0 else None, "retired_reason": "停业" if i % 13 == 0 else None,
            **rules_columns(offer),
        })
    with store.session() as s:
        s.execute(insert(Merchant), rows)
    yield store, districts, CatalogueIndex.load(store, districts)
    store.close()


TEXTS = [None, "", "KFC", "kfc", "药房", "zb", "ZB", "zhongbai", "9折", "%", "_", "酒水", "  中百 ", "KFC光谷", "costa咖啡"]

queries = st.builds(
    MerchantQuery,
    districts=st.lists(st.sampled_from(["青山区", "武昌", "Hongshan", "420102", "江汉区"]), max_size=2).map(tuple),
    categories=st.lists(st.sampled_from(["餐饮", "医", "购物", "生活服务", "游"]), max_size=2).map(tuple),
    text=st.sampled_from(TEXTS),
    near=st.sampled_from([None, *CENTRES]),
    min_saving=st.sampled_from([None, 0, 0.1, 0.15, 0.2]),
    sort=st.sampled_from(["name", "saving"]),
    retired=st.sampled_from(["exclude", "include", "only"]),
    valid_on=st.sampled_from([None, TODAY]),
    ids=st.sampled_from([(), ("qs-01", "ix-001", "IX-005", "nobody")]),
).map(lambda q: q if q.near is None else MerchantQuery(**{**q.__dict__, "radius_m": 3000.0}))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_the_index_answers_as_the_sql_search_does(catalogue, query):
    store, districts, index = catalogue
    expected = search(store, districts, query)
    got = index.select(districts, query)
    assert [index.ids[p] for p in got.positions] == expected["id"].tolist()
    if query.near is not None:
        assert got.distances.tolist() == expected["distance_m"].tolist()
    assert index.district_counts(got) == expected["district_code"].dropna().value_counts().to_dict()


@pytest.mark.parametrize("text", TEXTS)
def test_text_search_folds_ascii_case_as_the_catalogue_does(catalogue, text):
    store, districts, index = catalogue
    query = MerchantQuery(text=text, retired="include")
    expected = search(store, districts, query)["id"].tolist()
    assert [index.ids[p] for p in index.select(districts, query).positions] == expected


def test_the_index_refuses_what_the_search_refuses(catalogue):
    store, districts, index = catalogue
    for query in (MerchantQuery(districts=("火星区",)), MerchantQuery(min_saving=1.5),
                  MerchantQuery(near=(30.6, 114.3), radius_m=1000)):
        with pytest.raises(QueryError) as sql:
            search(store, districts, query)
        with pytest.raises(QueryError) as memory:
            index.select(districts, query)
        assert str(memory.value) == str(sql.value)


def test_writes_through_the_store_are_counted_and_others_are_fingerprinted(tmp_path):
    store, districts = open_seeded_store(f"sqlite:///{tmp_path / 'c.sqlite'}")
    index = CatalogueIndex.load(store, districts)
    assert index.generation == store.catalogue_generation
    store.get_meta("anything")                       # a read, and a write elsewhere, change nothing
    assert store.catalogue_generation == index.generation
    merchant = load(store, "qs-01")
    retire(store, districts, "qs-01", merchant.revision, reason="停业", on=TODAY, author="测试")
    assert store.catalogue_generation == index.generation + 1
    assert CatalogueIndex.load(store, districts).retired[CatalogueIndex.load(store, districts).position("qs-01")]

    # Another program (a second connection) adds a merchant: this store did not see it written,
    # the fingerprint does.
    other = Store(store.url)
    before = fingerprint(store)
    record = MerchantRecord("new-1", "新开小馆", "餐饮", "420107", 114.39, 30.63, offer="9折")
    assert add_merchant(other, districts, record, author="别人").saved
    other.close()
    assert fingerprint(store) != before
    store.close()
