"""The agenda-based simulated customer (after Schatzmann et al., "Agenda-based user simulation").

The goal becomes an agenda: a stack of user acts (name the product, check out, give the
address, ...). Each turn the customer first answers what the bot is asking for, if the goal
holds the answer (the option, the address, the coupon, "yes"), removing that act from the
agenda; otherwise pops the next act. Every act is realised from the lexicon with random
phrasing and noise. Shop-side events (`!pay`, `!ship`, ...) are agenda items too.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from typing import Any

from pypinyin import lazy_pinyin

from tests.simulation.catalog_view import option_words, short_names
from tests.simulation.goals import Goal, Want
from tests.simulation.lexicon import (
    EN_NUMBERS,
    MEASURE_WORDS,
    ORDINALS_EN,
    PHRASES,
    REASONS,
    SHIPPING_WORDS,
    SIDE_QUESTIONS,
    ZH_COLLOQUIAL,
    ZH_NUMBERS,
)
from tests.simulation.noise import add_noise
from tests.simulation.observe import added_quantity, list_position
from tests.simulation.shop import ALIASES

MAX_ATTEMPTS = 3  # a customer rephrases an unanswered act twice, then gives up on it
MAX_WANT_ATTEMPTS = 4  # ... and is a little more patient when it is about getting the product


@dataclass
class Act:
    name: str
    want: int = -1  # index into goal.wants for "want" acts
    attempts: int = 0


def agenda_for(goal: Goal) -> list[Act]:
    wants = [Act("want", i) for i in range(len(goal.wants))]
    checkout = [Act("checkout"), Act("address"), Act("shipping"), Act("coupon"), Act("confirm")]
    if goal.kind == "side_question":
        checkout.insert(1, Act("side"))
    kind = goal.kind
    if kind == "cart_edit":
        return [*wants, Act("edit"), Act("view_cart")]
    if kind == "handoff":
        return [Act("browse"), Act("human")]
    agenda = [*wants, *checkout]
    if goal.sold_out_first is not None:
        agenda.insert(0, Act("sold_out_first"))
    if kind == "pay_retry":
        return [*agenda, Act("!fail"), Act("payment_failed"), Act("!pay")]
    if kind == "cancel":
        return [*agenda, Act("cancel")]
    agenda.append(Act("!pay"))
    if kind == "track":
        agenda += [Act("!ship"), Act("track")]
    elif kind == "return":
        agenda += [Act("!ship"), Act("!deliver"), Act("return")]
    elif kind == "refund_unshipped":
        agenda.append(Act("refund"))
    return agenda


@dataclass
class SimulatedCustomer:
    goal: Goal
    rng: random.Random
    agenda: list[Act] = field(default_factory=list)
    answered: dict[str, int] = field(default_factory=dict)  # ask -> times answered (stuck detection)
    current_want: int = -1
    gave_up: str = ""
    last_ask: str = ""
    repeats: int = 0
    placed: bool = False  # a payment link was shown: the order exists
    link_open: bool = False  # a payment link is shown that has not been used (paid or failed) yet
    edited: bool = False

    def __post_init__(self) -> None:
        self.agenda = agenda_for(self.goal)

    @property
    def lang(self) -> str:
        return self.goal.lang

    # --- realisation --------------------------------------------------------------------------
    def say(self, act: str, **slots: str) -> str:
        template = self.rng.choice(PHRASES[act][self.lang])
        before_noun = (
            "{p}" in template
            and "{q}" in template
            and template.index("{q}") < template.index("{p}")
            and "{q} of" not in template  # "get me {q} of the ...": "a of the" is nobody's English
        )
        if slots.get("q") in ("a", "a couple of") and not before_noun:
            slots["q"] = "1" if slots["q"] == "a" else "2"  # "a (couple of)" only reads before the noun
        noisy = add_noise(template, self.lang, self.goal.noise, self.rng)
        for name, value in slots.items():  # exact slots go in after the noise
            noisy = noisy.replace("{" + name + "}", value)
        return noisy

    def product_name(self, want: Want) -> str:
        """What this customer calls the product; noisy typists sometimes leave the IME in pinyin,
        and English speakers sometimes use the Chinese name they saw."""
        aliases = ALIASES.get(want.product.code, {})
        name = self.rng.choice(aliases.get(self.lang, []) + short_names(want.product, self.lang))
        if self.lang == "zh" and self.goal.noise >= 2 and self.rng.random() < 0.15:
            return "".join(lazy_pinyin(name))
        if self.lang == "en" and self.goal.noise >= 1 and aliases.get("zh") and self.rng.random() < 0.08:
            return self.rng.choice(aliases["zh"])
        return name

    def option_phrase(self, want: Want) -> str:
        words = [self.rng.choice(option_words(value, self.lang)) for value in want.choices.values()]
        return ("" if self.lang == "zh" else " ").join(words) if words else ""

    def quantity_phrase(self, want: Want) -> str:
        n = want.qty
        if self.lang == "en":
            return self.rng.choice(EN_NUMBERS[n])
        title = want.product.title["zh"]
        measure = next((m for keys, m in MEASURE_WORDS if any(k in title for k in keys)), "个")
        measure = self.rng.choice([measure, "个"]) if measure != "个" else "个"
        options = [numeral + measure for numeral in ZH_NUMBERS[n]] + ZH_COLLOQUIAL.get(n, [])
        return self.rng.choice(options)

    def distinguishing_words(self, index: int) -> str:
        """An option word that tells this cart line from the other (for edits by description)."""
        mine, other = self.goal.wants[index], self.goal.wants[1 - index]
        for key, value in mine.sku.specs.items():
            if other.sku.specs.get(key) != value:
                return self.rng.choice(option_words(value, self.lang))
        return self.option_phrase(mine)

    # --- the turn -------------------------------------------------------------------------------
    def next_message(self, asks: list[str], replies: list[dict[str, Any]]) -> str | None:
        """The customer's next line (None: the conversation is over for them)."""
        if self.gave_up:
            return None
        reply = self.answer(asks, replies)
        if reply is not None:
            return reply
        while self.agenda:
            act = self.agenda[0]
            act.attempts += 1
            if act.attempts > (MAX_WANT_ATTEMPTS if act.name == "want" else MAX_ATTEMPTS):
                self.gave_up = f"gave up on {act.name}"
                return None
            message = self.perform(act, asks, replies)
            if message is not None:
                return message
        return None

    def pop(self, name: str) -> bool:
        for act in self.agenda:
            if act.name == name:
                self.agenda.remove(act)
                return True
        return False

    def answer(self, asks: list[str], replies: list[dict[str, Any]]) -> str | None:
        """Reply to the step the bot asks for, when the goal holds the answer."""
        if "pay_link" in asks:
            self.placed = True
            self.link_open = True
            # The order exists (whatever way it got placed): nothing of the checkout is left to do.
            for name in ("checkout", "address", "shipping", "coupon", "confirm", "side"):
                self.pop(name)
        if self.agenda and self.agenda[0].name == "side" and {"address", "shipping", "coupon"} & set(asks):
            self.agenda.pop(0)
            return add_noise(self.rng.choice(SIDE_QUESTIONS[self.lang]), self.lang, self.goal.noise, self.rng)
        if not self.agenda:  # the goal is done; only a question about it is still answered
            asks = [ask for ask in asks if ask in ("yes_no", "reason", "photos", "which_line")]
        want = self.goal.wants[self.current_want] if self.current_want >= 0 else None
        if "added" in asks and self.agenda and self.agenda[0].name == "want":
            added = self.goal.wants[self.agenda[0].want]
            self.agenda.pop(0)
            self.current_want = -1
            count = added_quantity(replies, added.product.title[self.lang])
            if count is not None and count != added.qty:
                # The customer reads the confirmation: a wrong count (one never said, or misread)
                # is corrected once; whether the shop got it right is for the end state to say.
                return self.say("fix_quantity", n=str(added.qty), q=self.quantity_phrase(added))
            return None
        for ask in asks:
            repeats = self.repeats + 1 if ask == self.last_ask else 1
            if repeats > MAX_ATTEMPTS:
                continue  # answered often enough: the customer tries the agenda's own wording instead
            message = self.answer_one(ask, want, replies)
            if message is not None:
                self.repeats, self.last_ask = repeats, ask
                self.answered[ask] = self.answered.get(ask, 0) + 1
                return message
        self.last_ask = ""
        return None

    def answer_one(self, ask: str, want: Want | None, replies: list[dict[str, Any]]) -> str | None:
        in_checkout = not any(a.name == "want" for a in self.agenda)
        if ask == "address" and in_checkout and (self.pop("address") or self.answered.get("address")):
            self.pop("checkout")
            return self.goal.address.text
        if ask == "region" and in_checkout:
            return self.goal.address.region
        if ask == "shipping" and in_checkout and (self.pop("shipping") or self.answered.get("shipping")):
            self.pop("checkout")
            return self.shipping_answer(replies)
        if ask == "coupon" and in_checkout and (self.pop("coupon") or self.answered.get("coupon")):
            self.pop("checkout")
            self.pop("address")
            self.pop("shipping")
            if self.goal.coupon and not self.answered.get("coupon"):
                return self.say("use_coupon", code=self.goal.coupon)
            return self.say("no_coupon")
        if (
            ask == "confirm"
            and in_checkout
            and not self.placed
            and (self.pop("confirm") or self.answered.get("confirm"))
        ):
            for name in ("checkout", "address", "shipping", "coupon"):
                self.pop(name)
            return self.say("confirm")
        if ask == "which_line" and self.edited and self.goal.edit is not None:
            return self.distinguishing_words(self.goal.edit[1])
        if ask == "option" and want is not None and want.choices:
            return self.say("choose_option", o=self.option_phrase(want))
        if ask == "quantity" and want is not None:
            return self.say("choose_quantity", q=self.quantity_phrase(want))
        if ask == "reason" and self.goal.kind in ("return", "refund_unshipped"):
            return self.say("reason", reason=self.rng.choice(REASONS[self.lang]))
        if ask == "photos" and self.goal.kind in ("return", "refund_unshipped"):
            return self.say("no_photos")
        if (
            ask == "yes_no"
            and self.goal.kind in ("cancel", "return", "refund_unshipped")
            and not any(a.name in ("cancel", "return", "refund") for a in self.agenda)
        ):
            return self.say("yes")
        return None

    def shipping_answer(self, replies: list[dict[str, Any]]) -> str:
        """Pick the first shipping method offered (press it, or type its first word)."""
        shipping = r"快递|配送|自提|express|delivery|pick ?up|standard|shipping"
        labels = [b["label"] for r in replies for b in r["buttons"] if re.search(shipping, b["label"], re.IGNORECASE)]
        if labels and self.rng.random() < 0.3:
            return "@" + str(labels[0])
        if labels:
            word = re.split(r"[\s¥(（]", str(labels[0]).strip())[0]
            if word:
                return self.say("shipping", ship=word.lower() if self.lang == "en" else word)
        return self.say("shipping", ship=self.rng.choice(SHIPPING_WORDS[self.lang]))

    def perform(self, act: Act, asks: list[str], replies: list[dict[str, Any]]) -> str | None:
        """Realise the act on top of the agenda (None: it needed no message; popped)."""
        goal = self.goal
        if act.name == "want":
            return self.perform_want(act, asks, replies)
        if act.name in ("checkout", "address", "shipping", "coupon", "confirm"):
            # Checkout steps are answered when the bot asks for them (answer_one removes them);
            # if the bot is not asking, the customer asks to check out (again).
            return self.say("checkout")
        self.agenda.pop(0)
        if act.name == "sold_out_first":
            assert goal.sold_out_first is not None
            wanted = goal.wants[0]
            sold_out = Want(wanted.product, goal.sold_out_first, wanted.qty)
            return self.say(
                "buy_compound",
                p=self.product_name(sold_out),
                o=self.option_phrase(sold_out),
                q=self.quantity_phrase(sold_out),
                n=str(sold_out.qty),
            )
        if act.name in ("!pay", "!fail") and not self.link_open:
            # No payment link to pay at (the last one failed and no new one came): the customer
            # asks again instead (the agenda keeps the payment for when a link is shown).
            self.agenda.insert(0, act)
            return self.ask_for_a_link(act, replies)
        if act.name in ("!pay", "!fail"):
            self.link_open = False
        if act.name.startswith("!"):
            return act.name
        if act.name == "side":
            return add_noise(self.rng.choice(SIDE_QUESTIONS[self.lang]), self.lang, goal.noise, self.rng)
        if act.name == "payment_failed":
            retry = [b["label"] for r in replies for b in r["buttons"] if re.search(r"pay|支付|付款", b["label"], re.I)]
            if retry and self.rng.random() < 0.5:
                return "@" + retry[0]  # press "open the payment link again"
        if act.name in ("payment_failed", "cancel", "track", "human", "view_cart"):
            phrase = {"payment_failed": "payment_failed", "cancel": "cancel_order"}.get(act.name, act.name)
            return self.say(phrase)
        if act.name == "return":
            return self.say("return_request")
        if act.name == "refund":
            return self.say("refund_request")
        if act.name == "browse":
            return self.say("ask_product", p=self.product_name(goal.wants[0]))
        if act.name == "edit":
            assert goal.edit is not None
            self.edited = True
            action, index, qty = goal.edit
            words = self.distinguishing_words(index)
            if action == "remove":
                return self.say("remove_line", o=words)
            zh_qty = self.quantity_phrase(Want(goal.wants[index].product, goal.wants[index].sku, qty))
            return self.say("set_quantity", o=words, n=str(qty), q=zh_qty if self.lang == "zh" else str(qty))
        raise ValueError(act.name)

    def ask_for_a_link(self, act: Act, replies: list[dict[str, Any]]) -> str:
        """Press a button that opens the payment again, or say the payment did not work."""
        pay = [b["label"] for r in replies for b in r["buttons"] if re.search(r"pay|支付|付款", b["label"], re.I)]
        if pay and self.rng.random() < 0.5:
            return "@" + pay[0]
        return self.say("payment_failed" if self.goal.kind == "pay_retry" else "checkout")

    def perform_want(self, act: Act, asks: list[str], replies: list[dict[str, Any]]) -> str:
        want = self.goal.wants[act.want]
        self.current_want = act.want
        position = list_position(replies, want.product.title[self.lang])
        if position is not None and act.attempts > 1:
            act.attempts -= 1  # picking from the list is progress, not a rephrasing
            n = str(position)
            return self.say("pick_nth", n=n, nth=ORDINALS_EN.get(position, n))
        if "product" in asks and act.attempts == 2:
            quantity = self.quantity_phrase(want)
            if want.choices:
                quantity = {"a": "1", "a couple of": "x2"}.get(quantity, quantity)
                return self.say("choose_option", o=self.option_phrase(want)) + " " + quantity
            return self.say("choose_quantity", q=quantity)
        if "product" in asks and act.attempts > 2:
            return self.say("add_to_cart")
        if self.goal.style == "stepwise" and act.attempts == 1:
            return self.say("ask_product", p=self.product_name(want))
        return self.say(
            "buy_compound" if want.choices else "buy_plain",
            p=self.product_name(want),
            o=self.option_phrase(want),
            q=self.quantity_phrase(want),
            n=str(want.qty),
        )
