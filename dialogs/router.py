"""Deciding what a turn means and who answers it.

Order: human handoff (bot silent) -> commands -> buttons (or a typed number / label of a
shown button) -> the active flow's step -> an intent, where a strong intent in the middle
of a flow is an interruption: the flow is put aside, the question answered, the flow resumed.
"""

from __future__ import annotations

import re

from commerce import errors
from commerce.errors import DomainError
from dialogs import buttons as codes
from dialogs import go_ahead, goods_and_address
from dialogs.address import parse_address
from dialogs.flows import (
    aftersales,
    arrival,
    browse,
    cart,
    checkout,
    checkout_go_ahead,
    compare,
    coupons,
    edits,
    info,
    orders,
    products,
    restock,
    several,
    specs,
)
from dialogs.flows.base import Flow, asks_to_pay_on_delivery, is_cancel, menu_buttons
from dialogs.flows.checkout_answers import coupon_code_in
from dialogs.handoff import HandoffService
from dialogs.language import detect_language_switch
from dialogs.messages import LANGS, OutgoingMessage, TextReply, normalize_lang
from dialogs.reasons import exchange_target, kind_in, kinds_turned_down, reason_in, tentative
from dialogs.references import (
    PAYS_ANOTHER_WAY,
    asks_about_fit,
    asks_for_more,
    asks_how_paying_works,
    asks_to_buy,
    asks_to_set_quantity,
    bare_ordinal,
    continues_a_list,
    enough_count,
    mentioned_values,
    only_quantity,
    ordinal,
    pick,
    price_extreme,
    product_words,
    quantity_in,
    read_pinyin,
    takes_the_one_shown,
    tells_how_many_in_all,
    trailing_number,
    without_greeting,
)
from dialogs.registry import BUTTON_HANDLERS, FLOWS, INTENT_HANDLERS
from dialogs.state import ConversationState
from dialogs.turn import Turn

