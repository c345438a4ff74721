"""When an offer holds: weekdays (周一至周五, 每周三, 周末), 工作日, parts of the day (午市, 晚市, with hours
when the text gives them), and 节假日 left out.

Holidays and 工作日 follow the State Council's calendar, 调休 workdays included, from the maintained
`chinese-calendar` package: a year it has no data for yet is "unknown", never guessed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

WEEKDAY_NAMES = "一二三四五六日"
_DAY_CHARS = "一二三四五六日天"
_DAY = rf"(?:周|星期|礼拜)([{_DAY_CHARS}])"
_DAY_RANGE = re.compile(rf"(?:每逢|逢|每)?{_DAY}(?:至|到|~|-|—|－)(?:周|星期|礼拜)?([{_DAY_CHARS}])")
_DAY_LIST = re.compile(rf"(?:每逢|逢|每)?{_DAY}(?:(?:、|和|及|与)(?:周|星期|礼拜)?([{_DAY_CHARS}]))*")
_WEEKEND = re.compile(r"(?:每)?(?:周末|双休日)")
_WORKDAY = re.compile(r"(?:法定)?工作日")
_MEMBER_DAY = re.compile(r"(?:为)?(?:工会会员日|工会日|会员日)")
_NAMED_MEMBER_DAY = re.compile(r"(?:为)?[\u4e00-\u9fff]{1,4}(?:会员日|日)")   # 每月23日读书会员日, 每月8日书香日: the day's name, alone
_HOLIDAY_WINDOW = re.compile(r"(?:国家)?(?:法定)?(?:节假日|节日期间|法定假日)(?:期间)?")
_DAYPART = re.compile(r"(早市|午市|晚市|夜市|宵夜|夜宵|午餐时段|晚餐时段|午间|晚间|晚场|夜场|下午场|午场|早场|日场|白天场|白天|晚上|夜间|下午|上午|中午|早上|低谷时段|谷时|谷段|峰时|高峰时段)(?:时段|时间|档)?")
# Hours a daypart written without them surely covers, and hours it never could: (sure from, sure until,
# may from, may until). At 19:00 a restaurant's 晚市 holds whatever its own hours; at 15:30 one cannot say.
_DAYPART_HOURS = {
    "早市": ("07:00", "09:00", "05:00", "11:00"), "早场": ("07:00", "09:00", "05:00", "11:00"),
    "午市": ("11:30", "13:30", "10:30", "15:00"), "午餐时段": ("11:30", "13:30", "10:30", "15:00"),
    "午间": ("11:30", "13:30", "10:30", "15:00"),
    "晚市": ("18:00", "20:30", "16:00", "23:30"), "晚餐时段": ("18:00", "20:30", "16:00", "23:30"),
    "晚间": ("19:00", "22:00", "17:00", "24:00"),
    "宵夜": ("22:30", "24:00", "20:00", "24:00"), "夜宵": ("22:30", "24:00", "20:00", "24:00"),
    "晚上": ("19:00", "24:00", "17:00", "24:00"),
    "上午": ("08:30", "11:30", "05:00", "12:30"), "中午": ("11:30", "13:00", "10:30", "14:30"),
    "下午": ("13:30", "17:00", "12:00", "19:00"), "早上": ("06:30", "08:30", "05:00", "10:30"), "白天": ("10:00", "16:00", "06:00", "19:00"), "夜间": ("20:00", "24:00", "18:00", "24:00"),
}
_TIME = r"(\d{1,2})(?:[:：](\d{2})|点(?:(半)|(\d{1,2})分?)?)?"   # hour, minutes, 半, minutes (点…分)
_HOURS = re.compile(rf"{_TIME}\s*(?:至|到|~|-|—|－)\s*(?:次日凌晨|次日|第二天|凌晨)?{_TIME}(?![\d岁元米号人月日天斤克楼层])")   # not 3-12岁
_HOURS_FROM = re.compile(rf"{_TIME}\s*(?:以后|之后|后|起)")     # 17:00后, 21点以后: until closing
_HOURS_UNTIL = re.compile(rf"{_TIME}\s*(?:以前|之前|前)")       # 10:00前: from opening
_MONTHDAYS = re.compile(r"每月(?:的)?(\d{1,2})[日号](?:(?:、|,|和|及|与)(\d{1,2})[日号])*")
_MONTHDAYS_ENDING = re.compile(r"每月(?:逢|的)?(\d)(?:日|号)?(?:\([^()]*\))?")   # 每月逢8日（8号、18号、28号）
_EVENING = re.compile(r"每晚|每天晚上|晚上|夜间")
# 其他日子饮品95折, 平日9.5折: the rate for whenever the offer's other windows do not hold.
_OTHERWISE = re.compile(r"(?:其他|其余|其它)(?:日子|时间|时段|日期|时候|场次)|平日|平时|非会员日|其余每天|其他每天")
_HOLIDAYS_OUT = re.compile(
    r"(?:(周末|双休日|(?:(?:周|星期)[一二三四五六日天](?:、|和|及)?)+)(?:及|和|、|与))?(?:国家)?(?:法定)?(?:节假日|节日|假日)(?:及(周末|双休日))?(?:期间)?(?:均)?"
    r"(?:除外|不参加|不参与|不可用|不适用|不享受|不能使用|不可使用|不打折|不优惠)(?:此|本)?(?:优惠|活动)?")
# 节假日照常 / 节假日通用: holidays are included, which is no restriction at all.
_HOLIDAYS_IN = re.compile(r"(?:国家)?(?:法定)?节假日(?:及周末)?(?:照常|通用|同享|均可|不限)(?:使用|参加|享受)?")

Holds = Literal["yes", "no", "unknown"]


@dataclass(frozen=True)
class When:
    """A clause's time window, as written."""
    text: str                            # 周一至周五午市, as it read in the offer
    weekdays: tuple[int, ...] = ()       # 0 = Monday ... 6 = Sunday; () = any day of the week
    workdays: bool = False               # 工作日: the official calendar's working days (调休 included)
    hours: tuple[str, str] | None = None  # ("11:00", "14:00") when the offer gives them
    daypart: str | None = None           # 午市, 晚市 as written (their hours unknown unless given)
    monthdays: tuple[int, ...] = ()      # 每月8日、18日、28日
    otherwise: bool = False              # 其他日子, 平日: when none of the offer's other windows holds
    outside: bool = False                # 晚场20:00以后不参与: the clause holds when this window does not
    holidays: bool = False               # 节假日9.5折: only on the official calendar's public holidays

    def describe(self) -> str:
        parts = []
        if self.outside:
            return "除" + dataclasses.replace(self, outside=False).describe() + "外"
        if self.otherwise:
            parts.append("其他时间")
        if self.monthdays:
            parts.append("每月" + "、".join(f"{d}日" for d in self.monthdays))
        if self.holidays:
            parts.append("节假日")
        if self.workdays:
            parts.append("工作日")
        elif self.weekdays:
            parts.append(weekdays_text(self.weekdays))
        if self.daypart:
            parts.append(self.daypart)
        if self.hours:
            parts.append(f"{self.hours[0]}–{self.hours[1]}")
        return " ".join(parts)

    def to_json(self) -> dict:
        out = {"text": self.text, "weekdays": list(self.weekdays), "workdays": self.workdays,
               "hours": list(self.hours) if self.hours else None, "daypart": self.daypart}
        if self.monthdays:
            out["monthdays"] = list(self.monthdays)
        if self.otherwise:
            out["otherwise"] = True
        if self.outside:
            out["outside"] = True
        if self.holidays:
            out["holidays"] = True
        return out

    @classmethod
    def from_json(cls, data: dict) -> When:
        hours = data.get("hours")
        return cls(data.get("text", ""), tuple(data.get("weekdays", ())), bool(data.get("workdays")),
                   (hours[0], hours[1]) if hours else None, data.get("daypart"), tuple(data.get("monthdays", ())),
                   bool(data.get("otherwise", False)), bool(data.get("outside", False)),
                   bool(data.get("holidays", False)))


