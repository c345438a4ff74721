"""The member's profile: who holds the card, checked as it is typed, with personal numbers masked."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace

from app.points.programme import programmes

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


CARD_TYPES = {"debit": "借记卡", "credit": "信用卡"}


class ProfileError(ValueError):
    """A profile field that is not valid; the message names the field."""


@dataclass(frozen=True)
class Profile:
    name: str | None = None
    union_name: str | None = None        # 基层工会
    # Personal numbers are checked when typed and kept only masked: the full card number, mobile
    # and resident ID never reach the database, exports, logs or JSON output.
    card_masked: str | None = None       # 6222 **** **** 7894
    mobile_masked: str | None = None     # 138****8000
    birthday: dt.date | None = None
    programme: str | None = None         # a programme code (app/points/programmes/*.toml)
    id_masked: str | None = None         # resident ID, masked
    # The card the member earns points with: a card of the programme's bank (debit or credit). The
    # union card itself is a 汉口银行 debit card (seed 000 Q8), which none of the programmes is for.
    points_card: str | None = None

    def points_card_text(self) -> str | None:
        """华融湘江银行信用卡: the card the programme applies to, in words; None without one."""
        if not self.programme or not self.points_card or self.programme not in programmes():
            return None
        return f"{programmes()[self.programme].bank}{CARD_TYPES[self.points_card]}"

    def public(self) -> dict:
        """What may be shown or printed: no full card, mobile or ID number."""
        return {
            "name": self.name, "union": self.union_name, "card": self.card_masked,
            "mobile": self.mobile_masked, "birthday": self.birthday.isoformat() if self.birthday else None,
            "programme": self.programme,
            "programme_name": programmes()[self.programme].name if self.programme in programmes() else None,
            "resident_id": self.id_masked,
            "points_card": self.points_card, "points_card_name": self.points_card_text(),
        }


def points_card_sentence(profile: Profile) -> str:
    """Which programme applies to which card, plainly (the union card is none of theirs)."""
    union = "工会卡（汉口银行借记卡）的消费不计入任何已收录的银行积分计划"
    if not profile.programme or profile.programme not in programmes():
        return f"未选择积分规则。{union}。"
    rules = programmes()[profile.programme]
    if not profile.points_card_text():
        kinds = "或".join(CARD_TYPES[c] for c in sorted(rules.cards))
        return f"{rules.name}：请在会员资料中设置您的{rules.bank}{kinds}作为积分卡。{union}。"
    return f"{rules.name}只适用于您的{profile.points_card_text()}：用它付款（付款方式选“积分卡”）才积分。{union}。"


def mask_card(number: str) -> str:
    return f"{number[:4]} **** **** {number[-4:]}"


def mask_mobile(number: str) -> str:
    digits = number.removeprefix("+86")
    return f"{digits[:3]}****{digits[-4:]}"


def clean_card_number(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text)
    if not digits.isdigit() or not 16 <= len(digits) <= 19:
        raise ProfileError(f"卡号：应为 16 到 19 位数字，收到“{text}”")
    total = 0
    for i, ch in enumerate(reversed(digits)):  # Luhn, as every UnionPay card number satisfies
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    if total % 10:
        raise ProfileError("卡号：校验位不对，请核对是否输错")
    return digits


def clean_mobile(text: str) -> str:
    digits = re.sub(r"[\s-]", "", text)
    digits = digits.removeprefix("+86").removeprefix("0086")
    if not re.fullmatch(r"1[3-9]\d{9}", digits):
        raise ProfileError(f"手机号：应为中国大陆 11 位手机号（1 开头），收到“{text}”")
    return "+86" + digits


def resident_id_birthday(text: str) -> tuple[str, dt.date]:
    """Check a resident ID number (GB 11643: 18 characters, a real birth date, the check digit);
    returns its masked form and the birth date."""
    number = text.strip().upper()
    if not re.fullmatch(r"\d{17}[\dX]", number):
        raise ProfileError("身份证号：应为 18 位，前 17 位是数字，最后一位是数字或 X")
    try:
        born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ProfileError(f"身份证号：出生日期 {number[6:14]} 不存在") from None
    if not dt.date(1900, 1, 1) <= born <= dt.date.today():
        raise ProfileError(f"身份证号：出生日期 {born} 不合理")
    check = _ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], _ID_WEIGHTS)) % 11]
    if number[17] != check:
        raise ProfileError("身份证号：校验码不对，请核对是否输错")
    return f"{number[:6]}********{number[-4:]}", born


def updated(profile: Profile, *, name=None, union_name=None, card_number=None, mobile=None,
            birthday=None, programme=None, resident_id=None, points_card=None) -> Profile:
    """The profile with the given fields changed (None leaves a field as it is, "" clears it)."""
    changes: dict = {}
    if name is not None:
        changes["name"] = name.strip() or None
    if union_name is not None:
        changes["union_name"] = union_name.strip() or None
    if card_number is not None:
        changes["card_masked"] = mask_card(clean_card_number(card_number)) if card_number.strip() else None
    if mobile is not None:
        changes["mobile_masked"] = mask_mobile(clean_mobile(mobile)) if mobile.strip() else None
    if programme is not None:
        if programme and programme not in programmes():
            raise ProfileError(f"积分规则：未知的“{programme}”，应为 {'、'.join(programmes())}")
        changes["programme"] = programme or None
        if points_card is None and programme != profile.programme:   # another bank: its own card
            kinds = programmes()[programme].cards if programme else ()
            changes["points_card"] = next(iter(kinds)) if len(kinds) == 1 else None
    if points_card is not None:
        changes["points_card"] = points_card or None
    code, card = changes.get("programme", profile.programme), changes.get("points_card", profile.points_card)
    if card is not None:
        if card not in CARD_TYPES:
            raise ProfileError(f"积分卡：应为 debit（借记卡）或 credit（信用卡），收到“{card}”")
        if not code:
            raise ProfileError("积分卡：请先选择积分规则（哪家银行的积分计划）")
        rules = programmes()[code]
        if card not in rules.cards:
            raise ProfileError(f"积分卡：{rules.name}只适用于{'、'.join(CARD_TYPES[c] for c in sorted(rules.cards))}")
    born_from_id = None
    if resident_id is not None:
        if resident_id.strip():
            changes["id_masked"], born_from_id = resident_id_birthday(resident_id)
        else:
            changes["id_masked"] = None
    if birthday is not None:
        if isinstance(birthday, str):
            if birthday.strip():
                try:
                    birthday = dt.date.fromisoformat(birthday.strip())
                except ValueError:
                    raise ProfileError(f"生日：应写成 YYYY-MM-DD，收到“{birthday}”") from None
            else:
                birthday = None
        if birthday and birthday > dt.date.today():
            raise ProfileError(f"生日：{birthday} 还没到")
        changes["birthday"] = birthday
    if born_from_id:
        if changes.get("birthday", profile.birthday) not in (None, born_from_id) and birthday is not None:
            raise ProfileError(f"生日 {changes['birthday']} 与身份证上的出生日期 {born_from_id} 不一致")
        changes["birthday"] = born_from_id
    return replace(profile, **changes)
