"""Reading a merchant's published offer text (9折, 满200减30, X除外, 出示工会卡 ...) into OfferRules.

The text is folded (full-width forms, 壹贰叁, 佰仟, hours in words, typos merchants print), a poster's
title and numbered points are taken apart, and card prices in every order merchants write them are put
in one form. It is then cut into sentences and segments. From each segment the words that qualify the
whole offer are cut out first: a heading, conditions (凭工会卡), 不可叠加, caps (最多减50元), the offer's
last day, 节假日不参加 and time windows (周一至周五午市, 17:00后, 每月8日, 其他日子); then exclusions
(烟酒除外) and limits (每卡每月限一次, 每卡限购2张, 须二人以上同行). What is left is read by the grammar
(app/discounts/offer_grammar.py); the words before a rate are read as goods by app/discounts/goods.py.
Whatever is not understood goes to `unparsed`, never silently dropped; a segment that names goods
only, or holds no word a rule is made of (含早, 名额有限), says nothing about the price.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import unicodedata
from decimal import Decimal

from app.discounts.goods import NotGoods, read_goods, vocabulary
from app.discounts.offer_grammar import cn_number, cut_cap, read_clause, read_limit, read_spend
from app.discounts.rules import Clause, Limit, OfferRules
from app.discounts.time_windows import When, extract_holidays_out, extract_when, weekdays_text
from app.text_encoding import to_simplified

PARSER_VERSION = "26"   # 2: 免费X is a free clause (not a perk); 正价商品 is not "everything". 3: headlines, 满减 savings
# 4: 凭卡 + any verb and 会员专享 are conditions; caps; time, quantity, people and limit wording unparsed
# 5: time windows (周一至周五, 每周三, 工作日, 午市 with hours) and 节假日不参加
# 6: gifts with a value, card prices, rates that need a spend, the nth unit (第二份半价, 买一送一)
# 7: full-width forms folded (NFKC), tiers listed with 、, a window in a segment of its own is the offer's
# 8: usage limits (每卡每月限一次, 每人限购两件) and clauses for so many people (持卡人及随行一人免门票)
# 9: the grammar (offer_grammar.py); a discount on the member price (在会员价基础上再享95折)
# 10: 周末及节假日除外 (Monday to Friday), 节假日照常, 凭卡 + a verb, 工会会员 card prices, headings (游泳馆:)
# 11: 每单 means the whole bill; 每桌限用一次 is a usage limit
# 12: 11点半至14点 ends at 14:00 (the 半 was read into both ends)
# 13 (issue 24): goods read through the vocabulary (goods.py), never a condition as a class; card and unit
#     prices, unit limits, 17:00后, 每月8日, 其他日子, titles and numbered points, tiers keep their goods
# 14: a window at the head of a list of rates holds for the list (午市锅底半价、菜品九折); 7拆, 周六周日,
#     每天9折, 先享9折, 不上封顶, 不参与打折和满减
# 15: 钓鱼按斤计费，不打折 (the goods said before); 平日 alone is Monday to Friday; 晚17:00; 不足100元;
#     限一回; 低价的那双半价 says how a 第二件 offer pools, not a clause
# 16: 【会员日】 inside the text is a heading; 车厘子等精品果 is 车厘子 and 精品果; 不参加以上优惠; 不再叠加
# 17: tiers of a rate that needs a spend (the highest reached); a 折后 满减 keeps the rate's window; a cap beside a
#     满减 is that 满减's; a merchant's name said first (周黑鸭 凭卡…); 购票 is tickets; hours past midnight;
#     每卡限2位 is people; a use is one unit; 六八折烫染类; X购Y; 保养、维修工时费 distributes the fee
# 18: 其余商品 is what the other clauses leave; 晚上及周末 is either window; 除X外 before a rate; 不计入满减;
#     周五、周六及节假日不打折; 可带1位朋友同享; 另享 comes on top; 大型犬除外 and 金毛洗澡; 按门市价八折 is a rate
# 19: 周末及节假日9.5折 is two windows, and 节假日 alone a window of public holidays; 每月8日书香日; 限购两张 beside
#     限持卡人本人 counts the tickets; 儿童价、特价团不参与; 每人减两百; 每卡限开一间; 需提前预约; 身份证办理入住
# 20: 游泳月卡 is a 月卡 (not a 游泳票); 中药 beside 中药饮片除外 asks; 持卡九五折，满5000元再减200 asks whether the
#     bill counts before the rate; 烤肉自助 is 自助烤肉; 每桌限4人享受会员价; 满三百元方享; 减2百; 限同款同规格
# 21: 日式料理：持工会卡消费九折 is a heading; 酒席 is no 酒 (item_classes.toml [not_under]); 加肉加蛋 is two
#     exclusions; 限持卡人本人入住 counts no nights; a service out at some hours (夜间上门不享受优惠) is a window
#     out, and goods out at some hours are unparsed, never a window dropped; 每碗优惠2元; 其他面食 beside 热干面
# 22: 茶位费 is 茶位; an exclusion's bracketed examples are not split from it (辅料（水泥、沙子、瓷砖胶）); 首次到店
#     is a first visit, 非首次 a returning customer; 大师壶 is a 紫砂壶 (asked)
# 23: a window before a clause (周一至周五工会会员本人免门票) is that clause's, never the clause dropped
# 24: a clause after a heading's colon is never dismissed as a note (首次到店会员：免费口腔检查); 米面油
# 25: 实付满 after a rate; X不减; 以低价者半价; a merchant's 所有项目 is everything; 每日 before hours after a
#     heading; an unknown hour and unplaced goods asked together; 各类; words for 面条, 童装, 疫苗接种, 工时费, 洗澡美容
# 26: 下午/上午 beside hours are the time of day, not goods; 工惠卡; 8元→5元; (原0.5) is a list price; 会员68元/小时;
#     本人及同行亲友最多6人, 本人+3位; 每周五再降0.2元/升 on the same goods; 单次最多; 仅限堂食; 1万; a rate 再打 on
#     top of card prices; 谷时; 首2小时 and 超时 are no goods; words for 西餐, 全屋定制, 耳钉, 打印, 装订

_NUM = r"\d+(?:\.\d+)?"
# The longest segment the grammar reads (the grammar tries every start: a segment's time grows with the
# square of its length). Merchants' clauses are a few dozen characters.
_SEGMENT_AT_MOST = 160
_LONG_RUN = re.compile(rf"[^,;.!?，；。！？\s]{{{_SEGMENT_AT_MOST}}}")

# Conditions and non-combinability: recognised anywhere and cut out of the segment.
_CONDITIONS = (
    (re.compile(r"(?:凭|需|须)?出示(?:本人)?(?:武汉)?工会(?:会员服务)?卡"), "show_card"),
    (re.compile(r"(?:凭|需|须)?(?:使用|用|刷)(?:武汉)?工会(?:会员服务)?卡(?:结账|结算|支付|付款|消费)?"), "pay_with_card"),
    (re.compile(r"持(?:武汉)?工会(?:会员服务)?卡消费"), "pay_with_card"),
    (re.compile(r"持卡消费"), "pay_with_card"),
    (re.compile(r"(?:并|须|需)?刷卡(?:结算|结账|支付|消费|付款)"), "pay_with_card"),
    # 凭工会卡消费 / 凭工会卡就餐 / 持工会卡入住: the card is shown; what follows is the discount.
    (re.compile(r"(?:凭|持)(?:武汉)?工会(?:会员服务)?卡(?:到店消费|到店|消费|就餐|用餐|购物|购买|入住|结账|购票|观影|就诊|"
                r"体检|洗车|进店)?"), "show_card"),
    (re.compile(r"凭卡(?:到店消费|消费|购买|购物|就餐)?"), "show_card"),
    (re.compile(r"(?:工会)?会员(?:专享|独享|特享)"), "members_only"),
)
_NOT_COMBINABLE = re.compile(
    r"(?:与|和|同)?其他优惠(?:活动)?(?:不能|不可|不得|不)同时(?:使用|享受|参加)"
    r"|不(?:与|和)(?:店内|本店|门店|商场|店铺)?其他(?:优惠)?(?:活动)?(?:同享|同时使用|同时享受|叠加|共享|同时参加)"
    r"|不(?:可|能|予)?叠加(?:使用)?"
    r"|不再叠加(?:会员)?(?:折扣|优惠)?"
    r"|不(?:可)?同享"
    r"|不(?:与|和)[^,;]{1,14}?(?:同时使用|同享|叠加|同时享受|共享)"
    r"|(?:与|和)(?:店内|本店)?其他(?:优惠)?(?:活动)?(?:不同享|不叠加|不同时使用|不共享)"
)
# Wording a clause cannot carry by itself: a time window, a quantity, people, a usage limit, a price the
# discount stacks on. The families that read such wording whole (时段, 第N份, 持卡人及…, 使用限制) run
# first; a segment where any of it is left over is unparsed, so a quote says it may not hold instead of
# printing a confident wrong price.
_NOT_MODELLED = re.compile(
    r"周[一二三四五六日天末]|星期|每周|每月|每天|每日|会员日|午市|晚市|早市|节假日|节日|假日|法定|工作日"
    r"|\d{1,2}[:：]\d{2}|\d{1,2}点|时段|营业时间|当日|当天"
    r"|第[二三四两2-4][份件个杯位瓶]|买[一二三1-3]送|送[一二三1-3]$|随行|同行|每人|人均|每卡|每位|每桌|限购|限\d次|限[一二两三]次|仅限|首单"
    r"|(?<!在)会员价(?!基础上)"
    r"|^(?:超时|之后|此后|以后)"   # 超时每小时3元, 之后每小时5元: a price after so many hours
)
_EXCLUSION = re.compile(
    r"^(.*?)(?:均|一律|等)?(?:除外|不参加|不参与|不打折|不减(?![\d一二三四五六七八九十两])|不享受(?:此|以上|本)?优惠|不享受|不优惠|另计|另收|另行收费|另外收费|"
    r"按原价收取(?![\d的])|按原价收费|照原价(?:收取|收费|计算|结算)?|按原价(?![\d的收计结一二三四五六七八九])|按(?:门市价|标价|挂牌价)(?![\d的收计结一二三四五六七八九])|原价收取|不在优惠范围内?|不在优惠之列|不再另行打折|不再打折|不再享受|不再另行优惠|暂停|"
    r"(?:价格)?已优惠|照常收取|照常收费|正常收取|正常收费)(.*)$")
_EXCLUSION_LEADING = re.compile(r"^(?:不含|不包括|不包含|除)(.+?)(?:以外|之外|外)?$")
_TRAILING_NOISE = re.compile(r"^(?:此次|本次|本|任何|以上|上述)?(?:活动|优惠|满减|打折|折扣|优惠活动|折扣优惠|不打折|不优惠|不参加|不参与)?$")
# Words that say how an offer is applied, and change nothing in the price the rule model gives: tiers
# are never added up (不累加), 第二杯半价 is within one line (限同款), the group is the nth rule's.
_HARMLESS = re.compile(
    r"^(?:不累加|不累计|不重复享受|不叠加计算|限同款|限同一款|同款|同款商品|限同型号|限同品牌|限同一型号|限同口味|限同一口味|同口味|限同价位|"
    r"共(?:\d+|[一二两三四五六七八九十])[位人名张]|含[^\d折减送赠免元%不限每,;]{1,14}|含[^折减送赠免元%不限每,;]{1,14}|\S{0,8}儿童(?:须|需)(?:由)?(?:家长|成人)陪同|充\d+(?:元)?送\d+(?:元)?\S?|"
    r"(?:仅)?限(?:为)?(?:会员|持卡人)?本人(?:的)?(?:子女|配偶|父母)(?:报名|使用|享受|就诊|入住)?|送完为止|送完即止|"
    r"(?:仅)?限(?:会员|持卡人)(?:本人)?(?:登记)?入住|"   # the holder stays: not one room-night only (标准间168元/晚 x2)
    r"售完为止|售完即止|赠品不折现|积分不(?:抵现|折现|兑现|抵扣)|按最高档(?:减|计|算|优惠)?|(?:不满|不足)(?:一|1)(?:小时|次)按(?:一|1)(?:小时|次)(?:算|计|计算|收费|计费)|赠品不退不换|不折现|按最高一档|取最高一档|就高不就低|每桌限用(?:一张|1张)?卡(?:一张|1张)?|"
    r"每桌(?:最多)?(?:限)?(?:使)?用(?:卡)?(?:一张|1张|一)卡?|每单(?:最多)?(?:限)?(?:使)?用(?:一张|1张|一)?卡|(?:限|仅限)下次(?:消费)?(?:使用|可用|抵用)|即日起|(?:即日起)?凡?(?:到店)?(?:消费者|顾客)|"
    r"以此类推|多买多减|多买多送|每\S{1,2}为一组|(?:原价|挂牌价|门市价|市场价|原)(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)元(?:/\S{1,2})?|"
    r"第\S杯?限同款|(?:\d+|[一二两三四五六七八九十]+)(?:小时|次|件|份|人|桌|间)起(?:约|订|售)?|\d+(?:小时|次|件|份|人|桌|间)起(?:约|订|售)?|"
    r"含(?:持卡人)?本人|(?!不)(?![^,;]*(?:带|携))\S{1,10}(?:同享|均享|同样享受)|本酒店|本店|本院|本馆|本中心|下次(?:消费)?(?:使用|可用|抵用)|"
    r"(?:半价)?按价低的?一\S算|(?:赠)?送价(?:格)?(?:较)?低的?(?:那)?一\S|按低价的?一\S(?:计|算)|(?:以)?(?:价低者|低价者|价格低者|较低者)(?:半价|优惠|免费)?|赠送价格最低(?:的)?一\S|"
    r"限同一\S{1,4}(?:同次消费|同次|使用)?|(?:两|二|2)人同行|名额有限|报满即止|额满即止|约满即止|(?:以上|上述)(?:优惠|活动)?(?:均)?(?:并)?|"
    r"(?:报名时|入住时|结账时|消费时|办理时)?(?:须|需)?(?:出示|携带)?(?:及|和)?(?:本人)?(?:有效)?身份证(?:原件)?(?:办理入住|入住|报名|登记|办理)?|"
    r"[^\d折减送赠免元%,;]{0,8}?(?:须|需|请)?(?:提前)?(?:\d+|[一二两三])?(?:天|日|小时)?(?:电话)?(?:预约|预订|预定)|"
    r"限同款同规格|同款同规格|限同规格|限本店所做|限本店(?:办理|所购|购买)的?|"
    r"(?:均)?含(?:双早|单早|早餐|双份早餐|早|税|服务费)|(?:包厢|包间)?最低消费不变|"
    r"可累计|可叠加|累计计算|详询店员|详询门店|欢迎光临|欢迎惠顾|敬请光临|数量有限|售完即止|先到先得|具体以门店为准|"
    r"以门店公示为准|最终解释权归本店所有|本店保留最终解释权|解释权归本店所有|最终解释权归商家所有|"
    r"(?:购物券|代金券|优惠券|消费券)(?:限)?下次(?:消费)?(?:使用|可用|抵用)|"
    r"(?:同行|随行)\S{0,4}按原价(?:购票|收费|计算|结算)?|半价按低价(?:商品|的)?(?:计|算|计算)|"
    r"(?:低价|价低|便宜)的?那?\S{0,2}(?:半价|免费|优惠)|"
    r"超出(?:人数|部分|份数|数量)?(?:的)?按(?:门市价|原价|标价|挂牌价)(?:收取|计算|计费|结算)?)$")
# What is left of a segment once its cap is cut out (单笔最高优惠100元 -> 单笔): nothing more to read.
_CAP_LEFTOVER = re.compile(r"^(?:单笔|单次|每单|每次|每笔|每桌)?(?:消费)?$")


def _normalise(text: str) -> str:
    # NFKC folds full-width forms (８．５, ％, ：, ？) to ASCII; the table then does the Chinese
    # punctuation NFKC keeps (，。、 stay Chinese in NFKC except as mapped here).
    table = str.maketrans({"（": "(", "）": ")", "％": "%", "：": ":", "；": ";", "！": "!", "，": ",", "。": ".",
                           "【": "[", "】": "]", "〔": "[", "〕": "]", "～": "~", "壹": "一", "贰": "二", "叁": "三",
                           "肆": "四", "伍": "五", "陆": "六", "柒": "七", "捌": "八", "玖": "九", "拾": "十"})
    text = re.sub(r"[①-⑩]", ";", text)   # circled numbers are points of a list (NFKC would make them digits)
    out = to_simplified(unicodedata.normalize("NFKC", text)).translate(table)   # 茶位費 is 茶位费
    out = out.replace("佰", "百").replace("仟", "千").replace("萬", "万")
    out = re.sub(r"(\d+)#", r"\1号", out)   # 95#汽油 is 95号汽油
    # 一毛一张, 5角: tenths of a yuan
    out = re.sub(r"([一二两三四五六七八九]|\d)(?:毛|角)(?:钱)?",
                 lambda m: f"0.{m.group(1) if m.group(1).isdigit() else '一二三四五六七八九'.index(m.group(1).replace('两', '二')) + 1}元", out)
    out = _CLOCK_WORDS.sub(_clock_word, out)
    # 85折后，每满三百再减三十 / 九折后满200再减20: the rate and what comes after it are two clauses.
    out = re.sub(r"(?<=[\d一二三四五六七八九十])折(?=(?:之)?后)", "折,", out)
    for typo, word in _TYPOS:
        out = out.replace(typo, word)
    out = re.sub(r"(?<=[\d一二三四五六七八九])拆", "折", out)            # 7拆: said so in Wuhan and Canton
    out = out.replace("周六日", "周六、周日")
    out = re.sub(r"(?<!每)(?:晚上|晚间|晚|下午)(\d{1,2}):(\d{2})", lambda m: f"{int(m.group(1)) + 12 if int(m.group(1)) < 12 else m.group(1)}:{m.group(2)}", out)
    out = re.sub(r"(?:上午|早上|中午)(?=\d{1,2}:\d{2})", "", out)            # 晚17:00以后: the clock says it
    out = re.sub(r"不足(?=\d|[一二两三四五六七八九十百])", "不满", out)             # 不足100元享95折
    out = re.sub(r"[—–]{1,2}(?=[^\d])", ";", out)                          # ——宝岛眼镜光谷店: a signature
    out = re.sub(r"(?<=\d元|\d折)(?=每(?:卡|张卡|人每|位每|桌限|单限|桌最多))", ",", out)   # 满50元减8元每卡每日限用一次
    out = re.sub(r"(限\S{0,3}?[一二两三四五六七八九十\d])回", r"\1次", out)   # 每卡每月仅限一回
    out = re.sub(r"(周[一二三四五六日天])(?=周[一二三四五六日天])", r"\1、", out)   # 周六周日不打折
    out = re.sub(r"(?<=[\u4e00-\u9fff])(?:每天|每日|天天)(?=[\d一二三四五六七八九]+(?:\.\d)?折)", "", out)   # 卖品部每天9折: always
    out = re.sub(r"(?:^|(?<=[,;.!?:\s]))(?:每天|每日|天天)(?=[早午晚夜下]\S?场|[早午晚夜]市|\d{1,2}:\d{2})", "", out)   # 每天晚场: every day
    out = re.sub(r"不参与(?:打折|折扣)(?:和|及|与|、)满减", "不参与", out)   # 酒水不参与打折和满减: out of both
    out = re.sub(r"同样不含|也不含|均不含", "不含", out)
    out = re.sub(r"(?:仅限|只限|限)堂食(?:使用|享受|消费)?|堂食专享", "外卖除外", out)   # 仅限堂食: a takeaway is not in it
    # 每满1万减1000: ten thousands in digits (万达, 万象 keep theirs: a digit comes first only in amounts)
    out = re.sub(r"(\d+(?:\.\d+)?)万(?=元|减|送|赠|以上|起|[,;.、]|$)",
                 lambda m: f"{(Decimal(m.group(1)) * 10000).normalize():f}", out)
    out = re.sub(r"(?:^|(?<=[,;.!?:]))单次(?=最多|限)", "每次", out)   # 单次最多100升
    # 每周五再降0.2元/升: so much more off each unit, said after the unit price
    out = re.sub(r"(?:再|另)(?:降|减|优惠)(\d+(?:\.\d+)?)元/(升|度|克|斤|公斤|小时|次)", r"每\2减\1元", out)
    out = re.sub(r"先(?:享|打)(?=[\d一二三四五六七八九])", "享", out)   # 先享9折 / 先打九折，折后满199再减20
    out = re.sub(r"^\s*\[[^\[\]]{1,20}\]", "", out)          # 【冬日暖锅】: a poster's title, not an offer
    out = re.sub(r"(?<=[^\s,;.!?:])\[([^\[\]]{1,12})\](?=[^\s,;.!?:])", r":\1:", out)   # 桌球俱乐部【会员日】每周三…: headings
    # Numbered points (1、凭卡购药9折 2、每月15日…, ①②) are sentences.
    out = re.sub(r"(?:^|(?<=[\s,;.!?:]))(?<!\d:)(?<!\d\.)(?:\d{1,2}|[①-⑩])[、.)](?!\d)", ";", out)   # (原0.5) is a price
    out = re.sub(r"[①-⑩]", ";", out)
    # A space between words separates phrases on a poster (烤串每满100减15 上不封顶); inside a number or
    # a Latin word (IMAX 3D) it is nothing.
    out = re.sub(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])", ",", out)
    out = re.sub(r"(?<=[\dA-Za-z%)\]])\s+(?=[^\x00-\x7f元折块%减送件份个次人位张杯瓶盒])", ",", out)
    return re.sub(r"\s+", "", out)


# 晚上九点以后, 下午两点: hours in words, read as the 24-hour clock the time windows know.
_CLOCK_WORDS = re.compile(
    r"(?:(上午|下午|中午|晚上|早上|凌晨)([零一二两三四五六七八九十]{1,3}|\d{1,2})点(半)?)"
    r"|(?:()([零一二两三四五六七八九十]{1,3}|\d{1,2})点(半)?(?=以后|之后|后|以前|之前|前|至|到|-|~|起|开始))")


def _clock_word(m: re.Match) -> str:
    part, words, half = (m.group(1), m.group(2), m.group(3)) if m.group(2) else (m.group(4), m.group(5), m.group(6))
    hour = int(words) if words.isdigit() else cn_number(words)
    if hour is None or hour > 24:
        return m.group(0)
    if part in ("下午", "晚上") and hour < 12:
        hour += 12
    return f"{hour}:{'30' if half else '00'}"


# Misspellings merchants print often enough to read through.
_TYPOS = (("一率", "一律"), ("全厂", "全场"), ("公会卡", "工会卡"), ("工会会员卡", "工会卡"), ("忧惠", "优惠"), ("优慧", "优惠"), ("打拆", "打折"), ("已上", "以上"), ("折扣扣", "折扣"), ("元元", "元"), ("汤染", "烫染"), ("汤发", "烫发"), ("不上封顶", "上不封顶"), ("分中", "分钟"), ("上不封项", "上不封顶"),
          ("护里", "护理"), ("出外", "除外"), ("蛋羔", "蛋糕"), ("狗梁", "狗粮"), ("亨受", "享受"), ("工惠卡", "工会卡"))


# A card price as one segment: 门票原价120元，持工会卡60元 -> "门票120元卡价60元" (see _split), which the
# grammar's card-price rule reads; one with no list price (洗车凭卡25元/次) -> "洗车卡价25元".
_AMOUNT = r"(?:\d+(?:\.\d+)?|[零一二两三四五六七八九十百千万]+)"
_PER_UNIT = r"(?:(?:/|一|每)(?:\d+)?(?:分钟|小时|课时|平米|平方米|平方|公斤|m2|[人张次位份杯碗个件晚间夜盒瓶只台辆套版颗双副对斤节场堂度升克]){1,2}|/月|/年)?"
_PRICE_WORD = (r"(?:(?:凭|持)(?:武汉)?(?:工会)?(?:会员服务)?卡(?:价|优惠价)?|(?:工会)?会员(?:专享)?价|工会价|特惠价|优惠价|"
               r"活动价|卡价|惠民价|体验价|协议价|工会会员(?:价)?|会员(?=\d)|每次|每位|每人|每份|每张|每小时|每只|每间|每晚|每套|每辆|每节|每场|"
               r"仅需|只需|只要)"
               r"(?:仅需|只需|只要|即可|仅|只)?")
_LIST_WORD = r"(?:原价|门市价|挂牌价|票价|市场价|门店价|平时价|正常价|定价|门市|原)"
_CARD_PRICE = re.compile(
    rf"([^,;.!?()]*?){_LIST_WORD}?\s*({_AMOUNT})\s*元{_PER_UNIT},?{_PRICE_WORD}\s*({_AMOUNT})\s*元{_PER_UNIT}")
_CARD_PRICE_THEN_LIST = re.compile(
    rf"([^,;.!?()]*?){_PRICE_WORD}\s*({_AMOUNT})\s*元{_PER_UNIT}\s*[(,]{_LIST_WORD}\s*({_AMOUNT})\s*元?{_PER_UNIT}\)?")
# 精洗五十元（原价八十元）: a price with the list price beside it needs no word for "card price".
_PRICE_THEN_LIST = re.compile(
    rf"([^,;.!?()\d]*?)(?<![减省降惠])({_AMOUNT})\s*元{_PER_UNIT}\s*\({_LIST_WORD}\s*({_AMOUNT})\s*元?{_PER_UNIT}(?:,([^()]*))?\)")
# 凭卡补胎5元/个: the card first, then the goods and their price.
_CARD_FIRST_PRICE = re.compile(
    rf"(?:凭|持)(?:工会)?卡([^,;.!?()减折满送赠免优惠价每消仅需只]{{1,10}}?)(?<!\d)({_AMOUNT})\s*元{_PER_UNIT}(?=$|[,;.!?(])")
# 烘干每次8元→5元, 服务费0.8元/度→0.4元/度: the list price, then the card's.
_ARROW_PRICE = re.compile(
    rf"([^,;.!?()]*?)(?:每次|每位|每人|每张|每小时)?({_AMOUNT})\s*元{_PER_UNIT}\s*(?:→|->|—>|=>|降至|降为|变为)\s*({_AMOUNT})\s*元{_PER_UNIT}")
_UNIT_PRICE = re.compile(
    rf"([^,;.!?()]*?)(?<![满减])({_PRICE_WORD}|仅需|只需|特价|一口价|一律|均为|统一)\s*({_AMOUNT})\s*元{_PER_UNIT}(?=$|[,;.!?(])")


# 空调清洗工会价：挂机69元/台、柜机99元/台: a list of card prices after the word for them.
_PRICE_LIST = re.compile(r"(?:工会价|会员价|凭卡价|优惠价|特惠价|工会会员价):((?:[^,;.!?:()\d、]{1,10}\d+(?:\.\d+)?元(?:/\S)?、?)+)")


def _said_as(originals: dict[str, str], segment: str, original: str) -> str:
    """A segment the splitter rewrote into the grammar's form, remembering the offer's own words."""
    originals[segment] = original
    return segment


def _price_list(m: re.Match, originals: dict[str, str]) -> str:
    parts = [_said_as(originals, f"{found.group(1)}卡价{found.group(2)}元", item)
             for item in (p for p in m.group(1).split("、") if p)
             if (found := re.fullmatch(r"([^\d]+?)(\d+(?:\.\d+)?)元(?:/\S)?", item))]
    return "," + ",".join(parts) + "," if parts else m.group(0)


def _kept_apart(m: re.Match, form: str) -> str:
    """A rewrite's form filled in, with 原价 between goods that end in a digit and a list price after them."""
    goods = m.group(1) or ""
    if goods[-1:].isdigit() and not form.startswith(r"\g<1>卡价"):
        form = form.replace(r"\g<1>", r"\g<1>原价", 1)
    return m.expand(form)


