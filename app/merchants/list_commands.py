"""`unioncard lists create|rename|delete|add|remove|move|show|export`: named merchant lists from scripts
(the map layer adds `lists flyer`)."""

from __future__ import annotations

import argparse
import sys

from app.command_line import UsageError, output_file, print_json, print_table
from app.geo.districts import DistrictIndex
from app.merchants.curation_commands import RefusedSave, require_editor
from app.merchants.exporter import export_merchants
from app.merchants.lists import (
    ListError,
    add_to_list,
    all_lists,
    create_list,
    delete_list,
    list_merchants,
    move_in_list,
    remove_from_list,
    rename_list,
)
from app.store import Store


def selection_notes(retired: int, expired: int) -> list[str]:
    """What a flyer or an export left out, said plainly."""
    notes = []
    if retired:
        notes.append(f"已略去 {retired} 家已下架的商户")
    if expired:
        notes.append(f"已略去 {expired} 家优惠已过期的商户（加 --include-expired 可包含）")
    return notes


def list_for_output(store: Store, districts: DistrictIndex, name: str, include_expired: bool):
    """(the list, its merchants ready for a flyer or an export, notes on what was left out)."""
    named, frame, retired = list_merchants(store, districts, name)
    expired = 0
    if not include_expired:
        from app.merchants.catalogue import drop_expired

        frame, expired = drop_expired(frame)
    return named, frame, selection_notes(retired, expired)


def _handler(function, writes: bool):
    def handle(args, store: Store, districts: DistrictIndex) -> int:
        try:
            author = require_editor(store).name if writes else None
            return function(args, store, districts, author)
        except ListError as exc:
            raise UsageError(str(exc)) from None
        except RefusedSave:
            return 1
    return handle


def _done(args, data: dict, text: str) -> int:
    if args.json:
        print_json(data)
    else:
        print(text)
    return 0


def _create(args, store, districts, author) -> int:
    named = create_list(store, args.name, author=author)
    return _done(args, named.to_json(), f"已创建清单“{named.name}”")


def _rename(args, store, districts, author) -> int:
    rename_list(store, args.name, args.new_name)
    return _done(args, {"name": args.new_name}, f"已将清单“{args.name}”改名为“{args.new_name}”")


def _delete(args, store, districts, author) -> int:
    delete_list(store, args.name)
    return _done(args, {"deleted": args.name}, f"已删除清单“{args.name}”（商户本身不受影响）")


def _add(args, store, districts, author) -> int:
    n = add_to_list(store, args.name, list(args.ids))
    return _done(args, {"name": args.name, "added": n}, f"已向“{args.name}”加入 {n} 家商户")


def _remove(args, store, districts, author) -> int:
    n = remove_from_list(store, args.name, list(args.ids))
    return _done(args, {"name": args.name, "removed": n}, f"已从“{args.name}”移除 {n} 家商户")


def _move(args, store, districts, author) -> int:
    move_in_list(store, args.name, args.id, args.position)
    return _done(args, {"name": args.name, "id": args.id, "position": args.position},
                 f"已把 {args.id} 移到“{args.name}”的第 {args.position} 位")


def _show(args, store, districts, author) -> int:
    if not args.name:
        lists = all_lists(store)
        if args.json:
            print_json({"count": len(lists), "lists": [n.to_json() for n in lists]})
        else:
            print_table(["清单", "商户数", "创建人"], [[n.name, len(n.merchant_ids), n.created_by] for n in lists], [36, 6, 12])
        return 0
    named, frame, retired = list_merchants(store, districts, args.name)
    if args.json:
        print_json({**named.to_json(), "retired_left_out": retired})
        return 0
    print(f"{named.name}（{len(frame)} 家）")
    print_table(["#", "编号", "名称", "类别", "区"],
                [[i, r["id"], r["name"], r["category"], r["district"]] for i, (_, r) in enumerate(frame.iterrows(), 1)],
                [4, 10, 20, 8, 8])
    for note in selection_notes(retired, 0):
        print(note)
    return 0


def _export(args, store, districts, author) -> int:
    named, frame, notes = list_for_output(store, districts, args.name, args.include_expired)
    try:
        path = export_merchants(frame, output_file(args.file))
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    for note in notes:
        print(note, file=sys.stderr)
    return _done(args, {"file": str(path), "count": len(frame), "notes": notes}, f"已导出“{named.name}”的 {len(frame)} 家商户到 {path}")


def add_commands(lists: argparse._SubParsersAction) -> None:
    p = lists.add_parser("create", help="新建清单")
    p.add_argument("name")
    p.set_defaults(handler=_handler(_create, True))
    p = lists.add_parser("rename", help="清单改名")
    p.add_argument("name")
    p.add_argument("new_name")
    p.set_defaults(handler=_handler(_rename, True))
    p = lists.add_parser("delete", help="删除清单（商户不受影响）")
    p.add_argument("name")
    p.set_defaults(handler=_handler(_delete, True))
    p = lists.add_parser("add", help="把商户加入清单（按给出的顺序加在末尾）")
    p.add_argument("name")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=_handler(_add, True))
    p = lists.add_parser("remove", help="从清单中移除商户")
    p.add_argument("name")
    p.add_argument("ids", nargs="+", metavar="ID")
    p.set_defaults(handler=_handler(_remove, True))
    p = lists.add_parser("move", help="调整商户在清单中的位置")
    p.add_argument("name")
    p.add_argument("id")
    p.add_argument("position", type=int, help="新的位置（从 1 开始）")
    p.set_defaults(handler=_handler(_move, True))
    p = lists.add_parser("show", help="列出所有清单，或一个清单的商户")
    p.add_argument("name", nargs="?")
    p.set_defaults(handler=_handler(_show, False))
    p = lists.add_parser("export", help="导出清单：.csv .xlsx .geojson")
    p.add_argument("name")
    p.add_argument("file")
    p.add_argument("--include-expired", action="store_true", help="包含优惠已过期的商户")
    p.set_defaults(handler=_handler(_export, False))
    for parser in lists.choices.values():
        parser.add_argument("--json", action="store_true")
