"""The whole catalogue in memory, column by column, so a filter change is a few array operations.

The explorer asks the same question on every click (which merchants match these filters?), and a
SQL query answering it with full rows costs a second at 100,000 merchants. The index reads the
columns the filters and the list need once, in the catalogue's order (pinyin name, then id), and
answers each query with positions into those columns in a few milliseconds. It answers exactly as
`catalogue.search` does (tests/test_catalogue_index.py holds the two to the same ids and order);
full rows are still read from the store, for the merchant shown and for exports.

It is reloaded when the catalogue changes: `Store.catalogue_generation` counts committed writes to
merchants made through this process, and `fingerprint` notices other processes' (another staff
member's on a shared PostgreSQL catalogue, a command-line import).
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate

import numpy as np
from sqlalchemy import func, select

from app.geo.districts import DistrictIndex
from app.merchants.pinyin_index import is_pinyin_query
from app.merchants.query import MerchantQuery, checked_query
from app.store import Store
from app.store.models import Merchant

_FIELDS = ("id", "name", "category", "district_code", "lon", "lat", "max_saving", "offer_headline",
           "retired_on", "valid_to", "offer", "name_pinyin", "name_initials", "location_approximate")
# SQLite's LIKE folds ASCII letters only; so does the index, to answer as the catalogue does.
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _stamp(session) -> tuple:
    table = Merchant.__table__
    return tuple(session.execute(select(func.count(), func.sum(table.c.revision), func.max(table.c.updated_at))).one())


def fingerprint(store: Store) -> tuple:
    """What changes whenever a merchant is added, edited, retired or deleted, by anyone."""
    with store.session() as s:
        return _stamp(s)


@dataclass(frozen=True)
class Selection:
    """The merchants matching a query: positions into the index, in the result's order."""

    positions: np.ndarray                 # int64
    distances: np.ndarray | None = None   # metres, beside positions, for a "near" query

    def __len__(self) -> int:
        return len(self.positions)