_NUMBER = re.compile(r"^\s*(\d{1,2})\s*[.、)）]?\s*$")
# Words that can name goods: two Chinese characters or a Latin word of three letters ("好" is none).
_NAMES_GOODS = re.compile(r"[\u4e00-\u9fff]{2}|[a-z]{3}", re.I)
# Intents that answer a side question and must not abandon a flow for good.
SMALL_TALK = {"greet", "thanks", "affirm", "deny", "chitchat", "goodbye"}
USES_PRODUCT = {
    "search_product",
    "product_info",
    "recommend",
    "add_to_cart",
    "remove_from_cart",
    "return_goods",
    "exchange_goods",
    "refund",
    "complaint",
    "human_agent",
    "checkout",
    "view_cart",
}
HANDOFF_INTENTS = {"human_agent", "complaint"}
# Weak readings of a shopping list as trouble ("65w charger + the car mount" read as a refund).
MISREAD_AS_TROUBLE = {"complaint", "refund", "return_goods", "exchange_goods"}
# Readings of a bare "第二个" / "the second one": it points into the list shown last.
POINTING_INTENTS = {"nlu_fallback", "product_info", "affirm", "deny", "chitchat", "search_product", "order_status"}
# Readings too weak to override what the conversation context says a short message means.
WEAK_INTENTS = SMALL_TALK | {"nlu_fallback", "use_coupon", "search_product", "product_info"}
_REMOVE = re.compile(
    r"不要了|删掉|删了|删除|去掉|拿掉|移除|不要这|\b(?:remove|delete|drop|scrap|ditch|nix|take\s+out|get\s+rid\s+of)\b|"
    r"\btake\s+(?:it|them|that|those|this|these|the\s+\w+)\s+(?:out|off)\b",
    re.I,
)
# Any word of taking something out of the cart (wider than _REMOVE, which turns weak readings into removals).
_REMOVE_WORDS = re.compile(
    _REMOVE.pattern
    + r"|清空|取消|不要|不想要|不买|扔|拿出|减|少|\b(?:clear|empty|cancel|minus|less|fewer|no\s+longer)\b|"
    r"\btake\b.*\b(?:out|off)\b|\bdon'?t\s+(?:want|need)\b",
    re.I,
)
# Words of something gone wrong: without any, a weak "complaint" reading of a buying message is wrong.
_GRIEVANCE = re.compile(
    r"坏|破|差|烂|投诉|问题|不满|太慢|错|假|骗|退|生气|失望|垃圾|漏|裂|少了|没收到|"
    r"\b(?:broken|damaged|defective|bad|terrible|awful|worst|complain\w*|problem|issue|wrong|late|never|angry|"
    r"disappointed|scam|fake|refund|return|missing|leak\w*|crack\w*|unhappy|upset|rude)\b",
    re.I,
)
# "the white dripper please": a product named politely - what a customer asks for, never a removal.
_POLITE_ITEM = re.compile(r"^\s*the\s+[a-z][\w\s-]*\b(?:please|pls|plz)\s*[.!]?\s*$", re.I)
_ADDRESS_HINT = re.compile(
    r"地址|收货|寄到|送到|发到|改到|\baddress\b|\bship\s+(?:it\s+)?to\b|\bdeliver\s+(?:it\s+)?to\b", re.I
)
_MOBILE_DIGITS = re.compile(r"1[3-9]\d[\s-]?\d{4}[\s-]?\d{4}")
_ORDER_WORD = re.compile(r"订单|这单|那单|这一单|单子|\border\b", re.I)
# Dropping a whole order in other words than "cancel": "这单先不要了", "订单不买了", "don't want this
# order anymore", "forget the order" (read as a plain "no" or a cart removal otherwise).
# The verbs also as typed with the input method left in Latin mode ("quxiao刚才的订单", "订单不yao了").
_DROPS_ORDER = re.compile(
    r"(?:订单|这单|那单|这一单|单子).{0,4}(?:不(?:要|yao)了|不想(?:要|yao)了|不买了|不需要了|算了|作废|取消|撤销|撤掉|qu\s?xiao)|"
    r"(?:取消|撤销|作废|不要|不想要|不买|qu\s?xiao)(?:了)?(?:刚才|刚刚|上一?个|之前)?(?:的)?(?:这|那)?(?:个|一)?(?:订单|单|单子)|"
    r"\b(?:cancel|forget|scrap|drop|void|kill|call\s+off)\b.{0,20}\border\b|"
    r"\border\b.{0,30}(?:\bcancel|\bforget\s+(?:it|about\s+it)|\bnever\s*mind|\bnot\s+needed)|"
    r"\b(?:don'?t|do\s+not|no\s+longer)\s+(?:want|need)\b.{0,15}\border\b|"
    r"\bnever\s*mind\b.{0,12}\border\b|\border\b.{0,30}\b(?:don'?t|do\s+not)\s+(?:want|need)\b",
    re.I,
)
# Giving up on what was just bought, with no word for the order ("算了 不买了", "先别发了 不要了",
# "actually i changed my mind, don't want it", "买重了", "bought it twice"): with the cart empty,
# that is the order just placed.
_GIVES_UP = re.compile(
    r"不要了|不买了|不想要了|不想买了|不需要了|别发了|不用发了|取消吧|取消掉|帮我取消|"
    r"买重|拍重|下重|重复(?:购买|下单|买|拍)|多拍了|\bduplicate\b|\btwice\b|"
    r"\bcancel\b|\b(?:don'?t|do\s+not)\s+(?:want|need)\b|\bchanged?\s+my\s+mind\b",
    re.I,
)
# Where a parcel already sent is ("耳机寄出了吗", "膜发出来了吗 到哪了", "单号发我", "where's my parcel"),
# never how fast the shop ships in general ("多久发货", "do you ship fast?").
_PARCEL_WHEREABOUTS = re.compile(
    r"(?:发货|发出来?|寄出来?|发走|出库|寄|发)了(?:吗|没|么|嘛)|(?:有没有|还没)(?:发货|发出|寄出)|到哪(?:儿|里)?了|"
    r"快递单号|运单|物流信息|物流状态|快递状态|单号|"
    r"\btracking\b|\b(?:shipping|delivery|shipment|parcel|package)\s+status\b|"
    r"\bwhere(?:'s|s|\s+is|\s+are)\s+(?:my|the|our)\s+(?:\w+\s+)?(?:parcel|package|order|stuff|delivery|items?|things|box)\b|"
    r"\b(?:has|have|did)\s+(?:it|they|my\s+\w+|the\s+\w+)\s+(?:been\s+)?(?:ship|shipped|sent|dispatched|posted)\b",
    re.I,
)
# Readings of a message with a buying verb or a count that are really "add this to my cart".
BUYING_READINGS = {
    "search_product",
    "product_info",
    "recommend",
    "nlu_fallback",
    "chitchat",
    "greet",
    "thanks",
    "affirm",
}
_QUESTION = re.compile(r"[?？]|吗|么|\b(?:how|what|which|when|where|why|is|are|does|do)\b", re.I)
_QUESTION_MARK = re.compile(r"[?？]")
_QUESTION_WORD = re.compile(r"谁|怎么|多少|哪|什么|几|\b(?:how|who|what|which|why|when|where)\b", re.I)
_AFTERSALES_STATUS = re.compile(
    r"(售后|退货|退款|换货|after[- ]?sales?|return|refund|exchange).*(进度|状态|怎么样|到哪|结果|status|progress)|"
    r"(进度|状态|status|progress).*(售后|退货|退款|换货|after[- ]?sales?|return|refund|exchange)",
    re.I,
)
# Readings a question about whether the product suits a use does not override.
FIT_KEEPS = {"human_agent", "complaint", "checkout", "pay", "compare", "cancel_order", "return_goods", "refund"}
# Intents whose question form asks for information rather than starting a request.
INFO_QUESTION_INTENTS = {"refund", "return_goods", "exchange_goods", "aftersales_status", "payment_problem"}
_INFO_QUESTION = re.compile(
    r"多久|多长时间|几天|什么时候到账|到账|怎么算|政策|规则|流程|\bhow\s+long\b|\bhow\s+many\s+days\b|"
    r"\bwhen\s+will\s+(?:i|my)\b.*\b(?:money|refund)\b|\bpolicy\b",
    re.I,
)
# Some word of a discount or an offer; a promotion reading without one is a misreading.
_PROMOTION_WORDS = re.compile(
    r"优惠|活动|折|促销|满减|满\d|减|券|码|便宜|降价|特价|秒杀|福利|赠|送|包邮|红包|会员|积分|团购|拼单|划算|"
    r"双十一|双11|618|\b(?:coupons?|discounts?|deals?|sales?|promo\w*|offers?|vouchers?|codes?|cheap\w*|off|free|"
    r"bargains?|specials?)\b",
    re.I,
)
# Haggling: asking for a lower price, or offering one ("500 and i buy", "两个算120呗", "220行不行").
_BARGAIN = re.compile(
    r"便宜点|便宜一点|便宜些|能便宜|少点|少一点|打个折|打折吗|砍价|还价|讲价|最低价|优惠点|有点贵|太贵|好贵|贵了点|"
    r"算\s*\d+|\d+\s*(?:块|元)?\s*(?:行不行|行吗|可以吗|卖不卖|卖吗|成交)|"
    r"\b(?:better|best|lower)\s+price\b|\bcheaper\b|\bknock\b.*\boff\b|\bbargain|\bnegotiat|"
    r"\bcan\s+(?:you|u|ya)\s+(?:do|go|make\s+it)\s+(?:it\s+)?(?:for\s+)?[¥$]?\d|"
    r"\b(?:you|u)\s+(?:can|could|would)\s+(?:do|go|make\s+it)\s+(?:it\s+)?(?:for\s+)?[¥$]?\d{2}|"
    r"\b(?:would|could|will)\s+(?:you|u)\s+(?:do|take|accept|go)\s+(?:it\s+)?(?:for\s+)?[¥$]?\d{2}|"
    r"\bhow\s+about\s+[¥$]?\d{2,}\s*(?:[?？]|$|each|for\s+(?:it|them|both))|"
    r"\d\s*(?:and|&|n)\s+i(?:'?ll|\s+will|\s+would|'?d)?\s+(?:buy|take|order|get)\b|"
    r"\d\s*(?:is|'s|are)\s+(?:a\s+bit\s+|kinda\s+|too\s+|so\s+|way\s+too\s+|pretty\s+)?"
    r"(?:steep|pricey|expensive|a\s+lot|much|high)\b|\btoo\s+(?:expensive|pricey|steep)\b",
    re.I,
)
# What the NLU makes of haggling ("500 and i buy?" reads as buying or a search).
_HAGGLING_READINGS = WEAK_INTENTS | {"ask_promotion", "add_to_cart", "nlu_fallback"}
# "有真人吗", "有没有人工", "能转人工不", "is there a real person": asking for a person, whatever the
# NLU made of it ("你是真人吗" asks what the bot is, and is left to the NLU).
_ASKS_FOR_PERSON = re.compile(
    r"(?:有|找|转|要|换|叫|接|来)(?:个|一个|没有|没)?(?:真人|人工|活人)|人工客服|真人客服|"
    r"\b(?:real|actual|live)\s+(?:person|human|people)\b|\bhuman\s+(?:agent|being)\b",
    re.I,
)
# Any word of a person, of the bot, or of reaching someone: a request for a person has one. Without
# one, a human_agent reading of a message naming goods is the NLU taken in by the 人 and 工 of a
# product's name ("人体工学椅", "双人帐篷") - 人工 before 学 or 智能 is no person either.
_SOMEONE = re.compile(
    r"人工(?!学|智能)|真人|活人|客服|刻服|客户|店主|老板|负责人|经理|主管|工作人员|机器人|自动回复|换人|换个人|找人|跟人|"
    r"和人|叫人|叫个人|有人|电话|联系|kefu|rengong|laoban|dianzhu|(?<![a-z])ai(?![a-z])|"
    r"\b(?:human|humans|person|people|agent|someone|somebody|anyone|anybody|representative|rep|operator|staff|"
    r"manager|supervisor|support|service|bot|bots|robot|machine|automated|call|contact|phone|email|team|real)\b",
    re.I,
)
# Some word of paying or money; a weak payment reading without one is a misreading.
_MONEY_WORDS = re.compile(
    r"付|支付|钱|款|账|扣|费|价|元|块|单|\b(?:pay|paid|paying|payment|charged?|card|money|transaction|bill|invoice|"
    r"checkout|alipay|wechat|refund|price|cost|link|declined|failed|go\s+through|went\s+through)\b",
    re.I,
)
_LINK = re.compile(r"链接|\blink\b", re.I)
_PAY_AGAIN = re.compile(
    r"再发|重发|重新|再来一次|再试|再付|链接|换(?:个|张|一个|一张)?卡|"
    r"\b(?:again|retry|resend|re-send|link|one more time|(?:another|different|other|new)\s+card)\b",
    re.I,
)