def _split(text: str, originals: dict[str, str]) -> list[tuple[int, str, bool]]:
    """Segments at sentence punctuation, each with its sentence and whether it goes on a list of rates the
    segment before it began (锅底半价、菜品九折: a window said for the first is said for the list). A parenthesised exclusion becomes its own segment; other
    parentheses (亚健康调理（肩颈服务、…）服务) stay inside their segment. A card price written across a
    comma (门票原价120元，持工会卡60元) is kept in one segment."""
    text = _PRICE_LIST.sub(lambda m: _price_list(m, originals), text)
    # Card prices in every order merchants write them, rewritten to the grammar's "门票120元卡价60元".
    # (黑白A4每张0.3元: goods ending in a digit are kept apart from the price by 原价, else they would run together)
    rewrites = ((_ARROW_PRICE, r"\g<1>\g<2>元卡价\g<3>元"), (_CARD_PRICE_THEN_LIST, r"\g<1>\g<3>元卡价\g<2>元"),
                (_PRICE_THEN_LIST, r"\g<1>\g<3>元卡价\g<2>元(\g<4>)"), (_CARD_PRICE, r"\g<1>\g<2>元卡价\g<3>元"),
                (_CARD_FIRST_PRICE, r"\g<1>卡价\g<2>元"), (_UNIT_PRICE, r"\g<1>卡价\g<3>元"))
    for pattern, form in rewrites:
        text = pattern.sub(lambda m, form=form: _said_as(originals, _kept_apart(m, form), m.group(0)), text)

    def lift(m: re.Match) -> str:
        inner = m.group(1)
        # An exclusion, a rule of its own (中药饮片8.5折), a limit or a note in brackets is a segment;
        # brackets that list examples (亚健康调理（肩颈服务、…）服务) stay inside theirs.
        own = (_EXCLUSION.match(inner) or _NOT_COMBINABLE.search(inner) or read_limit(inner) or _HARMLESS.match(inner)
               or re.search(r"[折%]|减\d|\d元|送|赠|限", inner))
        harmless = all(_HARMLESS.match(part) for part in inner.split(",") if part)
        if harmless and m.end() < len(text) and text[m.end()] not in ",;.!?":
            return ""   # 标准间（含双早）199元: a note inside a price, not a sentence of its own
        if own or harmless:
            return f",{inner},"
        if m.end() == len(text) or text[m.end()] in ",;.!?":   # 周五、六9折(含早): a note after the rate
            return f",{inner}"
        return "(" + inner.replace(",", "、") + ")"   # 空调清洗(挂机,柜机): the brackets' list stays whole

    text = re.sub(r"\(([^()]*)\)", lift, text)
    out: list[tuple[int, str, bool]] = []
    # 全场8折酒水除外: a rate, then what is left out, with no comma between them.
    text = re.sub(r"(?<=[\d一二三四五六七八九十]折)(?=[^,;.!?()折]{1,12}(?:除外|不参加|不参与|不打折)(?:$|[,;.!?]))", ",", text)
    # A full stop between digits is a decimal point (8.8折), elsewhere it ends a sentence.
    for number, sentence in enumerate(re.split(r"[;!?]|(?<!\d)\.|\.(?!\d)", text)):
        # Tiers listed with 、 (满100元减15元、满300元减50元) are separate clauses, and so are rates listed
        # with it (锅底半价、菜品九折).
        for part in sentence.split(","):
            pieces = re.split(r"、(?=每?满\d)|(?:(?<=[折费元%])|(?<=半价))、(?!\d)|(?<=元/[张次位人份台间晚个杯])、", part)
            # A segment of punctuation alone (？、) says nothing: not an offer, not something missed.
            kept = [_balanced(p) for p in (s.strip() for s in pieces) if any(ch.isalnum() for ch in p)]
            kept = [q for p in kept for q in _either_window(p)]
            out.extend((number, p, i > 0) for i, p in enumerate(kept))
    return out


