"""The `unioncard` command line for scripts and staff batch jobs: each domain adds its subcommands here.

The GUI layer (widgets/launcher.py) adds the map's and the window's own commands on top.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from sqlalchemy.exc import DatabaseError, DBAPIError, SQLAlchemyError

from app.command_line import UsageError
from app.discounts import commands as discount_commands
from app.merchants import commands as merchant_commands
from app.merchants import curation_commands, list_commands, release_commands
from app.merchants.catalogue import QueryError
from app.points import commands as points_commands
from app.points.programme import ProgrammeError
from app.seed import open_seeded_store
from app.store.database import DatabaseFileError, DatabaseURLError
from app.wallet import commands as wallet_commands
from app.wallet.journal import WalletError
from app.wallet.profile import ProfileError


def build_parser() -> tuple[argparse.ArgumentParser, argparse._SubParsersAction]:
    parser = argparse.ArgumentParser(
        prog="unioncard",
        description="工会卡：武汉工会会员服务卡优惠商户地图与钱包。不带子命令时打开桌面程序。",
    )
    parser.add_argument("--db", metavar="URL", help="数据库 URL（默认 UNIONCARD_DB 或用户数据目录中的 SQLite 文件）")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    merchant_commands.add_district_commands(sub)
    merchant_commands.add_commands(sub)
    release_commands.add_commands(curation_commands.add_catalogue_commands(sub))
    list_commands.add_commands(sub)
    discount_commands.add_commands(sub)
    wallet_commands.add_commands(sub)
    wallet_commands.add_points_commands(points_commands.add_commands(sub))
    return parser, sub


def run(args: argparse.Namespace) -> int:
    """Run a parsed subcommand against the database named by --db (seeding it on first use)."""
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
    except (UsageError, QueryError) as exc:
        print(f"unioncard: {exc}", file=sys.stderr)
        return 2
    except (WalletError, ProfileError, ProgrammeError) as exc:
        print(f"unioncard: 未执行：{exc}", file=sys.stderr)
        return 1
    except DBAPIError as exc:
        # The database refused: a role without the privilege (a member's read-only role), a read-only file.
        reason = database_refusal(exc)
        print(f"unioncard: 未执行：{reason}", file=sys.stderr)
        return 2 if "只读" in reason else 1
    finally:
        store.close()


def database_refusal(exc: DBAPIError) -> str:
    """Why the database refused, in the words a user can act on."""
    reason = str(exc.orig).splitlines()[0] if getattr(exc, "orig", None) else exc.__class__.__name__
    if "file is not a database" in reason or "not a database" in reason:
        return "这个文件不是工会卡的数据库（已损坏或是别的文件），未作任何改动"
    if "readonly database" in reason or "read-only" in reason:
        return "数据库是只读的（文件或所在文件夹不能写入），没有写入任何内容"
    if "permission denied" in reason:
        return f"数据库拒绝了这个操作：当前数据库角色没有这个权限（{reason}）"
    return f"数据库拒绝了这个操作：{reason}"


def main(argv: Sequence[str] | None = None) -> int:
    parser, _ = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 0
    return run(args)
