"""Asking "are you sure?" before anything that cannot be undone (clear cart, cancel order)."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Mapping
from typing import ClassVar

from dialogs import buttons as codes
from dialogs import step_reply
from dialogs.flows.base import Flow, menu_buttons, yes_no_buttons
from dialogs.step_reply import Expects, Reply
from dialogs.turn import Turn

ConfirmedAction = Callable[[Turn, dict[str, str]], Awaitable[None]]

# Saying the action again answers its question with a yes ("嗯嗯 取消", "cancel it" under "Cancel
# order …?"); turned down ("不取消了", "don't cancel") it is no yes.
_RESTATES: dict[str, re.Pattern[str]] = {"cancel_order": re.compile(r"取消|撤销|\bcancel", re.I)}
_TURNED_DOWN = re.compile(r"不|别|\b(?:no|not|don'?t|never)\b", re.I)


async def ask_confirmation(turn: Turn, action: str, args: dict[str, str], question_key: str, **params: str) -> None:
    turn.state.start_flow(
        "confirm", "ask", {"action": action, "args": args, "question": question_key, "params": params}
    )
    _ask(turn)


def _ask(turn: Turn) -> None:
    slots = turn.state.slots
    turn.say(slots["question"], *yes_no_buttons(turn), **slots.get("params", {}))


class ConfirmFlow(Flow):
    """The question, and on "yes" the action named when it was asked (looked up in `actions`)."""

    name: ClassVar[str] = "confirm"
    step_expects: ClassVar[dict[str, Expects]] = {"": Expects(yes_no=True)}

    def __init__(self, actions: Mapping[str, ConfirmedAction]) -> None:
        self._actions = actions

    async def prompt(self, turn: Turn) -> None:
        _ask(turn)

    async def _decide(self, turn: Turn, yes: bool) -> None:
        slots = turn.state.slots
        turn.state.end_flow()
        if not yes:
            turn.say("confirm.not_done", *menu_buttons(turn))
            return
        action = self._actions.get(slots.get("action", ""))
        if action is None:
            turn.say("generic.button_expired", *menu_buttons(turn))
            return
        await action(turn, dict(slots.get("args") or {}))

    async def on_text(self, turn: Turn) -> bool:
        answer = step_reply.read(turn, Expects(yes_no=True))
        if answer and answer.has(Reply.YES):  # "对 全删了", "yes please"
            await self._decide(turn, True)
            return True
        if answer and answer.has(Reply.NO):
            await self._decide(turn, False)
            return True
        restates = _RESTATES.get(str(turn.state.slots.get("action", "")))
        if restates and restates.search(turn.text) and not _TURNED_DOWN.search(turn.text):
            await self._decide(turn, True)
            return True
        return False

    async def on_button(self, turn: Turn, prefix: str, value: str) -> bool:
        if prefix in (codes.YES, codes.NO):
            await self._decide(turn, prefix == codes.YES)
            return True
        return False