_EITHER_WINDOW = (
    re.compile(r"^(.*?)(晚上|夜间|白天|晚场|平日|工作日)(?:及|和|或|、|与)(周末|周六、周日|双休日|(?:法定)?节假日)(?![不除照通])(.+)$"),
    re.compile(r"^(.*?)((?:周|星期)[一二三四五六日天](?:(?:至|到|-|、)(?:周|星期)?[一二三四五六日天])*|周末|双休日)"
               r"(?:及|和|或|、|与)?((?:法定)?节假日)(?![不除照通均期])(.+)$"),
)


def _either_window(segment: str) -> list[str]:
    """晚上及周末9折: the rate holds in either window, so it is two clauses, one for each."""
    for pattern in _EITHER_WINDOW:
        if m := pattern.match(segment):
            return [m.group(1) + m.group(2) + m.group(4), m.group(1) + m.group(3) + m.group(4)]
    return [segment]


def _balanced(segment: str) -> str:
    """A segment without a bracket its other half was cut from (每卡限2位) after 仅需38元/位（原价58元，)."""
    while segment.count(")") > segment.count("(") and ")" in segment:
        i = segment.rindex(")") if segment.endswith(")") else segment.index(")")
        segment = segment[:i] + segment[i + 1:]
    while segment.count("(") > segment.count(")") and "(" in segment:
        i = segment.index("(")
        segment = segment[:i] + segment[i + 1:]
    return segment.strip()


