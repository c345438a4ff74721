"""What every `unioncard` subcommand shares: the usage error, option parsers, JSON and table output.

Each domain adds its own subcommands (`app/*/commands.py`) and imports this module; nothing here
imports a domain, so the command line has no import cycle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import unicodedata
from typing import Sequence


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


def parse_date(text: str | None, what: str) -> dt.date | None:
    """A YYYY-MM-DD option value; None when it was not given."""
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise UsageError(f"{what} 应写成 YYYY-MM-DD：“{text}”") from None


def print_json(data) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _clip(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text:
        w = _width(ch)
        if used + w > width - 1 and _width(text) > width:
            return out + "…" + " " * (width - used - 1)
        out += ch
        used += w
    return out + " " * (width - used)


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]) -> None:
    """Columns padded by display width, so Chinese (two cells a character) lines up in a terminal."""
    print("  ".join(_clip(h, w) for h, w in zip(headers, widths)).rstrip())
    for row in rows:
        print("  ".join(_clip("" if v is None else str(v), w) for v, w in zip(row, widths)).rstrip())


def subcommands_of(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    """The subcommands of a command group (`lists`), for a layer above to add its own (`lists flyer`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise ValueError(f"{parser.prog} has no subcommands")
