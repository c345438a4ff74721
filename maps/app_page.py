"""The app's map page, built once and kept: opening the window then needs neither folium nor the
district shapes (half a second of a cold start).

The page is a pure function of the district boundaries, the page code (maps/page.py and the layers it
embeds), folium's version and the files it links; the cache key is a hash of all of them (in a desktop
bundle, of the program file instead of the sources), so a change to any builds a new page and an old
one is never shown.
"""

from __future__ import annotations

import hashlib
import shutil
import sys
from importlib.metadata import version
from pathlib import Path

import platformdirs

from app.geo.districts import DistrictIndex

MAPS = Path(__file__).resolve().parent
_SOURCES = (MAPS / "page.py", MAPS / "merchant_layer.py", MAPS.parent / "app" / "merchants" / "categories.py",
            MAPS.parent / "app" / "credits.py")   # what the page is built from (its data credits too)


def _key(districts: DistrictIndex, bridge_script: str) -> str:
    from app.bundled import cjk_font

    h = hashlib.sha256()
    for part in (districts.digest(), version("folium"), bridge_script, cjk_font().as_uri(), str(MAPS)):
        h.update(part.encode("utf-8") + b"\x00")
    if getattr(sys, "frozen", False):
        # A desktop bundle carries no source files: its code changes only with a new build, which is a
        # new program file.
        program = Path(sys.executable).stat()
        h.update(f"{program.st_size}:{program.st_mtime_ns}".encode())
    else:
        for source in _SOURCES:
            h.update(source.read_bytes())
    return h.hexdigest()[:32]


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir("unioncard", appauthor=False)) / "map-pages"


def app_page(directory: Path, districts: DistrictIndex, bridge_script: str = "qwebchannel.js") -> Path:
    """maps.page.write_app_page's page in `directory`, copied from the cache when it was built before."""
    cached = cache_dir() / f"explorer-{_key(districts, bridge_script)}.html"
    target = Path(directory) / "explorer.html"
    if cached.is_file():
        directory.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(cached, target)
        return target
    from maps.page import write_app_page

    page = write_app_page(directory, districts, bridge_script)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(cached.name + ".part")
        shutil.copyfile(page, partial)
        partial.replace(cached)   # whole or not at all: another window may be reading it
    except OSError:
        pass   # no cache (a read-only home): the next start builds the page again
    return page
