"""Back-in-stock notices (到货提醒) in the chat.

Wherever the customer meets a sold-out product or version (a stock question, adding it to the
cart), a notice is offered: a button and words. "yes", "notify me", "let me know when it's
back", "到货通知我", "提醒我一下" (right after the offer, or naming a sold-out product) sign them
up once per SKU (`ShopPort.notify_when_back`); the shop tells them in this chat, in their
language, when it is back (`dialogs/notify.py`, event `BackInStock`).

These are patterns over what customers type, so they live here rather than in the catalogs.
"""

from __future__ import annotations

import re

from dialogs import buttons as codes
from dialogs import step_reply
from dialogs.flows import products
from dialogs.flows.base import menu_buttons
from dialogs.messages import Button
from dialogs.ports import ProductView
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

OFFER = "restock_offer"  # context: the product (and its sold-out SKUs) a notice was offered for
_ASKS = re.compile(
    r"通知我|提醒我|告诉我|叫我|喊我|通知一下|提醒一下|告诉一下|说一声|知会|发消息给我|到货提醒|到货通知|补货提醒|"
    r"(?:到货|有货|补货|来货|上架).{0,6}(?:通知|提醒|告诉|说一声|叫我|喊我)|"
    r"\b(?:let me know|notify me|tell me when|ping me|remind me|alert me|message me|text me|email me|"
    r"keep me posted|give me a (?:shout|heads[- ]up)|get notified|be notified|notification)\b",
    re.I,
)
_NOT = re.compile(r"不用|不要|别|\b(?:no|don'?t|do not)\b", re.I)


def asks_to_be_told(text: str) -> bool:
    """ "let me know when it's back", "到货了通知我一下"."""
    return bool(_ASKS.search(text)) and not _NOT.search(text)


def sold_out_skus(product: ProductView) -> list[str]:
    return [v.sku for v in product.variants if v.stock <= 0]


def offer(turn: Turn, product: ProductView, skus: list[str] | None = None, *, yes_signs_up: bool = True) -> Button:
    """Remember the offer (for "notify me", or a "yes" when it was the question asked last) and
    return its button. `skus`: the sold-out versions meant (default: every sold-out one)."""
    wanted = skus if skus is not None else sold_out_skus(product)
    turn.state.context[OFFER] = {"product": product.product_id, "skus": wanted, "yes": yes_signs_up}
    value = f"s:{wanted[0]}" if len(wanted) == 1 else f"p:{product.product_id}"
    return turn.button("button.restock_notice", codes.RESTOCK_NOTICE, value)


async def follow_up(turn: Turn) -> bool:
    """A message right after the offer ("yes", "notify me"), or one asking to be told about the
    product on screen when it is sold out. False: read the message as usual."""
    context = turn.state.context
    pending = context.pop(OFFER, None)
    wants = asks_to_be_told(turn.text)
    if isinstance(pending, dict) and pending.get("product"):
        answer = step_reply.read(turn, Expects(yes_no=True))
        if wants or (answer and answer.has(Reply.YES) and pending.get("yes", True)):
            turn.intent = "restock_notice"
            await subscribe(turn, str(pending["product"]), [str(s) for s in pending.get("skus") or []])
            return True
        if answer and answer.has(Reply.NO):
            return False  # "no thanks": small talk answers it
    if not wants:
        return False
    product_id = context.get("product")
    if not product_id or turn.entity("product"):
        return False  # a product named in the message: the stock question reads it (`browse.stock_answer`)
    product = await turn.services.shop.product(str(product_id), turn.lang)
    if product is None or not sold_out_skus(product):
        return False
    turn.intent = "restock_notice"
    await subscribe(turn, product.product_id, _meant(turn, product))
    return True


def _meant(turn: Turn, product: ProductView) -> list[str]:
    """The sold-out version chosen on screen, else every sold-out version."""
    chosen = turn.state.context.get("last_sku")
    sold_out = sold_out_skus(product)
    return [str(chosen)] if chosen in sold_out else sold_out


async def button(turn: Turn, value: str) -> None:
    kind, _, ref = value.partition(":")
    shop = turn.services.shop
    product = await (shop.product_by_sku(ref, turn.lang) if kind == "s" else shop.product(ref, turn.lang))
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    turn.state.context.pop(OFFER, None)
    await subscribe(turn, product.product_id, [ref] if kind == "s" else sold_out_skus(product), product)


async def subscribe_to(turn: Turn, product: ProductView) -> None:
    """Asked with the product named ("磨豆机到货了通知我"): the version on screen or every
    sold-out one."""
    turn.state.context.pop(OFFER, None)
    await subscribe(turn, product.product_id, _meant(turn, product), product)


async def subscribe(turn: Turn, product_id: str, skus: list[str], product: ProductView | None = None) -> None:
    shop = turn.services.shop
    product = product or await shop.product(product_id, turn.lang)
    if product is None:
        turn.say("product.gone", *menu_buttons(turn))
        return
    sold_out = [s for s in skus if s in sold_out_skus(product)] or ([] if skus else sold_out_skus(product))
    if not sold_out:  # back already (or never gone): no need to wait
        turn.say("restock.in_stock_now", title=product.title)
        products.show(turn, product)
        return
    versions = [
        "/".join(v.attributes.values()) for v in product.variants if v.sku in sold_out and any(v.attributes.values())
    ]
    title = product.title
    if versions and len(product.variants) > 1:
        title = turn.t("restock.title_versions", title=product.title, versions=" / ".join(versions))
    new = await shop.notify_when_back(turn.customer_id, product.product_id, sold_out, turn.lang)
    turn.say(
        "restock.subscribed" if new else "restock.already",
        turn.button("button.similar", codes.SIMILAR, product.product_id),
        *menu_buttons(turn)[:1],
        title=title,
    )