async def route(turn: Turn) -> None:
    message = turn.message
    state = turn.state
    if message.kind == "text":
        # "订单不yao了" is read as 订单不要了 by everything after this (the transcript keeps the typed text)
        reading = read_pinyin(message.text, state.lang)
        if reading != message.text:
            message = turn.message = message.model_copy(update={"text": reading})
    if state.handoff_status != "none" and await _handoff_turn(turn):
        return
    if message.kind == "command":
        await command(turn, message.command, message.args)
        return
    if message.kind == "button":
        await press(turn, message.payload)
        if turn.state.handoff_status == "none" and checkout.continues_to_checkout(turn):
            await checkout.start(turn)  # the option button completed the item a checkout waited for
        return
    if message.kind == "image":
        flow = FLOWS.get(state.flow or "")
        if flow is not None and await flow.on_image(turn):
            return
        if flow is None and await aftersales.photos_after_filing(turn):
            return
        turn.intent = "image"
        turn.say("generic.image_received", *menu_buttons(turn))
        return
    if message.kind == "location":
        turn.intent = "location"
        turn.say("generic.location_received")
        return
    if message.kind == "contact" and message.phone:
        message = message.model_copy(update={"kind": "text", "text": message.phone})
        turn.message = message
    await text(turn)
    if turn.state.handoff_status == "none" and checkout.continues_to_checkout(turn):
        await checkout.start(turn)  # "结算" waited for the size; the size came, the item is in


async def _handoff_turn(turn: Turn) -> bool:
    """True when the handoff answers the turn (the bot stays out of it).

    With an agent in the conversation the bot is silent, except for buttons that only show
    something (an agent's product card opens its details). While only *waiting* for one, the
    customer can keep shopping: clear requests (buttons, commands, confidently understood
    shop questions) are still answered; everything else is left for the agent.
    """
    state = turn.state
    message = turn.message
    if state.handoff_status == "waiting" and (
        (message.kind == "button" and message.payload == "handoff:cancel")
        or (message.kind == "command" and message.command in ("start", "bot"))
    ):
        HandoffService.cancel_waiting(state)
        turn.intent = "handoff_cancel"
        turn.say("handoff.cancelled", *menu_buttons(turn))
        return True
    await turn.services.handoff.customer_message(state, message)
    if message.kind == "button" and codes.shows_only(message.payload):
        return False  # looking at a product or an order needs no person, even with one present
    if state.handoff_status == "waiting":
        if message.kind in ("button", "command"):
            return False
        if message.kind == "text" and state.flow:
            # Shopping on while waiting: the bot's own open question ("place the order?", "which
            # shipping?") is answered by the bot - "ok", "no code" are answers, not notes for the agent.
            return False
        if message.kind == "text" and turn.text:
            turn.parse = await turn.services.nlu.parse(turn.text, lang_hint=state.lang)
            if (
                understood_intent(turn) not in (SMALL_TALK | HANDOFF_INTENTS | {"nlu_fallback"})
                and turn.confidence >= 0.6
            ):
                return False
    turn.intent = "to_agent"
    if state.handoff_status == "waiting" and not state.context.get("waiting_reminded"):
        state.context["waiting_reminded"] = True
        turn.say("handoff.still_waiting", turn.button("button.back_to_bot", codes.HANDOFF, "cancel"))
    return True


# --- commands ---------------------------------------------------------------------------------


async def command(turn: Turn, name: str, args: str) -> None:
    turn.intent = f"/{name}"
    state = turn.state
    if name == "start":
        state.end_flow()
        state.suspended = []
        state.failures = 0
        await info.greet(turn)
    elif name == "cart":
        await BUTTON_HANDLERS["cart"](turn, "")
    elif name == "orders":
        await BUTTON_HANDLERS["orders"](turn, "")
    elif name == "help":
        await info.help_(turn)
    elif name == "human":
        await info.request_human(turn, "customer")
    elif name == "lang":
        await set_language(turn, args)
    elif name in ("cancel", "stop"):
        await cancel_flow(turn)
    else:
        turn.say("generic.unknown_command", *menu_buttons(turn), command=name[:20])


async def set_language(turn: Turn, value: str) -> None:
    lang = normalize_lang(value) if value else None
    if lang is None:
        turn.say(
            "lang.choose",
            turn.button("lang.zh_label", codes.LANG, "zh"),
            turn.button("lang.en_label", codes.LANG, "en"),
        )
        return
    turn.state.lang = lang
    turn.state.lang_locked = True
    if turn.state.customer_id:
        await turn.services.shop.set_language(turn.state.customer_id, lang)
    turn.say("lang.set", *menu_buttons(turn))


