"""A subset of the bundled CJK font holding just the characters a page shows, for embedding."""

from __future__ import annotations

import base64
import io
import string
from pathlib import Path

from fontTools import subset


def subset_font_base64(font_path: Path, text: str) -> str:
    """Base64 of an OpenType font with only the glyphs `text` needs (plus printable ASCII)."""
    characters = set(text) | set(string.printable)
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    font = subset.load_font(str(font_path), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters if not c.isspace() or c == " "))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return base64.b64encode(buffer.getvalue()).decode("ascii")
