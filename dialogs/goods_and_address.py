"""One message that buys and says where to send it: "2 sunflower bouquets to Lily Wang 135…
88 Zhongshan Rd, Nanjing. just send the pay link", "尤克里里1把+调音器1个 直接下单 何磊 138… 北京市…
快点". The goods come first, then who receives them (a name right before the phone number) and
where (after it); what follows the address ("just send the link", "快点") is the customer's wish
for the rest. Only this shape is read here - an address before the name ("寄到 浙江省… 收件人 郑琳
135…") is the address reader's (`dialogs.address.parse_address`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from dialogs import go_ahead
from dialogs.address import PHONE_CN, PHONE_INTL, looks_like_place

# The receiver's name right before the phone number: two to four Chinese characters, or one to
# three capitalised words ("Lily Wang").
_NAME_ZH = re.compile(r"(?:^|(?<=[\s,，:：]))([\u4e00-\u9fff]{2,4})[\s,，:：]*$")
_NAME_EN = re.compile(r"(?:^|(?<=\s))((?:[A-Z][a-z'-]+\s+){0,2}[A-Z][a-z'-]+)[\s,，:：]*$")
# Words between the goods and the name ("to", "send them to", "寄给", "收件人", "to another
# address:\nName:" - a pasted block's label).
_TO_WORDS = re.compile(
    r"(?:\b(?:send|ship|deliver)\s+(?:it|them|those|these)?\s*)?\bto\s*[:：]?\s*$|"
    r"(?:寄给|送给|发给|寄到|送到|发到|收件人|收货人|联系人|姓名|名字)\s*[:：]?\s*$|"
    r"\b(?:name|full name|recipient|receiver|consignee|contact)\s*[:：]\s*$",
    re.I,
)
# "to another address", "寄到另一个地址" before a pasted address block: the goods end there.
_TO_AN_ADDRESS = re.compile(
    r"[\s,，]*(?:(?:\b(?:send|ship|deliver)\s+(?:it|them)\s+)?\bto\s+(?:a\s+|my\s+|this\s+|the\s+)?"
    r"(?:different|another|other|new|second|separate)?\s*address|"
    r"(?:寄|送|发|邮)(?:到|去|往)?(?:另外|另|新的?|这个|下面的?|以下)?(?:一个|个)?地址)\s*[:：]?\s*$",
    re.I,
)
# A label right before the phone number in a pasted block ("Phone:", "手机号码：").
_PHONE_LABEL = re.compile(
    r"(?:\b(?:phone|tel|mobile|cell|contact number|phone number)\b\.?|手机号码|手机号|手机|联系电话|电话)\s*[:：]?\s*$",
    re.I,
)
# Hurry words after the address ("快点", "asap"): no part of the street.
_HURRY = re.compile(r"[\s,，]*(?:快点|快些|尽快|赶紧|急用|着急|\basap\b|\bquickly\b|\bhurry\b)", re.I)
# The end of the address sentence in English ("…District Nanjing. just send the link").
_SENTENCE_END = re.compile(r"(?<=[a-z])[.!]\s+(?=[a-z])")
# "直接" / "just" / "now" before the words that ask for the order.
_LEAD_TO_ORDER = re.compile(r"(?:[\s,，]*(?:直接|马上|立刻|就|\bjust\b|\bnow\b|\bthen\b|\band\b))+\s*$", re.I)
_HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class GoodsAndAddress:
    goods: str  # "2 sunflower bouquets", "26寸原木色尤克里里1把+调音器1个 直接下单"
    address: str  # "Lily Wang 13544445555 88 Zhongshan Rd Xuanwu District Nanjing"
    rest: str  # "just send the pay link, no questions", "快点"


def split(text: str) -> GoodsAndAddress | None:
    """The goods, the address and the rest of a message of that shape, else None."""
    phone = PHONE_CN.search(text) or PHONE_INTL.search(text)
    if phone is None:
        return None
    head, tail = text[: phone.start()], text[phone.end() :]
    head = _PHONE_LABEL.sub("", head.rstrip()).rstrip()
    name = (_NAME_ZH.search(head) if _HAN.search(head) else None) or _NAME_EN.search(head)
    if name is None:
        return None
    goods = _TO_WORDS.sub("", head[: name.start(1)].rstrip()).strip(" ,，:：")
    goods = _TO_AN_ADDRESS.sub("", goods).strip(" ,，:：")
    asks_first = go_ahead.place_order_at(goods)
    if asks_first > 0:
        # "尤克里里1把 直接下单 何磊 …": the wish to order is no part of the goods
        goods = _LEAD_TO_ORDER.sub("", goods[:asks_first]).strip(" ,，:：")
    if not goods or any(looks_like_place(part) for part in re.split(r"[\s,，]+", goods) if part):
        return None
    ends = [m.start() for m in (_HURRY.search(tail), _SENTENCE_END.search(tail)) if m]
    asks = go_ahead.place_order_at(tail)
    if asks >= 0:
        ends.append(asks)
    cut = min(ends, default=len(tail))
    where = tail[:cut].strip(" ,，.。")
    if not where:
        return None
    address = f"{name.group(1)} {phone.group(0)} {where}"
    return GoodsAndAddress(goods=goods, address=address, rest=tail[cut:].strip(" ,，.。"))