async def cancel_flow(turn: Turn) -> None:
    turn.intent = "cancel"
    if turn.state.flow == "checkout":
        checkout.CheckoutFlow().cancel(turn)  # "nothing ordered, the cart is kept", not a bare "cancelled"
    elif turn.state.flow:
        turn.state.end_flow()
        turn.say("flow.cancelled", *menu_buttons(turn))
    else:
        turn.say("flow.nothing_to_cancel", *menu_buttons(turn))


# --- buttons ----------------------------------------------------------------------------------


async def press(turn: Turn, payload: str) -> None:
    prefix, value = codes.split(payload)
    value = turn.deref(value)
    turn.intent = turn.intent or f"button:{prefix}"
    flow = FLOWS.get(turn.state.flow or "")
    if flow is not None and await flow.on_button(turn, prefix, value):
        return
    if prefix == codes.LANG and value in LANGS:
        await set_language(turn, value)
        return
    if prefix == codes.INTENT:
        await run_intent(turn, value)
        return
    handler = BUTTON_HANDLERS.get(prefix)
    if handler is None:
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    await handler(turn, value)


def _typed_choice(turn: Turn) -> str | None:
    """'2' or the exact label of a shown button presses it (text-only channels)."""
    buttons = turn.state.buttons
    if not buttons:
        return None
    match = _NUMBER.match(turn.text)
    if match:
        index = int(match.group(1))
        return buttons[index - 1]["payload"] if 1 <= index <= len(buttons) else None
    lowered = turn.text.strip().lower()
    exact = [b["payload"] for b in buttons if b["label"].strip().lower() == lowered]
    return exact[0] if len(exact) == 1 else None


# --- free text --------------------------------------------------------------------------------


async def text(turn: Turn) -> None:
    state = turn.state
    if not turn.text:
        turn.intent = "empty"
        return
    choice = _typed_choice(turn)
    if choice is not None:
        turn.intent = f"choice:{choice.partition(':')[0]}"
        await press(turn, choice)
        return
    flow = FLOWS.get(state.flow or "")
    turn.parse = await turn.services.nlu.parse(
        turn.text, lang_hint=state.lang, expected_intents=expected_intents(flow, state)
    )
    detect_language_switch(turn)  # after the parse: product names it found are no sentence
    if is_cancel(turn) and state.flow:
        await cancel_flow(turn)
        return
    if await _coupon_in_passing(turn) or await _kept_for_later(turn):
        return
    await _understood(turn)


# What a message may ask for besides a coupon code or "keep it for later" ("ok ill take one. use
# CAMP10", "两套 用SUMMER20", "三文鱼的来三袋 先放购物车"): done as well, not lost to the aside.
_REQUESTS_ALONGSIDE = {"add_to_cart", "checkout", "remove_from_cart", "change_address", "view_cart"}


async def _reread(turn: Turn, text: str) -> str:
    """Read `text` as the turn's message (the part left once an aside is taken out): its intent."""
    state = turn.state
    turn.message = turn.message.model_copy(update={"text": text})
    flow = FLOWS.get(state.flow or "")
    turn.parse = await turn.services.nlu.parse(
        text, lang_hint=state.lang, expected_intents=expected_intents(flow, state)
    )
    return _in_context(turn, understood_intent(turn), in_flow=flow is not None)


async def _coupon_in_passing(turn: Turn) -> bool:
    """A coupon code said outside the coupon step ("use CAMP10", "那CAMP10呢", "checkout with
    OLDSALE"): checked and kept (or applied to the checkout under way), the customer told why
    when it cannot be used; the rest of the message is done too."""
    state = turn.state
    if state.flow not in (None, "checkout"):
        return False
    if state.flow == "checkout" and state.step in ("shipping", "coupon", "confirm") and coupon_code_in(turn.text):
        return False  # the step reads a code typed with digits itself (with the answers beside it)
    code = await coupons.mentioned(turn)
    if code is None:
        return False
    original = (turn.message, turn.parse)
    rest = coupons.rest_of(turn.text, code)
    intent = await _reread(turn, rest) if coupons.without_code(rest, code) else "nlu_fallback"
    if state.flow == "checkout":
        if checkout.answers_a_step(turn.state, rest) or (intent == "add_to_cart" and turn.entity("product")):
            turn.message, turn.parse = original  # the step reads the code with the rest, as typed
            return False
        turn.message, turn.parse = original
        turn.intent = f"checkout:{state.step}"
        await coupons.take(turn, code)
        return True
    if intent not in _REQUESTS_ALONGSIDE:
        turn.message, turn.parse = original
        turn.intent = "use_coupon"
        await coupons.take(turn, code)
        return True
    if intent == "checkout":
        await coupons.take(turn, code)  # kept before the checkout starts and takes it
        await _understood(turn)
        return True
    if intent == "add_to_cart":
        # "fine ill use CAMP10 then. black 41": with a code said, the goods named are bought
        # (not only picked on the card)
        turn.state.failures = 0
        await run_intent(turn, intent)
    else:
        await _understood(turn)
    # After the rest: a minimum spend is checked against the cart as it is now.
    await coupons.take(turn, code, prompt=turn.state.flow is None)
    return True


async def _kept_for_later(turn: Turn) -> bool:
    """ "save the cart, ill check out later", "先放购物车 等发工资再买": the cart is kept and said so,
    no checkout started (one under way is put down); goods named with it are added first."""
    state = turn.state
    if state.flow not in (None, "checkout") or not go_ahead.defers_checkout(turn.text):
        return False
    rest = go_ahead.without_later(turn.text)
    original = (turn.message, turn.parse)
    if _CHECKOUT_WORDS.search(rest) or go_ahead.asks_to_place(rest):
        return False  # "checkout now, the rest next time": a checkout after all
    if state.flow is None and rest and await _names_goods(turn, rest):
        # "三文鱼的来三袋 先放购物车", "先把23寸原木色的放购物车吧 我再想想": those go in first, the
        # message read whole ("放购物车" is its buying verb). Without goods named, the same words
        # only keep what is in the cart ("先放购物车 等发工资再买").
        turn.message, turn.parse = original
        waiting = state.context.get("pending_add")
        await _understood(turn)
        asked = state.context.get("pending_add")
        if state.flow is not None or (asked and asked != waiting):
            return True  # an option is asked first: the keeping can wait for the answer
    else:
        turn.intent = "keep_cart"
    if state.flow == "checkout":
        state.end_flow()
    cart_now = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if cart_now.empty:
        turn.say("cart.empty", *menu_buttons(turn))
        return True
    offered = any(b.payload == codes.CHECKOUT for reply in turn.replies for b in getattr(reply, "buttons", ()))
    buttons = () if offered else (turn.button("button.checkout", codes.CHECKOUT), turn.button("menu.cart", codes.CART))
    turn.say(
        "cart.kept_for_later",
        *buttons,
        count=sum(line.quantity for line in cart_now.lines),
        subtotal=cart_now.subtotal.format(),
    )
    return True


