"""Parsed offer rules as the plain Chinese lines a member reads (details pane, CLI, flyers)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from app.discounts.rules import Clause, OfferRules
from app.discounts.time_windows import holds

_CONDITION_TEXT = {"show_card": "需出示工会卡", "pay_with_card": "需使用工会卡结账", "members_only": "工会会员专享（需出示工会卡）"}


def zhe(multiplier: Decimal) -> str:
    """0.85 -> 8.5折, 0.9 -> 9折, 0.5 -> 5折."""
    tenths = (multiplier * 10).normalize()
    return f"{tenths:f}折"


def describe_clause(clause: Clause) -> str:
    text = _describe_clause(clause)
    if clause.max_units is not None:
        text += f"（限{clause.max_units}人）"
    if clause.cap is not None:
        text += f"（最多减{clause.cap.normalize():f}元）"
    return f"{text}（{clause.when.describe()}）" if clause.when is not None else text


def _describe_clause(clause: Clause) -> str:
    target = clause.applies_to or "全部消费"
    spend = f"{'每' if clause.repeat else ''}满{clause.threshold.normalize():f}元" if clause.threshold is not None else ""
    if clause.kind == "percent" and clause.multiplier is not None:
        return f"{target}：{spend}{zhe(clause.multiplier)}"
    if clause.kind == "nth" and clause.every:
        target = clause.applies_to or "同一商品"
        unit = "免费" if clause.multiplier == 0 else "半价" if clause.multiplier == Decimal("0.5") else zhe(clause.multiplier)
        which = f"最后{clause.units}份" if clause.units else f"第{clause.every}份"
        pooled = "（可不同款，价低者优惠）" if clause.pooled else ""
        return f"{target}：每{clause.every}份中的{which}{unit}{pooled}"
    if clause.kind == "card_price":
        if clause.threshold is None:
            return f"{target}：凭卡{clause.amount.normalize():f}元/份"
        return f"{target}：凭卡{clause.amount.normalize():f}元（原价{clause.threshold.normalize():f}元）"
    if clause.kind == "free":
        return f"{target}：免费"
    if clause.kind == "amount_off":
        return f"{target}：{'每份' if clause.per_unit else ''}立减{clause.amount.normalize():f}元"
    if clause.kind == "threshold":
        return f"{target}：{'每' if clause.repeat else ''}满{clause.threshold:f}元减{clause.amount:f}元"
    gift = f"附送：{clause.applies_to or clause.text}"
    if clause.amount is not None:
        gift += f"（价值{clause.amount.normalize():f}元）"
    return f"{gift}，{spend}" if spend else gift


def describe_rules(rules: OfferRules) -> str:
    lines = [describe_clause(c) for c in rules.clauses]
    if rules.exclusions:
        lines.append("不参加：" + "、".join(rules.exclusions))
    if rules.condition:
        lines.append(_CONDITION_TEXT[rules.condition])
    if rules.cap is not None:
        lines.append(f"最多优惠{rules.cap.normalize():f}元")
    if rules.holidays_excluded:
        lines.append("节假日不参加")
    for limit in rules.limits:
        lines.append(f"使用限制：{limit.text}")
    if not rules.combinable:
        lines.append("不与其他优惠同时使用")
    if rules.unparsed:
        lines.append("未能解析（以原文为准）：" + "；".join(rules.unparsed))
    return "\n".join(lines) if lines else "（没有可识别的优惠规则，以原文为准）"


def headline(rules: OfferRules) -> str:
    """What an offer gives, in a few characters a member understands, for lists, popups and flyers:
    8.5折; 满减 最高15%; 免费项目; 立减20元; 凭卡60元; 赠品; or "" when nothing was understood."""
    if rules.multipliers:
        return zhe(min(rules.multipliers))
    if rules.threshold_rates:
        return f"满减 最高{(max(rules.threshold_rates) * 100).quantize(Decimal(1)):f}%"
    kinds = {c.kind for c in rules.clauses}
    if "free" in kinds:
        return "免费项目"
    offs = [c.amount for c in rules.clauses if c.kind == "amount_off" and c.amount]
    if offs:
        return f"立减{max(offs).normalize():f}元"
    prices = [c for c in rules.clauses if c.kind == "card_price" and c.amount is not None]
    if prices:
        return f"凭卡{prices[0].amount.normalize():f}元"
    return "赠品" if "perk" in kinds else ""


def offer_headline(stored: str | None) -> str:
    """A catalogue row's stored headline ("" when missing: None, or NaN from a frame)."""
    return stored if isinstance(stored, str) else ""


def headline_phrase(stored: str | None) -> str:
    """The headline in a sentence: 最高 8.5折, but 满减 最高15% and 免费项目 as they are."""
    text = offer_headline(stored)
    return f"最高 {text}" if text.endswith("折") else text


def today_line(rules: OfferRules, now: dt.datetime) -> str | None:
    """Whether the offer's time-limited clauses hold now, for the details pane: 今天可用, 今天不可用：仅周三,
    今天不可用：节假日不参加, or what cannot be known (若在午市消费); None for an offer with no time limits."""
    timed = list(rules.clauses) if rules.holidays_excluded else [c for c in rules.clauses if c.when is not None]
    if not timed:
        return None
    results = [(c, *holds(c.when, rules.holidays_excluded, now)) for c in timed]
    if all(r == "yes" for _c, r, _w in results):
        return "今天可用"
    if all(r == "no" for _c, r, _w in results) and len(timed) == len(rules.clauses):
        return "今天不可用：" + "；".join(dict.fromkeys(w for _c, _r, w in results))
    parts = []
    for clause, result, why in results:
        state = "可用" if result == "yes" else f"不可用，{why}" if result == "no" else why
        parts.append(f"{_describe_clause(clause)}（{state}）")
    return "今天：" + "；".join(parts)
