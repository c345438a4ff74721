"""Control characters in text that came from a file or the database (ESC sequences that retitle or
clear a terminal, bidi overrides that reorder a line), shown as their escapes wherever such text is
printed: command output and the problems that quote a file."""

from __future__ import annotations

import re

CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escaped(text: str) -> str:
    """`text` with every control character written as its escape (\\x1b, \\u202e)."""
    return CONTROL.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)
