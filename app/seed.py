"""Opening the product's database: migrate it, and fill a brand-new one with the bundled data once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from app.bundled import districts_geojson, merchants_geojson
from app.discounts.offer_parser import PARSER_VERSION
from app.geo.districts import DistrictIndex, save_districts
from app.store import Store, migrate
from app.store.database import default_url, first_start_lock
from app.store.models import District

SEEDED_KEY = "merchants_seeded_at"
PARSER_KEY = "offer_parser_version"


class SeedError(RuntimeError):
    """The bundled data itself is broken: a packaging bug, not something a user did."""


def open_seeded_store(url: str | None = None) -> tuple[Store, DistrictIndex]:
    """Open the database at `url` (default: UNIONCARD_DB or the user's SQLite file), migrated and seeded.

    Districts are loaded whenever the table is empty; merchants only on the very first open, so a
    catalogue whose staff deleted every merchant is not refilled behind their backs.
    """
    store = Store(url or default_url())
    with first_start_lock(store.engine):
        return _migrated_and_seeded(store)


def _migrated_and_seeded(store: Store) -> tuple[Store, DistrictIndex]:
    migrate(store.engine)
    # An opened, seeded database costs a few small queries: the districts are read (and geopandas
    # imported) only when a command asks about them.
    districts = DistrictIndex.from_store(store, deferred=True)
    with store.session() as s:
        has_districts = s.scalar(select(func.count()).select_from(District)) > 0
    if not has_districts:
        districts = DistrictIndex.from_geojson(districts_geojson())
        save_districts(store, districts)
    if store.get_meta(SEEDED_KEY) is None:
        from app.merchants.importer import import_into_store
        from app.merchants.review import approve
        from app.merchants.rows import count_merchants

        if count_merchants(store) == 0:
            report = import_into_store(store, districts, merchants_geojson(), duplicates="keep")
            if not report.written:
                raise SeedError("; ".join(str(p) for p in report.problems))
            approve(store, None, author="system")   # the bundled list is the union's published one
        with store.session() as s:
            store.set_meta(s, SEEDED_KEY, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    if store.get_meta(PARSER_KEY) != PARSER_VERSION:
        from app.merchants.rows import reparse_all_offers

        reparse_all_offers(store)
        with store.session() as s:
            store.set_meta(s, PARSER_KEY, PARSER_VERSION)
    return store, districts