def weekdays_text(days: tuple[int, ...]) -> str:
    """(0,1,2,3,4) -> 周一至周五; (2,) -> 周三; (5,6) -> 周末; (1,3) -> 周二、周四."""
    days = tuple(sorted(set(days)))
    if days == (5, 6):
        return "周末"
    if len(days) > 2 and days == tuple(range(days[0], days[-1] + 1)):
        return f"周{WEEKDAY_NAMES[days[0]]}至周{WEEKDAY_NAMES[days[-1]]}"
    if 2 < len(days) < 7:   # (0, 1, 2, 3, 6): 周日至周四, round the end of the week
        start = next(d for d in days if (d - 1) % 7 not in days)
        if all((start + k) % 7 in days for k in range(len(days))):
            return f"周{WEEKDAY_NAMES[start]}至周{WEEKDAY_NAMES[(start + len(days) - 1) % 7]}"
    return "、".join(f"周{WEEKDAY_NAMES[d]}" for d in days)


def _day(ch: str) -> int:
    return 6 if ch in "日天" else WEEKDAY_NAMES.index(ch)


def _clock(hour: str, minute: str | None, half: str | None, minute_alt: str | None) -> str | None:
    h = int(hour)
    m = int(minute or minute_alt or (30 if half else 0))
    return f"{h:02d}:{m:02d}" if 0 <= h <= 24 and 0 <= m < 60 else None


