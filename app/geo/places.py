"""Places a member can type for 附近: Wuhan's districts and, from the bundled GeoNames extract, its
街道, 镇 and 乡 (see maps/tools/build_places.py). Offline: nothing is looked up on a server."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from app.geo.districts import DistrictIndex


@dataclass(frozen=True)
class Place:
    name: str            # 关山街道, 青山区
    kind: str            # 区, 街道, 镇, 乡, 地名
    district: str        # the district's name (青山区)
    lon: float           # WGS84
    lat: float
    aliases: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """What the member sees in the suggestions and as the 附近 centre."""
        return self.name if self.kind == "区" else f"{self.name}（{self.district}）"

    def keys(self) -> tuple[str, ...]:
        return (self.name, self.label, *self.aliases)


def _fold(text: str) -> str:
    """Matching key: width-folded (ＧＵＡＮ, full-width spaces), accents off (Xin’andu), case-folded."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


class Gazetteer:
    """The districts first (a district's centre is a point inside it), then the smaller places."""

    def __init__(self, places: list[Place]):
        self.places = places
        self._keys = [tuple(dict.fromkeys(_fold(k) for k in p.keys() if _fold(k))) for p in places]

    @classmethod
    def load(cls, districts: DistrictIndex, path: Path) -> Gazetteer:
        places = []
        for name, pinyin, geometry in zip(districts.frame["name"], districts.frame["pinyin"], districts.frame.geometry):
            centre = geometry.centroid if geometry.contains(geometry.centroid) else geometry.representative_point()
            places.append(Place(name, "区", name, round(centre.x, 5), round(centre.y, 5),
                                (name.removesuffix("区"), pinyin)))
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in data["places"]:
            places.append(Place(item["name"], item["kind"], districts.name(item["district"]) or "",
                                item["lon"], item["lat"], (*item["aliases"], item["pinyin"])))
        return cls(places)

    def _ranked(self, text: str) -> list[tuple[int, Place]]:
        """(rank, place) for every place the text matches, best first: 0 its name or an alias, 1 one
        starting with the text, 2 one containing it; places of a rank in gazetteer order."""
        query = _fold(text)
        if not query:
            return []
        ranked = []
        for order, (place, keys) in enumerate(zip(self.places, self._keys)):
            if query in keys:
                rank = 0
            elif any(k.startswith(query) for k in keys):
                rank = 1
            elif any(query in k for k in keys):
                rank = 2
            else:
                continue
            ranked.append((rank, order, place))
        return [(rank, place) for rank, _order, place in sorted(ranked, key=lambda r: r[:2])]

    def find(self, text: str, limit: int = 10) -> list[Place]:
        """Places whose name or alias is the text, starts with it, or contains it, in that order."""
        return [place for _rank, place in self._ranked(text)][:limit]

    def locate(self, text: str) -> Place | None:
        """The one place the text names: its only exact match, or the only place it matches at all.
        None when it names none or several (三店 is in 东西湖区 and in 新洲区): the member picks."""
        ranked = self._ranked(text)
        exact = [place for rank, place in ranked if rank == 0]
        if len(exact) == 1:
            return exact[0]
        return ranked[0][1] if len(ranked) == 1 else None


def bundled_gazetteer(districts: DistrictIndex | None = None) -> Gazetteer:
    """The gazetteer shipped with the product, over the given (or the bundled) district boundaries."""
    from app.bundled import districts_geojson, places_json

    return Gazetteer.load(districts or DistrictIndex.from_geojson(districts_geojson()), places_json())
