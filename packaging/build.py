"""Build the members' desktop app: `python packaging/build.py`.

1. PyInstaller freezes the app from packaging/unioncard.spec into one folder (build/bundle/unioncard/):
   the `unioncard` program, Python, Qt with QtWebEngine's process and resources, the fonts and the data.
2. The folder gets what a desktop needs: the icon drawn for the app (SVG, and PNGs rendered from it in
   the sizes desktops ask for), a unioncard.desktop menu entry, and install-desktop-entry.sh, which puts
   the entry and icon in the member's menu (~/.local/share), pointing at wherever the folder was unpacked.
3. It is packed as dist/unioncard-<version>-<system>-<machine>.tar.xz (a .zip on Windows).

Why PyInstaller: it is the maintained freezer with hooks for PySide6's QtWebEngine (its helper process,
resources and locales) and for pyproj/pyogrio/shapely data, and one spec file serves Linux, Windows and
macOS. Briefcase would ship a whole Python with every installed package unpruned; Nuitka compiles for
tens of minutes per build, too slow for CI.

Options: --no-pack (folder only), --out DIR (where the archive goes, default dist/).
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "packaging" / "unioncard.spec"
ICON_SVG = ROOT / "widgets" / "icons" / "unioncard.svg"
WORK = ROOT / "build" / "bundle"
ICON_SIZES = (16, 24, 32, 48, 64, 128, 256, 512)

DESKTOP_ENTRY = """[Desktop Entry]
Type=Application
Version=1.0
Name=工会卡
Name[zh_CN]=工会卡
GenericName=工会会员服务卡优惠地图
Comment=武汉工会会员服务卡：优惠商户地图、算一算与钱包
Exec={exec}
Icon={icon}
Terminal=false
Categories=Office;Finance;Utility;Maps;
Keywords=工会;会员;优惠;地图;钱包;gonghui;
StartupWMClass=unioncard
"""

INSTALL_SCRIPT = r"""#!/bin/sh
# Adds 工会卡 to this user's application menu, for the folder this script is in (run it again after
# moving the folder). Removes nothing else; undo with: ./install-desktop-entry.sh --remove
set -e
HERE=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd -P)
DATA=${XDG_DATA_HOME:-$HOME/.local/share}
ENTRY="$DATA/applications/unioncard.desktop"
if [ "$1" = "--remove" ]; then
    rm -f "$ENTRY"
    for d in "$DATA"/icons/hicolor/*/apps; do rm -f "$d/unioncard.png" "$d/unioncard.svg"; done
    echo "已从应用菜单移除工会卡"
    exit 0
fi
mkdir -p "$DATA/applications"
cp -R "$HERE/share/icons" "$DATA/"
# The program's path as one quoted Exec argument (Desktop Entry spec): \ " ` $ escaped inside the
# quotes, then every \ doubled (a string value), and % written %%.
QUOTED=$(printf '%s' "$HERE/unioncard" | awk '{ out = ""
    for (i = 1; i <= length($0); i++) { c = substr($0, i, 1)
        if (c == "\\") out = out "\\\\\\\\"; else if (c == "\"") out = out "\\\\\""
        else if (c == "`") out = out "\\\\`"; else if (c == "$") out = out "\\\\$"
        else if (c == "%") out = out "%%"; else out = out c }
    printf "%s", out }')
PARTIAL="$ENTRY.part"
grep -v '^Exec=' "$HERE/unioncard.desktop" > "$PARTIAL"
printf 'Exec="%s"\n' "$QUOTED" >> "$PARTIAL"
chmod +x "$PARTIAL"
mv -f "$PARTIAL" "$ENTRY"   # whole or not at all: a failure leaves the entry that was there
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$DATA/applications" || true
echo "已把工会卡加入应用菜单：$ENTRY"
"""

MEMBERS_README = """工会卡 {version}

启动：双击本文件夹中的 unioncard（或在终端中运行 ./unioncard）。
加入应用菜单：运行 ./install-desktop-entry.sh（移动文件夹后再运行一次）。
你的数据保存在用户文件夹中（Linux：~/.local/share/unioncard），不会写入本文件夹；
删除本文件夹即卸载程序，数据仍保留。
命令行：./unioncard --help
"""


def _version() -> str:
    sys.path.insert(0, str(ROOT))
    from app.credits import version

    return version()


def freeze(dist: Path) -> Path:
    """Run PyInstaller on the spec; the folder it makes."""
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
                    "--distpath", str(dist), "--workpath", str(WORK / "work"), str(SPEC)],
                   check=True, cwd=ROOT)
    return dist / "unioncard"


def render_icons(folder: Path) -> list[Path]:
    """share/icons/hicolor/<n>x<n>/apps/unioncard.png for each size, and the SVG as scalable; also
    build/bundle/unioncard-256.png, the program file's icon on Windows and macOS (see the spec)."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(ICON_SVG))
    if not renderer.isValid():
        raise SystemExit(f"the icon does not render: {ICON_SVG}")
    written = []
    for n in ICON_SIZES:
        image = QImage(n, n, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter)
        painter.end()
        target = folder / "share" / "icons" / "hicolor" / f"{n}x{n}" / "apps" / "unioncard.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not image.save(str(target)):
            raise SystemExit(f"could not write {target}")
        written.append(target)
    shutil.copyfile(written[ICON_SIZES.index(256)], WORK / "unioncard-256.png")
    scalable = folder / "share" / "icons" / "hicolor" / "scalable" / "apps" / "unioncard.svg"
    scalable.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ICON_SVG, scalable)
    return written


def desktop_files(folder: Path, version: str) -> None:
    (folder / "unioncard.desktop").write_text(DESKTOP_ENTRY.format(exec="unioncard", icon="unioncard"), encoding="utf-8")
    script = folder / "install-desktop-entry.sh"
    script.write_text(INSTALL_SCRIPT, encoding="utf-8")
    script.chmod(0o755)
    (folder / "使用说明.txt").write_text(MEMBERS_README.format(version=version), encoding="utf-8")


# Licence texts the wheels do not carry: Qt/PySide6 (LGPL-3.0, and GPL-3.0 for Qt Charts) and Python's.
_LICENCE_TEXTS = {"LGPL-3.0.txt": Path("/usr/share/common-licenses/LGPL-3"),
                  "GPL-3.0.txt": Path("/usr/share/common-licenses/GPL-3"),
                  "Python-PSF.txt": Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "LICENSE.txt"}


def licence_texts(folder: Path) -> list[Path]:
    """licenses/ in the bundle: the texts above (Debian keeps the GPL family in /usr/share/common-licenses;
    on another system put them beside build.py); every package's own licence is in its dist-info."""
    target = folder / "licenses"
    target.mkdir(exist_ok=True)
    written = []
    for name, source in _LICENCE_TEXTS.items():
        local = ROOT / "packaging" / "licenses" / name
        for candidate in (local, source):
            if candidate.is_file():
                shutil.copyfile(candidate, target / name)
                written.append(target / name)
                break
        else:
            raise SystemExit(f"licence text missing: {name} (looked at {local} and {source})")
    return written


def pack(folder: Path, out: Path, version: str) -> Path:
    """The folder as one archive; xz with every core where the system's tar and xz are there."""
    out.mkdir(parents=True, exist_ok=True)
    system = {"linux": "linux", "win32": "windows", "darwin": "macos"}.get(sys.platform, sys.platform)
    stem = f"unioncard-{version}-{system}-{platform.machine().lower()}"
    if sys.platform == "win32":
        return Path(shutil.make_archive(str(out / stem), "zip", folder.parent, folder.name))
    archive = out / f"{stem}.tar.xz"
    partial = archive.with_name(archive.name + ".part")
    if shutil.which("tar") and shutil.which("xz"):
        with open(partial, "wb") as sink:
            tar = subprocess.Popen(["tar", "--owner=0", "--group=0", "--numeric-owner", "-C", str(folder.parent),
                                    "-cf", "-", folder.name], stdout=subprocess.PIPE)
            subprocess.run(["xz", "-T0", "-6", "-c"], stdin=tar.stdout, stdout=sink, check=True)
            if tar.wait() != 0:
                raise SystemExit("tar failed")
    else:
        with tarfile.open(partial, "w:xz") as tar:
            tar.add(folder, arcname=folder.name)
    partial.replace(archive)
    return archive


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="把工会卡打包为无需 Python 的桌面程序（一个文件夹，再压缩为一个文件）")
    parser.add_argument("--no-pack", action="store_true", help="只生成文件夹，不压缩")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="压缩包的保存位置（默认 dist/）")
    args = parser.parse_args(argv)
    version = _version()
    started = time.monotonic()
    icons = WORK / "icons"
    render_icons(icons)   # first: the spec takes the 256 px one for the program file
    folder = freeze(WORK / "dist")
    shutil.copytree(icons / "share", folder / "share", dirs_exist_ok=True)
    licence_texts(folder)
    desktop_files(folder, version)
    print(f"bundle: {folder} ({_size(folder) / 1e6:.0f} MB, {time.monotonic() - started:.0f} s)")
    if not args.no_pack:
        archive = pack(folder, args.out, version)
        print(f"archive: {archive} ({_size(archive) / 1e6:.0f} MB, {time.monotonic() - started:.0f} s in all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
