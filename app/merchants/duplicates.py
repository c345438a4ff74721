"""Possible duplicate merchants: near-same names close together, or the same phone number.

Names are compared after folding what does not tell two shops apart (spaces, punctuation, Traditional
vs Simplified characters, a branch suffix such as 分店 or （江汉路店）), by rapidfuzz on the characters
and on the pinyin, so 户部巷小吃城 and 戶部巷小吃城分店 match. Only merchants within about 150 m are
compared by name: a spatial grid keeps that linear in the number of merchants.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Iterable, Sequence

from rapidfuzz import fuzz

from app.merchants.pinyin_index import pinyin_keys
from app.text_encoding import to_simplified

RADIUS_M = 150.0
NAME_SCORE = 85.0          # rapidfuzz ratio (0-100) at or above which two names are "near-same"
_M_PER_DEG_LAT = 110_574.0
_BRANCH = re.compile(r"[(（【\[][^)）】\]]*(?:店|分店|分部|门店|旗舰店|院区|分院)[)）】\]]$")
_SUFFIX = re.compile(r"(?:总店|分店|旗舰店|专卖店|门店|店)$")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Candidate:
    """One place a staff member should look at: two merchants that may be the same shop."""

    first_id: str
    second_id: str
    reason: str              # "name" (near-same name nearby) or "phone" (same number)
    score: float             # name similarity 0-100 (100 for a shared phone)
    distance_m: float

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.first_id, self.second_id)

    def to_json(self) -> dict:
        return {"first_id": self.first_id, "second_id": self.second_id, "reason": self.reason,
                "score": round(self.score, 1), "distance_m": round(self.distance_m, 1)}


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    lon: float
    lat: float
    phone: str | None = None


def pair_key(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


@lru_cache(maxsize=65_536)
def normalise_name(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).strip()
    text = to_simplified(text)
    text = _BRANCH.sub("", text)
    text = _NOT_WORD.sub("", text).lower()
    stripped = _SUFFIX.sub("", text)
    return stripped or text


def phone_key(phone: str | None) -> str | None:
    """The digits of a phone number without country or area prefix; None when too short to mean anything."""
    if not phone:
        return None
    digits = re.sub(r"\D", "", unicodedata.normalize("NFKC", phone))
    digits = re.sub(r"^(?:0086|86)(?=1\d{10}$)", "", digits)
    digits = re.sub(r"^027(?=\d{8}$)", "", digits)
    return digits if len(digits) >= 7 else None


def name_score(a: str, b: str) -> float:
    na, nb = normalise_name(a), normalise_name(b)
    if not na or not nb:
        return 0.0
    if na == nb:
        return 100.0
    return max(fuzz.ratio(na, nb), fuzz.ratio(pinyin_keys(na)[0], pinyin_keys(nb)[0]))


def distance_m(a: Place, b: Place) -> float:
    """Metres on a local flat approximation: exact enough for comparing with 150 m."""
    dy = (a.lat - b.lat) * _M_PER_DEG_LAT
    dx = (a.lon - b.lon) * _M_PER_DEG_LAT * math.cos(math.radians((a.lat + b.lat) / 2))
    return math.hypot(dx, dy)


def find_candidates(places: Sequence[Place], against: Sequence[Place] = (), *, radius_m: float = RADIUS_M,
                    dismissed: Iterable[tuple[str, str]] = ()) -> list[Candidate]:
    """Pairs among `places`, and between `places` and `against` (existing merchants), best first.

    With `against` empty, every pair within `places` is considered (the review queue); otherwise
    only pairs that involve at least one of `places` (an import, a new merchant)."""
    skip = {pair_key(*p) for p in dismissed}
    pool = list(places) + [p for p in against if p.id not in {q.id for q in places}]
    new_ids = {p.id for p in places} if against else None
    cell_lat = radius_m / _M_PER_DEG_LAT
    # A degree of longitude shrinks towards the poles: size cells for the most northern place, so
    # any two places within the radius are in the same or neighbouring cells.
    widest = max((abs(p.lat) for p in pool), default=0.0)
    cell_lon = cell_lat / max(math.cos(math.radians(min(widest, 89.0))), 1e-6)
    grid: dict[tuple[int, int], list[int]] = defaultdict(list)
    for i, p in enumerate(pool):
        grid[(int(p.lon // cell_lon), int(p.lat // cell_lat))].append(i)
    found: dict[tuple[str, str], Candidate] = {}

    def consider(a: Place, b: Place, reason: str, score: float) -> None:
        key = pair_key(a.id, b.id)
        if a.id == b.id or key in skip:
            return
        if new_ids is not None and a.id not in new_ids and b.id not in new_ids:
            return
        old = found.get(key)
        if old is None or score > old.score:
            first, second = (a, b) if a.id == key[0] else (b, a)
            found[key] = Candidate(first.id, second.id, reason, score, distance_m(a, b))

    for (cx, cy), members in grid.items():
        neighbours = [j for dx in (-1, 0, 1) for dy in (-1, 0, 1) for j in grid.get((cx + dx, cy + dy), ())]
        for i in members:
            a = pool[i]
            for j in neighbours:
                if j <= i:
                    continue
                b = pool[j]
                if distance_m(a, b) > radius_m:
                    continue
                score = name_score(a.name, b.name)
                if score >= NAME_SCORE:
                    consider(a, b, "name", score)
    by_phone: dict[str, list[Place]] = defaultdict(list)
    for p in pool:
        key = phone_key(p.phone)
        if key:
            by_phone[key].append(p)
    for group in by_phone.values():
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if pair_key(a.id, b.id) not in found:
                    consider(a, b, "phone", 100.0)
    return sorted(found.values(), key=lambda c: (-c.score, c.distance_m, c.key))