async def _names_goods(turn: Turn, rest: str) -> bool:
    """What is left of a message once its aside is out names goods: a count, a product, or an
    option value of the product talked about ("23寸原木色的")."""
    await _reread(turn, rest)
    if quantity_in(rest) is not None or turn.entity("product"):
        return True
    remembered = turn.state.context.get("product_options") or {}
    values = [str(v) for values in (remembered.get("options") or {}).values() for v in values]
    return bool(values and mentioned_values(rest, values))


async def _understood(turn: Turn) -> None:
    """The message read as one request (no aside in it), in or out of a flow."""
    state = turn.state
    flow = FLOWS.get(state.flow or "")
    if flow is None:
        if await aftersales.offer_reply(turn) or await aftersales.after_filing(turn) or await restock.follow_up(turn):
            # "yes" to "refund it instead?"; more words or "ok" after a request was filed;
            # "yes" / "notify me" to a back-in-stock notice offered
            state.failures = 0
            return
        intent = understood_intent(turn)
        if await arrival.tells_what_arrived(turn, intent):
            state.failures = 0  # "the mat came but it smells": a return or exchange offered, the words kept
            return
        if _haggles(turn.text, intent) and price_extreme(turn.text) is None:
            # "那三文鱼味的 买三袋能便宜点不", "ill take black 41 if u can do 500": an offer, no purchase
            # yet - answered before the option or count in it is read as buying (it is remembered)
            await run_intent(turn, "bargain")
            return
        # "算了换成28的", "swap it for the mint one": a cart line's option, before the card on screen.
        if (
            await edits.several_edits_intent(turn, intent)
            or await cart.split_line_intent(turn, intent)
            or await cart.change_option_intent(turn, intent)
        ):
            state.failures = 0
            return
        if await _exchanges_what_was_delivered(turn, intent):
            await run_intent(turn, "exchange_goods")
            return
        if await _buys_and_sends_to(turn) or await specs.choice_with_question(turn):
            state.failures = 0
            return
        if (
            await browse.page_follow_up(turn)
            or await compare.picks_compared_version(turn)
            or await specs.spec_follow_up(turn)
        ):
            state.failures = 0
            return
        intent = _in_context(turn, intent)
        if intent in ("checkout", "add_to_cart") and await _buys_on_the_way_to_checkout(turn, intent):
            state.failures = 0
            return
        if await _gives_up_the_order_just_placed(turn, intent):
            intent = "cancel_order"
        if intent != "add_to_cart" and await _picks_by_price(turn):
            state.failures = 0
            return
        position = ordinal(turn.text)
        pointing = intent in POINTING_INTENTS or bare_ordinal(turn.text) is not None
        if position is not None and pointing and await select_from_list(turn, position):
            return
        await run_intent(turn, intent)
        return
    turn.intent = f"{state.flow}:{state.step}"
    if await flow.on_text(turn):
        state.failures = 0
        return
    intent = _in_context(turn, understood_intent(turn), in_flow=True)
    if intent != "nlu_fallback" and intent not in SMALL_TALK:
        await interrupt(turn, intent)
        return
    state.failures += 1
    turn.intent = f"{state.flow}:{state.step}:not_understood"
    turn.say("flow.not_understood")
    await flow.prompt(turn)
    if state.failures >= turn.services.config.failures_before_human:
        turn.say("fallback.offer_human", turn.button("menu.human", codes.HUMAN))


async def _picks_by_price(turn: Turn) -> bool:
    """ "the cheaper one" under a list or a comparison: that product shown - or bought, when the
    message also asks for it ("the cheaper one, add it", "便宜的那个 来两个")."""
    chosen = await browse.by_price(turn)
    if chosen is None:
        return False
    if not asks_to_buy(turn.text) or _QUESTION.search(turn.text):
        return await browse.pick_by_price(turn)
    product = await turn.services.shop.product(chosen.product_id, turn.lang)
    if product is None:
        return False
    turn.intent = "add_to_cart"
    await cart.buy(turn, product, cart.wanted_quantity(turn) or 1)
    return True