def _days_of(text: str) -> tuple[int, ...]:
    """The weekdays a day expression names (周末 -> 5, 6; 周一至周三 -> 0, 1, 2), for comparing two of them."""
    if _WEEKEND.fullmatch(text):
        return (5, 6)
    if m := _DAY_RANGE.fullmatch(text):
        a, b = _day(m.group(1)), _day(m.group(2))
        return tuple(range(a, b + 1)) if a <= b else tuple(range(a, 7)) + tuple(range(0, b + 1))
    return tuple(sorted({_day(ch) for ch in re.findall(rf"(?:周|星期|礼拜|、|和|及|与)([{_DAY_CHARS}])", text)}))


def extract_when(segment: str) -> tuple[When | None, str]:
    """The time window in a segment and the segment without it (周一至周五午市8.8折 -> window, 8.8折)."""
    rest = segment
    weekdays: tuple[int, ...] = ()
    workdays = False
    hours = None
    daypart = None
    found: list[str] = []
    if m := _DAY_RANGE.search(rest):
        a, b = _day(m.group(1)), _day(m.group(2))
        weekdays = tuple(range(a, b + 1)) if a <= b else tuple(range(a, 7)) + tuple(range(0, b + 1))
    elif m := _DAY_LIST.search(rest):
        weekdays = tuple(sorted({_day(ch) for ch in re.findall(rf"(?:周|星期|礼拜|、|和|及|与)([{_DAY_CHARS}])", m.group(0))}))
    elif m := _WEEKEND.search(rest):
        weekdays = (5, 6)
    elif m := _WORKDAY.search(rest):
        workdays = True
    if m:
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
        # 周末（周六、周日）: the same days said twice
        for again in (_WEEKEND, _DAY_RANGE, _DAY_LIST):
            if (n := again.search(rest)) and _days_of(n.group(0)) == weekdays:
                rest = rest.replace(n.group(0), "", 1)
    monthdays: tuple[int, ...] = ()
    if (m := _MONTHDAYS_ENDING.search(rest)) and "逢" in m.group(0):
        monthdays = tuple(d for d in (int(m.group(1)), int(m.group(1)) + 10, int(m.group(1)) + 20) if 1 <= d <= 31)
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
    elif m := _MONTHDAYS.search(rest):
        days = tuple(sorted({int(d) for d in re.findall(r"(\d{1,2})[日号]", m.group(0))}))
        if all(1 <= d <= 31 for d in days):
            monthdays = days
            found.append(m.group(0))
            rest = rest.replace(m.group(0), "", 1)
    otherwise = False
    if m := _OTHERWISE.search(rest):
        otherwise = True
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
    if m := _HOURS.search(rest):
        start, end = _clock(*m.group(1, 2, 3, 4)), _clock(*m.group(5, 6, 7, 8))
        if start and end and end < start and int(start[:2]) >= 12 and int(end[:2]) < 12 \
                and f"{int(end[:2]) + 12:02d}{end[2:]}" > start:
            end = f"{int(end[:2]) + 12:02d}{end[2:]}"   # 下午2点至5点: the second time is in the afternoon too
        if start and end:
            hours = (start, end)
            found.append(m.group(0))
            rest = rest.replace(m.group(0), "", 1)
    for pattern, opening in ((_HOURS_FROM, True), (_HOURS_UNTIL, False)):
        if hours is None and (m := pattern.search(rest)) and (clock := _clock(*m.group(1, 2, 3, 4))):
            hours = (clock, "24:00") if opening else ("00:00", clock)
            found.append(m.group(0))
            rest = rest.replace(m.group(0), "", 1)
    if hours is not None and (m := _EVENING.search(rest)):   # 每晚21:00后: the hours say when
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
    if m := _DAYPART.search(rest):
        daypart = m.group(1)
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
    holidays = False
    if m := _HOLIDAY_WINDOW.search(rest):   # 节假日用餐9.5折 (the ones left out were cut before: 节假日不参加)
        holidays = True
        found.append(m.group(0))
        rest = rest.replace(m.group(0), "", 1)
    if not found:
        return None, segment
    rest = re.sub(r"\(\s*\)", "", rest)                     # 欢唱时段（周一至周五12:00-18:00）: the brackets held it
    rest = re.sub(r"^\((?:[周星期礼拜一二三四五六日天末、,至到~:\d号月-]|和|及)+\)", "", rest)   # 周末（周六、周日）
    rest = re.sub(r"^(?:欢唱|优惠|特惠|活动|指定|上述|以上)?时段", "", rest)
    rest = re.sub(r"^(?:仅限|仅|限)?(?:使用|有效|适用|可用|通用)?$", "", rest)
    if (weekdays or monthdays) and _NAMED_MEMBER_DAY.fullmatch(rest):
        rest = ""
    if (weekdays or monthdays) and (m := _MEMBER_DAY.search(rest)):   # 每周三会员日: the day has a name
        rest = rest.replace(m.group(0), "", 1)
    return When("".join(found), weekdays, workdays, hours, daypart, monthdays, otherwise, holidays=holidays), rest


