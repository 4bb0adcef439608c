"""Checkout: address (saved, one line, or step by step) -> shipping -> coupon -> summary -> confirm
-> order -> payment link. Nothing is charged or reserved before the explicit confirmation.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from typing import ClassVar

from commerce.errors import OutOfStock, ValidationFailed
from dialogs import buttons as codes
from dialogs import go_ahead, step_reply
from dialogs.address import MASKED_PHONE, AddressDraft, fill_field, normalize_phone, parse_address, valid_name
from dialogs.flows import browse, checkout_go_ahead, products
from dialogs.flows import cart as cart_flow
from dialogs.flows.base import Flow, gives_up, looks_like_side_question
from dialogs.flows.checkout_answers import (
    NO_COUPON,
    coupon_answer,
    coupon_code_in,
    method_in,
    names_a_method,
    names_a_method_by_name,
    says_a_method_apart,
    split_later_answers,
)
from dialogs.messages import Button, OrderSummary, PaymentLink, SummaryLine
from dialogs.ports import AddressView, OrderView, QuoteView, ShippingOption
from dialogs.references import pick, tells_how_many_in_all
from dialogs.state import ConversationState
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

_COUPON = re.compile(r"\b([A-Za-z0-9][A-Za-z0-9_-]{2,23})\b")
ADDRESS_STEPS = {f"addr_{name}": name for name in ("name", "phone", "region", "detail")}


_COUPON_SHAPE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{2,23}$")
# A change asked for together with a yes ("ok but pickup instead", "好的 还是换成自提吧").
_CHANGE_CUE = re.compile(r"但|不过|还是|换|改|算了|\b(?:but|instead|change|switch|actually|rather)\b", re.I)
# "换个地址", "send it somewhere else": the customer wants another address, not a method.
_OTHER_ADDRESS = re.compile(
    r"改|换|别的|另一个|新地址|不是这个|\b(?:change|different|another|other|new|update|edit)\b", re.I
)


# "no", "nope", "don't have one", "haven't got any", "没优惠码", "暂时没有", "木有": no code at all.
_NO_CODE = re.compile(
    r"^(?:no+|nope|nah|none|not|never|don'?t|do\s+not|haven'?t|have\s+not|mei\s?you|bu\s?(?:yong|yao|xu))\b|"
    r"^(?:没|木有|么有|不用|不要|不需|无|暂时没|暂时不|暂无|还没)",  # "不需yao": 要 left in pinyin
    re.I,
)


def _says_no_code(text: str) -> bool:
    """The answer to "any coupon code?" opens with a no (and asks nothing back)."""
    cleaned = step_reply.without_emoji(text).strip()
    names_a_code = re.search(r"\b[A-Za-z]*\d[A-Za-z0-9]*\b|\b[A-Z]{4,}\b", cleaned)
    return bool(_NO_CODE.match(cleaned)) and not step_reply.is_question(cleaned) and not names_a_code


def _typed_code(text: str) -> str | None:
    """A coupon code typed on its own ("SAVE10", "welcome10"), not a sentence."""
    stripped = text.strip()
    return stripped if _COUPON_SHAPE.match(stripped) and any(ch.isdigit() for ch in stripped) else None


_PLACE_OR_NUMBER = re.compile(
    r"\d|[省市区县路街道号弄室栋楼]|\b(?:rd|road|st|street|ave|avenue|district|room|apt)\b", re.I
)


def _asks_in_words(text: str) -> bool:
    """A question put in words ("does it ship today?", "运费多少"); "???" asks nothing to answer."""
    return step_reply.asks(text) and bool(re.search(r"[A-Za-z]{2,}|[\u4e00-\u9fff]", text))


def _answers_instead_of_address(turn: Turn) -> bool:
    """yes / no / skip / "just place it" where a part of the address is asked for."""
    answer = step_reply.read(turn, Expects(yes_no=True, skippable=True, proceed=True))
    return answer is not None and bool(answer.kinds) and not _PLACE_OR_NUMBER.search(turn.text)


# A part of the address named as wrong or changed: "电话写错了 是139…", "the name should be Jane".
_FIX_CUE = re.compile(
    r"错|不对|改|换|更正|应该是|应为|写成|\b(?:wrong|typo|fix|correct(?:ion)?|change|update|should\s+be|actually|instead)\b",
    re.I,
)
_WRONG = re.compile(r"错|不对|\b(?:wrong|typo|incorrect|mistake)\b", re.I)
_FIX_FIELDS = {
    "phone": re.compile(r"电话|手机号|号码|\b(?:phone|mobile|tel|cell)\b|\b(?:my|the)\s+number\b(?!\s+of)", re.I),
    "name": re.compile(r"收件人|收货人|名字|姓名|\b(?:name|recipient)\b", re.I),
    "detail": re.compile(r"地址|街道|门牌|\b(?:address|street|house\s+number)\b", re.I),
}
_FIX_VALUE = re.compile(r"(?:改成|改为|换成|应该是|应为|是|为|叫|[:：,，]|\b(?:should\s+be|to|is|it'?s)\b)\s*", re.I)


def _address_fix(text: str, current: AddressDraft) -> tuple[AddressDraft, str] | None:
    """The current address with the part the customer corrected, and the part still to ask for
    ("" when the new value came with the message); None when the message fixes nothing.

    Without a new value only a part called wrong ("电话写错了", "the name is wrong") is asked for
    again; "手机壳换成黑色" names no part of the address."""
    fields = [field for field, words in _FIX_FIELDS.items() if words.search(text)]
    if not fields or not _FIX_CUE.search(text):
        return None
    cuts = list(_FIX_VALUE.finditer(text))
    value = text[cuts[-1].end() :].strip(" 。.!！") if cuts else ""
    if _FIX_CUE.search(value) or any(words.search(value) for words in _FIX_FIELDS.values()):
        value = ""  # "the name is wrong": no new value in it
    field = fields[0]
    fixed: AddressDraft | None = None
    if field == "phone":
        phone = normalize_phone(text)
        fixed = replace(current, phone=phone) if phone else None
    elif field == "name":
        name = valid_name(value) if value else None
        fixed = replace(current, name=name) if name else None
    else:
        place = parse_address(value, with_name=False) if value else AddressDraft()
        if place.detail or place.region:
            fixed = replace(current, region=place.region or current.region, detail=place.detail or current.detail)
    if fixed is not None:
        return fixed, ""
    if field == "detail" or not _WRONG.search(text):
        return None  # "换个地址": the address step itself (saved addresses or a new one)
    return current, field


def address_from_dict(data: dict[str, str]) -> AddressView:
    return AddressView(
        address_id=data.get("address_id"),
        name=data["name"],
        phone=data["phone"],
        region=data["region"],
        detail=data["detail"],
    )


def address_to_dict(address: AddressView) -> dict[str, str]:
    data = {"name": address.name, "phone": address.phone, "region": address.region, "detail": address.detail}
    if address.address_id:
        data["address_id"] = address.address_id
    return data


def _note_later_answers(turn: Turn, text: str) -> bool:
    """Keep the shipping method and the coupon answer a message gives before their steps are
    reached; True when it gave one."""
    coupon = coupon_answer(text)
    ships = names_a_method(text)
    if ships:
        turn.state.slots["shipping_answer"] = text
    if coupon is not None:
        turn.state.slots["coupon_answer"] = coupon
    return ships or coupon is not None


def places_without_coupon(text: str) -> bool:
    """ "不用券直接下单", "no coupon, go ahead", "I don't have a code, just place the order": no
    coupon and a go-ahead - the customer has said all they mean to say about the checkout."""
    if coupon_answer(text) != NO_COUPON:
        return False
    return go_ahead.read(text) is not None or go_ahead.place_order_at(text) >= 0


async def start(turn: Turn, _: str = "") -> None:
    await _start(turn)
    state = turn.state
    if state.flow == "checkout" and state.step in ("address", "addr_entry") and places_without_coupon(turn.text):
        # Asked before the address: once it is in, the order is placed with the defaults.
        state.slots["coupon_answer"] = NO_COUPON
        state.slots[PLACE_ONCE_ADDRESSED] = True


async def _start(turn: Turn) -> None:
    turn.intent = "checkout"
    cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    state = turn.state
    if cart.empty and not await _take_the_product_on_screen(turn):
        return
    kept = next((s for s in reversed(state.suspended) if s.get("flow") == "checkout"), None)
    if state.flow == "checkout" or kept is not None:
        # "checkout" again in the middle of one: carry on where it was, never start over.
        if state.flow != "checkout" and kept is not None:
            state.suspend_flow()
            state.suspended = [s for s in state.suspended if s is not kept] + [kept]
            state.resume_flow()
        await CheckoutFlow().prompt(turn)
        return
    coupon = state.context.pop("pending_coupon", None)
    state.start_flow("checkout", "address", {"nonce": uuid.uuid4().hex[:16], "coupon": coupon})
    kept_address = state.context.pop("pending_address", None)
    if kept_address:
        # The address was sent before the cart was ready: it is used, read back, and can be fixed.
        draft = AddressDraft.from_dict(kept_address)
        if not draft.missing():
            address = await turn.services.shop.save_address(
                turn.customer_id,
                AddressView(None, name=draft.name, phone=draft.phone, region=draft.region, detail=draft.detail),
            )
            state.slots["address"] = address_to_dict(address)
            turn.say("checkout.address_ok", address=address.one_line())
            flow = CheckoutFlow()
            if go_ahead.asks_to_place(turn.text) and await flow.place_with_defaults(turn):
                return  # "order it" with the address already given: nothing is left to ask
            await flow.ask_shipping(turn)
            return
    await CheckoutFlow().ask_address(turn)


async def _take_the_product_on_screen(turn: Turn) -> bool:
    """ "buy" / "结算" with an empty cart under a product's card: that product is what the customer
    is buying (True when it is in the cart now and the checkout can go on)."""
    context = turn.state.context
    pending = context.get("pending_add")
    if pending and pending.get("product") == context.get("product"):
        # "Check out" while the size/colour question is still open: finish that first, then pay.
        context["checkout_after_add"] = str(pending["product"])
        turn.say("cart.finish_choice_first")
        await browse.show_product(turn, str(pending["product"]))
        return False
    shown = products.on_screen(turn)
    if shown is None:
        turn.say(
            "cart.empty",
            turn.button("menu.search", codes.INTENT, "search_product"),
            turn.button("menu.popular", codes.POPULAR),
        )
        return False
    if await cart_flow.take_shown(turn, shown):
        return True
    if context.get("pending_add"):
        context["checkout_after_add"] = shown  # the option is asked; the checkout follows the answer
    return False


def continues_to_checkout(turn: Turn) -> bool:
    """The item a checkout was waiting for went into the cart in this turn."""
    context = turn.state.context
    waiting = context.get("checkout_after_add")
    if not waiting:
        return False
    if context.get("added_at") == turn.state.version and turn.state.flow is None:
        context.pop("checkout_after_add", None)
        return True
    if waiting != context.get("product") or turn.state.flow is not None:
        context.pop("checkout_after_add", None)  # the customer moved on
    return False


async def keep_address(turn: Turn, draft: AddressDraft) -> None:
    """A whole address sent while the cart is still empty (the size question still open, the
    item not added yet): kept for the checkout that follows, never dropped."""
    turn.state.context["pending_address"] = draft.to_dict()
    address = AddressView(None, name=draft.name, phone=draft.phone, region=draft.region, detail=draft.detail)
    turn.say("checkout.address_kept", address=address.one_line())
    pending = turn.state.context.get("pending_add")
    if pending and pending.get("product") == turn.state.context.get("product"):
        await browse.show_product(turn, str(pending["product"]))  # the choice still open


def answers_a_step(state: ConversationState, text: str) -> bool:
    """What a message says besides a coupon code still answers the checkout's open question (an
    address, a shipping method, a go-ahead): the step reads the whole message, code and all."""
    step = state.step or "address"
    if step in ("address", "addr_entry") or step in ADDRESS_STEPS:
        draft = parse_address(text)
        return bool(draft.phone or draft.detail)
    return names_a_method(text) or go_ahead.read(text) is not None


# Slot: the customer asked for the order (and said "no coupon") before giving the address.
PLACE_ONCE_ADDRESSED = "place_once_addressed"
# A request for the checkout said with "no coupon" ("优惠券就不用了 直接结算").
_GOES_ON_TO_PAY = re.compile(
    r"结算|结账|下单|买单|付款|\b(?:check\s*out|checkout|pay|place\s+(?:the\s+|my\s+)?order|order\s+it)\b", re.I
)


async def coupon_intent(turn: Turn) -> None:
    """A coupon mentioned outside checkout is kept for the next checkout (and checked now)."""
    code = turn.entity("coupon_code")
    if not code and coupon_answer(turn.text) == NO_COUPON:
        turn.say("coupon.without")  # "no coupon" says there is none; it never asks for one
        turn.state.context.pop("pending_coupon", None)
        if _GOES_ON_TO_PAY.search(turn.text) or places_without_coupon(turn.text):
            # "不用优惠券 直接下单", "no coupon, just check out": the checkout, not asking for one again
            await start(turn)
            if turn.state.flow == "checkout":
                turn.state.slots["coupon_answer"] = NO_COUPON
        return
    if not code:
        turn.say("coupon.ask_code")
        return
    check = await turn.services.shop.check_coupon(turn.customer_id, str(code).upper(), turn.lang)
    if not check.ok:
        turn.say("checkout.coupon_invalid", code=str(code), reason=check.message)
        return
    turn.state.context["pending_coupon"] = check.code
    turn.say("coupon.saved", turn.button("button.checkout", codes.CHECKOUT), code=check.code)


class CheckoutFlow(Flow):
    name: ClassVar[str] = "checkout"
    step_expects: ClassVar[dict[str, Expects]] = {
        "address": Expects(yes_no=True, proceed=True, same=True),
        "addr_entry": Expects(answers=("change_address",)),
        **{step: Expects(answers=("change_address",)) for step in ADDRESS_STEPS},
        "shipping": Expects(yes_no=True, skippable=True, proceed=True),
        "coupon": Expects(yes_no=True, skippable=True, proceed=True, answers=("use_coupon",)),
        "confirm": Expects(yes_no=True, proceed=True),
    }

    # --- prompts ---------------------------------------------------------------------------------
    async def prompt(self, turn: Turn) -> None:
        step = turn.state.step or "address"
        if step == "address":
            await self.ask_address(turn)
        elif step == "addr_entry":
            turn.say("checkout.ask_address_line")
        elif step in ADDRESS_STEPS:
            self.ask_address_part(turn, ADDRESS_STEPS[step])
        elif step == "shipping":
            await self.ask_shipping(turn)
        elif step == "coupon":
            self.ask_coupon(turn)
        else:
            await self.show_summary(turn)

    async def ask_address(self, turn: Turn) -> None:
        state = turn.state
        saved = await turn.services.shop.addresses(turn.customer_id)
        state.slots["saved"] = [address_to_dict(a) for a in saved[:5]]
        state.slots["draft"] = {}
        if not saved:
            state.step = "addr_entry"
            turn.say("checkout.ask_address_line")
            return
        state.step = "address"
        buttons = [
            Button(label=a.one_line()[:64], payload=turn.payload(codes.ADDRESS, str(i)))
            for i, a in enumerate(saved[:5])
        ]
        buttons.append(turn.button("button.new_address", codes.ADDRESS, "new"))
        turn.say("checkout.choose_address", *buttons)

    def ask_address_part(self, turn: Turn, field: str) -> None:
        """Only the part still missing, with an example; region and street together when both are."""
        draft = AddressDraft.from_dict(turn.state.slots.get("draft"))
        if field == "region" and not draft.detail:
            turn.say("checkout.ask_place")
            return
        turn.say(f"checkout.ask_{field}")

    async def ask_shipping(self, turn: Turn) -> None:
        state = turn.state
        address = address_from_dict(state.slots["address"])
        options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
        state.slots["shipping_options"] = [o.code for o in options]
        # Where and when to pick up, for the reply that confirms the choice and the summary.
        state.slots["pickup_places"] = {
            o.code: {"address": o.pickup_address, "hours": o.pickup_hours} for o in options if o.pickup_address
        }
        if not options:
            turn.say("checkout.no_shipping", turn.button("button.new_address", codes.ADDRESS, "new"))
            state.step = "address"
            return
        if len(options) == 1:
            await self.choose_shipping(turn, options[0].code, announce=True)
            return
        said_before = state.slots.pop("shipping_answer", None)
        code = method_in(said_before, options) if said_before else None
        if code is not None:
            await self.choose_shipping(turn, code, announce=True)  # told while the address was asked for
            return
        state.step = "shipping"
        buttons = [
            turn.button("checkout.shipping_option", codes.SHIPPING, o.code, name=o.name, fee=o.fee.format(), eta=o.eta)
            for o in options
        ]
        turn.say("checkout.choose_shipping", *buttons)

    def ask_coupon(self, turn: Turn) -> None:
        turn.state.step = "coupon"
        turn.say("checkout.ask_coupon", turn.button("button.no_coupon", codes.COUPON, "none"))

    async def show_summary(self, turn: Turn) -> None:
        state = turn.state
        state.step = "confirm"
        address = address_from_dict(state.slots["address"])
        quote = await turn.services.shop.quote(
            turn.customer_id, address, state.slots["shipping"], state.slots.get("coupon"), turn.lang
        )
        if quote.coupon_error:
            state.slots["coupon"] = None
            turn.say("checkout.coupon_dropped", reason=quote.coupon_error)
        turn.reply(_summary(turn, quote, address))

    # --- steps ------------------------------------------------------------------------------------
    async def on_text(self, turn: Turn) -> bool:
        """ "算了不买了" / "cancel the order" / "forget it, not buying today" drops the checkout (told,
        the cart kept) - never read as a name, a street, a wish for speed or a question about
        orders; a message that also names a method or a code is the step's answer ("changed my
        mind, pickup instead"). Giving-up words hold no plain "no" ("不要了", "no thanks"): those
        are answers the steps read."""
        step = turn.state.step or "address"
        if tells_how_many_in_all(turn.text) and not parse_address(turn.text).phone:
            return False  # "一张就够", "only one of the mats": the count of a cart line, no name nor answer
        if step in ("address", "addr_entry") or step in ADDRESS_STEPS:
            # No part of an address is a giving-up phrase, so it goes first there.
            if gives_up(turn.text) and not parse_address(turn.text).phone:
                self.cancel(turn)
                return True
            if step == "address":
                return await self._address_choice_text(turn)
            return await self._address_text(turn, step)
        if gives_up(turn.text) and not (names_a_method_by_name(turn.text) or coupon_code_in(turn.text)):
            # Before the step's own reading, which would find "today" in "not buying today" a wish
            # for speed; "changed my mind, pick it up instead" names a method and is the step's.
            self.cancel(turn)
            return True
        if await self._new_address_text(turn):
            return True
        if await self._finish_on_go_ahead(turn):
            return True
        if step == "shipping":
            return await self._shipping_text(turn)
        if step == "coupon":
            return await self._coupon_text(turn)
        return await self._confirm_text(turn)

    async def _finish_on_go_ahead(self, turn: Turn) -> bool:
        """A go-ahead at the shipping or coupon step, or one naming another method under the
        summary: the defaults for what is left, and the order placed (see checkout_go_ahead)."""
        state = turn.state
        found = checkout_go_ahead.reading(turn)
        if found is None or state.step not in ("shipping", "coupon", "confirm") or not state.slots.get("address"):
            return False
        names_one = names_a_method(turn.text)
        if state.step == "confirm" and not names_one:
            return False  # a yes under the summary places it as it always did (_confirm_text)
        options = await self._offered_methods(turn)
        named = method_in(turn.text, options) if names_one else None
        if not checkout_go_ahead.finishes_here(state.step, found, named):
            return False
        if not await checkout_go_ahead.place_with_defaults(self, turn, options, named):
            await self.ask_shipping(turn)
        return True

    async def place_with_defaults(self, turn: Turn) -> bool:
        options = await self._offered_methods(turn)
        return await checkout_go_ahead.place_with_defaults(self, turn, options)

    async def _offered_methods(self, turn: Turn) -> list[ShippingOption]:
        address = address_from_dict(turn.state.slots["address"])
        return await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)

    def cancel(self, turn: Turn) -> None:
        """Nothing is ordered; the cart stays as it is (the customer is told so)."""
        turn.state.end_flow()
        turn.say("checkout.cancelled", turn.button("menu.cart", codes.CART))

    async def _new_address_text(self, turn: Turn) -> bool:
        """A different address typed after the address step ("send it to 李雷 138... 北京市..."), or a
        part of it fixed ("电话写错了 是139…", "the name should be Jane Smith", "地址错了"): the step
        the customer was at goes on with the corrected address."""
        state = turn.state
        if state.step not in ("shipping", "coupon", "confirm") or not state.slots.get("address"):
            return False
        draft = parse_address(turn.text)
        if draft.missing():
            fixed = _address_fix(turn.text, AddressDraft.from_dict(state.slots["address"]))
            if fixed is None:
                return False
            draft, wrong = fixed
            if wrong:
                # "电话写错了": ask for that part; the rest of the address stays.
                state.slots["draft"] = {**draft.to_dict(), wrong: ""}
                state.slots["editing"] = True
                state.step = f"addr_{wrong}"
                turn.say(f"checkout.ask_{wrong}")
                return True
        step = state.step
        address = await turn.services.shop.save_address(
            turn.customer_id,
            AddressView(address_id=None, name=draft.name, phone=draft.phone, region=draft.region, detail=draft.detail),
        )
        state.slots["address"] = address_to_dict(address)
        turn.say("checkout.address_ok", address=address.one_line())
        options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
        if step == "shipping" or state.slots.get("shipping") not in [o.code for o in options]:
            await self.ask_shipping(turn)  # the methods (and fees) depend on where it goes
        elif step == "coupon":
            self.ask_coupon(turn)  # back to the question the customer had not answered yet
        else:
            await self.show_summary(turn)
        return True

    async def _address_choice_text(self, turn: Turn) -> bool:
        saved = turn.state.slots.get("saved") or []
        answer = step_reply.read(turn, Expects(yes_no=True, proceed=True, choices=len(saved), same=True))
        chosen = pick([str(i) for i in range(len(saved))], answer.position) if answer and answer.position else None
        if chosen is None and answer and saved and (answer.kinds & {Reply.SAME, Reply.YES, Reply.PROCEED}):
            chosen = "0"  # "same as last time", "ok": the address offered first
        if chosen is not None:
            _note_later_answers(turn, turn.text)  # "the first one, express, no code"
            await self.use_saved(turn, int(chosen))
            return True
        if looks_like_side_question(turn):
            return False
        draft = parse_address(turn.text)
        if len(draft.missing()) <= 2 and (draft.phone or draft.detail):
            turn.state.step = "addr_entry"
            return await self._address_text(turn, "addr_entry")
        return False

    async def _address_text(self, turn: Turn, step: str) -> bool:
        state = turn.state
        draft = AddressDraft.from_dict(state.slots.get("draft"))
        if self._keeps_later_answers(turn):
            # "快递", "不用券" while a part of the address is still missing: kept for their steps,
            # and only the missing part is asked again (never "the address is needed" in a loop).
            turn.say("checkout.noted_for_later")
            await self.prompt(turn)
            return True
        if _answers_instead_of_address(turn):
            # "没有码 直接下单吧", "ok go ahead", "不用了": a reply to the step, never a name or a street.
            turn.say("checkout.address_needed")
            await self.prompt(turn)
            return True
        text, later = split_later_answers(turn.text)
        if later:
            _note_later_answers(turn, later)  # "…中山北路100号 快递 不用券": the address, then the next steps
        if step == "addr_entry":
            parsed = parse_address(text)
            if looks_like_side_question(turn) and not parsed.phone and not parsed.phone_invalid:
                return False
            if _asks_in_words(text) and not parsed.phone and not parsed.detail and not parsed.phone_invalid:
                return False  # a question the NLU is unsure of: answered as it can be, then the step again
            if not any(parsed.to_dict().values()) and not parsed.phone_invalid:
                return await self._invalid(turn, "address_line")
            draft = AddressDraft(
                **{f: getattr(parsed, f) or getattr(draft, f) for f in ("name", "phone", "region", "detail")}
            )
            if parsed.phone_invalid and not draft.phone:
                turn.say("checkout.masked_phone" if MASKED_PHONE.search(text) else "checkout.invalid_phone")
        else:
            field = ADDRESS_STEPS[step]
            filled, ok = fill_field(draft, field, text)
            # The part asked for comes first: "电话 138 123 45678" is the number, whatever else it
            # reads as; a question ("要填座机吗？") is answered, then the part asked again.
            # "运费多少" when the name is asked reads as a name, "do you deliver on weekends" as a region:
            # a question in words is never those (a phone or a street in it still counts).
            asks_aside = looks_like_side_question(turn) or (field in ("name", "region") and _asks_in_words(text))
            if asks_aside and not (ok and not step_reply.asks(text)):
                return False
            if not ok and field == "phone" and MASKED_PHONE.search(text):
                turn.say("checkout.masked_phone")
                turn.state.failures += 1
                return True
            if not ok:
                return await self._invalid(turn, field)
            draft = filled
        state.slots["draft"] = draft.to_dict()
        missing = draft.missing()
        if missing:
            state.step = f"addr_{missing[0]}"
            self.ask_address_part(turn, missing[0])
            return True
        address = await turn.services.shop.save_address(
            turn.customer_id,
            AddressView(address_id=None, name=draft.name, phone=draft.phone, region=draft.region, detail=draft.detail),
        )
        state.slots["address"] = address_to_dict(address)
        state.slots["draft"] = {}
        turn.say("checkout.address_ok", address=address.one_line())
        await self.after_address(turn)
        return True

    def _keeps_later_answers(self, turn: Turn) -> bool:
        """The message answers the shipping or coupon question, not the address one: kept."""
        text = turn.text
        if normalize_phone(text) or _PLACE_OR_NUMBER.search(re.sub(r"[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*", "", text)):
            return False
        if _asks_in_words(text) and not names_a_method_by_name(text) and coupon_code_in(text) is None:
            return False  # "does it ship today?": a question to answer (then the step again), no choice
        return _note_later_answers(turn, text)

    async def _invalid(self, turn: Turn, field: str) -> bool:
        turn.say(f"checkout.invalid_{field}")
        turn.state.failures += 1
        return True

    async def after_address(self, turn: Turn) -> None:
        if turn.state.slots.pop(PLACE_ONCE_ADDRESSED, False) and await self.place_with_defaults(turn):
            return  # "no coupon, go ahead" said before the address: nothing is left to ask
        if turn.state.slots.get("shipping") and turn.state.slots.get("editing"):
            turn.state.slots.pop("editing", None)
            await self.show_summary(turn)
            return
        await self.ask_shipping(turn)

    async def use_saved(self, turn: Turn, index: int) -> None:
        saved = turn.state.slots.get("saved") or []
        if not 0 <= index < len(saved):
            await self.ask_address(turn)
            return
        turn.state.slots["address"] = saved[index]
        await self.after_address(turn)

    async def _shipping_text(self, turn: Turn) -> bool:
        """Step first: the method in the message is taken before anything else it says ("thats my
        address ^ express pls", "快递 越快越好"), then the coupon answer riding with it ("express no
        code", "standard, and try SUMMER20")."""
        codes: list[str] = turn.state.slots.get("shipping_options") or []
        answer = step_reply.read(turn, Expects(yes_no=True, skippable=True, proceed=True, choices=len(codes)))
        asked = step_reply.asks(turn.text)
        # "express, how long does it take?", "快递 几天能到": the method is taken, and its fee and time
        # said with it - the answer to what was asked about it.
        told_apart = asked and says_a_method_apart(turn.text)
        if answer is None and asked and not told_apart and looks_like_side_question(turn):
            return False  # "快递几天能到？", "is it warm enough?": answered, then the methods again
        code = pick(codes, answer.position) if answer and answer.position else None
        if code is None:
            address = address_from_dict(turn.state.slots["address"])
            options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
            code = method_in(turn.text, options)
        wants_address = turn.nlu_intent == "change_address" and turn.confidence >= 0.6
        if wants_address and (code is None or _OTHER_ADDRESS.search(turn.text)):
            turn.state.slots["editing"] = False
            await self.ask_address(turn)
            return True
        if code is None and codes and answer and (answer.kinds & {Reply.YES, Reply.SKIP, Reply.PROCEED}):
            code = codes[0]  # "ok" / "skip" / "just place it" to the list: the first (default) method
        if code is None:
            return False
        coupon = coupon_answer(turn.text)
        if coupon is None and answer and answer.has(Reply.PROCEED) and not turn.state.slots.get("coupon"):
            coupon = NO_COUPON  # "express, just place it": nothing left to ask
        await self.choose_shipping(turn, code, coupon=coupon, announce=asked)
        return True

    async def choose_shipping(self, turn: Turn, code: str, announce: bool = False, coupon: str | None = None) -> None:
        """The method chosen; then the coupon answer given with it (or earlier), else the question."""
        state = turn.state
        if code not in (state.slots.get("shipping_options") or [code]):
            await self.ask_shipping(turn)
            return
        state.slots["shipping"] = code
        pickup = (state.slots.get("pickup_places") or {}).get(code)
        if pickup:
            turn.say("checkout.pickup_at", address=pickup["address"], hours=pickup["hours"])
        if announce:
            address = address_from_dict(state.slots["address"])
            options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
            chosen = next((o for o in options if o.code == code), None)
            if chosen:
                turn.say("checkout.shipping_auto", name=chosen.name, fee=chosen.fee.format(), eta=chosen.eta)
        if state.slots.get("editing"):
            state.slots.pop("editing", None)
            await self.show_summary(turn)
            return
        coupon = coupon or state.slots.pop("coupon_answer", None)
        if coupon == NO_COUPON:
            state.slots["coupon"] = None
            await self.show_summary(turn)
            return
        if coupon:
            await self.apply_coupon(turn, coupon, summary_anyway=True)
            return
        if state.slots.get("coupon"):
            await self.apply_coupon(turn, state.slots["coupon"])
            return
        self.ask_coupon(turn)

    async def _coupon_text(self, turn: Turn) -> bool:
        if await self._method_at_coupon_step(turn):
            return True
        answer = step_reply.read(turn, Expects(yes_no=True, skippable=True, proceed=True))
        code = turn.entity("coupon_code") or _typed_code(turn.text)
        if not code and _says_no_code(turn.text):
            # "nah I don't have any", "没优惠码" (and "没券 直接下单" still places the order)
            answer = step_reply.StepReply((answer.kinds if answer else frozenset()) | {Reply.SKIP})
        if answer and not code and (answer.kinds & {Reply.NO, Reply.SKIP, Reply.PROCEED}):
            # "没有", "no code, just place it", "那不用了 直接下单": no coupon; a request to place
            # the order places it (the summary is shown with it).
            turn.state.slots["coupon"] = None
            await self.show_summary(turn)
            if answer.has(Reply.PROCEED) and turn.state.step == "confirm":
                await self.place(turn)
            return True
        if answer and answer.kinds == {Reply.YES} and not code:
            turn.say("checkout.type_coupon", turn.button("button.no_coupon", codes.COUPON, "none"))
            return True
        code = turn.entity("coupon_code")
        if not code:
            if looks_like_side_question(turn):
                return False
            match = _COUPON.search(turn.text)
            code = match.group(1) if match and any(ch.isdigit() or ch.isupper() for ch in match.group(1)) else None
            if (
                code is None
                and turn.text.strip().isascii()
                and 3 <= len(turn.text.strip()) <= 24
                and " " not in turn.text.strip()
            ):
                code = turn.text.strip()
        if not code:
            return False
        if step_reply.misspelt_skip(turn.text) and not any(ch.isdigit() for ch in str(code)):
            # "skp", "sikp": a code only if the shop has one by that name; otherwise "skip".
            check = await turn.services.shop.check_coupon(turn.customer_id, str(code).strip().upper(), turn.lang)
            if not check.ok:
                turn.state.slots["coupon"] = None
                await self.show_summary(turn)
                return True
        await self.apply_coupon(turn, str(code))
        return True

    async def _method_at_coupon_step(self, turn: Turn) -> bool:
        """ "快递" / "pickup actually" typed when the coupon is asked: the method is (re)chosen and
        told, then the coupon question again (or the summary, with a coupon answer alongside)."""
        text = turn.text
        if turn.entity("coupon_code") or not names_a_method(text) or step_reply.is_question(text):
            return False
        address = address_from_dict(turn.state.slots["address"])
        options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
        method = method_in(text, options)
        if method is None:
            return False
        await self.choose_shipping(turn, method, announce=True, coupon=coupon_answer(text))
        return True

    async def apply_coupon(self, turn: Turn, code: str, summary_anyway: bool = False) -> None:
        """`summary_anyway`: the code came with other answers ("standard, and try SUMMER20"); when it
        does not apply, say why and show the order without it (the summary offers another code)."""
        check = await turn.services.shop.check_coupon(turn.customer_id, code.strip().upper(), turn.lang)
        if not check.ok and summary_anyway:
            turn.state.slots["coupon"] = None
            turn.say("checkout.coupon_not_applied", code=code.strip().upper(), reason=check.message)
            await self.show_summary(turn)
            return
        if not check.ok:
            turn.state.slots["coupon"] = None
            turn.state.step = "coupon"
            turn.say(
                "checkout.coupon_invalid",
                turn.button("button.no_coupon", codes.COUPON, "none"),
                code=code,
                reason=check.message,
            )
            return
        turn.state.slots["coupon"] = check.code
        turn.say("checkout.coupon_ok", code=check.code, discount=check.discount.format() if check.discount else "")
        await self.show_summary(turn)

    async def _confirm_text(self, turn: Turn) -> bool:
        unsure = turn.state.slots.pop("unsure", False)  # "place it, change something or cancel?" was asked
        if coupon_answer(turn.text) == NO_COUPON:
            # "no coupon" under the summary: the order without one, never "no, cancel it".
            turn.state.slots["coupon"] = None
            await self.show_summary(turn)
            return True
        answer = step_reply.read(turn, Expects(yes_no=True, proceed=True))
        agreed = bool(answer and (answer.kinds & {Reply.YES, Reply.PROCEED}))
        # "looks right, go", "没问题 下单吧": the go-ahead words of the other steps agree here too
        agreed = agreed or (not (answer and answer.has(Reply.NO)) and checkout_go_ahead.reading(turn) is not None)
        if (not agreed or _CHANGE_CUE.search(turn.text)) and await self._change_under_summary(turn):
            return True
        if agreed:
            await self.place(turn)
            return True
        if answer and answer.has(Reply.NO):
            if gives_up(turn.text) or unsure:
                self.cancel(turn)
                return True
            # A bare "no" / "不用" under the summary is no "cancel": the customer may be answering an
            # earlier question again or want something changed. Asked once which it is; a second
            # "no" to that question drops the checkout.
            turn.state.slots["unsure"] = True
            turn.say("checkout.place_or_change", *_summary_buttons(turn))
            return True
        if turn.nlu_intent == "change_address" or turn.nlu_intent == "use_coupon":
            if turn.nlu_intent == "use_coupon" and turn.entity("coupon_code"):
                await self.apply_coupon(turn, str(turn.entity("coupon_code")))
                return True
            if turn.nlu_intent == "change_address":
                turn.state.slots["editing"] = True
                await self.ask_address(turn)
                return True
            self.ask_coupon(turn)
            return True
        return False

    async def _change_under_summary(self, turn: Turn) -> bool:
        """ "pickup instead", "用SUMMER20", "换成同城配送" under the summary: that changed, the summary again."""
        slots = turn.state.slots
        code = coupon_code_in(turn.text)
        if code and code.upper() != (slots.get("coupon") or "").upper():
            await self.apply_coupon(turn, code, summary_anyway=True)
            return True
        if not names_a_method(turn.text):
            return False
        address = address_from_dict(slots["address"])
        options = await turn.services.shop.shipping_options(turn.customer_id, address, turn.lang)
        method = method_in(turn.text, options)
        if method is None or method == slots.get("shipping"):
            return False
        slots["editing"] = True
        await self.choose_shipping(turn, method)
        return True

    # --- buttons -----------------------------------------------------------------------------------
    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        state = turn.state
        if prefix == codes.ADDRESS:
            if value == "new":
                state.step = "addr_entry"
                state.slots["draft"] = {}
                turn.say("checkout.ask_address_line")
            elif value.isdigit():
                await self.use_saved(turn, int(value))
            return True
        if prefix == codes.SHIPPING:
            await self.choose_shipping(turn, value)
            return True
        if prefix == codes.COUPON:
            if value == "none":
                state.slots["coupon"] = None
                await self.show_summary(turn)
            else:
                self.ask_coupon(turn)
            return True
        if prefix == codes.EDIT_ADDRESS or (prefix == codes.CHECKOUT and value == "addr"):
            state.slots["editing"] = True
            await self.ask_address(turn)
            return True
        if prefix in (codes.YES, codes.NO) and state.step == "confirm":
            if prefix == codes.YES:
                await self.place(turn)
            else:
                self.cancel(turn)
            return True
        if prefix == codes.CHECKOUT:
            await self.prompt(turn)
            return True
        return False

    # --- placing the order --------------------------------------------------------------------------
    async def place(self, turn: Turn) -> None:
        state = turn.state
        slots = state.slots
        address = address_from_dict(slots["address"])
        shop = turn.services.shop
        try:
            order = await shop.place_order(
                turn.customer_id,
                address,
                slots["shipping"],
                slots.get("coupon"),
                turn.lang,
                idempotency_key=f"{state.id}:{slots['nonce']}",
                channel=turn.message.channel,
            )
        except OutOfStock:
            state.end_flow()
            turn.say("checkout.out_of_stock", turn.button("menu.cart", codes.CART))
            return
        except ValidationFailed as exc:
            if "coupon" in (exc.code + exc.message).lower():
                slots["coupon"] = None
                turn.say(
                    "checkout.coupon_invalid",
                    turn.button("button.no_coupon", codes.COUPON, "none"),
                    code=str(slots.get("coupon") or ""),
                    reason=exc.message,
                )
                state.step = "coupon"
                return
            raise
        state.end_flow()
        state.suspended = [s for s in state.suspended if s.get("flow") != "checkout"]
        state.context["last_order"] = order.number
        await send_payment_link(turn, order)


async def send_payment_link(turn: Turn, order: OrderView, provider: str | None = None) -> None:
    shop = turn.services.shop
    offered = shop.payment_providers()
    chosen = provider if provider in offered else (offered[0] if offered else None)
    payment = await shop.start_payment(turn.customer_id, order.number, chosen, turn.message.channel)
    # The other providers the shop offers, as one button each (CHATCART_PAYMENT_PROVIDERS order).
    others = tuple(
        turn.button(f"button.pay_with_{name}", codes.PAY_WITH, f"{name}.{order.number}")
        for name in offered
        if name != chosen
    )
    turn.reply(
        PaymentLink(
            text=turn.t("checkout.order_placed", number=order.number, total=payment.amount.format()),
            url=payment.url,
            order_number=order.number,
            amount=payment.amount.to_decimal_string(),
            buttons=(
                Button(
                    label=turn.t("button.pay_now"), payload=turn.payload(codes.PAY_LINK, order.number), url=payment.url
                ),
                *others,
                turn.button("button.order_detail", codes.ORDER, order.number),
            ),
        )
    )


def _summary(turn: Turn, quote: QuoteView, address: AddressView) -> OrderSummary:
    lines = [
        SummaryLine(
            label=f"{line.title}{' (' + '/'.join(line.attributes.values()) + ')' if line.attributes else ''}"
            f" ×{line.quantity}",
            value=line.line_total.format(),
        )
        for line in quote.lines
    ]
    lines.append(SummaryLine(label=turn.t("summary.subtotal"), value=quote.subtotal.format()))
    lines.append(SummaryLine(label=turn.t("summary.shipping"), value=quote.shipping_fee.format()))
    if quote.discount:
        label = turn.t("summary.discount", code=quote.coupon_code or "")
        lines.append(SummaryLine(label=label, value="-" + quote.discount.format()))
    pickup = (turn.state.slots.get("pickup_places") or {}).get(turn.state.slots.get("shipping") or "")
    if pickup:
        place = f"{pickup['address']} ({pickup['hours']})" if pickup["hours"] else pickup["address"]
        lines.append(SummaryLine(label=turn.t("summary.pickup"), value=place))
        lines.append(SummaryLine(label=turn.t("summary.recipient"), value=f"{address.name} {address.phone}"))
    else:
        lines.append(SummaryLine(label=turn.t("summary.address"), value=address.one_line()))
    return OrderSummary(
        text=turn.t("checkout.summary"),
        lines=tuple(lines),
        total=quote.total.format(),
        buttons=_summary_buttons(turn),
    )


def _summary_buttons(turn: Turn) -> tuple[Button, ...]:
    return (
        turn.button("button.confirm_order", codes.YES),
        turn.button("button.change_address", codes.EDIT_ADDRESS),
        turn.button("button.change_coupon", codes.COUPON, "enter"),
        turn.button("button.cancel", codes.NO),
    )
