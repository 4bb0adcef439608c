"""User goals: what a simulated customer wants, and the end state that proves they got it.

A goal is drawn at random (seeded) from the shop's catalog. Its `expectation()` is in the
end-state language of tests/conversations/end_state.py, so success means exactly what the
corpus means by it: the orders, cart, after-sales requests and handoff state in the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from tests.simulation.addresses import Address, draw_address
from tests.simulation.catalog_view import OPTION_WORDS, Product, Sku, option_words

GOAL_KINDS = (
    "buy",  # buy N of a product with options, check out, skip the coupon, pay
    "buy_multi",  # two different products in one order
    "buy_coupon",  # the same with a coupon code
    "pay_retry",  # the first payment fails, the customer asks again and pays
    "side_question",  # a question about shipping/invoices/returns in the middle of checkout
    "cart_edit",  # two lines of one product, then one changed or removed by its option
    "cancel",  # order placed, then cancelled before paying
    "track",  # paid, shipped, where is it
    "return",  # delivered, sent back
    "refund_unshipped",  # paid, not shipped, money back
    "handoff",  # asks for a person
)


@dataclass
class Want:
    product: Product
    sku: Sku
    qty: int

    @property
    def choices(self) -> dict[str, str]:
        """The option values the customer must name (the spec keys that vary)."""
        return {key: self.sku.specs[key] for key in self.product.option_keys if key in self.sku.specs}


@dataclass
class Goal:
    kind: str
    lang: str
    wants: list[Want]
    address: Address
    coupon: str | None = None
    style: str = "compound"  # compound: one message says it all; stepwise: answer the bot's questions
    noise: int = 0
    edit: tuple[str, int, int] | None = None  # ("set_qty"|"remove", index into wants, new qty)
    side_topic: str = ""
    sold_out_first: Sku | None = None  # asks for this sold-out option of the product first
    extra: dict[str, Any] = field(default_factory=dict)

    def final_cart(self) -> dict[str, int]:
        cart = {w.sku.sku: w.qty for w in self.wants}
        if self.edit:
            action, index, qty = self.edit
            sku = self.wants[index].sku.sku
            if action == "remove":
                del cart[sku]
            else:
                cart[sku] = qty
        return cart

    def expectation(self) -> dict[str, Any]:
        items = {w.sku.sku: w.qty for w in self.wants}
        if self.kind in ("buy", "buy_multi", "buy_coupon", "pay_retry", "side_question"):
            return {"orders": [{"items": items, "status_in": ["paid"]}]}
        if self.kind == "cart_edit":
            return {"orders_count": 0, "cart": self.final_cart()}
        if self.kind == "cancel":
            return {"orders": [{"items": items, "status_in": ["cancelled"]}]}
        if self.kind == "track":
            return {"orders": [{"items": items, "status_in": ["shipped"]}]}
        if self.kind == "return":
            return {"after_sales": [{"kind_in": ["return", "refund"]}]}
        if self.kind == "refund_unshipped":
            return {
                "any_of": [
                    {"orders": [{"items": items, "status_in": ["cancelled", "refunded"]}]},
                    {"after_sales": [{"kind_in": ["refund"]}]},
                ]
            }
        if self.kind == "handoff":
            return {"handoff_in": ["waiting", "agent"], "orders_count": 0}
        raise ValueError(self.kind)


def nameable(product: Product, sku: Sku, lang: str) -> bool:
    """The customer can name every option of this SKU in their language."""
    for value in Want(product, sku, 1).choices.values():
        if value not in OPTION_WORDS and option_words(value, lang) == [value] and not value.isascii():
            return False
    return True


def draw_goal(kind: str, lang: str, products: list[Product], rng: random.Random, coupons: dict[str, float]) -> Goal:
    """`coupons`: code -> the subtotal it needs (a customer uses a code that applies)."""
    address = draw_address(lang, rng)
    noise = rng.choices([0, 1, 2], weights=[3, 4, 3])[0]
    style = rng.choice(["compound", "compound", "stepwise"])
    if kind == "cart_edit":
        candidates = [p for p in products if len(p.in_stock()) >= 2 and p.option_keys]
        product = rng.choice(candidates)
        first, second = rng.sample(product.in_stock(), 2)
        wants = [Want(product, first, rng.randint(1, 2)), Want(product, second, rng.randint(1, 2))]
        index = rng.randrange(2)
        edit = ("remove", index, 0) if rng.random() < 0.5 else ("set_qty", index, wants[index].qty + rng.randint(1, 2))
        return Goal(kind, lang, wants, address, style="compound", noise=noise, edit=edit)
    choices = [(p, s) for p in products for s in p.in_stock() if nameable(p, s, lang)]
    chosen, sku = rng.choice(choices)
    qty = rng.choices([1, 2, 3], weights=[6, 3, 1])[0]
    goal = Goal(kind, lang, [Want(chosen, sku, qty)], address, style=style, noise=noise)
    sold_out = [s for s in chosen.skus if s.stock == 0 and nameable(chosen, s, lang)]
    if sold_out and kind in ("buy", "buy_coupon", "track") and rng.random() < 0.5:
        goal.sold_out_first = rng.choice(sold_out)
    if kind == "buy_multi":
        others = [(p, s) for p, s in choices if p.code != chosen.code]
        other, other_sku = rng.choice(others)
        goal.wants.append(Want(other, other_sku, rng.choices([1, 2], weights=[3, 1])[0]))
    if kind == "buy_coupon":
        goal.coupon = rng.choice(sorted(code for code, needs in coupons.items() if sku.price * qty >= needs))
    if kind == "side_question":
        goal.side_topic = "side"
    return goal