def _in_context(turn: Turn, intent: str, *, in_flow: bool = False) -> str:
    """Correct readings the conversation context contradicts (the NLU sees one message alone)."""
    context = turn.state.context
    text = turn.text
    if asks_to_pay_on_delivery(text) and intent not in {"human_agent", "cancel_order"}:
        return "faq_question"  # "可以货到付款吗", "do u do COD": how paying works here, no payment yet
    if intent in ("pay", "payment_problem") and turn.confidence < 0.6 and not _MONEY_WORDS.search(text):
        # "frying pan" read weakly as a payment problem: no word of paying, so not about a payment
        return "nlu_fallback"
    if intent == "pay" and asks_how_paying_works(text) and not _PAY_AGAIN.search(text):
        return "payment_problem"  # "what payment methods do you accept?" is a question, not a request
    if intent == "payment_problem" and _PAY_AGAIN.search(text):
        return "pay"  # "付款失败了 再发一次链接", "didn't go through, try again": the link again
    if intent == "cancel_order" and checkout.places_without_coupon(text):
        return "checkout"  # "I don't have a code, just place the order": nothing to cancel
    if context.get("last_order") and PAYS_ANOTHER_WAY.search(text) and _PAY_AGAIN.search(text):
        return "pay"  # "换个卡付" after the order is placed is no exchange of goods: the link again
    if intent in SMALL_TALK | {"nlu_fallback"} and _LINK.search(text) and context.get("last_order"):
        return "pay"  # "yes yes whatever just the link" after the order was placed: its payment link
    if _ASKS_FOR_PERSON.search(text) and intent in WEAK_INTENTS | {"deny"}:
        return "human_agent"
    if intent == "human_agent" and not _SOMEONE.search(text) and (turn.entity("product") or asks_to_buy(text)):
        # "人体工学脚踏 一把", "无头枕的人体工学椅": goods named, nobody asked for
        return "add_to_cart" if asks_to_buy(text) else "search_product"
    if (
        browse.asks_about_stock(text)
        and intent not in {"human_agent", "checkout", "pay", "add_to_cart"}
        and not _settles_for_what_is_left(text)
    ):
        return "stock_question"  # "什么时候有货", "when will it be back in stock?": the real stock, honestly
    if compare.asks_to_compare(text) and intent not in {"human_agent", "checkout", "pay"}:
        return "compare"  # "这两个有什么区别", "compare the first two": not a complaint, not a search
    if _haggles(text, intent):
        return "bargain"  # "能便宜点吗", "can you do 60 each?": an honest answer about prices
    if intent in INFO_QUESTION_INTENTS and _INFO_QUESTION.search(text):
        return "faq_question"  # "请问退款多久到账？" asks how refunds work; it is no new refund request
    swap_readings = WEAK_INTENTS | {"remove_from_cart", "change_address"}
    if intent in swap_readings and reason_in(text) is not None and exchange_target(text):
        return "exchange_goods"  # "I got the wrong version, can you send the pro instead?" (no cart line)
    if intent == "remove_from_cart" and turn.confidence < 0.6 and not _REMOVE.search(text):
        # "eyeshadow palette", "速干T恤 白色M 一件" read as a removal near the threshold: no removing
        # word; a count buys ("change the dusty rose to 4" sets one), a product name searches
        if asks_to_buy(text) or _sets_a_count(turn) or _goes_on_buying(turn) or _POLITE_ITEM.match(text):
            return "add_to_cart"  # "+ the black dripper", "the white dripper please"
        return "search_product" if turn.entity("product") else "nlu_fallback"
    if (
        intent in MISREAD_AS_TROUBLE
        and turn.confidence < 0.6
        and not _GRIEVANCE.search(text)
        and not kind_in(text)
        and not _ORDER_WORD.search(text)
        and (asks_to_buy(text) or several.buys_several(text))
    ):
        # "with a car mount too", "65w charger + the car mount": items, nothing wrong, no person needed
        return "add_to_cart"
    if (
        intent in MISREAD_AS_TROUBLE
        and turn.confidence < 0.6
        and turn.entity("product")
        and not _GRIEVANCE.search(text)
        and not kind_in(text)
        and not _ORDER_WORD.search(text)
        and reason_in(text) is None
        and not _QUESTION_WORD.search(text)
    ):
        # "sand coloured tent" read weakly as an exchange: a product and its options, nothing wrong
        return "search_product"
    if not in_flow and intent in MISREAD_AS_TROUBLE and _only_names_goods(text) and not _ORDER_WORD.search(text):
        return "search_product"  # "sand coloured tent": goods named, nothing wrong with any of them
    kind = kind_in(text)
    if kind and _KIND_OF.get(intent) in kinds_turned_down(text):
        return _INTENT_OF[kind]  # "不用换新的 直接退吧", "no exchange, just return it": the kind kept
    plain_request = kind and kind != "exchange" and not tentative(text) and not _QUESTION_WORD.search(text)
    # "send them back, my boss bought me a pair already": a return, though "bought a pair" reads as buying
    requestable = WEAK_INTENTS | {"deny", "add_to_cart", "order_status", "track_shipment"}
    if kind and (intent == "complaint" or (intent in requestable and plain_request)):
        # "the kettle leaks, I want my money back", "还没发货的话就退款吧 不需要了": a request the shop
        # handles, not a case for a person nor a "no" - nor a question where the order is, though
        # it names its shipping ("还没发货的话帮我退款")
        return _INTENT_OF[kind]
    if (
        intent == "complaint"
        and turn.confidence < 0.6
        and turn.entity("product")
        and asks_to_buy(text)
        and reason_in(text) is None
    ):
        # "i want 2x Moisturising Cream" read as a complaint near the threshold: a product, a count
        # or a buying verb, no problem named - an order, not a case for a person.
        return "add_to_cart"
    if asks_about_fit(text) and (context.get("product") or context.get("last_sku")) and intent not in FIT_KEEPS:
        return "product_question"  # "冬天去长白山够用吗": what the catalog says about it, honestly
    if in_flow and turn.state.flow == "checkout" and tells_how_many_in_all(text):
        return "add_to_cart"  # "一张就够", "wait, only one of the mats" while paying: that line's count
    if in_flow and _adds_during_checkout(turn, intent):
        return "add_to_cart"  # "and a mug", "再加一个头灯" while paying: added, then the checkout goes on
    if in_flow:
        return intent
    if intent == "checkout" and quantity_in(text) is not None and _NAMES_GOODS.search(product_words(text)):
        # "下单俩小号竹制砧板", "下单两个0°C睡袋": ordering a counted product puts it in the cart; the
        # checkout starts when the customer asks for it ("下单吧", "我要下单" name no product)
        return "add_to_cart"
    if intent in WEAK_INTENTS and takes_the_one_shown(text) and products.on_screen(turn):
        return "add_to_cart"  # "要这个", "I'll take it" under the product's card: add it
    if (
        intent == "remove_from_cart"
        and not _REMOVE_WORDS.search(text)
        and (asks_to_buy(text) or _POLITE_ITEM.match(text))
    ):
        return "add_to_cart"  # "速干T恤 白色M 一件": a buying message with no word of removing anything
    if (
        intent in WEAK_INTENTS | {"goodbye"}
        and (context.get("product") or context.get("last_sku"))
        and (
            (quantity_in(text) is not None and (only_quantity(text) or asks_for_more(text)))
            or enough_count(text) is not None
        )
    ):
        return "add_to_cart"  # "再来一双", "两件", "a couple", "one is enough" about the product being discussed
    if intent in WEAK_INTENTS | {"remove_from_cart", "deny"} and _sets_a_count(turn):
        return "add_to_cart"  # "第二件改成3件", "no, i need 2 in total": the cart handler sets quantities too
    if _AFTERSALES_STATUS.search(text) and intent in WEAK_INTENTS | {
        "return_goods",
        "exchange_goods",
        "refund",
        "order_status",
    }:
        return "aftersales_status"
    if _PARCEL_WHEREABOUTS.search(text) and intent in WEAK_INTENTS | {"shipping_info"}:
        return "track_shipment"  # "耳机寄出了吗" names a product, yet asks where its parcel is
    drops_order = _DROPS_ORDER.search(text) and not _QUESTION_WORD.search(text)
    if drops_order and intent in WEAK_INTENTS | {"deny", "remove_from_cart", "order_status", "track_shipment"}:
        return "cancel_order"  # "等等 我老公说家里已经有了 这单先不要了": the order, after the usual question
    if (
        _REMOVE.search(text)
        and intent in WEAK_INTENTS | {"deny", "cancel_order", "add_to_cart"}
        and not _ORDER_WORD.search(text)
        and (context.get("last_sku") or context.get("list_kind") == "cart")
    ):
        return "remove_from_cart"  # "蓝的不要了", "the first one, remove it": a cart line, not an order
    if intent in WEAK_INTENTS and _MOBILE_DIGITS.search(text) and not parse_address(text).missing():
        # A whole address pasted with no checkout going on ("刘洋 133… 北京市…"): where it goes is
        # decided with the address (an order that can take it, the cart's checkout, or kept).
        return "change_address"
    if intent == "change_address" and not _ADDRESS_HINT.search(text) and not parse_address(text).phone:
        # "pink tumbler x3" is not an address change: no address in it, no word about one.
        return "add_to_cart" if asks_to_buy(text) else "nlu_fallback"
    if intent in BUYING_READINGS and _goes_on_buying(turn):
        return "add_to_cart"  # "+ the black dripper", "and a tin of longjing" after something was added
    if intent in BUYING_READINGS and several.buys_several(text):
        return "add_to_cart"  # "olive tent and a headlamp": a shopping list, each added
    if intent in BUYING_READINGS and asks_to_buy(text) and not _QUESTION.search(without_greeting(text)):
        return "add_to_cart"  # "我想买个头灯", "ceramic mug x2", "亲 在吗 X要两个": find it and add it
    if intent == "ask_promotion" and not _PROMOTION_WORDS.search(text):
        return "search_product"  # "有没有那种小圆凳": asks for goods, not for a discount
    return intent


