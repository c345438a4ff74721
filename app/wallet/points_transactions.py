"""The journal's card spending as the points engine reads it: which entries earn, and which take back."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

from app.money import fen_to_decimal
from app.points.engine import Transaction
from app.wallet.journal import Entry, reversed_ids
from app.wallet.operations import payable_of


def wallet_transactions(entries: Iterable[Entry]) -> list[Transaction]:
    """Card spending in the journal, as the engine reads it (deposits, loads and rides earn nothing).

    A reversed purchase counts as a full refund; a refund that was itself reversed is dropped.
    """
    entries = list(entries)
    by_id = {e.id: e for e in entries}
    undone = reversed_ids(entries)
    out = []
    for e in entries:
        ref = str(e.id)
        if e.kind == "purchase":
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(payable_of(e)), "purchase", None, e.mcc,
                                   e.channel, e.card))
        elif e.kind == "refund" and e.id not in undone:
            out.append(Transaction(ref, e.occurred_on, fen_to_decimal(e.amount_fen), "refund", None, e.mcc,
                                   e.channel, e.card, str(e.refers_to)))
        elif e.kind == "reversal" and by_id.get(e.refers_to) is not None and by_id[e.refers_to].kind == "purchase":
            paid = payable_of(by_id[e.refers_to])
            if paid:
                out.append(Transaction(ref, e.occurred_on, fen_to_decimal(paid), "refund", None, e.mcc,
                                       e.channel, e.card, str(e.refers_to)))
        elif e.kind == "redeem":
            out.append(Transaction(ref, e.occurred_on, Decimal(int(e.details["points"])), "redeem"))
    return [t for t in out if t.amount > 0]
