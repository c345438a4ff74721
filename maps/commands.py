"""The map's command-line commands (`unioncard export-map`, `unioncard flyer`), added to the app's parser."""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from app.command_line import UsageError, output_file, output_folder, parse_date, print_json
from app.geo.districts import DistrictIndex
from app.merchants.catalogue import MerchantQuery, drop_expired, resolve_names, search
from app.merchants.commands import add_filters, query_from_args
from app.merchants.list_commands import list_for_output, selection_notes
from app.merchants.lists import ListError
from app.store import Store
from maps.flyer import FlyerSpec, write_district_flyers, write_flyer
from maps.web_map import selection_title, write_web_map


def _selection(args, store: Store, districts: DistrictIndex):
    """(merchants, title, notes) of a named list (--list) or of the filters, expired offers left out
    unless --include-expired; retired merchants are never in it."""
    if getattr(args, "list", None) is not None:
        try:
            named, frame, notes = list_for_output(store, districts, args.list, args.include_expired)
        except ListError as exc:
            raise UsageError(str(exc)) from None
        return frame, named.name, notes
    query = query_from_args(args, districts)
    frame = search(store, districts, query)
    expired = 0
    if not args.include_expired:
        frame, expired = drop_expired(frame)
    codes, categories = resolve_names(query, districts)
    return frame, selection_title([districts.name(c) for c in codes], categories), selection_notes(0, expired)


def _refuse_empty(args, frame, what: str, notes: list[str]) -> bool:
    """An empty flyer or map helps nobody: say so and write nothing, unless --allow-empty."""
    if not frame.empty or args.allow_empty:
        return False
    for note in notes:
        print(note, file=sys.stderr)
    print(f"unioncard: 未生成{what}：所选范围内没有商户（确实需要空白的{what}时加 --allow-empty）", file=sys.stderr)
    return True


def _export_map(args, store: Store, districts: DistrictIndex) -> int:
    frame, default_title, notes = _selection(args, store, districts)
    out = output_file(args.out, (".html", ".htm"))
    if _refuse_empty(args, frame, "网页地图", notes):
        return 1
    title = args.title or default_title
    write_web_map(out, districts, frame, title)
    if args.json:
        print_json({"file": str(out), "count": len(frame), "title": title, "notes": notes})
    else:
        print(f"已写出 {out}：{len(frame)} 家商户（{title}）")
        for note in notes:
            print(note)
    return 0


def _list_flyer(args, store: Store, districts: DistrictIndex) -> int:
    """A flyer of a named list: its name is the title, its districts are the map's focus."""
    frame, title, notes = _selection(args, store, districts)
    out = output_file(args.out, (".pdf",))
    if _refuse_empty(args, frame, "传单", notes):
        return 1
    codes = sorted({c for c in frame["district_code"] if c}) if not frame.empty else []
    names = tuple(districts.name(c) for c in codes)
    spec = FlyerSpec(args.title or title, names, (), parse_date(args.date, "--date") or dt.date.today(), args.size,
                     keep_order=True)
    return _report_flyer(args, write_flyer(out, frame, districts, codes, spec), notes, spec.title)


def _missing_note(result) -> list[str]:
    return [f"提醒：{result.path.name} 中有传单字体没有的字符，印出来是空白：{result.missing}"] if result.missing else []


def _report_flyer(args, result, notes: list[str], title: str | None = None) -> int:
    notes = notes + _missing_note(result)
    if args.json:
        print_json({"file": str(result.path), "merchants": result.merchants, "pages": result.pages, "notes": notes,
                    "missing_characters": result.missing})
    else:
        print(f"已写出 {result.path}：{result.merchants} 家商户，{result.pages} 页" + (f"（{title}）" if title else ""))
        for note in notes:
            print(note)
    return 0


