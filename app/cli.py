"""The `unioncard` command line for scripts and staff batch jobs: each domain adds its subcommands here.

The GUI layer (widgets/launcher.py) adds the map's and the window's own commands on top.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING
from collections.abc import Sequence

from app.command_line import QueryError, UsageError
from app.credits import version

if TYPE_CHECKING:   # imported where it runs: `--help` needs no SQLAlchemy
    from sqlalchemy.exc import DBAPIError


@dataclass(frozen=True)
class Command:
    """A top-level command: its name and help, and the functions ("module:function") that add its
    subcommands (or, for a `leaf`, its options). A command's modules are imported only when it runs,
    or for the whole tree: `unioncard --help` and `wallet show` never import geopandas or folium."""

    name: str
    help: str
    builders: tuple[str, ...]
    leaf: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("districts", "武汉市的区", ("app.merchants.commands:add_district_commands",)),
    Command("merchants", "优惠商户", ("app.merchants.commands:add_commands",)),
    Command("catalogue", "商户目录：身份、权限与发布",
            ("app.merchants.curation_commands:add_catalogue_commands", "app.merchants.release_commands:add_commands")),
    Command("lists", "商户清单：手选的、有顺序的商户，用于传单和地图", ("app.merchants.list_commands:add_commands",)),
    Command("discount", "优惠规则：解析与算价", ("app.discounts.commands:add_commands",)),
    Command("wallet", "会员钱包：三个账户的余额与流水", ("app.wallet.commands:add_commands",)),
    Command("points", "积分：按银行公布的规则计算",
            ("app.points.commands:add_commands", "app.wallet.commands:add_points_commands")),
    Command("about", "版本、商户目录版本、数据位置，以及随附数据与软件的许可", ("app.cli:add_about",), leaf=True),
)

ALL = "*"


def add_about(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true")
    p.add_argument("--notices", action="store_true", help="以 Markdown 列出随附数据与软件的许可（THIRD_PARTY_NOTICES.md）")
    p.set_defaults(handler=_about)


def _about(args, store, districts) -> int:
    """帮助 → 关于, on the command line: what a member or an auditor asks of the program they run."""
    import json

    from app import credits
    from app.merchants import release_update

    if args.notices:
        print(credits.notices_markdown(), end="")
        return 0
    info = release_update.status(store)
    software = [credits.runtime(), *credits.bundled_software()]
    if args.json:
        print(json.dumps({"version": credits.version(), "release": info["release"], "database": store.url_for_display,
                          "data": [c.__dict__ for c in credits.DATA_CREDITS],
                          "software": [dict(zip(("name", "version", "licence"), row)) for row in software]},
                         ensure_ascii=False, indent=1))
        return 0
    print(f"工会卡 {credits.version()}")
    print(f"商户目录：{release_update.release_text(info)}")
    print(f"数据：{store.url_for_display}")
    print("\n随附数据与素材：")
    for c in credits.DATA_CREDITS:
        print(f"  {c.what}：{c.source}（{c.licence}）{' ' + c.url if c.url else ''}")
    print("\n随附软件：")
    for name, number, licence in software:
        print(f"  {name} {number}（{licence}）")
    print(f"\n{credits.QT_NOTICE}")
    return 0


def _builder(path: str):
    module, function = path.split(":")
    return getattr(importlib.import_module(module), function)


def build_parser(commands: Sequence[Command] = COMMANDS, only: str | None = ALL
                 ) -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    """The parser with every command's subcommands (`only` = ALL), or with just the named one's (the
    others are listed with their help, enough for `--help`); None builds none."""
    parser = argparse.ArgumentParser(
        prog="unioncard",
        description="工会卡：武汉工会会员服务卡优惠商户地图与钱包。不带子命令时打开桌面程序。",
    )
    parser.add_argument("--version", action="version", version=f"工会卡 {version()}", help="显示版本号并退出")
    parser.add_argument("--db", metavar="URL", help="数据库 URL（默认 UNIONCARD_DB 或用户数据目录中的 SQLite 文件）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in commands:
        p = sub.add_parser(command.name, help=command.help)
        if only not in (ALL, command.name):
            continue
        target = p if command.leaf else p.add_subparsers(dest="action", required=True)
        for path in command.builders:
            _builder(path)(target)
    return parser, sub


def command_named(argv: Sequence[str], commands: Sequence[Command] = COMMANDS) -> str | None:
    """The command an argument list runs (`--db URL wallet show` -> "wallet"), None if none: what
    `build_parser(only=...)` needs to build."""
    names = {c.name for c in commands}
    skip = False
    for arg in argv:
        if skip:
            skip = False
        elif arg == "--db":
            skip = True
        elif not arg.startswith("-"):
            return arg if arg in names else None
    return None


def run(args: argparse.Namespace) -> int:
    """Run a parsed subcommand against the database named by --db (seeding it on first use)."""
    from sqlalchemy.exc import DatabaseError, DBAPIError, SQLAlchemyError

    from app.points.programme import ProgrammeError
    from app.safe_write import WriteFailed
    from app.seed import open_seeded_store
    from app.store.database import DatabaseFileError, DatabaseURLError
    from app.wallet.journal import WalletError
    from app.wallet.profile import ProfileError

    try:
        store, districts = open_seeded_store(args.db)
    except (DatabaseURLError, DatabaseFileError) as exc:
        print(f"unioncard: {exc}", file=sys.stderr)
        return 2
    except DatabaseError as exc:
        print(f"unioncard: {database_refusal(exc)}", file=sys.stderr)
        return 2
    except SQLAlchemyError as exc:
        print(f"无法打开数据库：{exc.__class__.__name__}: {str(exc).splitlines()[0]}", file=sys.stderr)
        return 1
    try:
        return args.handler(args, store, districts)
    except (UsageError, QueryError, ProfileError) as exc:   # a card number, phone or birthday typed wrong: bad input
        print(f"unioncard: {exc}", file=sys.stderr)
        return 2
    except WriteFailed as exc:   # a full or read-only disk: nothing was written, the old file is as it was
        print(f"unioncard: 未写入：{exc}", file=sys.stderr)
        return 2
    except (WalletError, ProgrammeError) as exc:
        print(f"unioncard: 未执行：{exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        # The database refused: a role without the privilege (a member's read-only role), a read-only file.
        print(f"unioncard: 未执行：{database_refusal(exc)}", file=sys.stderr)
        return 2 if _storage_refused(exc) else 1
    finally:
        store.close()


def _reason(exc) -> str:
    return str(exc.orig).splitlines()[0] if getattr(exc, "orig", None) else exc.__class__.__name__


def _storage_refused(exc) -> bool:
    """The disk refused (read-only, full), as opposed to the database's rules or privileges: exit 2."""
    reason = _reason(exc)
    return any(w in reason for w in ("readonly database", "read-only", "disk is full", "No space left"))


def database_refusal(exc: DBAPIError) -> str:
    """Why the database refused, in the words a user can act on."""
    reason = _reason(exc)
    if "file is not a database" in reason or "not a database" in reason:
        return "这个文件不是工会卡的数据库（已损坏或是别的文件），未作任何改动"
    if "readonly database" in reason or "read-only" in reason:
        return "数据库是只读的（文件或所在文件夹不能写入），没有写入任何内容"
    if "disk is full" in reason or "No space left" in reason:
        return "磁盘空间不足，没有写入任何内容；腾出空间后再试"
    if "permission denied" in reason:
        return f"数据库拒绝了这个操作：当前数据库角色没有这个权限（{reason}）"
    return f"数据库拒绝了这个操作：{reason}"


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser, _ = build_parser(only=command_named(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return run(args)