# 钓鱼按斤计费, 采摘按斤另算: goods priced on their own terms (by weight, by the hour), the goods first.
_PRICED_APART = re.compile(r"^(.+?)(?:按(?:斤|公斤|重量|小时|时|次|人|位|件|份|个)(?:数)?)(?:另计|另算|另收|计费|计价|收费|计算|结算|算)?$"
                           r"|^(.+?)(?:另算|单独收费|单独计费|单独结算)$")


def _exclusion_items(text: str) -> list[str]:
    if m := _PRICED_APART.match(text):   # 钓鱼按斤另计除外: 钓鱼
        text = m.group(1) or m.group(2)
    if re.fullmatch(r"(?:加[^加、,/]{1,3}){2,}", text):   # 加肉加蛋不打折: 加肉 and 加蛋
        return re.findall(r"加[^加]{1,3}", text)
    text = re.sub(r"(?:均)?按(?:店内|门店|本店)?(?:标价|原价|门市价|挂牌价|正价)(?:收取|结算|计算|收费|销售)?$", "", text)   # 机油按店内标价
    # 车厘子、榴莲等精品果: each, and the kind; 辅料（水泥、沙子、瓷砖胶）: one class with its examples
    items = re.split(r"(?:[、,/]|及|以及|和|与|等(?=\S))(?![^()]*\))", text)
    return [i.removesuffix("等") for i in (s.strip() for s in items) if i and i.removesuffix("等")]