def extract_holidays_out(segment: str) -> tuple[bool, tuple[int, ...], str]:
    """节假日不参加 / 法定节假日除外 (and 周末及节假日除外, 周五、周六及节假日不打折) in a segment: (holidays out,
    the weekdays out with them, the segment without it). 节假日照常 is cut out as saying nothing."""
    segment = _HOLIDAYS_IN.sub("", segment)
    if m := _HOLIDAYS_OUT.search(segment):
        days = m.group(1) or m.group(2) or ""
        return True, _days_of(days) if days else (), segment.replace(m.group(0), "", 1)
    return False, (), segment


def _official(day: dt.date) -> tuple[bool, bool] | None:
    """(is a public holiday, is a working day) by the official calendar; None for a year it has no
    data for. A public holiday is a day off of a named festival (国庆, 春节…): an ordinary Sunday is a
    day off but not a 节假日 (chinese_calendar.is_holiday counts weekends, so it is not used here)."""
    import chinese_calendar

    try:
        off, festival = chinese_calendar.get_holiday_detail(day)
        return bool(off and festival), chinese_calendar.is_workday(day)
    except NotImplementedError:
        return None


def holds(when: When | None, holidays_excluded: bool, at: dt.datetime | dt.date | None) -> tuple[Holds, str]:
    """Does a clause with this window hold at `at` (a date, or a date and time)? With the reason when
    it does not, or the question that would settle it when that cannot be known."""
    if when is not None and when.outside:   # 晚场20:00以后不参与: the window's answer, turned round
        inner, why = holds(dataclasses.replace(when, outside=False), False, at)
        if inner == "unknown":
            return "unknown", f"若不在{dataclasses.replace(when, outside=False).describe()}消费"
        if inner == "yes":
            return "no", f"{dataclasses.replace(when, outside=False).describe()}不参加"
        return holds(None, holidays_excluded, at)
    if when is None and not holidays_excluded:
        return "yes", ""
    if at is None and when is not None and when.otherwise and not (when.weekdays or when.monthdays or when.hours):
        return "unknown", "若不在其他优惠时段消费"
    if at is None:
        question = f"若在{when.describe()}消费" if when else "若不是节假日"
        return "unknown", question + ("且不是节假日" if when and holidays_excluded else "")
    day = at.date() if isinstance(at, dt.datetime) else at
    # What the date settles by itself first (the weekday, the hour), then what needs the calendar.
    if when is not None:
        if when.weekdays and day.weekday() not in when.weekdays:
            return "no", f"仅{weekdays_text(when.weekdays)}"
        if when.monthdays and day.day not in when.monthdays:
            return "no", "仅每月" + "、".join(f"{d}日" for d in when.monthdays)
        if when.hours and isinstance(at, dt.datetime):
            now = at.strftime("%H:%M")
            start, end = when.hours
            inside = start <= now < end if start <= end else (now >= start or now < end)   # 22:00-02:00
            if not inside:
                return "no", f"仅{when.hours[0]}–{when.hours[1]}"
    official = _official(day) if (holidays_excluded or (when is not None and (when.workdays or when.holidays))) else None
    no_data = f"（{day.year}年的节假日安排尚无数据）"
    if when is not None and when.holidays:
        if official is None:
            return "unknown", f"若是节假日{no_data}"
        if not official[0]:
            return "no", "仅节假日"
    if holidays_excluded:
        if official is None:
            return "unknown", f"若不是节假日{no_data}"
        if official[0]:
            return "no", "节假日不参加"
    if when is None:
        return "yes", ""
    if when.workdays:
        if official is None:
            return "unknown", f"若是工作日{no_data}"
        if not official[1]:
            return "no", "仅工作日"
    if (when.hours or when.daypart) and not isinstance(at, dt.datetime):
        return "unknown", f"若在{when.describe()}消费"
    if when.daypart and not when.hours:
        now = at.strftime("%H:%M")
        if span := _DAYPART_HOURS.get(when.daypart):
            if span[0] <= now < span[1]:
                return "yes", ""
            if not span[2] <= now < span[3]:
                return "no", f"仅{when.daypart}"
        return "unknown", f"若在{when.daypart}消费（商户未写明时间）"
    return "yes", ""
