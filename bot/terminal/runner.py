"""Runs typed lines through the dialog engine exactly as a customer in a text chat would.

A line is customer text, `/command`, `@LABEL` (press a shown button by label or unique
prefix), or a shop-side action `!pay`, `!fail`, `!ship`, `!deliver`. Messages the shop
pushes (payment confirmation, shipping notice) are collected and returned with the turn
that caused them. Used by the interactive terminal, `--script` mode and the tests alike.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from dialogs.engine import DialogEngine, TurnResult
from dialogs.i18n import t
from dialogs.messages import Button, IncomingMessage, Lang, OutgoingMessage, TextReply, buttons_of
from dialogs.outbound import CollectingSender
from dialogs.ports import SandboxPort, ShopPort
from dialogs.render import render_reply
from dialogs.state import conversation_id

CHANNEL = "terminal"
SANDBOX_COMMANDS = ("pay", "fail", "ship", "deliver")


@dataclass
class TurnOutput:
    turn: int
    input: str
    intent: str
    replies: list[OutgoingMessage] = field(default_factory=list)

    def to_json(self, lang: Lang) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "input": self.input,
            "intent": self.intent,
            "replies": [reply_json(reply, lang) for reply in self.replies],
        }


def reply_json(reply: OutgoingMessage, lang: Lang) -> dict[str, Any]:
    data: dict[str, Any] = {
        "type": reply.type,
        "text": "\n".join(render_reply(reply, lang)),
        "buttons": [{"label": b.label, "payload": b.payload} for b in buttons_of([reply])],
    }
    if isinstance(reply, TextReply):
        return data
    for name in ("url", "order_number", "total", "amount", "product_id"):
        value = getattr(reply, name, None)
        if value:
            data[name] = value
    return data


class ChatRunner:
    def __init__(
        self,
        engine: DialogEngine,
        shop: ShopPort,
        sandbox: SandboxPort,
        *,
        user: str,
        lang: Lang | None = None,
        dispatch_events: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        """`dispatch_events`: an async callable delivering pending commerce events now
        (script mode has no background dispatcher; pushed messages must appear in the turn)."""
        self.engine = engine
        self.shop = shop
        self.sandbox = sandbox
        self.user = user
        self.lang = lang
        self.dispatch_events = dispatch_events
        self.collector = CollectingSender()
        engine.outbound.register(CHANNEL, self.collector)
        self.turns = 0
        self.engine_seconds = 0.0  # time spent in the engine on the last line (benchmarks)
        self._buttons: list[Button] = []
        self._customer_id: str | None = None

    @property
    def conversation(self) -> str:
        return conversation_id(CHANNEL, self.user)

    async def current_lang(self) -> Lang:
        return await self.engine.language_of(CHANNEL, self.user) if self.turns else (self.lang or "zh")

    async def run_line(self, line: str) -> TurnOutput | None:
        """One script line -> one turn; None for blank lines and # comments."""
        text = line.strip()
        if not text or text.startswith("#"):
            return None
        self.engine_seconds = 0.0
        self.turns += 1
        output = TurnOutput(turn=self.turns, input=text, intent="")
        if text.startswith("!"):
            await self._sandbox(text[1:].strip().lower(), output)
        elif text.startswith("@"):
            await self._press(text[1:].strip(), output)
        else:
            await self._say(IncomingMessage.from_text(CHANNEL, self.user, text, lang_hint=self.lang), output)
        await self._collect_pushed(output)
        shown = buttons_of(output.replies)
        if shown:
            self._buttons = shown
        return output

    async def _say(self, message: IncomingMessage, output: TurnOutput) -> None:
        started = time.perf_counter()
        result: TurnResult = await self.engine.handle_turn(message)
        self.engine_seconds = time.perf_counter() - started
        self._customer_id = result.customer_id or self._customer_id
        output.intent = result.intent
        output.replies.extend(result.replies)

    async def _press(self, label: str, output: TurnOutput) -> None:
        lang = await self.current_lang()
        matches = find_button(self._buttons, label)
        if len(matches) != 1:
            output.intent = "error"
            key = "script.unknown_button" if not matches else "script.ambiguous_button"
            choices = ", ".join(b.label for b in matches)
            output.replies.append(TextReply(text=t(key, lang, label=label, choices=choices)))
            return
        button = matches[0]
        message = IncomingMessage.from_button(CHANNEL, self.user, button.payload, button.label, lang_hint=self.lang)
        await self._say(message, output)

    async def customer_id(self) -> str:
        if self._customer_id is None:
            self._customer_id = await self.shop.identify(CHANNEL, self.user, await self.current_lang())
        return self._customer_id

    async def _sandbox(self, command: str, output: TurnOutput) -> None:
        output.intent = f"!{command}"
        lang = await self.current_lang()
        if command not in SANDBOX_COMMANDS:
            output.intent = "error"
            output.replies.append(TextReply(text=t("script.unknown_command", lang, command=command[:20])))
            return
        customer = await self.customer_id()
        if command in ("pay", "fail"):
            payment = await self.sandbox.settle_latest_payment(customer, succeed=command == "pay")
            if payment is None:
                output.replies.append(TextReply(text=t("script.no_payment", lang)))
            return
        order = await (
            self.sandbox.ship_latest(customer) if command == "ship" else self.sandbox.deliver_latest(customer)
        )
        if order is None:
            output.replies.append(TextReply(text=t("script.no_order", lang, action=command)))

    async def _collect_pushed(self, output: TurnOutput) -> None:
        if self.dispatch_events is not None:
            await self.dispatch_events()
        output.replies.extend(self.collector.collect(self.user))

    # --- the final summary ------------------------------------------------------------------------
    async def summary(self) -> dict[str, Any]:
        customer = await self.customer_id()
        lang = await self.current_lang()
        cart = await self.shop.cart(customer, lang)
        orders = await self.shop.orders(customer, lang, 100)
        after_sales = await self.shop.after_sales(customer, lang)
        state = await self.engine.services.store.get(self.conversation)
        return {
            "summary": {
                "customer": customer,
                "cart": [{"sku": line.sku, "qty": line.quantity} for line in cart.lines],
                "orders": [
                    {
                        "number": o.number,
                        "status": o.status,
                        "items": [{"sku": line.sku, "qty": line.quantity} for line in o.lines],
                        "total": o.total.to_decimal_string(),
                    }
                    for o in orders
                ],
                "after_sales": [{"order": r.order_number, "kind": r.kind, "status": r.status} for r in after_sales],
                "handoff": state.handoff_status if state else "none",
            }
        }


def find_button(buttons: list[Button], label: str) -> list[Button]:
    """Exact label (case-insensitive), else a unique prefix, else a unique substring."""
    wanted = label.strip().lower()
    if not wanted:
        return []
    unique: dict[str, Button] = {}
    for button in buttons:
        unique.setdefault(button.payload, button)
    candidates = list(unique.values())
    exact = [b for b in candidates if b.label.strip().lower() == wanted]
    if exact:
        return exact[:1]
    prefix = [b for b in candidates if b.label.strip().lower().startswith(wanted)]
    if prefix:
        return prefix
    return [b for b in candidates if wanted in b.label.strip().lower()]
