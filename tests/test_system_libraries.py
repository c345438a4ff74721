"""The system libraries README names for Debian/Ubuntu are all Qt needs: with them installed, nothing that
the Qt modules this app loads (QtWebEngine's helper process, the window platforms, charts, PDF) link to
is missing. CI installs exactly README's list on a fresh machine, so a library missing from it fails
here, naming it."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import PySide6

ROOT = Path(__file__).resolve().parent.parent
# The Qt modules the app imports (widgets/, maps/): kept equal to the code by the test below.
USED = ("Core", "Gui", "Widgets", "Charts", "Pdf", "PdfWidgets", "PrintSupport", "WebChannel", "WebEngineCore",
        "WebEngineWidgets")


def test_the_list_of_qt_modules_is_what_the_code_imports():
    imported = set()
    for source in [*ROOT.glob("widgets/*.py"), *ROOT.glob("maps/*.py")]:
        imported |= set(re.findall(r"from PySide6\.Qt(\w+) import", source.read_text(encoding="utf-8")))
    assert imported == set(USED)


def test_readme_names_the_debian_packages_ci_installs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = readme.split("<!-- debian-packages -->")[1].split("<!-- /debian-packages -->")[0]
    packages = block.split("install")[-1].split()
    assert {"libnss3", "libxcb-cursor0", "libegl1", "libxkbcommon-x11-0"} <= set(packages)
    assert "debian-packages" in (ROOT / ".ci" / "run").read_text(encoding="utf-8"), "CI installs README's list"


@pytest.mark.skipif(not sys.platform.startswith("linux") or not shutil.which("ldd"), reason="ldd is Linux's")
def test_nothing_qt_links_to_is_missing():
    qt = Path(PySide6.__file__).parent / "Qt"
    files = [qt / "libexec" / "QtWebEngineProcess", *sorted((qt / "plugins" / "platforms").glob("libq*.so")),
             *(qt / "lib" / f"libQt6{name}.so.6" for name in USED)]
    missing = {}
    for f in files:
        out = subprocess.run(["ldd", str(f)], capture_output=True, text=True).stdout
        if gone := [line.split()[0] for line in out.splitlines() if "not found" in line]:
            missing[f.name] = gone
    assert not missing, f"install the Debian packages README names (Install, developers): {missing}"