def parse_offer(text: str, trace: list[tuple[str, str]] | None = None) -> OfferRules:
    """Parse published offer text into rules; the raw text is never needed to be re-read by callers.
    With `trace`, each segment is appended with the phrase families that read it (or 未能解析)."""
    clauses: list[Clause] = []
    exclusions: list[str] = []
    unparsed: list[str] = []
    condition = None
    combinable = True
    caps: list[Decimal] = []
    reductions_only_out: list[str] = []        # 酒水不计入满减: goods out of the 满减 only
    cap_places: list[tuple[int, int]] = []       # the (sentence, position) each cap was said at
    holidays_excluded = False
    offer_when = None
    limits: list[Limit] = []
    originals: dict[str, str] = {}   # a segment the splitter rewrote -> the offer's own words
    windows: list[tuple[int, int, When]] = []   # a window said alone: (sentence, position, window)
    windows_out: list[When] = []                # a window the offer does not hold in (晚场不参与)
    offer_qualifier: str | None = None          # 首次到店 said on its own: every clause is for the first visit
    spends: list[tuple[int, str | None, Decimal]] = []   # a spend said on its own: (sentence, goods, amount)
    until: dt.date | None = None
    repeats: list[int] = []                     # sentences where 上不封顶 stands alone: their 满减 repeat
    placed: list[tuple[int, int]] = []          # each clause's (sentence, position)
    list_when: When | None = None                 # the window of a list of rates (午市锅底半价、菜品九折)
    apart: tuple[int, str] | None = None          # goods just said to be priced apart (钓鱼按斤计费), and where
    # A run longer than any clause is cut first, so no pattern below meets one (their time grows with the
    # square of a run's length: 40,000 characters took minutes). Real offers are never cut.
    text = _LONG_RUN.sub(lambda m: m.group() + ";", text or "")
    for position, (sentence, raw, listed) in enumerate(_split(_normalise(text), originals)):
        raw_text = originals.get(raw, raw)
        read: list[str] = []          # the families that read this segment, for the trace
        if trace is not None:
            trace.append((raw_text, ""))
        segment = raw
        if position == 0 and (title := _title(segment)) is not None:
            segment = segment[len(title):].lstrip(":")   # 老百姓大药房 / 影城公告: the merchant's name, a heading
            read.append("标题")
            if not segment:
                _traced(trace, read)
                continue
        if len(segment) > _SEGMENT_AT_MOST:   # no clause runs this long without a comma: not read, and not slow
            unparsed.append(raw_text[:_SEGMENT_AT_MOST] + "…")
            _traced(trace, ["未能解析"])
            continue
        segment = _CONNECTIVE.sub("", segment)   # 另送…, 并享…, 同时…: a clause all the same
        if _REDUCTIONS_ONLY_OUT.search(segment):   # 酒水饮料不计入满减金额: out of the 满减 (see the end)
            segment = _REDUCTIONS_ONLY_OUT.sub("不参加", segment)
            reductions_only_out.append(raw_text)
        if _NOT_COMBINABLE.search(segment):
            combinable = False
            segment = _NOT_COMBINABLE.sub("", segment)
            read.append("不可叠加")
        found_caps, had_cap, segment = cut_cap(segment)
        if had_cap and not found_caps:   # 上不封顶: the 满减 said before it repeats
            repeats.append(sentence)
        caps.extend(found_caps)
        cap_places.extend((sentence, position) for _c in found_caps)
        if had_cap:
            read.append("上限")
        if had_cap and _CAP_LEFTOVER.match(segment):
            _traced(trace, read)
            continue
        out, weekends_out, segment = extract_holidays_out(segment)
        holidays_excluded = holidays_excluded or out
        if weekends_out:   # 周末及法定节假日除外: the offer holds Monday to Friday (周五、周六及节假日: Sunday to Thursday)
            kept = tuple(d for d in range(7) if d not in weekends_out)
            offer_when = When(weekdays_text(kept), kept)
        if out:
            read.append("节假日")
        when, segment = extract_when(segment)
        if when is not None:
            read.append("时段")
        elif listed:
            when = list_when
        list_when = when
        # (a segment that reads as a clause is one, whatever goods it names: 周一至周五工会会员本人免门票)
        if when is not None and (not segment.strip(" :、限仅只") or (_goods_only(segment) and read_clause(segment) is None)):
            windows.append((sentence, position, when))   # 每周二会员日，全场8.5折: see _place_windows
            _traced(trace, read)
            continue
        if when is not None and _WINDOW_OUT.match(segment):   # 晚场20:00以后不参与: not at those times
            windows_out.append(when)
            read.append("不参加")
            _traced(trace, read)
            continue
        for pattern, kind in _CONDITIONS:
            if pattern.search(segment):
                condition = condition or kind
                segment = pattern.sub("", segment)
                read.append("条件")
        segment = segment.strip(" :、")
        if m := _UNTIL.search(segment):   # 即日起至2026年12月31日 (2025年6月31日: no such day, not read)
            try:
                until = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                segment = segment.replace(m.group(0), "", 1).strip(" :、,")
                read.append("有效期")
            except ValueError:
                pass
        if _HARMLESS.match(segment):
            read.append("说明")
            segment = ""
        if _OFFER_QUALIFIER.match(segment):   # 首次到店，持工会卡消费立减10元: the whole offer is for the first visit
            offer_qualifier = offer_qualifier or ("新客" if "新" in segment else "首次")
            read.append("限首次")
            segment = ""
        if not segment:
            _traced(trace, read)
            continue
        if (m := re.match(r"^除(.{1,16}?)(?:以外|之外|外)(?:的)?(?=.*(?:\d|[一二三四五六七八九])(?:折|元))(.+)$", segment)):
            # 每月8日会员日，除特价商品外全场8.8折: the clause leaves out its own goods. Where the offer leaves out
            # others elsewhere (参茸贵细、医疗器械), the two lists differ clause by clause: not in the rule model.
            own_out = _exclusion_items(m.group(1))
            if exclusions and set(exclusions) - set(own_out):
                unparsed.append(raw_text)
                _traced(trace, ["未能解析"])
                continue
            exclusions.extend(own_out)
            segment = m.group(2)
            read.append("不参加")
        if m := _EXCLUSION_LEADING.match(segment):   # 不含软件、延保
            segment = f"{m.group(1)}除外"
        if (m := _EXCLUSION.match(segment)) and not m.group(1).strip() and apart is not None and apart[0] == sentence:
            segment = f"{apart[1]}{segment}"   # 钓鱼按斤计费，不打折: what is not discounted was said just before
        apart = None
        if m := _EXCLUSION.match(segment):
            if _NOT_MODELLED.search(m.group(1)):   # 节假日不参加: a time window, not a kind of goods
                unparsed.append(raw_text)
                _traced(trace, ["未能解析"])
                continue
            if when is not None and not re.search(r"另(?:计|算|收)$", segment):
                # 夜间（20:00以后）上门不享受优惠: the service at those hours is out (a window); goods out at
                # some hours only (周末酒水不打折) are not in the rule model. Never a window dropped. (A fee
                # charged apart at some times, 节假日服务费另计, is never discounted: out at every time.)
                if _ANY_SERVICE.match(m.group(1)) and not m.group(2).strip():
                    windows_out.append(when)
                    read.append("不参加")
                else:
                    unparsed.append(raw_text)
                    read = ["未能解析"]
                _traced(trace, read)
                continue
            exclusions.extend(_exclusion_items(m.group(1)))
            read.append("不参加")
            segment = m.group(2).strip()       # 河海鲜及特价菜除外其他消费9折: the rest is a clause
            if not segment or _TRAILING_NOISE.match(segment):
                _traced(trace, read)
                continue
        if (limit := read_limit(segment)) is not None:
            limits.append(limit)
            read.append("使用限制")
            _traced(trace, read)
            continue
        found = read_clause(segment)
        clause, family = found if found else (None, "")
        # Families that read time, quantities or people themselves; and a gift, never money off.
        modelled = clause is not None and (clause.kind in ("nth", "perk") or clause.max_units is not None
                                           or clause.per_unit)
        if _SURCHARGE.search(segment):   # SUV加收10元, 包间另收服务费10%: a charge on top, not in the rule model
            unparsed.append(raw_text)
            _traced(trace, ["未能解析"])
            continue
        if clause is None and clauses and clauses[-1].kind == "card_price" and placed[-1][0] == sentence \
                and (m := _BARE_PRICE.match(segment)):
            # 普洗轿车仅需15元/次，SUV 20元/次: a price in a list of card prices is one too
            try:
                amount = Decimal(m.group(2)) if m.group(2)[0].isdigit() else Decimal(cn_number(m.group(2)) or 0)
                if amount > 0:
                    clause, family = Clause("card_price", segment, read_goods(m.group(1)), amount=amount), "凭卡价"
            except NotGoods:
                pass
        if clause is None and (m := _PRICE_ALONE.match(segment)):
            # 工会会员观影：周一至周四35元/张: a price per unit said alone is the member's price of that time
            clause, family = Clause("card_price", segment, None, amount=Decimal(m.group(1))), "凭卡价"
        if clause is None and (spend := read_spend(segment)) is not None:
            spends.append((sentence, *spend))   # 单笔洗护消费达两百元以上，刷工会卡享8.5折: for the rate after it
            read.append("满额")
            _traced(trace, read)
            continue
        if clause is None and when is None and (m := _PRICED_APART.match(segment)) and (goods := m.group(1) or m.group(2)):
            if m.group(2) or re.search(r"另(?:计|算|收)$", segment):   # 采摘按斤另算: not in the discount
                exclusions.extend(_exclusion_items(goods))
                read.append("不参加")
            else:
                apart = (sentence, goods)   # 钓鱼按斤计费: a 不打折 after it is about 钓鱼
                read.append("说明")
            _traced(trace, read)
            continue
        if clause is None and when is None and _says_nothing(segment):   # 凭卡保养维修, the card cut out: goods only
            read.append("说明")
            _traced(trace, read)
            continue
        if clause is None and (m := _RATE_FIRST.match(segment)) and _goods_only(m.group(2)):
            found = read_clause(m.group(2) + m.group(1))   # 六八折烫染类: the rate said before the goods
            clause, family = found if found else (None, "")
        if clause is None and position == 0 and when is None and len(segment) <= 8 and not _NAME_LIKE.search(segment) \
                and not re.search(r"[()]", segment):
            read.append("标题")   # 周黑鸭 凭卡满50元减8元: the merchant's name, before what it offers
            _traced(trace, read)
            continue
        if clause is None or (not modelled and _NOT_MODELLED.search(segment)) or _impossible(clause):
            unparsed.append(raw_text)
            _traced(trace, ["未能解析"])
            continue
        read.append(family)
        _traced(trace, read)
        if clause.kind == "card_price":
            condition = condition or "show_card"   # 持工会卡60元: the card is shown to get that price
        if when is None and clauses and placed[-1][0] == sentence and _AFTER_RATE.match(segment):
            when = clauses[-1].when   # 会员日全场九五折，折后每满一百元再减十元: on the member day too
        if clause.per_unit and clause.applies_to is None and _MORE_PER_UNIT.search(text) and \
                (before := list(dict.fromkeys(c.applies_to for c in clauses if c.per_unit and c.applies_to))):
            # 92号、95号每升优惠0.5元；每周五再降0.2元/升: more off the same goods' units, on top
            clause = dataclasses.replace(clause, applies_to="、".join(before))
        # Keep the clause's text as it was published, condition words and all.
        clauses.append(dataclasses.replace(clause, text=raw_text if segment in raw else segment, when=when))
        placed.append((sentence, position))
    clauses = _place_windows(clauses, placed, windows)
    for sentence, goods, spend in spends:
        clauses = [dataclasses.replace(c, threshold=spend, applies_to=c.applies_to or goods)
                   if c.kind == "percent" and c.threshold is None and s == sentence else c
                   for c, (s, _p) in zip(clauses, placed)]
    for out in [o for o in windows_out if o.weekdays and not (o.hours or o.daypart or o.monthdays)]:
        # 周六周日不优惠: every clause holds on the other days only.
        days = tuple(d for d in range(7) if d not in out.weekdays)
        clauses = [dataclasses.replace(c, when=_without_days(c.when, days, out)) for c in clauses]
    windows_out = [o for o in windows_out if not (o.weekdays and not (o.hours or o.daypart or o.monthdays))]
    for out in windows_out:
        timed = [c for c in clauses if c.when is not None]
        if any(not (c.when.hours or c.when.daypart) or not (out.hours or out.daypart) or out.weekdays for c in timed):
            unparsed.append(f"{out.text}不参加")   # a window inside a window: not in the rule model
        else:   # 午市11:00-14:00套餐凭卡28元，晚市不参加: the timed clauses are in their own hours already
            clauses = [c if c.when is not None else dataclasses.replace(c, when=dataclasses.replace(out, outside=True))
                       for c in clauses]
    for sentence in repeats:
        clauses = [dataclasses.replace(c, repeat=True) if c.kind == "threshold" and s == sentence else c
                   for c, (s, _p) in zip(clauses, placed)]
    if offer_qualifier:
        clauses = [c if c.applies_to and vocabulary().qualified(c.applies_to) else
                   dataclasses.replace(c, applies_to=offer_qualifier + (c.applies_to or "")) for c in clauses]
    if re.search(r"价低|最低(?!消费)|较低|低价|便宜的", text or ""):   # 赠送价格最低一杯: the cheapest of the group, any line
        clauses = [dataclasses.replace(c, pooled=True) if c.kind == "nth" else c for c in clauses]
    # Tiers listed one after another (购药满100元减10元、满200元减25元) are for the first tier's goods.
    for i in range(1, len(clauses)):
        tier = clauses[i].kind == clauses[i - 1].kind == "threshold"
        below = clauses[i].kind == "percent" and clauses[i - 1].threshold is not None and "不满" in clauses[i].text
        # 满300元享9折，满600元享85折: tiers of a rate that needs a spend
        tier = tier or (clauses[i].kind == clauses[i - 1].kind == "percent" and clauses[i].threshold is not None
                        and clauses[i - 1].threshold is not None and clauses[i].when == clauses[i - 1].when)
        # 会员价25元/张（周末30元/张）: the same goods at another time
        timed_price = clauses[i].kind == clauses[i - 1].kind == "card_price" and clauses[i].when is not None \
            and placed[i][0] == placed[i - 1][0]
        if (tier or below or timed_price) and clauses[i].applies_to is None:   # 满300元享8折，不满300元享9折: the same goods
            clauses[i] = dataclasses.replace(clauses[i], applies_to=clauses[i - 1].applies_to)
    if not any(c.when is not None and not c.when.otherwise for c in clauses):
        # 周末及节假日除外，其余时间8.5折: "the other times" are those the exclusions leave. But 平日 said
        # with no other window is Monday to Friday (平日同行1人免门票: not at the weekend).
        clauses = [dataclasses.replace(c, when=When(c.when.text, (0, 1, 2, 3, 4)) if "平日" in c.when.text else None)
                   if c.when is not None and c.when.otherwise and c.when == When(c.when.text, otherwise=True) else c
                   for c in clauses]
    if offer_when is not None:
        clauses = [c if c.when is not None else dataclasses.replace(c, when=offer_when) for c in clauses]
    if reductions_only_out and any(c.kind not in ("threshold", "amount_off", "perk") for c in clauses):
        unparsed.extend(reductions_only_out)   # out of the 满减 but not of the 9折: not in the rule model
    # 书籍每满100减15，最高减45；饮品第二杯半价: a cap said beside a 满减 whose sentence is not the whole offer is that 满减's.
    offer_caps = []
    for found_cap, (sentence, at) in zip(caps, cap_places):
        own = [i for i, (s, _p) in enumerate(placed) if s == sentence and clauses[i].kind in ("threshold", "amount_off")]
        # 处方药优惠10%，其余商品每满100元减10元，最高减50元: said right after a 满减 on other goods, it is that 满减's
        beside = [i for i in own if placed[i][1] in (at, at - 1)]
        if beside and any(clauses[j].applies_to != clauses[beside[0]].applies_to or clauses[beside[0]].for_the_rest
                          for j in range(len(clauses)) if j not in own and clauses[j].kind != "perk"):
            own = beside
        elif not any(s != sentence for s, _p in placed):
            own = []
        if own and found_cap > 0:
            for i in own:
                clauses[i] = dataclasses.replace(clauses[i], cap=min(found_cap, clauses[i].cap or found_cap))
        else:
            offer_caps.append(found_cap)
    caps = offer_caps
    cap = min(caps) if caps and all(c > 0 for c in caps) else None
    if caps and cap is None:
        unparsed.append("最多优惠" + "、".join(f"{c}元" for c in caps))   # 最多减0元: not a cap to apply
    return OfferRules(tuple(clauses), tuple(exclusions), condition, combinable, tuple(unparsed), cap,
                      holidays_excluded, tuple(limits), until)