def _flyer(args, store: Store, districts: DistrictIndex) -> int:
    if args.list:
        if args.district or args.all_districts or args.category:
            raise UsageError("--list 不能与 --district、--all-districts 或 --category 同用")
        if not args.out:
            raise UsageError("--list 需要 --out 文件（.pdf）")
        return _list_flyer(args, store, districts)
    if bool(args.all_districts) == bool(args.district):
        raise UsageError("请给出 --district（可重复）或 --list，或使用 --all-districts")
    size = args.size
    query = MerchantQuery(districts=tuple(args.district or ()), categories=tuple(args.category or ()))
    codes, category_names = resolve_names(query, districts)
    issued = parse_date(args.date, "--date") or dt.date.today()
    if args.all_districts:
        if not args.out_dir:
            raise UsageError("--all-districts 需要 --out-dir 目录")
        out_dir = output_folder(args.out_dir)
        made = write_district_flyers(store, districts, out_dir, category_names, issued, size,
                                     include_expired=args.include_expired)
        written, empty = made.written, made.empty
        if args.json:
            print_json({"files": [{"file": str(r.path), "merchants": r.merchants, "pages": r.pages,
                                   "missing_characters": r.missing} for r in written],
                        "districts_without_merchants": empty})
        else:
            for r in written:
                print(f"已写出 {r.path}：{r.merchants} 家商户，{r.pages} 页")
                for note in _missing_note(r):
                    print(note)
            if empty:
                print(f"没有符合条件商户的区（未生成传单）：{'、'.join(empty)}")
        return 0
    if not args.out:
        raise UsageError("--district 需要 --out 文件（.pdf）")
    out = output_file(args.out, (".pdf",))
    frame = search(store, districts, query)
    expired = 0
    if not args.include_expired:
        frame, expired = drop_expired(frame)
    if _refuse_empty(args, frame, "传单", selection_notes(0, expired)):
        return 1
    names = [districts.name(c) for c in codes]
    spec = FlyerSpec(args.title or selection_title(names, category_names), tuple(names), tuple(category_names),
                     issued, size)
    return _report_flyer(args, write_flyer(out, frame, districts, codes, spec), selection_notes(0, expired))


def _flyer_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--size", choices=["a4", "a5"], default="a4", help="纸张大小（默认 A4 纵向）")
    p.add_argument("--title", help="标题（默认按所选区和类别生成，清单则用清单名称）")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="发布日期（默认今天）")
    p.add_argument("--include-expired", action="store_true", help="包含优惠已过期的商户（默认略去）")
    p.add_argument("--allow-empty", action="store_true", help="没有商户时也生成（默认拒绝）")
    p.add_argument("--json", action="store_true")


def add_export_map(p: argparse.ArgumentParser) -> None:
    add_filters(p)
    p.add_argument("--list", metavar="NAME", help="导出这个商户清单（而不是筛选结果）")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--title", help="网页标题（默认按所选区和类别生成）")
    p.add_argument("--include-expired", action="store_true", help="包含优惠已过期的商户（默认略去）")
    p.add_argument("--allow-empty", action="store_true", help="没有商户时也生成（默认拒绝）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_export_map)


def add_flyer(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", action="append", metavar="NAME", help="区（可重复）")
    p.add_argument("--all-districts", action="store_true", help="每个有商户的区各生成一份")
    p.add_argument("--category", action="append", metavar="NAME", help="只印这些类别（可重复）")
    p.add_argument("--list", metavar="NAME", help="为一个商户清单生成传单（清单名称即标题）")
    p.add_argument("--out", metavar="FILE.pdf")
    p.add_argument("--out-dir", metavar="DIR")
    _flyer_options(p)
    p.set_defaults(handler=_flyer)


def add_list_flyer(lists: argparse._SubParsersAction) -> None:
    """`lists flyer`: the named lists get a flyer of their own."""
    p = lists.add_parser("flyer", help="为清单生成传单（PDF，清单名称即标题）")
    p.add_argument("list", metavar="name")
    p.add_argument("--out", required=True, metavar="FILE.pdf")
    _flyer_options(p)
    p.set_defaults(handler=_list_flyer)
