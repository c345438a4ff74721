"""Parsed offer rules as the plain Chinese lines a member reads (details pane, CLI, flyers)."""

from __future__ import annotations

from decimal import Decimal

from app.discounts.rules import Clause, OfferRules

_CONDITION_TEXT = {"show_card": "需出示工会卡", "pay_with_card": "需使用工会卡结账", "members_only": "工会会员专享（需出示工会卡）"}


def zhe(multiplier: Decimal) -> str:
    """0.85 -> 8.5折, 0.9 -> 9折, 0.5 -> 5折."""
    tenths = (multiplier * 10).normalize()
    return f"{tenths:f}折"


def describe_clause(clause: Clause) -> str:
    target = clause.applies_to or "全部消费"
    if clause.kind == "percent" and clause.multiplier is not None:
        return f"{target}：{zhe(clause.multiplier)}"
    if clause.kind == "free":
        return f"{target}：免费"
    if clause.kind == "amount_off":
        return f"{target}：立减{clause.amount:f}元"
    if clause.kind == "threshold":
        return f"{target}：{'每' if clause.repeat else ''}满{clause.threshold:f}元减{clause.amount:f}元"
    return f"附送：{clause.applies_to or clause.text}"


def describe_rules(rules: OfferRules) -> str:
    lines = [describe_clause(c) for c in rules.clauses]
    if rules.exclusions:
        lines.append("不参加：" + "、".join(rules.exclusions))
    if rules.condition:
        lines.append(_CONDITION_TEXT[rules.condition])
    if rules.cap is not None:
        lines.append(f"最多优惠{rules.cap.normalize():f}元")
    if not rules.combinable:
        lines.append("不与其他优惠同时使用")
    if rules.unparsed:
        lines.append("未能解析（以原文为准）：" + "；".join(rules.unparsed))
    return "\n".join(lines) if lines else "（没有可识别的优惠规则，以原文为准）"


def headline(rules: OfferRules) -> str:
    """What an offer gives, in a few characters a member understands, for lists, popups and flyers:
    8.5折; 满减 最高15%; 免费项目; 立减20元; 赠品; or "" when nothing was understood."""
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
    return "赠品" if "perk" in kinds else ""


def offer_headline(stored: str | None) -> str:
    """A catalogue row's stored headline ("" when missing: None, or NaN from a frame)."""
    return stored if isinstance(stored, str) else ""


def headline_phrase(stored: str | None) -> str:
    """The headline in a sentence: 最高 8.5折, but 满减 最高15% and 免费项目 as they are."""
    text = offer_headline(stored)
    return f"最高 {text}" if text.endswith("折") else text
