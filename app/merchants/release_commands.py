"""`unioncard catalogue keygen|review|approve|publish|trust|update|status`: releasing the union's
catalogue to members, and members receiving it."""

from __future__ import annotations

import argparse
import re
import sys

from app.command_line import UsageError, input_file, output_folder, print_json, print_table
from app.geo.districts import DistrictIndex
from app.merchants import release_keys, release_update, review
from app.merchants.curation import CurationError, load
from app.merchants.curation_commands import RefusedSave, require_editor
from app.merchants.releases import VALID_DAYS, ReleaseError, publish
from app.store import Store


def _handler(function):
    def handle(args, store: Store, districts: DistrictIndex) -> int:
        try:
            return function(args, store, districts)
        except (release_keys.KeyError_, CurationError) as exc:
            raise UsageError(str(exc)) from None
        except ReleaseError as exc:
            print(f"unioncard: 未更新：{exc}", file=sys.stderr)
            return 1
        except RefusedSave:
            return 1
    return handle


def _keygen(args, store, districts) -> int:
    if not re.fullmatch(r"[\w.-]{1,64}", args.name) or args.name.startswith("."):
        raise UsageError(f"--name 应是 1–64 个字母、数字、汉字、点或短横（它是密钥文件的名字）：“{args.name[:40]}”")
    private, public = release_keys.generate(output_folder(args.out), args.name)
    if args.json:
        print_json({"private_key": str(private), "public_key": str(public), "public_key_pem": str(public.with_suffix(".pem"))})
    else:
        print(f"私钥：{private}（只用于发布，妥善保管，切勿放入数据库或发给会员）")
        print(f"公钥：{public}（随会员端分发：unioncard catalogue trust {public.name}）")
        print(f"公钥（PEM）：{public.with_suffix('.pem')}（供第三方用 openssl 核验发布的签名）")
        print(f"公钥指纹：{release_keys.fingerprint(release_keys.load_public(public))}（请随公钥一同公布，供会员核对）")
    return 0


def _review(args, store, districts) -> int:
    items = review.pending(store)
    if args.json:
        print_json({"count": len(items), "pending": [{"id": p.id, "name": p.name, "revision": p.revision,
                                                      "reviewed_revision": p.reviewed_revision} for p in items]})
        return 0
    print_table(["编号", "名称", "最新版", "已审核版"],
                [[p.id, p.name, p.revision, p.reviewed_revision or "（新）"] for p in items], [10, 20, 6, 8])
    print(f"共 {len(items)} 家商户有未审核的修改" + ("；用 catalogue approve 审核通过" if items else ""))
    return 0


def _approve(args, store, districts) -> int:
    editor = require_editor(store)
    if not args.all and not args.ids:
        raise UsageError("请给出商户编号，或用 --all 审核通过全部未审核的修改")
    n = review.approve(store, None if args.all else list(args.ids), author=editor.name)
    if args.json:
        print_json({"approved": n})
    else:
        print(f"已审核通过 {n} 家商户的最新修改；下次发布时会发给会员")
    return 0


def _publish(args, store, districts) -> int:
    key = release_keys.load_private(input_file(args.key))
    if not 1 <= args.valid_days <= 3650:
        raise UsageError(f"--valid-days 应是 1–3650 天：{args.valid_days}")
    result = publish(store, output_folder(args.out), key, valid_days=args.valid_days)
    if args.json:
        print_json(result.to_json())
    else:
        print(f"已发布第 {result.release} 版商户目录到 {result.folder}：{result.merchants} 家商户"
              f"（新增 {result.added}，变更 {result.changed}，下架 {result.retired}）")
        print("把这个文件夹放到任意网站或U盘上，会员即可用 unioncard catalogue update --from <网址或文件夹> 更新")
    return 0


def _trust(args, store, districts) -> int:
    text = release_update.trust(store, input_file(args.public_key))
    if args.json:
        print_json({"public_key": text})
    else:
        print(f"已设置工会的发布公钥：{text}")
        print(f"公钥指纹：{release_update.key_fingerprint(store)}（请与工会公布的核对）")
    return 0


class _Bar:
    """A progress bar on stderr for large files (a snapshot of 100,000 merchants)."""

    def __init__(self):
        self.shown = False

    def __call__(self, name: str, done: int, total: int) -> None:
        if total < 256 * 1024:
            return
        width = 30
        filled = int(width * done / total) if total else width
        sys.stderr.write(f"\r下载 {name} [{'#' * filled}{'.' * (width - filled)}] {done * 100 // max(total, 1):3d}%")
        self.shown = True
        if done >= total:
            sys.stderr.write("\n")