# Words a rule is made of: a first segment without any is the merchant's name or a notice's heading.
_RULE_WORDS = re.compile(r"[\d折减免送赠价限除满每%卡时点日月晚午次人须需起]|会员|首次|新客|不|优惠|特惠|半价|免费|专享|送|赠"
                         r"|方可|以上|同行|含|周[一二三四五六日天末]|[一二两三四五六七八九十百千万]元|节假日|节日|春节|国庆")
# A merchant's name said first (周黑鸭, 元禄寿司, 周大福): no word an offer's rule is made of, strictly read.
_NAME_LIKE = re.compile(r"[\d折减免送赠价限除满每%卡]|会员|优惠|特惠|半价|免费|专享|不|首次|新客|周[一二三四五六日天末]|星期"
                        r"|[早午晚夜]市|节假日|[一二两三四五六七八九十百千万]元|\d元|以上|以下")
_RATE_FIRST = re.compile(r"^((?:\d+(?:\.\d+)?|[一二三四五六七八九]{1,2}(?:点[一二三四五六七八九])?)折)([^\d折减送赠免元%]{2,10})$")
_REDUCTIONS_ONLY_OUT = re.compile(r"(?:均)?(?:不计入|不算入|不计算在|不参加|不参与)(?:满减|满减金额|满减活动|满减优惠)(?:金额|活动|内)?")
_AFTER_RATE = re.compile(r"^(?:在)?(?:折后|打折后|折扣后|折上|折扣基础上|此基础上|折后价)")
_MORE_PER_UNIT = re.compile(r"(?:再|另)(?:降|减|优惠)\d+(?:\.\d+)?元/(?:升|度|克|斤|公斤|小时|次)")   # 每周五再降0.2元/升
_CONNECTIVE = re.compile(r"^(?:另外|另|并且|并|同时|还可|还|且|此外)(?=[享送赠免满每立可凭持])")


