"""`unioncard districts ...` and `unioncard merchants ...`: the catalogue from the command line."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from decimal import Decimal, InvalidOperation

from app.command_line import UsageError, input_file, output_file, print_json, print_table
from app.geo.china_datum import DATUMS, parse_point
from app.geo.districts import DistrictIndex
from app.merchants import curation_commands
from app.merchants.catalogue import MerchantQuery, district_mismatches, drop_expired, search
from app.merchants.curation_commands import require_editor, staff_handler
from app.merchants.exporter import export_merchants
from app.merchants.fields import json_value
from app.merchants.importer import DUPLICATE_CHOICES, import_into_store
from app.text_encoding import ENCODINGS
from app.merchants.list_commands import selection_notes
from app.store import Store

# ---------------------------------------------------------------- districts


def _districts_list(args, store: Store, districts: DistrictIndex) -> int:
    counts = search(store, districts).groupby("district_code").size().to_dict()
    items = [
        {"code": code, "name": name, "pinyin": pinyin, "merchants": int(counts.get(code, 0))}
        for code, name, pinyin in zip(districts.frame["code"], districts.frame["name"], districts.frame["pinyin"])
    ]
    if args.json:
        print_json({"count": len(items), "districts": items})
    else:
        print_table(["代码", "名称", "拼音", "商户数"], [list(i.values()) for i in items], [8, 10, 10, 6])
    return 0


# ---------------------------------------------------------------- merchants


def _near(text: str | None, districts: DistrictIndex | None = None) -> tuple[float, float] | None:
    """--near as a WGS84 coordinate or a place in Wuhan (区, 街道, 镇, 乡) from the bundled gazetteer."""
    if text is None:
        return None
    point = parse_point(text)
    if point is not None:
        return point
    from app.geo.places import bundled_gazetteer

    gazetteer = bundled_gazetteer(districts)
    place = gazetteer.locate(text)
    if place is not None:
        return place.lon, place.lat
    found = gazetteer.find(text, limit=5)
    if found:
        names = "、".join(p.label for p in found)
        raise UsageError(f"--near “{text}”可指多处：{names}；请写全名，或写 经度,纬度")
    raise UsageError(f"--near 应写成 经度,纬度（如 114.39,30.63）或武汉的区、街道名（如 关山街道），"
                     f"找不到“{text}”")


def _saving(text: str | None) -> Decimal | None:
    if text is None:
        return None
    try:
        value = Decimal(text.strip().rstrip("%")) / (100 if text.strip().endswith("%") else 1)
    except InvalidOperation:
        raise UsageError(f"--min-saving 应是 0 到 1 之间的数（如 0.1）或百分比（如 10%），这里是“{text}”") from None
    if not value.is_finite():
        raise UsageError(f"--min-saving 无效：“{text}”")
    return value


def query_from_args(args, districts: DistrictIndex | None = None) -> MerchantQuery:
    """The merchant query named by the options `add_filters` adds."""
    return MerchantQuery(
        districts=tuple(args.district or ()),
        categories=tuple(args.category or ()),
        text=args.text,
        near=_near(args.near, districts),
        radius_m=args.radius,
        min_saving=_saving(args.min_saving),
        sort=args.sort,
        retired=getattr(args, "retired", "exclude"),
    )


def merchant_json(row) -> dict:
    keys = ["id", "name", "category", "district", "district_code", "mcc", "offer", "address", "phone",
            "valid_from", "valid_to", "lon", "lat", "location_approximate", "source", "max_saving",
            "mcc_assumed"]
    if "distance_m" in row:
        keys.append("distance_m")
    out = {k: json_value(row[k]) for k in keys}
    out["rules"] = json.loads(row["rules_json"])
    return out


def _expired_mask(frame, today: dt.date):
    return frame["valid_to"].map(lambda d: isinstance(d, dt.date) and d < today).astype(bool)


def _merchants_list(args, store: Store, districts: DistrictIndex) -> int:
    frame = search(store, districts, query_from_args(args, districts))
    # As the window does: offers that have ended are left out unless asked for, and said so when listed.
    today = dt.date.today()
    expired = _expired_mask(frame, today) if not frame.empty else None
    if expired is not None and args.expired != "include":
        frame = frame[~expired if args.expired == "exclude" else expired].reset_index(drop=True)
        expired = _expired_mask(frame, today) if not frame.empty else None
    if args.json:
        rows = [{**merchant_json(r), "expired": bool(expired.iloc[i]) if expired is not None else False}
                for i, (_, r) in enumerate(frame.iterrows())]
        print_json({"count": len(frame), "merchants": rows})
        return 0
    if expired is not None and expired.any():
        frame = frame.copy()
        frame.loc[expired, "offer"] = "【已过期】" + frame.loc[expired, "offer"].astype(str)
    headers = ["编号", "名称", "类别", "区", "优惠"]
    widths = [10, 20, 8, 8, 48]
    columns = ["id", "name", "category", "district", "offer"]
    if "distance_m" in frame:
        headers.insert(4, "距离(米)")
        widths.insert(4, 9)
        columns.insert(4, "distance_m")
    print_table(headers, frame[columns].values.tolist(), widths)
    print(f"共 {len(frame)} 家商户")
    return 0


def _merchants_import(args, store: Store, districts: DistrictIndex) -> int:
    author = None if args.dry_run else require_editor(store).name
    report = import_into_store(store, districts, input_file(args.file), args.crs, author=author or "system",
                               duplicates=args.duplicates, dry_run=args.dry_run, encoding=args.encoding,
                               sheet=args.sheet)
    bad_file = any(p.severity == "error" for p in report.problems)
    clean_dry_run = args.dry_run and not bad_file
    # A file refused for what is in it is bad input (2); one that waits for a choice about duplicates is refused (1).
    status = 0 if report.written or clean_dry_run else 2 if bad_file else 1
    if args.json:
        print_json(report.to_json())
        return status
    for p in report.problems:
        print(p, file=sys.stderr)
    for d in report.duplicates:
        print(f"[重复?] {d}", file=sys.stderr)
    counts = f"新增 {report.added}，更新 {report.updated}，未变 {report.unchanged}" + (
        f"，跳过 {len(report.skipped_ids)}" if report.skipped_ids else "")
    if report.written:
        print(f"已导入 {args.file}（第 {report.change_set_id} 次修改）：{counts}")
    elif report.needs_duplicate_choice:
        print(f"未导入：{args.file} 中有 {len(report.duplicates)} 家商户可能已在目录中；请核对后用 --duplicates 选择："
              "skip 跳过它们，update 用文件中的内容更新已有商户，keep 两者都保留", file=sys.stderr)
    elif clean_dry_run:
        print(f"试导入 {args.file}（未写入）：{counts}")
    else:
        n = sum(1 for p in report.problems if p.severity == "error")
        print(f"未导入：{args.file} 有 {n} 处错误，数据库没有任何改动", file=sys.stderr)
    if report.missing:
        print(f"文件中不再有以下 {len(report.missing)} 家同来源的商户：", file=sys.stderr)
        for mid, name in report.missing:
            print(f"  {mid} {name}", file=sys.stderr)
        if report.written:
            print(f"核对后可一次下架：unioncard merchants retire --missing-from {report.change_set_id} --reason 已不在合作名单",
                  file=sys.stderr)
    return status


def _merchants_export(args, store: Store, districts: DistrictIndex) -> int:
    frame = search(store, districts, query_from_args(args, districts))
    expired = 0
    if not args.include_expired:
        frame, expired = drop_expired(frame)
    try:
        path = export_merchants(frame, output_file(args.file))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    notes = selection_notes(0, expired)
    for note in notes:
        print(note, file=sys.stderr)
    if args.json:
        print_json({"file": str(path), "count": len(frame), "notes": notes})
    else:
        print(f"已导出 {len(frame)} 家商户到 {path}")
    return 0


def _merchants_check(args, store: Store, districts: DistrictIndex) -> int:
    bad = district_mismatches(store, districts)
    if args.json:
        print_json({"count": len(bad), "mismatches": bad.to_dict(orient="records")})
    elif bad.empty:
        print("所有商户填写的区与坐标一致")
    else:
        print_table(["编号", "名称", "填写的区", "坐标所在区"], bad.values.tolist(), [10, 20, 10, 10])
    return 0 if bad.empty else 1


# ---------------------------------------------------------------- parser


def add_filters(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", action="append", metavar="NAME", help="区（可重复），如 青山区、青山、Qingshan")
    p.add_argument("--category", action="append", metavar="NAME", help="类别（可重复），如 餐饮、医疗、生活服务")
    p.add_argument("--text", metavar="Q", help="名称或优惠文字，也可用拼音首字母，如 zbcc")
    p.add_argument("--near", metavar="PLACE",
                   help="附近：WGS84 经度,纬度，或武汉的区、街道、镇名（如 关山街道）")
    p.add_argument("--radius", type=float, metavar="M", help="附近的半径（米），与 --near 一起使用")
    p.add_argument("--min-saving", metavar="R", help="最低优惠幅度，如 0.1 表示至少九折")
    p.add_argument("--sort", choices=["name", "saving"], default="name", help="按名称（拼音）或优惠幅度排序")
    p.add_argument("--retired", choices=["exclude", "include", "only"], default="exclude",
                   help="已下架的商户：exclude 不含（默认）、include 包含、only 只看已下架")


def add_district_commands(districts: argparse._SubParsersAction) -> None:
    p = districts.add_parser("list", help="列出13个区及其商户数")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_districts_list)


def add_commands(merchants: argparse._SubParsersAction) -> None:
    p = merchants.add_parser("list", help="按区、类别、文字、附近筛选商户")
    add_filters(p)
    p.add_argument("--expired", choices=["exclude", "include", "only"], default="exclude",
                   help="优惠已过期的商户：exclude 不含（默认）、include 包含（标明已过期）、only 只看已过期")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_merchants_list)

    p = merchants.add_parser("import", help="导入 GeoJSON / CSV / Excel / ODS / GeoPackage / Shapefile（有任何错误则全部不导入）")
    p.add_argument("file")
    p.add_argument("--crs", choices=DATUMS, default="wgs84", help="文件坐标系：wgs84（GPS）、gcj02（高德/腾讯）、bd09（百度）")
    p.add_argument("--encoding", choices=ENCODINGS, help="文件编码（默认自动识别 UTF-8、UTF-16、GBK/GB18030）")
    p.add_argument("--sheet", metavar="NAME", help="工作簿的工作表或 GeoPackage 的图层：名称或序号（从 1 起）")
    p.add_argument("--duplicates", choices=DUPLICATE_CHOICES, default="ask",
                   help="文件中的商户可能已在目录中时：ask 列出并不导入（默认）、skip 跳过、update 更新已有商户、keep 都保留")
    p.add_argument("--dry-run", action="store_true", help="只报告将新增、更新、重复和缺少的商户，不写入")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_merchants_import))

    p = merchants.add_parser("export", help="导出筛选结果，格式由扩展名决定：.geojson .csv .xlsx")
    p.add_argument("file")
    add_filters(p)
    p.add_argument("--include-expired", action="store_true", help="包含优惠已过期的商户（默认略去）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_merchants_export)

    p = merchants.add_parser("check", help="找出填写的区与坐标所在区不一致的商户")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_merchants_check)
    curation_commands.add_commands(merchants)
