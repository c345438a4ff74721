"""The members' desktop bundle (packaging/build.py), tried as a member gets it: the packed archive is
unpacked into an empty folder and run with no Python on PATH, no PYTHONPATH/PYTHONHOME, and a brand-new
HOME, on the seed catalogue.

The bundle takes minutes to build, so it is built once outside the tests: `.ci/run` runs
`python packaging/build.py` and points UNIONCARD_BUNDLE at the archive (or an unpacked folder). Without
it these tests are skipped, saying how to run them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from qt_helpers import assert_map_drawn

from app.credits import version

BUNDLE = os.environ.get("UNIONCARD_BUNDLE")
pytestmark = [pytest.mark.slow, pytest.mark.skipif(
    not BUNDLE, reason="the desktop bundle is not built: run `python packaging/build.py` and set "
                       "UNIONCARD_BUNDLE=dist/unioncard-<version>-linux-<machine>.tar.xz")]


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    """The unpacked bundle folder (the archive is unpacked as a member would)."""
    source = Path(BUNDLE).resolve()
    if source.is_dir():
        return source
    # A member's folder name may have spaces, Chinese and shell characters in it.
    target = tmp_path_factory.mktemp("unpacked") / "我的 程序 & R|D"
    target.mkdir()
    with tarfile.open(source) as archive:
        archive.extractall(target, filter="tar")
    (folder,) = target.iterdir()
    return folder


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("member-home")


NO_PYTHON = "/nonexistent-bin"   # a PATH with no Python on it (nor anything else): the bundle needs none


def member_env(home: Path, path: str = NO_PYTHON) -> dict[str, str]:
    """What a member's desktop session gives a program: no venv, no Python variables, no Python on PATH."""
    env = {"HOME": str(home), "PATH": path, "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen"}
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        env["QTWEBENGINE_DISABLE_SANDBOX"] = "1"   # QtWebEngine as root (CI); a member is not root
    return env


def run(bundle: Path, home: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    assert shutil.which("python3", path=NO_PYTHON) is None and shutil.which("python", path=NO_PYTHON) is None
    result = subprocess.run([str(bundle / "unioncard"), *args], env=member_env(home), cwd=cwd or home,
                            capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, f"unioncard {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in folder.rglob("*")}


def test_the_bundle_carries_no_python_of_the_machine(bundle, home):
    out = run(bundle, home, "--version").stdout.strip()
    assert out == f"工会卡 {version()}"
    assert (bundle / "_internal" / "PySide6" / "Qt" / "libexec" / "QtWebEngineProcess").is_file()


def test_help_lists_the_commands_in_chinese(bundle, home):
    out = run(bundle, home, "--help").stdout
    assert out.startswith("用法：unioncard") and "不带子命令时打开桌面程序" in out
    for command in ("merchants", "wallet", "discount", "flyer", "snapshot"):
        assert command in out


def test_a_seed_offer_is_priced_from_the_bundled_catalogue(bundle, home):
    out = run(bundle, home, "discount", "price", "--merchant", "qs-08", "--item", "配镜=1000", "--item", "太阳镜=400").stdout
    assert "应付 1150.00 元" in out, out   # 配镜8.5折, 太阳镜7.5折 (精益眼镜, seed 000 Q17)
    data = json.loads(run(bundle, home, "discount", "price", "--text", "全场9折，酒水除外", "--item", "菜=100",
                          "--item", "啤酒=20", "--json").stdout)
    assert data["payable"] == "110.00"


def test_the_wallet_lives_in_the_members_home(bundle, tmp_path):
    home = tmp_path / "new-member"
    home.mkdir()
    out = run(bundle, home, "wallet", "show").stdout
    assert "电子现金" in out and "武汉通" in out
    assert (home / ".local" / "share" / "unioncard" / "unioncard.sqlite").is_file()


def test_a_flyer_is_a_pdf_with_the_merchants_names(bundle, home, tmp_path):
    from pypdf import PdfReader

    pdf = tmp_path / "青山区.pdf"
    run(bundle, home, "flyer", "--district", "青山区", "--out", str(pdf))
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    seed = json.loads((Path(__file__).resolve().parent.parent / "merchants.geojson").read_text(encoding="utf-8"))
    names = [f["properties"]["name"] for f in seed["features"]]
    assert names and all(name in text for name in names), [n for n in names if n not in text]


def test_a_snapshot_of_the_window_has_the_map_drawn(bundle, home, tmp_path, qapp):
    png = tmp_path / "window.png"
    run(bundle, home, "snapshot", "--out", str(png), "--size", "1200x800")
    assert_map_drawn(png)


def test_running_writes_nothing_next_to_the_program(bundle, home):
    before = _listing(bundle)
    run(bundle, home, "merchants", "list", "--district", "青山区")
    run(bundle, home, "wallet", "show")
    assert _listing(bundle) == before


def test_qtwebengine_finds_every_library_it_links(bundle):
    """With the system libraries README names installed, nothing the bundle's Qt links is missing."""
    if not shutil.which("ldd"):
        pytest.skip("ldd is Linux's")
    qt = bundle / "_internal" / "PySide6" / "Qt"
    files = [qt / "libexec" / "QtWebEngineProcess", *qt.glob("lib/*.so*"), *qt.glob("plugins/platforms/*.so")]
    missing = {}
    for f in files:
        out = subprocess.run(["ldd", str(f)], capture_output=True, text=True).stdout
        gone = [line.split()[0] for line in out.splitlines() if "not found" in line]
        if gone:
            missing[f.name] = gone
    assert not missing, f"missing system libraries (README: Install (developers), debian-packages): {missing}"


def test_the_desktop_entry_and_icons_are_there(bundle, home, tmp_path):
    entry = (bundle / "unioncard.desktop").read_text(encoding="utf-8")
    assert "Name=工会卡" in entry and "Icon=unioncard" in entry and "Exec=unioncard\n" in entry
    from PySide6.QtGui import QImage

    for n in (16, 48, 256):
        image = QImage(str(bundle / "share" / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "unioncard.png"))
        assert (image.width(), image.height()) == (n, n)
    # install-desktop-entry.sh puts the entry in the member's menu, pointing at this folder.
    env = member_env(home, "/usr/bin:/bin") | {"XDG_DATA_HOME": str(tmp_path / "share")}
    subprocess.run(["sh", str(bundle / "install-desktop-entry.sh")], env=env, check=True, capture_output=True)
    desktop = tmp_path / "share" / "applications" / "unioncard.desktop"
    installed = desktop.read_text(encoding="utf-8")
    assert f'Exec="{bundle}/unioncard"\n' in installed   # the folder's name (spaces, 中文, & and |) as it is
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(desktop)], capture_output=True, text=True)
        assert check.returncode == 0 and "error" not in check.stdout, check.stdout
    assert (tmp_path / "share" / "icons" / "hicolor" / "48x48" / "apps" / "unioncard.png").is_file()


def test_about_lists_every_bundled_package_and_ships_the_licence_texts(bundle, home):
    about = json.loads(run(bundle, home, "about", "--json").stdout)
    names = {row["name"].lower() for row in about["software"]}
    assert {"pyside6", "shiboken6", "sqlalchemy", "geopandas", "shapely", "pyproj", "pyogrio", "folium"} <= names
    assert any(d["licence"] == "CC BY 4.0" for d in about["data"])
    for text in ("LGPL-3.0.txt", "GPL-3.0.txt", "Python-PSF.txt"):
        assert (bundle / "licenses" / text).stat().st_size > 5000, text