_UNTIL = re.compile(r"(?:即日起|活动时间[:]?)?(?:至|到|截止(?:到|至)?|有效期至)(\d{4})年(\d{1,2})月(\d{1,2})日(?:止|前)?")
_SURCHARGE = re.compile(r"(?:另收|加收|另加收|加价|多收|另付|加付)[^,;.!?]*?(?:\d|[一二两三四五六七八九十])")
_PRICE_ALONE = re.compile(r"^(\d+(?:\.\d+)?)元/(?:张|次|位|人|场|小时|晚|间)$")
_BARE_PRICE = re.compile(r"^(.{1,10}?)(?<![\d零一二两三四五六七八九十百千])(\d+(?:\.\d+)?|[零一二两三四五六七八九十百千]+)元(?:/\S{1,2})?$")
_OFFER_QUALIFIER = re.compile(
    r"^(?:限|仅限)?(?=新客|新顾客|新会员|新用户|新学员|首次|第一次|初次)(?:新客|新顾客|新会员|新用户|新学员)?(?:首次|第一次|初次)?"
    r"(?:到店|光临|进店|消费|入住)?(?:专享)?$")
# The service itself, not a kind of goods: what 夜间上门不享受优惠 leaves out at night is everything.
_ANY_SERVICE = re.compile(r"^(?:上门(?:服务)?|到店|到店消费|消费|入住|使用|服务|全场|所有|店内|堂食|就餐|用餐|办理|预约)?$")
_WINDOW_OUT = re.compile(r"^(?:均)?(?:不参与|不参加|除外|不享受(?:此)?(?:优惠)?|不可用|不适用|不优惠|不打折)(?:此|本)?(?:优惠|活动)?$")


