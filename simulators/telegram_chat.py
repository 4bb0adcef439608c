"""A customer's Telegram chat in the terminal, against the fake Bot API.

chatcart runs unchanged with `chatcart telegram polling`, pointed at the fake by
`CHATCART_TELEGRAM_API_BASE`; what the person types becomes real-shaped updates served by
getUpdates, and what the bot sends is printed as the chat would show it, with numbered buttons.
"""

from __future__ import annotations

import asyncio
import html
import itertools
import re
from dataclasses import dataclass, field
from typing import Any

from simulators.telegram_api import FakeTelegramAPI, UpdateFactory
from simulators.terminal import say, typed_lines

HELP = """Type a message and press Enter (commands such as /start go to the bot as typed).
  !N              press button N
  !pay            pay the last invoice (Telegram Payments)
  !contact PHONE  share a phone number
  !location LAT LON  share a location
  !help, !quit"""


_TAG = re.compile(r"<[^>]+>")


def plain(text: str) -> str:
    """chatcart sends HTML (parse_mode HTML); the terminal shows what Telegram would display."""
    return html.unescape(_TAG.sub("", text))


@dataclass
class Button:
    message_key: tuple[int, int]
    label: str
    callback_data: str | None
    url: str | None


@dataclass
class TelegramChatView:
    """What one customer sees of the bot: new and edited messages, popups, numbered buttons."""

    fake: FakeTelegramAPI
    user: UpdateFactory
    buttons: dict[int, Button] = field(default_factory=dict)
    _seen: dict[tuple[int, int], int] = field(default_factory=dict)  # message -> edit_date shown
    _calls_seen: int = 0
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def news(self) -> list[str]:
        """Blocks to print for everything that changed in the chat since the last call."""
        blocks: list[str] = []
        for call in self.fake.calls[self._calls_seen :]:
            if call.method == "answerCallbackQuery" and call.params.get("text"):
                blocks.append(f"(popup) {plain(str(call.params['text']))}")
        self._calls_seen = len(self.fake.calls)
        for key, message in list(self.fake.messages.items()):
            if key[0] != self.user.user_id:
                continue
            edited = int(message.get("edit_date") or 0)
            if key in self._seen and self._seen[key] == edited:
                continue
            prefix = "(edited) " if key in self._seen else ""
            self._seen[key] = edited
            blocks.append(prefix + self.describe(key, message))
        return blocks

    def describe(self, key: tuple[int, int], message: dict[str, Any]) -> str:
        lines: list[str] = []
        if "photo" in message:
            lines.append("[photo]")
        if message.get("text") or message.get("caption"):
            lines.append(plain(str(message.get("text") or message.get("caption"))))
        if "invoice" in message:
            invoice = message["invoice"]
            lines.append(
                f"[invoice] {invoice['title']}: {invoice['total_amount']} {invoice['currency']} "
                "(minor units) - !pay to pay"
            )
        if "location" in message:
            lines.append(f"[location] {message['location']['latitude']}, {message['location']['longitude']}")
        for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []:
            cells = []
            for cell in row:
                number = next(self._numbers)
                self.buttons[number] = Button(
                    key, str(cell.get("text", "")), cell.get("callback_data"), cell.get("url")
                )
                cells.append(f"[{number}] {cell.get('text', '')}" + (f" <{cell['url']}>" if cell.get("url") else ""))
            lines.append("  ".join(cells))
        return "\n".join(lines) or "(an empty message)"

    def press(self, number: int) -> dict[str, Any] | str:
        """The callback update for button `number`, or why it cannot be pressed."""
        button = self.buttons.get(number)
        if button is None:
            return f"there is no button {number}"
        if button.url is not None:
            return f"button {number} opens {button.url} in the browser"
        message = self.fake.messages.get(button.message_key)
        if message is None or button.callback_data is None:
            return f"button {number} is gone (the message was deleted)"
        current = [
            cell.get("callback_data")
            for row in (message.get("reply_markup") or {}).get("inline_keyboard") or []
            for cell in row
        ]
        if button.callback_data not in current:
            return f"button {number} is no longer on its message"
        return self.user.callback(button.callback_data, message)

    def last_invoice(self) -> dict[str, Any] | None:
        invoices = self.fake.calls_to("sendInvoice", chat_id=self.user.user_id)
        return invoices[-1].params if invoices else None


async def pay(view: TelegramChatView, invoice: dict[str, Any]) -> str:
    """Telegram's payment sequence: pre-checkout query, the bot's answer, then the payment."""
    fake, user = view.fake, view.user
    total = sum(int(price["amount"]) for price in invoice.get("prices") or [])
    answers_before = len(fake.calls_to("answerPreCheckoutQuery"))
    fake.queue_update(user.pre_checkout(str(invoice["payload"]), str(invoice["currency"]), total))
    for _ in range(300):  # the bot must answer within 10 s; we wait 15 for a slow first turn
        answers = fake.calls_to("answerPreCheckoutQuery")
        if len(answers) > answers_before:
            break
        await asyncio.sleep(0.05)
    else:
        return "the bot did not answer the pre-checkout query"
    answer = answers[-1].params
    if not answer.get("ok"):
        return f"payment refused: {answer.get('error_message')}"
    charge = f"sim-{user.next_update_id()}"
    fake.queue_update(user.successful_payment(str(invoice["payload"]), str(invoice["currency"]), total, charge))
    return f"paid {total} {invoice['currency']} (charge {charge})"


async def run_telegram_chat(*, port: int, user_id: int, language_code: str) -> None:
    fake = FakeTelegramAPI()
    fake.long_poll = True
    await fake.start(port)
    view = TelegramChatView(fake, UpdateFactory(user_id=user_id, language_code=language_code, first_name="Sim"))
    say(
        f"Fake Telegram Bot API on {fake.base_url}. In another terminal start chatcart on it:\n"
        f"  CHATCART_TELEGRAM_TOKEN={fake.token} CHATCART_TELEGRAM_API_BASE={fake.base_url} \\\n"
        "  CHATCART_TELEGRAM_PROVIDER_TOKEN=simulated chatcart telegram polling\n\n" + HELP
    )

    async def follow() -> None:
        while True:
            for block in view.news():
                say(f"bot: {block}")
            await asyncio.sleep(0.1)

    follower = asyncio.create_task(follow())
    try:
        async for line in typed_lines():
            if not line:
                continue
            if line in ("!quit", "!q"):
                break
            if line == "!help":
                say(HELP)
            elif line[1:].isdigit() and line.startswith("!"):
                pressed = view.press(int(line[1:]))
                if isinstance(pressed, str):
                    say(pressed)
                else:
                    fake.queue_update(pressed)
            elif line == "!pay":
                invoice = view.last_invoice()
                say(await pay(view, invoice) if invoice else "no invoice in this chat yet")
            elif line.startswith("!contact "):
                fake.queue_update(view.user.contact(line.split(maxsplit=1)[1]))
            elif line.startswith("!location "):
                try:
                    latitude, longitude = (float(value) for value in line.split()[1:3])
                except ValueError:
                    say("usage: !location 31.23 121.47")
                    continue
                fake.queue_update(view.user.location(latitude, longitude))
            elif line.startswith("!"):
                say(f"unknown command {line.split()[0]}\n{HELP}")
            else:
                fake.queue_update(view.user.text(line))
    finally:
        follower.cancel()
        await fake.stop()
