"""The eight merchant categories (吃住行医游购娱 + 生活服务) and every spelling staff use for them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Category:
    name: str          # the canonical Chinese name stored and shown: 餐饮
    code: str          # stable ASCII code for files and URLs: food
    letter: str        # the character of 吃住行医游购娱 (or 生活 for services)
    colour: str        # marker / pin colour, distinguishable in print and on screen
    aliases: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category("餐饮", "food", "吃", "#d9480f", ("餐饮类", "餐厅", "美食")),
    Category("住宿", "lodging", "住", "#5f3dc4", ("住宿类", "酒店住宿")),
    Category("出行", "transport", "行", "#1971c2", ("出行类", "交通")),
    Category("医疗", "medical", "医", "#c2255c", ("医疗服务类", "医疗类", "医疗服务", "医药")),
    Category("旅游", "travel", "游", "#2b8a3e", ("旅游类", "旅行")),
    Category("购物", "shopping", "购", "#e67700", ("商品购物类", "购物类", "商品购物")),
    Category("娱乐", "entertainment", "娱", "#0c8599", ("娱乐类", "休闲娱乐")),
    Category("生活服务", "services", "生活", "#495057", ("生活服务类", "服务", "生活")),
)

CATEGORY_NAMES: tuple[str, ...] = tuple(c.name for c in CATEGORIES)

_LOOKUP: dict[str, Category] = {}
for _c in CATEGORIES:
    for _key in (_c.name, _c.code, _c.letter, *_c.aliases):
        _LOOKUP[_key.casefold()] = _c


def resolve_category(text: str | None) -> Category | None:
    """The category a staff spelling means (餐饮, 餐饮类, 吃, food), or None if it names none."""
    if text is None:
        return None
    return _LOOKUP.get(str(text).strip().casefold())


def category_order(name: str) -> int:
    """Position in 吃住行医游购娱 order, for sorting; unknown names sort last."""
    return CATEGORY_NAMES.index(name) if name in CATEGORY_NAMES else len(CATEGORY_NAMES)
