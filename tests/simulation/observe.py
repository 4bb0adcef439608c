"""What the simulated customer reads in the bot's replies: which step the bot is asking for.

A customer does not see intents or states, only messages and buttons; so this looks only at
the reply types, texts and button labels of the last turn, in both languages."""

from __future__ import annotations

import re
from typing import Any

# (ask, pattern over the last reply's text and button labels), most specific first.
ASK_PATTERNS: list[tuple[str, str]] = [
    ("coupon", r"coupon code|优惠码|优惠券|No coupon|不用优惠"),
    (
        "shipping",
        r"how should we ship|shipping method|delivery method|配送方式|怎么配送|"
        r"Express delivery|Pick up in store|到店自提",
    ),
    ("region", r"省市区|哪个(城市|省)|which (city|province|region)|what city"),
    (
        "address",
        r"delivery address|shipping address|send .*address|收货地址|配送地址|请发送.*地址|地址.*(发|告诉|填写)",
    ),
    ("which_line", r"哪一件|哪个商品|which (item|line|one) (do you|would you|should)"),
    ("reason", r"\breason\b|原因"),
    ("photos", r"\bphotos?\b|\bpictures?\b|照片|图片"),
    ("option", r"choose the|which (colou?r|size|one)|please choose|请选择|选一下|哪个(颜色|尺码|规格)"),
    ("quantity", r"how many|几件|多少件|数量是"),
    ("yes_no", r"are you sure|confirm (the )?cancel|确定要|确认(取消|退)|\?\s*$|？\s*$"),
]
ADDED = r"\badded\b.{0,80}\bcart\b|已将.{0,60}加入购物车|已加入购物车|已放入购物车|已添加"
YES_LABELS = r"^(✅\s*)?(yes|是|是的|确认|确定|好的)\b"
NO_LABELS = r"^(❌\s*)?(no|否|不|取消|不用了)\b"


def texts_of(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r["text"] + " " + " ".join(b["label"] for b in r["buttons"]) for r in replies)


def asks_of(replies: list[dict[str, Any]]) -> list[str]:
    """The steps the last turn asks the customer for, most specific first."""
    if not replies:
        return []
    types = {r["type"] for r in replies}
    asks: list[str] = []
    if "payment_link" in types:
        asks.append("pay_link")
    if "order_summary" in types or re.search(r"Place order|提交订单|确认下单", texts_of(replies[-1:])):
        asks.append("confirm")
    said = texts_of(replies)
    labels = [b["label"].strip() for b in replies[-1]["buttons"]]
    yes = any(re.search(YES_LABELS, label, re.IGNORECASE) for label in labels)
    no = any(re.search(NO_LABELS, label, re.IGNORECASE) for label in labels)
    if yes and no:
        asks.append("yes_no")  # a question with Yes/No buttons is answered before anything it mentions
    for ask, pattern in ASK_PATTERNS:
        if re.search(pattern, said, re.IGNORECASE):
            asks.append(ask)
    if "confirm" in asks:  # the order summary mentions address, shipping and coupon: it asks none of them
        asks = [ask for ask in asks if ask not in ("address", "region", "shipping", "coupon")]
    if re.search(ADDED, "\n".join(r["text"] for r in replies), re.IGNORECASE):
        asks.append("added")
    if "carousel" in types or re.search(r"I found \d|为您找到", texts_of(replies)):
        asks.append("list")
    if "product" in types:
        asks.append("product")
    if "handoff" in types:
        asks.append("handoff")
    return asks


def list_position(replies: list[dict[str, Any]], title: str) -> int | None:
    """1-based position of a product title in a shown list (by the numbered lines)."""
    for reply in replies:
        for match in re.finditer(r"\((\d+)\)\s+(.+?)\s{2}", reply["text"]):
            if match.group(2).strip() == title:
                return int(match.group(1))
    return None


def added_quantity(replies: list[dict[str, Any]], title: str) -> int | None:
    """How many of the product titled `title` the last turn says it put in the cart ("Added Tent
    (olive) ×2 to your cart", "已将 帐篷 (军绿) ×1 加入购物车", a "• 帐篷 ×1" line of a list)."""
    said = "\n".join(r["text"] for r in replies)
    if not re.search(ADDED, said, re.IGNORECASE):
        return None
    match = re.search(re.escape(title) + r"(?:\s*\([^)]*\))?\s*[×x]\s*(\d+)", said)
    return int(match.group(1)) if match else None
