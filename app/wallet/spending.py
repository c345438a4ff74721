"""Spending by month and category, from the journal: purchases net of their refunds and reversals."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from app.merchants.categories import category_order
from app.wallet.journal import Entry, reversed_ids
from app.wallet.operations import payable_of

UNCATEGORISED = "其他"


def spending_by_month(entries: Iterable[Entry]) -> dict[str, dict[str, int]]:
    """{"2026-11": {"购物": fen, ...}, ...}: what the member paid merchants, by month of the purchase,
    with the union card or the points card alike.

    A refund or a reversal counts against the month and category of the purchase it undoes;
    categories and months that come to nothing are left out.
    """
    entries = list(entries)
    by_id = {e.id: e for e in entries}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))

    def add(purchase: Entry, fen: int) -> None:
        totals[purchase.occurred_on.strftime("%Y-%m")][purchase.category or UNCATEGORISED] += fen

    for e in entries:
        original = by_id.get(e.refers_to)
        if e.kind == "purchase":
            add(e, payable_of(e))
        elif e.kind == "refund" and original is not None:
            add(original, -e.amount_fen)
        elif e.kind == "reversal" and original is not None and original.kind == "purchase":
            add(original, -payable_of(original))
        elif e.kind == "reversal" and original is not None and original.kind == "refund":  # a refund taken back
            purchase = by_id.get(original.refers_to)
            if purchase is not None:
                add(purchase, original.amount_fen)
    out = {}
    for month, cats in sorted(totals.items()):
        kept = {c: fen for c, fen in sorted(cats.items(), key=lambda kv: category_order(kv[0])) if fen}
        if kept:
            out[month] = kept
    return out


def savings(entries: Iterable[Entry], today: dt.date) -> dict[str, dict[str, int]]:
    """累计节省: what the card's discounts saved, {"month": {category: fen}, "year": {...}} for the
    month and the year of `today`. A reversed purchase saved nothing; a refund does not change what
    the discount took off."""
    entries = list(entries)
    undone = reversed_ids(entries)
    out: dict[str, dict[str, int]] = {"month": defaultdict(int), "year": defaultdict(int)}
    for e in entries:
        if e.kind != "purchase" or e.id in undone or e.occurred_on.year != today.year or e.occurred_on > today:
            continue
        saved = e.amount_fen - payable_of(e)
        if saved <= 0:
            continue
        category = e.category or UNCATEGORISED
        out["year"][category] += saved
        if e.occurred_on.month == today.month:
            out["month"][category] += saved
    return {period: dict(sorted(cats.items(), key=lambda kv: category_order(kv[0]))) for period, cats in out.items()}
