"""The map's command-line commands (`unioncard export-map`, `unioncard flyer`), added to the app's parser."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from app.command_line import UsageError, parse_date, print_json
from app.geo.districts import DistrictIndex
from app.merchants.catalogue import MerchantQuery, resolve_names, search
from app.merchants.commands import add_filters, query_from_args
from app.store import Store
from maps.flyer import FlyerSpec, write_flyer
from maps.web_map import selection_title, write_web_map


def _output_file(text: str, suffixes: tuple[str, ...]) -> Path:
    out = Path(text)
    if out.suffix.lower() not in suffixes:
        raise UsageError(f"--out 应是 {suffixes[0]} 文件：{out}")
    if not out.parent.is_dir():
        raise UsageError(f"目录不存在：{out.parent}")
    return out


def _export_map(args, store: Store, districts: DistrictIndex) -> int:
    query = query_from_args(args)
    frame = search(store, districts, query)
    out = _output_file(args.out, (".html", ".htm"))
    codes, categories = resolve_names(query, districts)
    title = args.title or selection_title([districts.name(c) for c in codes], categories)
    write_web_map(out, districts, frame, title)
    if args.json:
        print_json({"file": str(out), "count": len(frame), "title": title})
    else:
        print(f"已写出 {out}：{len(frame)} 家商户（{title}）")
    return 0


def _flyer(args, store: Store, districts: DistrictIndex) -> int:
    if bool(args.all_districts) == bool(args.district):
        raise UsageError("请给出 --district（可重复），或使用 --all-districts")
    size = args.size
    query = MerchantQuery(districts=tuple(args.district or ()), categories=tuple(args.category or ()))
    codes, category_names = resolve_names(query, districts)
    issued = parse_date(args.date, "--date") or dt.date.today()
    if args.all_districts:
        if not args.out_dir:
            raise UsageError("--all-districts 需要 --out-dir 目录")
        out_dir = Path(args.out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        written, empty = [], []
        for code, name in zip(districts.frame["code"], districts.frame["name"]):
            frame = search(store, districts, MerchantQuery(districts=(code,), categories=tuple(category_names)))
            if frame.empty:
                empty.append(name)
                continue
            spec = FlyerSpec(selection_title([name], category_names), (name,), tuple(category_names), issued, size)
            written.append(write_flyer(out_dir / f"{name}.pdf", frame, districts, [code], spec))
        if args.json:
            print_json({"files": [{"file": str(r.path), "merchants": r.merchants, "pages": r.pages} for r in written],
                        "districts_without_merchants": empty})
        else:
            for r in written:
                print(f"已写出 {r.path}：{r.merchants} 家商户，{r.pages} 页")
            if empty:
                print(f"没有符合条件商户的区（未生成传单）：{'、'.join(empty)}")
        return 0
    if not args.out:
        raise UsageError("--district 需要 --out 文件（.pdf）")
    out = _output_file(args.out, (".pdf",))
    frame = search(store, districts, query)
    names = [districts.name(c) for c in codes]
    spec = FlyerSpec(args.title or selection_title(names, category_names), tuple(names), tuple(category_names),
                     issued, size)
    result = write_flyer(out, frame, districts, codes, spec)
    if args.json:
        print_json({"file": str(result.path), "merchants": result.merchants, "pages": result.pages})
    else:
        print(f"已写出 {result.path}：{result.merchants} 家商户，{result.pages} 页")
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-map", help="把筛选结果导出为一个可离线打开的网页地图（.html）")
    add_filters(p)
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--title", help="网页标题（默认按所选区和类别生成）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_export_map)

    p = sub.add_parser("flyer", help="为一个区（或每个区）生成可打印的优惠商户传单（PDF）")
    p.add_argument("--district", action="append", metavar="NAME", help="区（可重复）")
    p.add_argument("--all-districts", action="store_true", help="每个有商户的区各生成一份")
    p.add_argument("--category", action="append", metavar="NAME", help="只印这些类别（可重复）")
    p.add_argument("--size", choices=["a4", "a5"], default="a4", help="纸张大小（默认 A4 纵向）")
    p.add_argument("--out", metavar="FILE.pdf")
    p.add_argument("--out-dir", metavar="DIR")
    p.add_argument("--title", help="标题（默认按所选区和类别生成）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="发布日期（默认今天）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_flyer)