def _says_nothing(segment: str) -> bool:
    """A segment that names goods only (凭卡保养维修 once the card is cut out: 保养维修) or holds no word a
    rule is made of (含早, 欢迎品尝) says nothing about the price. One whose words after a colon read as a
    clause says something (首次到店会员：免费口腔检查)."""
    if read_clause(segment.rpartition(":")[2]) is not None:
        return False
    if not segment or not _RULE_WORDS.search(segment):
        return bool(segment)
    return _goods_only(segment)


def _goods_only(segment: str) -> bool:
    """The segment names goods the vocabulary knows, or everything, and nothing more (到店洗车, 工会会员入住)."""
    try:
        goods = read_goods(segment)
    except NotGoods:
        return False
    return goods is None or vocabulary().place(goods)[1] in ("exact", "head") or bool(vocabulary().split(goods))


# Who and how, then the whole bill: what follows a shop's kind said as a heading (日式料理：持工会卡消费九折).
_WHOLE_BILL_AFTER = re.compile(r"^(?:(?:凭|持|刷|出示)(?:武汉)?(?:市)?(?:工会)?(?:会员)?(?:服务)?卡|工会会员|会员|工会)*"
                               r"(?:全场|店内|所有|一律|消费|全单|整单|用餐|就餐)")


def _title(segment: str) -> str | None:
    """The heading at the start of an offer (老百姓大药房, 停车场通知, KTV:), or None."""
    head, colon, rest = segment.partition(":")
    if vocabulary().place(head)[1] in ("exact", "head"):
        # 客房:8.5折: the goods, not a heading; but 日式料理:持工会卡消费九折 names the shop's kind
        return head if colon and _WHOLE_BILL_AFTER.match(rest) else None
    if colon and head and not _RULE_WORDS.search(re.sub(r"\([^()]*\)", "", head)):   # 少儿英语（3-12岁）：
        return head
    if not colon and not _RULE_WORDS.search(segment) and len(segment) <= 12:
        return segment
    return None


def _without_days(when: When | None, days: tuple[int, ...], out: When) -> When:
    """A clause's window with only `days` left of its weekdays (周六周日不优惠)."""
    if when is None:
        return When(f"除{out.text}外", days)
    kept = tuple(d for d in (when.weekdays or range(7)) if d in days)
    return dataclasses.replace(when, weekdays=kept)


def _place_windows(clauses: list[Clause], placed: list[tuple[int, int]], windows: list[tuple[int, int, When]]
                   ) -> list[Clause]:
    """A window said in a segment of its own holds for the clauses after it in its sentence (每月15日会员日，
    满100再减10), else for those before it (全场8.5折，每周二); in a sentence of its own, for the whole offer."""
    out = list(clauses)
    for sentence, position, when in windows:
        after = [i for i, (s, p) in enumerate(placed) if s == sentence and p > position]
        before = [i for i, (s, p) in enumerate(placed) if s == sentence and p < position]
        for i in after or before or range(len(out)):
            if out[i].when is None:
                out[i] = dataclasses.replace(out[i], when=when)
    return out


def _traced(trace: list[tuple[str, str]] | None, read: list[str]) -> None:
    """The families that read the segment last appended to the trace."""
    if trace is not None:
        trace[-1] = (trace[-1][0], "、".join(dict.fromkeys(read)) or "（无内容）")


def _impossible(clause: Clause) -> bool:
    """满100减200: a reduction no smaller than what must be spent is a typo, not an offer to price."""
    return clause.kind == "threshold" and (clause.threshold or 0) <= (clause.amount or 0)