def _settles_for_what_is_left(text: str) -> bool:
    """ "没货了啊 那胡桃木的也行 一把", "sold out, fine - I'll take the black one then": the stock word
    only acknowledges the sold-out answer; the message buys something else, asking nothing."""
    return asks_to_buy(text) and not _QUESTION.search(text)


_HAPPENED = re.compile(r"收到|到了|来了|\b(?:arrived?|came|received|got|sent|delivered|still|yet)\b", re.I)


def _only_names_goods(text: str) -> bool:
    """A few words naming goods and nothing else: no grievance, no after-sales word, nothing that
    happened to a parcel ("sand coloured tent", "奶油色珐琅锅") - a request for them, whatever
    after-sales intent the NLU guessed."""
    if len(text.split()) > 4 or len(text) > 30:
        return False
    if _GRIEVANCE.search(text) or kind_in(text) or _HAPPENED.search(text) or _QUESTION_WORD.search(text):
        return False
    return bool(_NAMES_GOODS.search(product_words(text)))


_INTENT_OF = {"return": "return_goods", "exchange": "exchange_goods", "refund": "refund"}
_KIND_OF = {intent: kind for kind, intent in _INTENT_OF.items()}


async def _exchanges_what_was_delivered(turn: Turn, intent: str) -> bool:
    """ "can i swap these for the pro ones?" with nothing in the cart and a delivered order: an
    exchange of what arrived, not a purchase of the other version (a cart line's swap was tried
    first)."""
    text = turn.text
    if intent in _KIND_OF or intent in ("human_agent", "complaint") or kind_in(text) != "exchange":
        return False
    if exchange_target(text) is None:
        return False
    shop = turn.services.shop
    if not (await shop.cart(turn.customer_id, turn.lang)).empty:
        return False
    placed = await shop.orders(turn.customer_id, turn.lang, 20)
    return any("exchange" in orders.aftersales_kinds(order.status) for order in placed)


def _haggles(text: str, intent: str) -> bool:
    """A lower price asked for or offered; "车太贵了 不要了" / "too pricey, take it out" drops the
    item instead (a cart edit, not haggling)."""
    return bool(_BARGAIN.search(text)) and intent in _HAGGLING_READINGS and not _REMOVE.search(text)


def _sets_a_count(turn: Turn) -> bool:
    """ "第二件改成3件", "change the dusty rose to 4", "no, i need 2 in total": a count to set."""
    text = turn.text
    return asks_to_set_quantity(text) and bool(turn.entity("quantity") or quantity_in(text) or trailing_number(text))


async def _gives_up_the_order_just_placed(turn: Turn, intent: str) -> bool:
    """ "不要了" / "don't want it" read as a "no" or a removal, with an empty cart and the order this
    conversation placed still cancellable (or refundable before shipping): it is about that order
    (its cancellation is asked before anything is done)."""
    # "买重了" reads like buying (checkout, or an add once its 买 is seen), which an empty cart and no
    # product named cannot mean either
    readings = WEAK_INTENTS | {"deny", "remove_from_cart", "checkout"}
    if not turn.entity("product"):
        readings = readings | {"add_to_cart"}
    if intent not in readings or not _GIVES_UP.search(turn.text):
        return False
    number = turn.state.context.get("last_order")
    if not number:
        return False
    shop = turn.services.shop
    if not (await shop.cart(turn.customer_id, turn.lang)).empty:
        return False
    order = await shop.order(turn.customer_id, str(number), turn.lang)
    return order is not None and (order.can_cancel or orders.refunded_instead(order))


# Words that ask for the checkout itself ("sunscreen 100ml x2 checkout", "两个头灯 结账"); 下单 alone
# ("下单两个黑的露营椅") is a buying verb like "order two black chairs".
_CHECKOUT_WORDS = re.compile(r"结账|结算|买单|付款|付钱|\b(?:check\s*out|checkout|pay)\b", re.I)


async def _buys_on_the_way_to_checkout(turn: Turn, intent: str) -> bool:
    """A message that names goods with a count and reads as a checkout ("下单两个黑的露营椅") or asks
    for one after them ("sunscreen 100ml x2 checkout"): the goods are added first; with a word of
    checking out, the checkout follows (once an option still open is chosen). False (nothing done)
    when no goods are named, or a purchase says nothing of checking out."""
    text = turn.text
    if intent == "add_to_cart" and not _CHECKOUT_WORDS.search(text):
        return False
    rest = _CHECKOUT_WORDS.sub(" ", text)
    if not product_words(rest) or (quantity_in(rest) is None and not turn.entity("product")):
        return False
    await run_intent(turn, "add_to_cart")
    if not _CHECKOUT_WORDS.search(text) or turn.state.flow is not None:
        return True
    pending = turn.state.context.get("pending_add")
    if pending:
        turn.state.context["checkout_after_add"] = str(pending.get("product"))
    else:
        await checkout.start(turn)
    return True


