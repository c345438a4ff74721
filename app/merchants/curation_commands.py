"""`unioncard merchants add|edit|move|retire|restore|history|revert|changes|duplicates|merge|not-duplicate`
and `unioncard catalogue grant|whoami`: the staff workspace for scripts.

Bad input (an unknown merchant, a malformed value) exits 2; a refused save (a check error, a conflict
with a colleague's change, no permission) exits 1 and writes nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys

from app.command_line import UsageError, output_file, parse_date, print_json, print_table
from app.geo.china_datum import DATUMS, to_wgs84
from app.geo.districts import DistrictIndex
from app.merchants import duplicate_review, history
from app.merchants.curation import (
    ACTIONS,
    CurationError,
    SaveResult,
    add_merchant,
    load,
    move,
    restore,
    retire,
    save_changes,
)
from app.merchants.fields import FIELD_LABELS, TRACKED_FIELDS, display_value
from app.merchants.importer import state_values, validate_one
from app.store import Store
from app.store.identity import Editor, RoleError, current_editor, grant
from app.store.models import ChangeSet

# option -> the field key validate_one reads
FIELD_OPTIONS = {
    "name": "名称", "category": "类别（餐饮 住宿 出行 医疗 旅游 购物 娱乐 生活服务）", "district": "区（默认按位置确定）",
    "mcc": "4位商户类别码", "offer": "优惠文字，照商户公布的原文", "address": "地址", "phone": "电话",
    "valid_from": "有效期起 YYYY-MM-DD", "valid_to": "有效期止 YYYY-MM-DD", "source": "来源",
}


class RefusedSave(Exception):
    """The save was refused (printed already): exit status 1."""


def require_editor(store: Store) -> Editor:
    editor = current_editor(store)
    if not editor.can_edit:
        print(f"unioncard: 未执行：数据库角色“{editor.name}”没有修改商户目录的权限（只读）", file=sys.stderr)
        raise RefusedSave
    return editor


def _point(text: str, crs: str) -> tuple[float, float]:
    """LON,LAT as published (高德 "114.39,30.63" with --crs gcj02), as WGS84."""
    try:
        lon, lat = (float(x) for x in text.replace("，", ",").split(","))
    except ValueError:
        raise UsageError(f"位置应写成 经度,纬度（如 114.39,30.63），这里是“{text}”") from None
    out = to_wgs84(lon, lat, crs)
    return float(out[0]), float(out[1])


def _given(args) -> dict[str, object]:
    values = {k: getattr(args, k) for k in FIELD_OPTIONS if getattr(args, k, None) is not None}
    if getattr(args, "approximate", None) is not None:
        values["location_approximate"] = args.approximate
    return values


def _report(args, result: SaveResult, verb: str, districts: DistrictIndex) -> int:
    def _value_text(field: str, value: object) -> str:
        return display_value(field, value, districts.name)

    if args.json:
        print_json(result.to_json())
    # Errors always; warnings only about what this save touched (or a possible duplicate).
    touched = {FIELD_LABELS.get(f, f) for f in result.changes}
    for p in result.problems:
        if not args.json and (p.severity == "error" or p.field is None or p.field in touched):
            print(p, file=sys.stderr)
    if result.conflicts:
        if not args.json:
            n = len(result.conflicts)
            for i, c in enumerate(result.conflicts, start=1):
                print(f"冲突 {i}/{n} · {c.label}：原为 {_value_text(c.field, c.base)}，{c.their_author} 已改为 "
                      f"{_value_text(c.field, c.theirs)}，你要改为 {_value_text(c.field, c.mine)}", file=sys.stderr)
            print(f"unioncard: 未保存：{result.merchant_id} 已被别人修改（现为第 {result.revision} 版）；"
                  f"请决定每个冲突后，以 --base-revision {result.revision} 重新保存", file=sys.stderr)
        return 1
    if not result.saved:
        if result.errors:
            if not args.json:
                print(f"unioncard: 未保存：{result.merchant_id} 有 {len(result.errors)} 处错误", file=sys.stderr)
            return 1
        if not args.json:
            print(f"{result.merchant_id} 没有需要保存的变化（第 {result.revision} 版）")
        return 0
    if not args.json:
        merged = f"（已与 {'、'.join(result.merged_with)} 的修改合并）" if result.merged_with else ""
        print(f"已{verb} {result.merchant_id}，现为第 {result.revision} 版{merged}")
        for f, (old, new) in result.changes.items():
            print(f"  {FIELD_LABELS.get(f, f)}：{_value_text(f, old)} → {_value_text(f, new)}")
    return 0


def staff_handler(function):
    """Adapts a command to the (args, store, districts) handler shape; curation errors are bad input."""
    def handle(args, store: Store, districts: DistrictIndex) -> int:
        try:
            return function(args, store, districts)
        except CurationError as exc:
            raise UsageError(str(exc)) from None
        except RefusedSave:
            return 1
    return handle


def _bad_input(problems) -> None:
    for p in problems:
        print(p, file=sys.stderr)
    errors = [p for p in problems if p.severity == "error"]
    raise UsageError(f"输入有 {len(errors)} 处错误，未保存")


def _add(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    values = _given(args)
    values["lon"], values["lat"] = _point(args.at, args.crs)
    if args.id:
        values["id"] = args.id
    record, problems = validate_one(values, districts, f"新商户 {args.name}")
    if record is None:
        _bad_input(problems)
    result = add_merchant(store, districts, record, author=editor.name, comment=args.comment)
    return _report(args, result, "新增", districts)


def _edit(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    current = load(store, args.id)
    given = _given(args)
    if not given:
        raise UsageError("没有要修改的字段：用 --name、--offer、--phone 等给出新值")
    values = {**state_values(current.state, args.id), **given}
    record, problems = validate_one(values, districts, f"商户 {args.id}")
    if record is None:
        _bad_input(problems)
    changes = {f: getattr(record, f) for f in TRACKED_FIELDS if hasattr(record, f)
               and getattr(record, f) != current.state[f]}
    base = args.base_revision or current.revision
    result = save_changes(store, districts, args.id, base, changes, author=editor.name, comment=args.comment)
    return _report(args, result, "保存", districts)


def _move(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    current = load(store, args.id)
    lon, lat = _point(args.to, args.crs)
    if not districts.contains_city(lon, lat):
        raise UsageError(f"位置（{args.to}，坐标系 {args.crs}）不在武汉市范围内")
    result = move(store, districts, args.id, args.base_revision or current.revision, lon, lat, author=editor.name,
                  comment=args.comment)
    if result.saved and not args.json:
        print(f"新位置在 {districts.name(districts.locate([lon], [lat])[0])}")
    return _report(args, result, "移动", districts)


def _retire(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    ids = list(args.ids)
    if args.missing_from is not None:
        with store.session() as s:
            change_set = s.get(ChangeSet, args.missing_from)
            if change_set is None or change_set.kind != "import":
                raise UsageError(f"没有编号为 {args.missing_from} 的导入")
            ids += json.loads(change_set.summary_json).get("missing", [])
    if not ids:
        raise UsageError("请给出要下架的商户编号，或用 --missing-from 指定一次导入")
    on = parse_date(args.date, "--date") or dt.date.today()
    status = 0
    for mid in ids:
        current = load(store, mid)
        if current.retired:
            print(f"{mid} 已于 {current.state['retired_on']} 下架", file=sys.stderr)
            status = max(status, 1)
            continue
        status = max(status, _report(args, retire(store, districts, mid, current.revision, reason=args.reason, on=on,
                                                  author=editor.name, comment=args.comment), "下架", districts))
    return status


def _restore(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    current = load(store, args.id)
    if not current.retired:
        print(f"unioncard: 未执行：{args.id} 没有下架", file=sys.stderr)
        return 1
    return _report(args, restore(store, districts, args.id, current.revision, author=editor.name,
                                 comment=args.comment), "恢复", districts)


def _history(args, store: Store, districts: DistrictIndex) -> int:
    revisions = history.history(store, args.id)
    if args.json:
        print_json({"merchant_id": args.id, "revisions": [r.to_json() for r in revisions]})
        return 0
    for r in revisions:
        when = r.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        print(f"第 {r.revision} 版  {when}  {r.author}  {r.action_text}" + (f"  “{r.comment}”" if r.comment else ""))
        for f, (old, new) in r.changes.items():
            print(f"    {FIELD_LABELS.get(f, f)}：{display_value(f, old, districts.name)} → "
                  f"{display_value(f, new, districts.name)}")
    return 0


def _revert(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    result = history.revert(store, districts, args.id, args.revision, author=editor.name, comment=args.comment)
    return _report(args, result, "回退", districts)


def _changes(args, store: Store, districts: DistrictIndex) -> int:
    code = None
    if args.district:
        code = districts.resolve(args.district)
        if code is None:
            raise UsageError(f"未知的区“{args.district}”")
    revisions = history.change_log(store, author=args.by, since=parse_date(args.since, "--since"),
                                   until=parse_date(args.until, "--until"), district_code=code, action=args.action,
                                   limit=args.limit)
    if args.csv:
        history.write_change_log_csv(revisions, districts, output_file(args.csv, (".csv",)))
    if args.json:
        print_json({"count": len(revisions), "changes": [r.to_json() for r in revisions]})
    elif not args.csv:
        rows = [[r.created_at.astimezone().strftime("%Y-%m-%d %H:%M"), r.author, r.action_text, r.merchant_id,
                 r.merchant_name, r.changes_text(districts.name)] for r in revisions]
        print_table(["时间", "经办人", "操作", "编号", "名称", "修改内容"], rows, [16, 10, 6, 10, 16, 60])
        print(f"共 {len(revisions)} 条修改")
    else:
        print(f"已导出 {len(revisions)} 条修改到 {args.csv}")
    return 0


def _duplicates(args, store: Store, districts: DistrictIndex) -> int:
    pairs = duplicate_review.candidates(store)
    names = {}
    for c in pairs:
        for mid in (c.first_id, c.second_id):
            if mid not in names:
                names[mid] = load(store, mid).state["name"]
    if args.json:
        print_json({"count": len(pairs), "candidates": [
            {**c.to_json(), "first_name": names[c.first_id], "second_name": names[c.second_id]} for c in pairs]})
        return 0
    rows = [[c.first_id, names[c.first_id], c.second_id, names[c.second_id],
             "电话相同" if c.reason == "phone" else f"名称相近 {c.score:.0f}", f"{c.distance_m:.0f}"] for c in pairs]
    print_table(["编号", "名称", "编号", "名称", "依据", "相距(米)"], rows, [10, 18, 10, 18, 12, 8])
    print(f"共 {len(pairs)} 对可能重复的商户" + ("；用 merchants merge 或 merchants not-duplicate 处理" if pairs else ""))
    return 0


def _merge(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    take = {}
    for name in args.take or []:
        for f in name.split(","):
            key = {"district": "district_code"}.get(f.strip(), f.strip())
            if key not in duplicate_review.MERGEABLE:
                raise UsageError(f"--take 的字段未知：“{f}”，可用：{'、'.join(duplicate_review.MERGEABLE)}")
            take[key] = "other"
    result = duplicate_review.merge(store, districts, args.keep, args.drop, author=editor.name, take=take)
    status = _report(args, result.kept, "合并到", districts) if result.kept else 0
    if status:
        return status
    return _report(args, result.retired, "下架", districts)


def _not_duplicate(args, store: Store, districts: DistrictIndex) -> int:
    editor = require_editor(store)
    duplicate_review.dismiss(store, args.first, args.second, author=editor.name)
    if args.json:
        print_json({"first_id": args.first, "second_id": args.second, "dismissed": True})
    else:
        print(f"已记录：{args.first} 与 {args.second} 不是重复商户，不再提示")
    return 0


def _whoami(args, store: Store, districts: DistrictIndex) -> int:
    editor = current_editor(store)
    if args.json:
        print_json({"name": editor.name, "can_edit": editor.can_edit, "shared": editor.shared})
    else:
        where = "共享目录（PostgreSQL）" if editor.shared else "本机数据库"
        print(f"{editor.name} · {where} · {'可以维护商户' if editor.can_edit else '只读'}")
    return 0


def _grant(args, store: Store, districts: DistrictIndex) -> int:
    try:
        done = grant(store, args.role, args.kind, args.password)
    except RoleError as exc:
        raise UsageError(str(exc)) from None
    if args.json:
        print_json({"role": args.role, "kind": args.kind, "statements": done})
    else:
        for sql in done:
            print(sql + ";")
        print(f"已授予 {args.role} {'维护商户目录' if args.kind == 'staff' else '只读'}的权限")
    return 0


# ---------------------------------------------------------------- parser


def _field_options(p: argparse.ArgumentParser, required_name: bool = False) -> None:
    for key, help_text in FIELD_OPTIONS.items():
        option = "--" + key.replace("_", "-")
        p.add_argument(option, dest=key, required=required_name and key in ("name", "category"), help=help_text)
    approx = p.add_mutually_exclusive_group()
    approx.add_argument("--approximate", dest="approximate", action="store_const", const=True,
                        help="位置为近似（示意）")
    approx.add_argument("--exact", dest="approximate", action="store_const", const=False, help="位置准确")


def add_commands(merchants: argparse._SubParsersAction) -> None:
    p = merchants.add_parser("add", help="新增一家商户（检查通过才保存）")
    _field_options(p, required_name=True)
    p.add_argument("--at", required=True, metavar="LON,LAT", help="位置：经度,纬度")
    p.add_argument("--crs", choices=DATUMS, default="wgs84", help="位置的坐标系：wgs84、gcj02（高德/腾讯）、bd09（百度）")
    p.add_argument("--id", help="编号（默认由名称和位置生成）")
    p.add_argument("--comment", help="修改说明")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_add))

    p = merchants.add_parser("edit", help="修改一家商户的字段（与别人的修改自动合并，同一字段冲突则不保存）")
    p.add_argument("id")
    _field_options(p)
    p.add_argument("--base-revision", type=int, metavar="N", help="你所依据的版本（默认最新版）")
    p.add_argument("--comment", help="修改说明")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_edit))

    p = merchants.add_parser("move", help="把商户移到新位置（区随位置确定）")
    p.add_argument("id")
    p.add_argument("to", metavar="LON,LAT")
    p.add_argument("--crs", choices=DATUMS, default="wgs84", help="坐标系：wgs84、gcj02（高德/腾讯）、bd09（百度）")
    p.add_argument("--base-revision", type=int, metavar="N")
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_move))

    p = merchants.add_parser("retire", help="下架商户（会员、传单和导出中不再出现，历史保留）")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--reason", required=True, help="下架原因，如 已停业")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="下架日期（默认今天）")
    p.add_argument("--missing-from", type=int, metavar="IMPORT", help="下架某次导入中文件已不再列出的同来源商户")
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_retire))

    p = merchants.add_parser("restore", help="恢复已下架的商户")
    p.add_argument("id")
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_restore))

    p = merchants.add_parser("history", help="一家商户的全部修改记录")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_history))

    p = merchants.add_parser("revert", help="回退到某一版（作为新的一版保存；可恢复已下架的商户）")
    p.add_argument("id")
    p.add_argument("revision", type=int)
    p.add_argument("--comment")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_revert))

    p = merchants.add_parser("changes", help="整个目录的变更记录（可按经办人、日期、区、操作筛选）")
    p.add_argument("--by", metavar="NAME", help="经办人（数据库角色或姓名）")
    p.add_argument("--since", metavar="YYYY-MM-DD")
    p.add_argument("--until", metavar="YYYY-MM-DD")
    p.add_argument("--district", metavar="NAME")
    p.add_argument("--action", choices=list(ACTIONS), help="操作类型")
    p.add_argument("--limit", type=int, metavar="N")
    p.add_argument("--csv", metavar="FILE.csv", help="导出为 CSV")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_changes))

    p = merchants.add_parser("duplicates", help="可能重复的商户（名称相近且相距约150米内，或电话相同）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_duplicates))

    p = merchants.add_parser("merge", help="合并重复商户：保留 KEEP，下架 DROP（两者历史都保留）")
    p.add_argument("keep")
    p.add_argument("drop")
    p.add_argument("--take", action="append", metavar="FIELD[,FIELD]", help="采用 DROP 的这些字段，如 offer,phone")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_merge))

    p = merchants.add_parser("not-duplicate", help="标记两家商户不是重复，不再提示")
    p.add_argument("first")
    p.add_argument("second")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=staff_handler(_not_duplicate))


def add_catalogue_commands(catalogue: argparse._SubParsersAction) -> None:
    p = catalogue.add_parser("whoami", help="当前以谁的身份连接，能否维护商户")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_whoami)
    p = catalogue.add_parser("grant", help="（PostgreSQL）创建登录角色并授予员工（维护）或会员（只读）权限")
    p.add_argument("role", help="角色名（英文字母、数字、下划线）")
    p.add_argument("--as", dest="kind", choices=["staff", "member"], required=True, help="staff 员工 / member 会员（只读）")
    p.add_argument("--password", help="登录密码（不写则只授权）")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_grant)
