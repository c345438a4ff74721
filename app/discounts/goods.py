"""What goods words mean: the class an offer's words name (烫染项目), the item a member types (烫发), and
whether one is in the other, from the vocabulary in item_classes.toml.

Two sides of one question. The parser asks `read_goods` what the words before a rate say: goods (烫染
项目 -> 烫染项目), everything (全场, 店内所有), or something that is not goods at all (折后满100元,
新客首次到店), which the parser must not take as a class. The calculator asks `fit` whether an item is
in a class: yes, no, or maybe when the vocabulary cannot place one of them — and a maybe is never
priced as a no or a yes without saying so.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal

VOCABULARY_FILE = Path(__file__).resolve().parent / "item_classes.toml"

Fit = Literal["yes", "no", "maybe"]


class NotGoods(ValueError):
    """The words before a rate are not a class of goods (a condition, a time, a threshold…)."""


@dataclass(frozen=True)
class Qualifier:
    word: str                      # 正价
    question: str                  # 是正价（非促销、非特价）
    ruled_out_by: tuple[str, ...]  # 促销, 特价: an item named so is not 正价
    default: bool = False          # an item that says nothing is so (正价) or is not known to be (首次)
    note: str = ""                 # said with every quote the clause prices: 特价、促销商品不参加
    said_by: tuple[str, ...] = ()  # words in an item's name that say it is so (首次: 第一次, 初次…)

    def said(self, item: str) -> bool:
        """The name says it (首次, 第一次…), and does not say the opposite (非首次 is no 首次, but it is a 老客)."""
        hits = [w for w in (self.word, *self.said_by) if w in item]
        return bool(hits) and not any(r in item and not any(r in h for h in hits) for r in self.ruled_out_by)


# Classes that, last in a compound, are what it is (保养工时费 is a 工时费, 温泉门票 a 门票).
_HEAD_CLASSES = frozenset({"门票", "套餐", "课程", "票", "卡", "健身卡"})
# What is sold, last in a class (游泳月卡, 温泉票, 钢琴课): an item of another form is not of the class.
_FORMS = frozenset({"月卡", "年卡", "季卡", "次卡", "周卡", "卡", "票", "门票", "课", "课程", "班", "券", "会员卡"})

# Suffixes that name a class without changing it: 烫染项目 is 烫染, 洗车服务 is 洗车, 洗车费 is 洗车.
GENERIC_SUFFIXES = ("类商品", "类产品", "全系列", "全系", "系列", "项目", "服务", "商品", "产品", "费用", "类", "费", "馆", "店", "中心")
_LIST_SPLIT = re.compile(r"[、,/／]|及|以及|和|与|或")


@dataclass(frozen=True)
class Vocabulary:
    covers: dict[str, tuple[str, ...]]
    qualifiers: tuple[Qualifier, ...]
    anything: frozenset[str]
    same: tuple[tuple[str, ...], ...] = ()     # words for one class (茶水 = 茶, 保健食品 = 保健品)
    heads: dict[str, str] = field(default_factory=dict)   # a last character that names the class (…串 -> 烤串)
    disputed: dict[str, tuple[str, ...]] = field(default_factory=dict)   # 海鲜: 小龙虾 (shops differ)
    not_under: dict[str, tuple[str, ...]] = field(default_factory=dict)  # 酒: 酒席 (spells it, is not one)

    def words_for(self, word: str) -> tuple[str, ...]:
        """The word and every class it names directly (河海鲜 -> 河海鲜, 河鲜, 海鲜)."""
        return (word, *self.covers.get(self.canonical(word), ()))

    @cached_property
    def _canonical(self) -> dict[str, str]:
        return {w: group[0] for group in self.same for w in group}

    def canonical(self, word: str) -> str:
        return self._canonical.get(word, word)

    @cached_property
    def _parents(self) -> dict[str, frozenset[str]]:
        parents: dict[str, set[str]] = {}
        for key, words in self.covers.items():
            for word in words:
                if self.canonical(word) != self.canonical(key):
                    parents.setdefault(self.canonical(word), set()).add(self.canonical(key))
        return {k: frozenset(v) for k, v in parents.items()}

    @cached_property
    def _known(self) -> frozenset[str]:
        """Every word the vocabulary places: a class, a word under one, or one of a group of synonyms."""
        return frozenset(self._parents) | {self.canonical(k) for k in self.covers} | frozenset(self._canonical)

    def known(self, word: str) -> bool:
        return self.canonical(word) in self._known or word in self._known

    def ancestors(self, word: str) -> frozenset[str]:
        """The word and every class above it (烫发 -> 烫发, 烫染, 美发)."""
        return self._reach(self.canonical(word), frozenset())

    def _reach(self, word: str, blocked: frozenset[str]) -> frozenset[str]:
        seen = {word}
        todo = [word]
        while todo:
            for parent in self._parents.get(todo.pop(), ()):
                if parent not in seen and parent not in blocked:
                    seen.add(parent)
                    todo.append(parent)
        return frozenset(seen)

    def place(self, name: str) -> tuple[frozenset[str], str]:
        """The vocabulary's classes a name stands for, and how they were found: "exact", itself or without
        a generic suffix (烫染项目 -> 烫染); "head", the longest known word it ends with (进口感冒药 ->
        感冒药: a Chinese noun's head comes last) or its last character (红烧肉 -> 肉 -> 菜品); "prefix",
        the longest it starts with (烫发套餐 -> 烫发), a guess. Empty ("") when nothing is known."""
        name = re.sub(r"\([^()]*\)", "", name).strip()
        if not name:
            return frozenset(), ""
        found = {self.canonical(name)} if self.known(name) else set()
        for suffix in GENERIC_SUFFIXES:
            core = name.removesuffix(suffix)
            if core != name and core and self.known(core):
                found.add(self.canonical(core))
                break
        if found:
            return frozenset(found), "exact"
        for n in range(len(name) - 1, 1, -1):
            if self.known(name[-n:]):
                return frozenset({self.canonical(name[-n:])}), "head"
        if name[-1] in "票券" and len(name) >= 3 and self.known(name[:-1]):
            return frozenset({self.canonical(name[:-1])}), "head"   # 话剧票: a ticket to a 话剧
        if name[-1] in self.heads:   # a single character: a wide guess (…衣 is any garment)
            return frozenset({self.canonical(self.heads[name[-1]])}), "char"
        for n in range(len(name) - 1, 1, -1):
            if self.known(name[:n]):   # 烫发套餐 -> 烫发, but 咖啡豆 is not 咖啡: never more than a maybe
                return frozenset({self.canonical(name[:n])}), "prefix"
        return frozenset(), ""

    def qualified(self, applies_to: str) -> tuple[Qualifier, str] | None:
        """(qualifier, the class it narrows) for 正价套系 -> (正价, 套系); None when unqualified."""
        for q in self.qualifiers:
            if applies_to.startswith(q.word):
                return q, applies_to[len(q.word):]
        return None

    def fit(self, cls: str, item: str) -> Fit:
        """Is the item (as the member typed it) in the class (as the offer names it)? A class written
        as a list (烫发、染发) holds for each of its parts. A class with its items in brackets (理疗项目
        （针灸、推拿、拔罐）) holds for those; for the rest of the class it may or may not."""
        if m := re.fullmatch(r"(.*?)\(([^()]+)\)(.*)", cls):
            listed = self.fit(m.group(2), item)
            outside = (m.group(1) + m.group(3)).strip()
            if listed == "yes" or (outside and (outside in item or item in outside
                                                or self.canonical(item) == self.canonical(outside))):
                return "yes"   # 洗牙（超声波洁治+抛光）; 酒席 under 宴席（婚宴、寿宴）: another word for the class itself
            outer = self.fit(m.group(1) + m.group(3), item) if (m.group(1) + m.group(3)).strip() else "no"
            return "maybe" if "yes" in (outer, listed) or "maybe" in (outer, listed) else "no"
        if (other := re.match(r"^(?:其他|其余|其它)(?=\S)", cls)) and cls not in EVERYTHING:
            # 其他维修项目 beside 小保养套餐: what else the shop does; a known item apart from 维修 may be one.
            inner = self.fit(cls[other.end():], item)
            return "maybe" if inner == "no" else inner
        parts = [p for p in _LIST_SPLIT.split(cls) if p] or [cls]
        if len(parts) > 1 and (head := self._fee_head(parts[-1])):
            # 保养、维修工时费 is 保养工时费 and 维修工时费; 钢琴、舞蹈、美术常规课程 are courses each
            parts = [p if p.endswith(head) else p + head for p in parts]
        fits = [self._fit_one(p, item) for p in parts]
        return "yes" if "yes" in fits else "maybe" if "maybe" in fits else "no"

    def _fee_head(self, last: str) -> str | None:
        """The fee or ticket a list's last part ends with (维修工时费 -> 工时费, 美术常规课程 -> 课程), or None."""
        for n in range(len(last) - 1, 0, -1):
            tail = last[-n:]
            if (tail.endswith("费") and n >= 2 or tail in _HEAD_CLASSES) and self.known(tail) and tail not in ("费", "票"):
                return tail
        return None

    def split(self, name: str) -> list[str]:
        """A name that is known words one after another (烫染护理 -> 烫染, 护理; 洗衣洗鞋 -> 洗衣, 洗鞋), or []:
        a class written as several classes run together."""
        best: dict[int, list[str]] = {0: []}
        for end in range(1, len(name) + 1):
            for start in range(max(0, end - 8), end - 1):
                if start in best and self.known(name[start:end]):
                    candidate = best[start] + [name[start:end]]
                    if end not in best or len(candidate) < len(best[end]):
                        best[end] = candidate
        words = best.get(len(name), [])
        return words if len(words) >= 2 else []

    def _fit_one(self, cls: str, item: str) -> Fit:
        if any(w == item or w in self.ancestors(item) for w in self.disputed.get(self.canonical(cls), ())):
            return "maybe"   # 小龙虾 is a 海鲜 in some shops and not in others
        if cls in item and not (cls != item and self._known_apart(cls, item)):
            return "yes"
        if {cls[:1], item[:1]} == {"大", "小"} and cls[1:] == item[1:]:
            return "no"    # 大家电 and 小家电: named as opposites
        if (words := self.split(cls)) and sorted(words) == sorted(self.split(item)):
            return "yes"   # 烤肉自助 and 自助烤肉: the same words the other way round
        if len(cls) >= 3 and len(item) > len(cls) and item.startswith(cls[:2]) and item.endswith(cls[2:]) \
                and not self.known(item):
            return "yes"   # 寒假游泳班 is a 寒假班, 洗车年卡 a 洗车卡: the class with a word inside it
        parts = self.split(cls) if not self.known(cls) else []
        if len(item) >= 2 and item in cls:
            return "yes"   # 洗澡 under 宠物洗澡: the shop's word for its own 洗澡 (an exclusion tells narrower kinds apart)
        if parts:
            # 2D影片 is a 影片 that is 2D (the last part, the head, is above another: the narrower says it);
            # 保养工时费 is a fee (a head that takes a modifier); 烫染护理 is 烫染 or 护理, and 洗衣洗鞋 is
            # 洗衣 or 洗鞋 (any of them).
            head = self.canonical(parts[-1])
            narrow = [p for p in parts[:-1] if head in self.ancestors(p)]
            if head in _FORMS:
                # 游泳月卡 is a 月卡 for 游泳: a 游泳票 is not one. 泡温泉 under 温泉票: the member names what the
                # ticket is for.
                form = self._fit_one(parts[-1], item)
                rest = [self._fit_one(p, item) for p in parts[:-1]]
                if head in ("票", "门票") and all(f == "yes" for f in rest):
                    return "yes"
                if form == "no" and not (head in ("票", "门票") and "票" not in item and "卡" not in item):
                    return "no"
            if head.endswith("费") or head in _HEAD_CLASSES:
                return self._fit_one(parts[-1], item)
            if narrow:
                fits = [self._fit_one(p, item) for p in narrow]
                return "yes" if all(f == "yes" for f in fits) else "no" if "no" in fits else "maybe"
            fits = [self._fit_one(p, item) for p in parts]
            if "yes" in fits:
                return "yes"
            if all(f == "no" for f in fits):
                return "no"
        (classes, cls_how), (items, item_how) = self.place(cls), self.place(item)
        if not classes or not items:
            return "maybe"
        if any(self.ancestors(i) & classes for i in items):
            # A class placed by a guess is wider than it says (皮衣 as …衣 is every garment; 参茸滋补品 is
            # some 滋补品), and an item placed by its prefix may not be one (咖啡豆 is no 咖啡): maybe.
            return "yes" if cls_how == "exact" and item_how in ("exact", "head", "char") else "maybe"
        if any(self.ancestors(c) & items for c in classes):
            return "maybe"    # the item is wider than the class (美发 under 烫染8折): it may be one
        # Both known and apart: not in it. A guessed place (红烧肉 as a 肉) is not enough to say no; nor
        # are two kinds side by side in a narrow class (奶茶 and 果茶 in 饮品, 点菜 and 饭菜 in 菜品): the
        # shop's word may stand for its neighbours. Side by side in a whole trade (套餐 and 饮料 in 餐饮,
        # 配镜 and 太阳镜 in 眼镜) they are apart.
        if cls_how != "exact" or item_how != "exact":
            return "maybe"
        shared = {p for c in classes for i in items for p in self._parents.get(c, frozenset()) & self._parents.get(i, frozenset())}
        return "maybe" if any(p in self._parents for p in shared) else "no"

    def _known_apart(self, cls: str, item: str) -> bool:
        """The item spells the class but is not one of its kind (酒席 is a 宴席, not a 酒)."""
        return any(w == item or w in self.ancestors(item) for w in self.not_under.get(self.canonical(cls), ()))

    def wider(self, item: str, cls: str) -> bool:
        """The item names a class above the class (餐饮 beside 酒水除外): it is not one of them."""
        (classes, cls_how), (items, how) = self.place(cls), self.place(item)
        return how == "exact" and cls_how in ("exact", "head") and (any(self.ancestors(c) & items for c in classes)
                and not any(self.ancestors(i) & classes for i in items))

    def under_guess(self, item: str, cls: str) -> bool:
        """The item is under what a guessed class is a kind of (西洋参 and 参茸滋补品, a 滋补品): it may be one."""
        (classes, how), (items, _) = self.place(cls), self.place(item)
        return how == "head" and any(self.ancestors(i) & classes for i in items)   # not by one character

    def also_outside(self, item: str, cls: str, exclusion: str) -> bool:
        """The item is under the exclusion, but also under the class by a way that avoids it (维生素 is a
        药品 and a 保健品: under 药品9折，保健品不打折 nobody can say which it is)."""
        items, _ = self.place(item)
        classes, _ = self.place(cls)
        blocked, _ = self.place(exclusion)
        return any(self._reach(i, blocked) & classes for i in items if i not in blocked)

    def shares_a_word(self, cls: str, item: str) -> bool:
        """Some character of the item's name is in the class's (参茸贵细 and 鹿茸片): a hint that an
        unknown class may hold it, never enough to say it does."""
        if any(cls[i:i + 2] in item for i in range(len(cls) - 1)):
            return True
        if self.place(item)[1] == "exact":   # 手捧花 is known: a shared 花 with 婚车扎花 says nothing
            return False
        return bool(cls and item and cls[-1] == item[-1] and cls[-1] not in "品类费服务项目商产用具套装系列的")


@lru_cache(maxsize=1)
def vocabulary() -> Vocabulary:
    data = tomllib.loads(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return Vocabulary(
        covers={k: tuple(v) for k, v in data.get("covers", {}).items()},
        qualifiers=tuple(Qualifier(w, q["question"], tuple(q.get("ruled_out_by", ())), bool(q.get("default", False)),
                                   q.get("note", ""), tuple(q.get("said_by", ())))
                         for w, q in data.get("qualifiers", {}).items()),
        anything=frozenset(data.get("anything", {}).get("words", ())),
        same=tuple(tuple(group) for group in data.get("same", {}).get("groups", ())),
        heads=dict(data.get("heads", {})),
        disputed={k: tuple(v) for k, v in data.get("disputed", {}).items()},
        not_under={k: tuple(v) for k, v in data.get("not_under", {}).items()},
    )


# ---------------------------------------------------------------- the words before a rate

# Who gets the offer and how (工会会员, 凭卡, 刷卡), what they do (购, 用餐, 入住, 报名), where (全场,
# 店内): none of them is goods. Cut from either edge of the words before a rate, longest first.
_AROUND_GOODS = sorted({
    "工会会员", "工会", "会员", "持卡会员", "持卡人", "持卡者", "本人", "会员朋友", "顾客", "客户", "朋友们", "广大",
    "凡", "凡是", "所有会员", "吃", "喝", "品尝", "会员卡", "持会员卡", "凭会员卡", "结账", "结账时", "买单", "付款",
    "票面价", "票面", "加油",
    "凭工会卡", "持工会卡", "刷工会卡", "工会卡", "工会卡会员", "武汉工会会员服务卡", "本卡", "凭卡", "持卡", "刷卡", "凭本卡", "持本卡", "用卡", "出示卡", "出示", "出示本卡", "凭",
    "购买", "选购", "购物", "购", "买", "用餐", "就餐", "堂食", "入住", "报名", "消费", "办理", "到店", "进店", "来店", "光临",
    "体验", "享受", "可享受", "可享", "即可享受", "即可享", "即享", "享", "均", "一律", "统一", "再", "即可",
    "可以", "的", "时", "按", "以", "在", "于", "门市价", "市场价", "挂牌价", "各类", "各种", "各式", "各款", "原价", "成交价", "基础上", "优惠价", "优惠",
    "专享", "独享", "特享", "尊享", "给予", "实行", "执行", "提供", "全部", "均可", "皆", "都", "所有", "全场", "店内",
    "本店", "全店", "门店", "店铺", "其他", "其余", "其它", "其他时间", "其余时间", "另外", "此外", "同时", "另", "还", "并",
    "部分", "指定", "以下", "如下", "散客", "一次", "一次性", "单次", "订", "预订", "拍", "办", "报", "报读", "报名参加",
    "下单", "预约", "在线下单", "卖", "单支", "单只", "单个", "全天", "加", "每单", "购票", "观影", "任意", "更换", "任选", "全单", "用户", "卡用户", "每小时", "每场", "每位", "每人", "每晚", "每间", "按当日金价", "按当天金价", "按金价", "当日金价", "按门市价", "门市",
}, key=len, reverse=True)
_AROUND = re.compile("^(?:" + "|".join(map(re.escape, _AROUND_GOODS)) + ")|(?:"
                     + "|".join(map(re.escape, _AROUND_GOODS)) + ")$")
# Goods meaning "whatever the merchant sells".
EVERYTHING = frozenset({
    "", "全场", "全场商品", "全部商品", "所有商品", "店内商品", "商品", "消费", "其他消费", "其他商品", "餐饮消费", "店内消费",
    "全单", "整单", "总价", "其余商品", "其余", "其他", "其它商品", "其余消费", "其它消费", "单笔", "单次", "单笔消费",
    "单次消费", "一次性消费", "全天", "全天候", "店内所有商品", "店内所有", "所有", "本店商品", "本店所有商品", "每单", "单单",
    "每桌", "全部", "全部项目", "所有项目", "全部服务", "所有服务", "店内项目", "项目", "服务", "产品", "所有产品", "全部产品",
    "账单", "总额", "总金额", "消费总额", "结账金额", "货品", "全店商品", "全店", "店内", "本店", "门店", "全场产品",
    "正常消费", "正常价格", "日常消费", "所有消费", "全部消费", "全场消费", "场次", "所有场次", "全部场次",
    "实付", "实付金额", "实付款", "实收", "实收金额", "支付金额", "付款金额", "折后金额", "折后实付",
})
# Words that cannot stand inside a class of goods: what is left with one of them is a condition, a time
# or a threshold the grammar did not read (折后满100元, 消费满50元方, 新客首次到店, 17点后).
_NOT_GOODS = re.compile(
    r"\d[\d.]*(?:[元块折%次件份个位人张日点:]|$)|[满减折送赠抵除限需须每第凡若如%]|以后|之后|以前|之前|以上|以下|"
    r"以内|起|后$|前$|方可|即可|才|不|首次|首单|首(?:\d|[一二两三四五六七八九十])|超时|超过|超出|新客|封顶|新顾客|新会员|新用户|老客|到店|周[一二三四五六日天末]|星期|工作日|"
    r"节假日|节日|会员日|午市|晚市|时段|当天|当日|当月|生日|同行|随行|本人|持卡|凭卡|刷卡|出示|会员|每人|每位|人均|或|且|"
    r"并|再|另|又|享|价$")
GOODS_AT_MOST = 12
# Words for "a ticket" or "a pass" that mean nothing without the heading they stand under.
_TICKET_WORDS = frozenset({"票", "门票", "单次票", "次票", "单次", "次卡", "单次卡", "入场券", "单人票"})   # characters: a longer "class" is a sentence the grammar did not read


def read_goods(prefix: str) -> str | None:
    """The goods the words before a rate name, those words' fillers off (门市价, 享受, 一律, 凭卡, 购);
    None for everything. NotGoods when what is left is not a class of goods."""
    heading, _colon, core = prefix.strip(" :、,").rpartition(":")   # 游泳馆:成人票 -> 成人票 (a heading before the goods)
    if heading and (q := _qualifier_of(heading)[0]) and not _qualifier_of(core)[0]:
        core = q + core   # 持卡首次到店：面部护理体验价99元: only the first time
    if heading and core in _TICKET_WORDS and vocabulary().place(heading)[1] in ("exact", "head"):
        core = heading   # 游泳馆：单次票15元: a 游泳 ticket
    if core in EVERYTHING:
        return None
    qualifier, _body = _qualifier_of(core)   # 再次咨询: 再次 before 再 is taken for a filler
    if qualifier is None:
        bought = core
        core = _strip_around(core) if core not in _CUSTOMERS else core   # 散客凭卡15元/人: a walk-in's entry, not all
        if re.search(r"购票|订票|买票", bought) and (core in EVERYTHING or _MERCHANT.fullmatch(core)):
            return "票"   # 持本卡购票会员价25元/张, 影城购票: tickets, not whatever the cinema sells
        if (m := _OTHER.match(bought)) and core and core not in EVERYTHING and core != bought and bought.endswith(core):
            core = "其他" + core   # 其他维修项目九折: the rest of what the shop does (see Vocabulary.fit)
    # 全场药品、医疗器械及其他商品: a list that ends in "everything else" is everything.
    if core in EVERYTHING or any(part in EVERYTHING for part in _LIST_SPLIT.split(core) if part):
        return None
    if _MERCHANT.fullmatch(core) and not vocabulary().known(core) and qualifier is None:
        return None   # 书店全场8折, 蛋糕店凭卡9折: the merchant itself, all it sells (首次到店 is no shop)
    if qualifier is None and not vocabulary().known(core) and any(
            core[i:] in EVERYTHING and core[i:].startswith(("所有", "全部", "全场")) and _MERCHANT.fullmatch(core[:i])
            for i in range(2, len(core))):
        return None   # SPA会所所有项目, 养生馆全部服务: all the merchant does (but 便利店商品 beside 加油 is the shop's)
    # 国美电器购家电, 音乐节门票: the words after a verb of buying are the goods (not 团购, 采购).
    if (m := re.search(r"(?<![团采网代抢秒])(?:购买|选购|购)(?=\S)", core)) and m.start() > 0 and not vocabulary().known(core):
        core = _strip_around(core[m.end():])
    parts = [p for p in _LIST_SPLIT.split(core) if p]
    if len(parts) > 1 and not vocabulary().known(core):   # 购瓷砖、地板、卫浴: the verb is the list's, not 瓷砖's
        if len(_LIST_SPLIT.findall(core)) == len(parts) - 1:
            parts = [_strip_around(p) or p for p in parts]
            if len(parts[0]) > 2 and parts[0][0] in "购买订" and not vocabulary().known(parts[0]):
                parts[0] = parts[0][1:]
            core = "、".join(parts)
    qualifier, body = _qualifier_of(core)
    if qualifier is not None:
        body = _strip_around(re.sub(r"^\S{1,6}?店内", "", body))   # XX女装店内正价款: the shop's own goods
        if body in ("款", "款式", "货品", "货"):
            body = ""
    bare = re.sub(r"\([^()]*\)", "", body)   # 亚健康调理（肩颈服务、…）服务: the brackets list examples
    longest = max((len(p) for p in _LIST_SPLIT.split(bare) if p), default=0)   # 少儿中国舞、拉丁舞学期课程: each
    if not vocabulary().known(bare) and (longest > GOODS_AT_MOST or _NOT_GOODS.search(bare)):
        raise NotGoods(core)
    return (qualifier or "") + body or None


_OTHER = re.compile(r"^(?:其他|其余|其它)")
_CUSTOMERS = frozenset({"散客", "团体", "团队", "个人"})
# The merchant itself (书店, 大药房, 影城, 眼镜店内商品): all it sells.
_MERCHANT = re.compile(r"\S{1,6}(?:店|馆|院|中心|超市|商场|门店|公司|会所)|\S{0,6}(?:药房|药店|商城|广场|影城|影院|百货|银楼|酒楼|餐厅|旅行社)"
                       r"|\S{1,6}店内(?:商品|所有商品|产品|所有|消费)?")


def _strip_around(core: str) -> str:
    """Cut who/how/where words from both edges until a known class (可乐, 打蜡) or nothing is left."""
    words = vocabulary()
    while not words.known(core) and (stripped := _AROUND.sub("", core, count=1).strip(" :、,")) != core:
        # A one-character filler (按, 时, 加, 订) is cut only when what is left is known or nothing: 按摩,
        # 时令水果, 加湿器, 订制西服 keep theirs.
        if len(core) - len(stripped) == 1 and core[1:] == stripped:
            rest = _strip_around(stripped)   # 购药全场 -> 药: the rest is goods once its own fillers are off
            if rest and rest not in EVERYTHING and words.place(rest)[1] not in ("exact", "head"):
                break
        core = stripped
    return core


def _qualifier_of(core: str) -> tuple[str | None, str]:
    """(the qualifier a class is narrowed by, the class without its words): 正价套系 -> (正价, 套系),
    新客首次到店 -> (新客, ""), 首次心理咨询 -> (首次, 心理咨询)."""
    words = vocabulary()
    found = [q for q in words.qualifiers if q.said(core)]
    if not found:
        return None, core
    body = core
    for q in found:
        for w in sorted((q.word, *q.said_by), key=len, reverse=True):
            body = body.replace(w, "")
    return found[0].word, body.replace("到店", "").replace("光临", "")