async def _buys_and_sends_to(turn: Turn) -> bool:
    """ "2 sunflower bouquets to Lily Wang 135… 88 Zhongshan Rd, Nanjing. just send the pay link":
    the goods are added, the address taken for their checkout, and the order placed when the
    message asks for it (else the checkout goes on from the shipping question). False (nothing
    done) unless the message is goods, then a whole address, then at most a wish."""
    found = goods_and_address.split(turn.text)
    if found is None or _QUESTION_MARK.search(turn.text):
        return False
    goods = found.goods
    if not product_words(goods) or not (asks_to_buy(goods) or quantity_in(goods) is not None):
        return False
    draft = parse_address(found.address)
    if draft.missing():
        return False
    whole = turn.message
    turn.message = whole.model_copy(update={"text": goods})
    try:
        turn.parse = await turn.services.nlu.parse(goods, lang_hint=turn.state.lang)
        await run_intent(turn, "add_to_cart")
    finally:
        turn.message = whole
    context = turn.state.context
    context["pending_address"] = draft.to_dict()  # for the checkout, now or once an option is chosen
    pending = context.get("pending_add")
    if turn.state.flow is not None or pending:
        if pending:
            context["checkout_after_add"] = str(pending.get("product"))
        return True
    if not (await turn.services.shop.cart(turn.customer_id, turn.lang)).empty:
        await checkout.start(turn)  # the address read back; placed at once when the message asks for it
        checkout_go_ahead.mark_started_by_address(turn)  # so a "checkout" next finishes it
    return True


def _adds_during_checkout(turn: Turn, intent: str) -> bool:
    """One more item asked for in the middle of the checkout (the step did not take the message):
    the shopping list goes on, or a buying message naming a product - never a question."""
    if turn.state.flow != "checkout" or intent not in BUYING_READINGS or _QUESTION.search(turn.text):
        return False
    return _goes_on_buying(turn) or (asks_to_buy(turn.text) and bool(turn.entity("product")))


def _goes_on_buying(turn: Turn) -> bool:
    """The next item of a shopping list under way: something was added (or waits for its option)
    and the message starts like a list goes on and names a product, without asking anything."""
    context = turn.state.context
    text = turn.text
    if not (context.get("last_sku") or context.get("pending_add")) or _QUESTION.search(text):
        return False
    return continues_a_list(text) and bool(product_words(text))


def expected_intents(flow: Flow | None, state: ConversationState) -> frozenset[str] | None:
    """What the current step takes as an answer, as NLU intents (None outside a flow)."""
    expects = flow.expects(state) if flow is not None else None
    intents = frozenset(expects.intents()) if expects is not None else frozenset()
    return intents or None


def understood_intent(turn: Turn) -> str:
    if turn.parse is None:
        return "nlu_fallback"
    name = turn.parse.intent.name
    # A message naming a catalog product is about that product unless the NLU is very sure.
    if turn.entity("product") and name not in USES_PRODUCT and turn.confidence < 0.9:
        return "search_product"
    # "新百伦 574" is not a goodbye: small talk naming a brand or category is a search.
    if name in SMALL_TALK and (turn.entity("brand") or turn.entity("category")) and turn.confidence < 0.95:
        return "search_product"
    if name != "nlu_fallback" and turn.confidence >= turn.services.config.nlu_threshold:
        return name
    return "nlu_fallback"


async def interrupt(turn: Turn, intent: str) -> None:
    """Answer a side question in the middle of a flow, then come back to the same step."""
    state = turn.state
    paused = state.flow
    state.suspend_flow()
    await run_intent(turn, intent)
    if (
        state.flow is None
        and state.handoff_status == "none"
        and state.suspended
        and state.suspended[-1]["flow"] == paused
    ):
        state.resume_flow()
        flow = FLOWS[paused or ""]
        turn.say("flow.resume")
        await flow.prompt(turn)
    elif paused == "checkout" and any(s.get("flow") == "checkout" for s in state.suspended):
        # Something else took over (an after-sales request, a person): the half-done checkout
        # is kept, and the customer is told how to get back to it.
        turn.say("flow.checkout_kept", turn.button("button.continue_checkout", codes.CHECKOUT))


async def run_intent(turn: Turn, intent: str) -> None:
    turn.intent = intent
    state = turn.state
    handler = INTENT_HANDLERS.get(intent)
    if handler is None or intent == "nlu_fallback":
        await fallback(turn)
        return
    state.failures = 0
    await handler(turn)


async def fallback(turn: Turn) -> None:
    """Not understood: maybe it names a product; otherwise rephrase, buttons, then a human."""
    state = turn.state
    turn.intent = "nlu_fallback"
    if turn.text and await browse.search_as_fallback(turn):
        state.failures = 0
        return
    state.failures += 1
    if state.failures >= turn.services.config.failures_before_human:
        turn.say("fallback.again", turn.button("menu.human", codes.HUMAN), *menu_buttons(turn))
    else:
        turn.say("fallback.first", *menu_buttons(turn))


async def select_from_list(turn: Turn, position: int) -> bool:
    """ "第二个" / "the second one" alone: open that entry of the list shown last."""
    context = turn.state.context
    kind = context.get("list_kind", "results")
    if kind == "orders":
        number = pick(list(context.get("orders") or []), position)
        if number:
            turn.intent = "order_status"
            await orders.show_order(turn, number)
            return True
        return False
    if kind == "results":
        product_id = pick(list(context.get("results") or []), position)
        pending_buy = context.pop("buy_after_pick", None)
        if product_id and pending_buy:
            product = await turn.services.shop.product(product_id, turn.lang)
            if product is not None:
                turn.intent = "add_to_cart"  # the answer to "which one?" after "I want to buy ..."
                await cart.buy(turn, product, int(pending_buy.get("qty") or 1))
                return True
        if product_id:
            turn.intent = "product_info"
            await browse.show_product(turn, product_id)
            return True
    return False


# --- errors -----------------------------------------------------------------------------------

_ERROR_KEYS = {
    "out_of_stock": "error.out_of_stock",
    "not_found": "error.not_found",
    "validation_failed": "error.validation",
    "invalid_transition": "error.invalid_transition",
    "conflict": "error.conflict",
    "forbidden": "error.forbidden",
    "unauthorized": "error.forbidden",
}


def domain_error_reply(turn: Turn, exc: DomainError) -> OutgoingMessage:
    key = _ERROR_KEYS.get(exc.code)
    if key is None:
        key = next((v for code, v in _ERROR_KEYS.items() if isinstance(exc, _error_class(code))), "error.generic")
    return TextReply(text=turn.t(key), buttons=menu_buttons(turn))


def _error_class(code: str) -> type[DomainError]:
    return {
        "out_of_stock": errors.OutOfStock,
        "not_found": errors.NotFound,
        "validation_failed": errors.ValidationFailed,
        "invalid_transition": errors.InvalidTransition,
        "conflict": errors.Conflict,
        "forbidden": errors.Forbidden,
        "unauthorized": errors.Unauthorized,
    }.get(code, DomainError)


def internal_error_reply(turn: Turn) -> OutgoingMessage:
    return TextReply(text=turn.t("error.internal"), buttons=(turn.button("menu.human", codes.HUMAN),))
