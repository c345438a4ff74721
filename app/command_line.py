"""What every `unioncard` subcommand shares: the usage error, option parsers, JSON and table output.

Each domain adds its own subcommands (`app/*/commands.py`) and imports this module; nothing here
imports a domain, so the command line has no import cycle.
"""

from __future__ import annotations

import argparse
import datetime as dt
import errno
import json
import sys
import unicodedata
from pathlib import Path
from collections.abc import Sequence

from app.control_chars import escaped
from app.dates import strict_date, strict_month

# argparse's own words, as a user meets them (usage, errors, help headings). argparse looks each up
# through its module's gettext alias when it prints, so this catalogue is all it takes.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "options": "选项",
    "positional arguments": "参数",
    "show this help message and exit": "显示帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "最多一个值",
    "invalid %(type)s value: %(value)r": "无效的值 %(value)r（应为 %(type)s）",
    "not allowed with argument %s": "不能与 %s 同时使用",
    "one of the arguments %s is required": "%s 中必须给出一个",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 不明确，可能是 %(matches)s",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def _argparse_text(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


def _argparse_plural(singular: str, plural: str, n: int) -> str:
    if singular == "expected %s argument":
        return "需要 %s 个值"
    return singular if n == 1 else plural


argparse._ = _argparse_text           # type: ignore[attr-defined]
argparse.ngettext = _argparse_plural  # type: ignore[attr-defined]


class UsageError(Exception):
    """Bad command-line input: printed as one line, exit status 2."""


class QueryError(ValueError):
    """A filter value the user gave that names nothing (unknown district or category)."""


def parse_date(text: str | None, what: str) -> dt.date | None:
    """A YYYY-MM-DD option value; None when it was not given (an empty value is refused, not today)."""
    if text is None:
        return None
    try:
        return strict_date(text)
    except ValueError as exc:
        raise UsageError(f"{what} “{text}”：{exc}") from None


def parse_month(text: str, what: str = "--month") -> str:
    """A YYYY-MM option value, within the years parse_date accepts."""
    try:
        return strict_month(text)
    except ValueError as exc:
        raise UsageError(f"{what} “{text}”：{exc}") from None


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
        print("  ".join(_clip("" if v is None else escaped(str(v)), w) for v, w in zip(row, widths)).rstrip())


def _path(text: str) -> Path:
    """A path typed on the command line, refused when no file system could hold it."""
    if not text or "\x00" in text:
        raise UsageError(f"文件路径无效：“{text.replace(chr(0), '␀')}”")
    path = Path(text)
    try:
        path.exists()
    except OSError as exc:   # a name too long, or a path the system cannot look up
        reason = "名称过长" if exc.errno == errno.ENAMETOOLONG else "系统无法访问"
        raise UsageError(f"文件路径无效（{reason}）：“{text[:60]}{'…' if len(text) > 60 else ''}”") from None
    return path


def output_file(text: str, suffixes: tuple[str, ...] = ()) -> Path:
    """A file a command will write: its folder must exist (and be a folder), it must not be a folder."""
    out = _path(text)
    if suffixes and out.suffix.lower() not in suffixes:
        raise UsageError(f"--out 应是 {' 或 '.join(suffixes)} 文件：{out}")
    _folder_for(out.parent)
    if out.is_dir():
        raise UsageError(f"“{out}”是一个文件夹，请给出文件名")
    return out


def output_folder(text: str) -> Path:
    """A folder a command will write into; made when missing, refused when a file stands there."""
    folder = _path(text)
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"“{part}”是一个文件，不是文件夹")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"无法创建文件夹“{folder}”：{'没有权限' if isinstance(exc, PermissionError) else '系统拒绝'}") from None
    return folder


def input_file(text: str) -> Path:
    """A file a command will read: it must exist and be a file."""
    path = _path(text)
    if not path.exists():
        raise UsageError(f"找不到文件：{path}")
    if path.is_dir():
        raise UsageError(f"“{path}”是一个文件夹，不是文件")
    return path


def _folder_for(folder: Path) -> None:
    for part in (folder, *folder.parents):
        if part.exists() and not part.is_dir():
            raise UsageError(f"“{part}”是一个文件，不是文件夹")
    if not folder.is_dir():
        raise UsageError(f"目录不存在：{folder}")
