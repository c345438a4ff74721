"""Where a member gets help with the card: the numbers and sites seed 000 (Q11) gives, one place for
the help menu and the flyer footer."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Contact:
    short: str        # as printed on a flyer's footer
    what_for: str     # what to call it about, as a member would ask
    phone: str
    website: str


# Seed 000 Q11 在工会卡的使用过程中有疑问，可以通过如下方式咨询汉口银行、市总工会和武汉城市一卡通有限公司.
UNION = Contact("职工服务热线", "工会卡、优惠商户、工会服务（武汉市总工会）", "12351", "www.wh12351.org")
BANK = Contact("汉口银行", "银行账户、电子现金、挂失补卡（24 小时）", "96558", "www.hkbchina.com")
TRANSIT = Contact("武汉通客服", "武汉通充值、乘车（武汉城市一卡通有限公司）", "81886666", "www.whcst.com")
CONTACTS = (UNION, BANK, TRANSIT)


def footer_line() -> str:
    """One line for print: every number, then the union card's site."""
    return "　".join(f"{c.short} {c.phone}" for c in CONTACTS) + f"　工会会员服务卡网址 {UNION.website}"
