"""The map's command-line commands (`unioncard export-map`), added to the app's parser."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.catalogue import search
from app.categories import resolve_category
from app.cli import UsageError, add_filters, print_json, query_from_args
from app.districts import DistrictIndex
from app.store import Store
from maps.web_map import selection_title, write_web_map


def _export_map(args, store: Store, districts: DistrictIndex) -> int:
    query = query_from_args(args)
    frame = search(store, districts, query)
    out = Path(args.out)
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--out 应是 .html 文件：{out}")
    if not out.parent.is_dir():
        raise UsageError(f"目录不存在：{out.parent}")
    names = [districts.name(districts.resolve(d)) for d in query.districts]
    categories = [resolve_category(c).name for c in query.categories]
    title = args.title or selection_title(names, categories)
    write_web_map(out, districts, frame, title)
    if args.json:
        print_json({"file": str(out), "count": len(frame), "title": title})
    else:
        print(f"已写出 {out}：{len(frame)} 家商户（{title}）")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-map", help="把筛选结果导出为一个可离线打开的网页地图（.html）")
    add_filters(p)
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--title", help="网页标题（默认按所选区和类别生成）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_export_map)