class CatalogueIndex:
    """Columns of every merchant (retired ones included), sorted by pinyin name then id."""

    def __init__(self, rows: list[tuple], districts: DistrictIndex, generation: int = 0, stamp: tuple = ()):
        self.generation = generation     # the store's catalogue_generation it was read at
        self.stamp = stamp               # the catalogue's fingerprint it was read at
        columns = list(zip(*rows)) if rows else [()] * len(_FIELDS)
        data = {name: np.array(values, dtype=object) for name, values in zip(_FIELDS, columns)}
        order = np.lexsort((data["id"].astype(str), data["name_pinyin"].astype(str)))
        data = {name: values[order] for name, values in data.items()}

        self.ids: list[str] = data["id"].tolist()
        self.names: list[str] = data["name"].tolist()
        self.headlines: list[str | None] = data["offer_headline"].tolist()
        self.lon = data["lon"].astype(np.float64)
        self.lat = data["lat"].astype(np.float64)
        saving = data["max_saving"]
        saving[saving == None] = np.nan  # noqa: E711 - elementwise
        self.saving = saving.astype(np.float64)
        self.retired = data["retired_on"] != None  # noqa: E711 - elementwise
        self.approximate = data["location_approximate"].astype(bool)   # placed roughly: distances are 约
        self.valid_to = np.array(data["valid_to"].tolist(), dtype="datetime64[D]")
        self._stored_category = data["category"]
        # Categories as small numbers for the filter (comparing 100,000 strings costs more).
        self._category_values, self._category_number = np.unique(self._stored_category.astype(str), return_inverse=True)
        self.categories: list[str] = self._stored_category.tolist()
        self.district_codes = list(districts.codes)   # sorted: a district's number sorts as its code
        self.district_names = {code: districts.name(code) for code in self.district_codes}
        district_of = {code: i for i, code in enumerate(self.district_codes)}
        self.district = np.array([district_of.get(c, -1) for c in data["district_code"].tolist()], dtype=np.int16)
        self._offers = data["offer"]
        self._keys = (data["name_pinyin"], data["name_initials"])
        self._text: _Haystack | None = None      # built on the first text search
        self._pinyin: _Haystack | None = None
        self._position = {mid: i for i, mid in enumerate(self.ids)}
        self._valid_to_dates: list[dt.date | None] | None = None   # for the list, built when first shown

    @classmethod
    def load(cls, store: Store, districts: DistrictIndex) -> CatalogueIndex:
        generation = store.catalogue_generation
        table = Merchant.__table__
        with store.consistent_read() as s:
            stamp = _stamp(s)
            # The driver's rows as they come: SQLAlchemy's row objects and type conversions take as long
            # again as the query for 100,000 merchants. Dates may come as text (SQLite) and savings as
            # float; numpy reads both.
            rows = s.connection().execute(select(*(table.c[f] for f in _FIELDS))).cursor.fetchall()
        return cls(rows, districts, generation, stamp)

    def __len__(self) -> int:
        return len(self.ids)

    def position(self, merchant_id: str) -> int | None:
        return self._position.get(merchant_id)

    def category_of(self, position: int) -> str:
        return self._stored_category[position]

    def district_code(self, position: int) -> str | None:
        i = int(self.district[position])
        return self.district_codes[i] if i >= 0 else None

    def valid_to_of(self, position: int) -> dt.date | None:
        if self._valid_to_dates is None:
            self._valid_to_dates = self.valid_to.astype(object).tolist()   # NaT becomes None
        return self._valid_to_dates[position]

    # ---------------------------------------------------------------- queries

    def select(self, districts: DistrictIndex, query: MerchantQuery = MerchantQuery()) -> Selection:
        """The merchants `search(store, districts, query)` returns, in its order (QueryError as it raises)."""
        codes, category_names, min_saving = checked_query(query, districts)
        mask = np.ones(len(self.ids), dtype=bool)
        if query.retired == "exclude":
            mask &= ~self.retired
        elif query.retired == "only":
            mask &= self.retired
        if query.valid_on is not None:
            mask &= np.isnat(self.valid_to) | (self.valid_to >= np.datetime64(query.valid_on, "D"))
        if codes:
            mask &= np.isin(self.district, self._district_numbers(codes))
        if category_names:
            wanted = np.flatnonzero(np.isin(self._category_values, category_names))
            mask &= np.isin(self._category_number, wanted)
        if query.ids:
            chosen = np.zeros(len(self.ids), dtype=bool)
            chosen[[p for p in map(self._position.get, query.ids) if p is not None]] = True
            mask &= chosen
        text = (query.text or "").strip()
        if text:
            mask &= self._text_matches(text, mask)
        if min_saving is not None:
            with np.errstate(invalid="ignore"):
                mask &= self.saving >= float(min_saving)
        if query.near is not None and query.radius_m:
            return self._near(mask, query.near, query.radius_m)
        positions = np.flatnonzero(mask)
        if query.sort == "saving":
            saving = np.where(np.isnan(self.saving[positions]), -np.inf, self.saving[positions])
            positions = positions[np.argsort(-saving, kind="stable")]
        return Selection(positions)

    def prepare_text(self) -> None:
        """Build what text search reads (a fraction of a second per 100,000 merchants); done on first
        search, or ahead of it by whoever reads the index off the GUI thread."""
        if self._text is None:
            names, offers = self.names, self._offers.tolist()
            pinyin, initials = (k.tolist() for k in self._keys)
            # Each haystack is one string, a row per \x01-separated part, so one C-speed `find` walks it.
            self._pinyin = _Haystack([f"{p or ''}\x00{i or ''}" for p, i in zip(pinyin, initials)])
            self._text = _Haystack([f"{n}\x00{o or ''}".translate(_ASCII_LOWER) for n, o in zip(names, offers)])

    def _text_matches(self, text: str, within: np.ndarray) -> np.ndarray:
        self.prepare_text()
        needle = text.translate(_ASCII_LOWER)
        compact = text.replace(" ", "").lower()
        found = self._text.rows_with(needle, within)
        if is_pinyin_query(compact):
            found |= self._pinyin.rows_with(compact, within)
        return found & within

    def _near(self, mask: np.ndarray, centre: tuple[float, float], radius_m: float) -> Selection:
        from app.geo.distances import bounding_box, distances_m

        west, south, east, north = bounding_box(*centre, radius_m)
        mask = mask & (self.lon >= west) & (self.lon <= east) & (self.lat >= south) & (self.lat <= north)
        positions = np.flatnonzero(mask)
        distances = distances_m(self.lon[positions], self.lat[positions], centre)
        keep = distances <= radius_m
        positions, distances = positions[keep], distances[keep]
        order = np.lexsort((np.array([self.ids[p] for p in positions], dtype=str), distances))
        return Selection(positions[order], distances[order])

    def district_counts(self, selection: Selection) -> dict[str, int]:
        """Matching merchants per district code (districts with none left out)."""
        counts = np.bincount(self.district[selection.positions].astype(np.int64) + 1,
                             minlength=len(self.district_codes) + 1)[1:]
        return {code: int(n) for code, n in zip(self.district_codes, counts) if n}

    def in_districts(self, selection: Selection, codes: list[str] | tuple[str, ...]) -> Selection:
        """The part of `selection` in these districts, in the same order."""
        if not codes:
            return selection
        keep = np.isin(self.district[selection.positions], self._district_numbers(codes))
        distances = None if selection.distances is None else selection.distances[keep]
        return Selection(selection.positions[keep], distances)

    def _district_numbers(self, codes) -> list[int]:
        return [self.district_codes.index(c) for c in codes if c in self.district_codes]

    def mask_of(self, selection: Selection) -> np.ndarray:
        mask = np.zeros(len(self.ids), dtype=bool)
        mask[selection.positions] = True
        return mask


class _Haystack:
    """Rows of text, searched for a needle: one string for a rare needle, row by row for a common one."""

    def __init__(self, rows: list[str]):
        self.rows = rows
        self.text = "\x01".join(rows)
        self.starts = list(accumulate((len(r) + 1 for r in rows[:-1]), initial=0)) if rows else []

    def rows_with(self, needle: str, within: np.ndarray) -> np.ndarray:
        """Which rows (of those `within`) contain `needle`, which holds no separator."""
        found = np.zeros(len(self.rows), dtype=bool)
        if not needle or "\x00" in needle or "\x01" in needle:
            return found
        text, starts = self.text, self.starts
        if text.count(needle) > len(self.rows) // 16:
            # Common (9折, a single letter): asking each row is quicker than visiting every hit.
            rows = self.rows
            for i in np.flatnonzero(within).tolist():
                if needle in rows[i]:
                    found[i] = True
            return found
        at = text.find(needle)
        while at >= 0:
            row = bisect_right(starts, at) - 1
            found[row] = True
            if row + 1 >= len(starts):
                break
            at = text.find(needle, starts[row + 1])   # on to the next row: one hit per row is enough
        return found
