"""Asking "are you sure?" before anything that cannot be undone (clear cart, cancel order)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import ClassVar

from dialogs.flows.base import Flow, is_no, is_yes, menu_buttons, yes_no_buttons
from dialogs.turn import Turn

ConfirmedAction = Callable[[Turn, dict[str, str]], Awaitable[None]]
# action name -> what to do on "yes"; filled by the registry (avoids import cycles).
ACTIONS: dict[str, ConfirmedAction] = {}


async def ask_confirmation(turn: Turn, action: str, args: dict[str, str], question_key: str, **params: str) -> None:
    turn.state.start_flow(
        "confirm", "ask", {"action": action, "args": args, "question": question_key, "params": params}
    )
    await ConfirmFlow().prompt(turn)


class ConfirmFlow(Flow):
    name: ClassVar[str] = "confirm"

    async def prompt(self, turn: Turn) -> None:
        slots = turn.state.slots
        turn.say(slots["question"], *yes_no_buttons(turn), **slots.get("params", {}))

    async def _decide(self, turn: Turn, yes: bool) -> None:
        slots = turn.state.slots
        turn.state.end_flow()
        if not yes:
            turn.say("confirm.not_done", *menu_buttons(turn))
            return
        action = ACTIONS.get(slots.get("action", ""))
        if action is None:
            turn.say("generic.button_expired", *menu_buttons(turn))
            return
        await action(turn, dict(slots.get("args") or {}))

    async def on_text(self, turn: Turn) -> bool:
        if is_yes(turn):
            await self._decide(turn, True)
            return True
        if is_no(turn):
            await self._decide(turn, False)
            return True
        return False

    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        if prefix in ("yes", "no"):
            await self._decide(turn, prefix == "yes")
            return True
        return False