def _update(args, store, districts) -> int:
    key = release_keys.load_public(input_file(args.key)) if args.key else None
    result = release_update.update(store, source=args.source, key=key, progress=None if args.json else _Bar())
    if args.json:
        print_json(result.to_json())
        return 0
    if result.stale_days is not None:
        print(f"unioncard: 提醒：工会已有 {result.stale_days} 天没有发布新的商户目录，商户信息可能已过时；"
              "请向工会确认更新来源是否还在使用", file=sys.stderr)
    if not result.updated:
        print(f"商户目录已是最新（第 {result.after} 版）")
        return 0
    new = result.whats_new
    how = "增量" if result.how == "deltas" else "完整快照"
    print(f"商户目录已更新：第 {result.before or '—'} 版 → 第 {result.after} 版（{how}）")
    _print_whats_new(store, new)
    return 0


def _print_whats_new(store: Store, new) -> None:
    for label, ids in (("新增", new.added), ("变更", new.changed), ("下架", new.retired)):
        if ids:
            names = []
            for mid in ids[:20]:
                try:
                    names.append(str(load(store, mid).state["name"]))
                except CurationError:
                    names.append(mid)
            more = f" 等 {len(ids)} 家" if len(ids) > 20 else ""
            print(f"  {label} {len(ids)}：{'、'.join(names)}{more}")


def _status(args, store, districts) -> int:
    info = release_update.status(store)
    new = release_update.whats_new(store)
    if args.json:
        print_json({**info, "whats_new": new.to_json() if new else None})
        return 0
    release = f"第 {info['release']} 版" if info["release"] else "随软件附带的商户（尚未从工会更新）"
    print(f"商户目录：{release}" + (f"，更新于 {info['applied_at']}" if info["applied_at"] else ""))
    print(f"更新来源：{info['source'] or '未设置（用 catalogue update --from 设置）'}")
    print(f"发布公钥：{'已设置，指纹 ' + info['key_fingerprint'] if info['key_configured'] else '未设置（用 catalogue trust 设置）'}")
    if new:
        print(f"上次更新带来的变化（第 {new.from_release or '—'} → {new.to_release} 版）：")
        _print_whats_new(store, new)
    return 0


def add_commands(catalogue: argparse._SubParsersAction) -> None:
    p = catalogue.add_parser("keygen", help="（工会）生成发布用的密钥对：私钥签名，公钥给会员端")
    p.add_argument("--out", required=True, metavar="DIR")
    p.add_argument("--name", default="union", help="文件名（默认 union.key / union.pub）")
    p.set_defaults(handler=_handler(_keygen))
    p = catalogue.add_parser("review", help="（员工）列出有未审核修改的商户")
    p.set_defaults(handler=_handler(_review))
    p = catalogue.add_parser("approve", help="（员工）审核通过商户的最新修改，下次发布时发给会员")
    p.add_argument("ids", nargs="*", metavar="ID")
    p.add_argument("--all", action="store_true", help="全部未审核的修改")
    p.set_defaults(handler=_handler(_approve))
    p = catalogue.add_parser("publish", help="（工会）发布新一版商户目录：完整快照、增量和签名的索引")
    p.add_argument("--out", required=True, metavar="DIR", help="发布文件夹（保存历次发布）")
    p.add_argument("--key", required=True, metavar="union.key", help="工会的私钥文件")
    p.add_argument("--valid-days", type=int, default=VALID_DAYS, metavar="N",
                   help=f"承诺 N 天内发布下一版；过期后会员会看到提醒（默认 {VALID_DAYS}）")
    p.set_defaults(handler=_handler(_publish))
    p = catalogue.add_parser("trust", help="（会员）设置工会的发布公钥")
    p.add_argument("public_key", metavar="union.pub")
    p.set_defaults(handler=_handler(_trust))
    p = catalogue.add_parser("update", help="（会员）从工会发布的网址或文件夹更新商户目录（验证签名，全部或不更新）")
    p.add_argument("--from", dest="source", metavar="URL|DIR", help="网址（https://…/）或文件夹（之后会记住）")
    p.add_argument("--key", metavar="union.pub", help="用这个公钥验证（默认用已设置的）")
    p.set_defaults(handler=_handler(_update))
    p = catalogue.add_parser("status", help="（会员）商户目录的版本、来源和上次更新的变化")
    p.set_defaults(handler=_handler(_status))
    for name in ("keygen", "review", "approve", "publish", "trust", "update", "status"):
        catalogue.choices[name].add_argument("--json", action="store_true")
