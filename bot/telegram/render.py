"""Channel-neutral replies -> Telegram send actions (pure: no I/O, easy to test).

Texts use parse_mode HTML: every piece of customer or catalog text is escaped, and length
limits (4096 for messages, 1024 for captions, counted in UTF-16 units after entity parsing as
Telegram does) are applied to the visible text before markup is added, so truncation can never
cut a tag or an entity in half.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.telegram.texts import shared_text, text
from dialogs import buttons as button_codes
from dialogs.messages import (
    LANGS,
    Button,
    Carousel,
    HandoffNotice,
    Lang,
    OrderSummary,
    OutgoingMessage,
    PaymentLink,
    ProductCard,
    TextReply,
)

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
ELLIPSIS = "…"
_TAG = re.compile(r"<[^>]+>")
# Dialog texts after which offering Telegram's "share phone number" keyboard helps.
PHONE_PROMPT_KEYS = ("checkout.ask_phone", "checkout.invalid_phone")
MAX_ROW_BUTTONS = 3
MAX_ROW_CHARS = 36

ActionKind = Literal["text", "photo", "invoice"]
Style = Literal["", "b", "i", "u"]


@dataclass(frozen=True)
class TelegramAction:
    """One Bot API send; stored as a document in the outbox, so it holds only plain data."""

    kind: ActionKind
    html: str = ""  # message text or photo caption, parse_mode HTML
    fallback_html: str = ""  # full text for a photo that cannot be sent (caption is shorter)
    photo: str | None = None  # absolute URL, or a catalog path like /media/products/P1.png
    reply_markup: dict[str, Any] | None = None  # InlineKeyboardMarkup / ReplyKeyboardMarkup JSON
    shape: str = ""  # reply type it came from ("carousel", "product", ...): edit-in-place matching
    order_number: str | None = None  # invoice actions

    def to_doc(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "html": self.html,
            "fallback_html": self.fallback_html,
            "photo": self.photo,
            "reply_markup": self.reply_markup,
            "shape": self.shape,
            "order_number": self.order_number,
        }

    @classmethod
    def from_doc(cls, doc: dict[str, Any]) -> TelegramAction:
        return cls(
            kind=doc["kind"],
            html=str(doc.get("html") or ""),
            fallback_html=str(doc.get("fallback_html") or ""),
            photo=doc.get("photo"),
            reply_markup=doc.get("reply_markup"),
            shape=str(doc.get("shape") or ""),
            order_number=doc.get("order_number"),
        )

    @property
    def inline_buttons(self) -> list[dict[str, Any]]:
        if not self.reply_markup:
            return []
        return [b for row in self.reply_markup.get("inline_keyboard") or [] for b in row]


# --- visible-length-safe HTML -------------------------------------------------------------------


def utf16_len(value: str) -> int:
    return len(value.encode("utf-16-le")) // 2


@dataclass
class RichText:
    """Styled segments; rendered to HTML only after the visible text fits the limit."""

    segments: list[tuple[str, Style]] = field(default_factory=list)

    def add(self, value: str, style: Style = "") -> RichText:
        if value:
            self.segments.append((value, style))
        return self

    def line(self, value: str = "", style: Style = "") -> RichText:
        if self.segments:
            self.segments.append(("\n", ""))
        return self.add(value, style)

    @property
    def plain(self) -> str:
        return "".join(value for value, _ in self.segments)

    def truncated(self, limit: int) -> RichText:
        if utf16_len(self.plain) <= limit:
            return self
        budget = limit - utf16_len(ELLIPSIS)
        kept: list[tuple[str, Style]] = []
        for value, style in self.segments:
            size = utf16_len(value)
            if size <= budget:
                kept.append((value, style))
                budget -= size
                continue
            cut = _cut_utf16(value, budget)
            if cut:
                kept.append((cut, style))
            break
        kept.append((ELLIPSIS, ""))
        return RichText(kept)

    def html(self, limit: int) -> str:
        parts = []
        for value, style in self.truncated(limit).segments:
            escaped = html.escape(value, quote=False)
            parts.append(f"<{style}>{escaped}</{style}>" if style and escaped.strip() else escaped)
        return "".join(parts).strip() or ELLIPSIS


def _cut_utf16(value: str, budget: int) -> str:
    """The longest prefix of `value` within `budget` UTF-16 units (never splits a surrogate pair)."""
    used = 0
    for index, char in enumerate(value):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > budget:
            return value[:index]
    return value


# --- keyboards ----------------------------------------------------------------------------------


def _button_json(button: Button, label: str | None = None) -> dict[str, Any]:
    shown = (label or button.label)[:64]
    if button.url:
        return {"text": shown, "url": button.url}
    return {"text": shown, "callback_data": button.payload}


def _rows(buttons: Iterable[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Short labels share a row (up to 3), long ones get their own."""
    rows: list[list[dict[str, Any]]] = []
    row: list[dict[str, Any]] = []
    width = 0
    for button in buttons:
        size = len(button["text"])
        if row and (len(row) >= MAX_ROW_BUTTONS or width + size > MAX_ROW_CHARS or "url" in button):
            rows.append(row)
            row, width = [], 0
        row.append(button)
        width += size
        if "url" in button:  # links (pay now) stand out on their own row
            rows.append(row)
            row, width = [], 0
    if row:
        rows.append(row)
    return rows


def inline_markup(rows: list[list[dict[str, Any]]]) -> dict[str, Any] | None:
    rows = [row for row in rows if row]
    return {"inline_keyboard": rows} if rows else None


def share_phone_keyboard(lang: Lang) -> dict[str, Any]:
    return {
        "keyboard": [[{"text": text("share_phone.button", lang), "request_contact": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }


# --- replies --------------------------------------------------------------------------------------


def _card_text(card: ProductCard) -> RichText:
    rich = RichText().add(card.title, "b")
    if card.price:
        rich.add("  ").add(card.price)
    if card.text:
        rich.line(card.text)
    for spec in card.specs:
        rich.line(f"{spec.name}: ")
        for index, value in enumerate(spec.values):
            if index:
                rich.add(" / ")
            rich.add(value, "u" if value == spec.selected else "")
    return rich


def render_card(card: ProductCard) -> TelegramAction:
    rich = _card_text(card)
    markup = inline_markup(_rows(_button_json(b) for b in card.buttons))
    if card.image_url:
        return TelegramAction(
            "photo",
            html=rich.html(MAX_CAPTION),
            fallback_html=rich.html(MAX_MESSAGE),
            photo=card.image_url,
            reply_markup=markup,
            shape="product",
        )
    return TelegramAction("text", html=rich.html(MAX_MESSAGE), reply_markup=markup, shape="product")


def render_carousel(carousel: Carousel, lang: Lang) -> TelegramAction:
    rich = RichText().add(carousel.text, "b")
    rows: list[list[dict[str, Any]]] = []
    for index, item in enumerate(carousel.items, start=1):
        rich.line().line(f"{index}. ").add(item.title, "b")
        if item.price:
            rich.add(f"  {item.price}")
        if item.text:
            rich.line(f"    {item.text}", "i")
        rows.extend(_rows(_button_json(b, f"{index} · {b.label}") for b in item.buttons))
    if carousel.pages > 1:
        rich.line().line(shared_text("render.page", lang, page=carousel.page, pages=carousel.pages), "i")
    rows.append([_button_json(b) for b in carousel.buttons if not b.url])
    rows.extend(_rows(_button_json(b) for b in carousel.buttons if b.url))
    return TelegramAction("text", html=rich.html(MAX_MESSAGE), reply_markup=inline_markup(rows), shape="carousel")


def render_summary(summary: OrderSummary, lang: Lang) -> TelegramAction:
    rich = RichText().add(summary.text, "b")
    for line in summary.lines:
        rich.line(f"{line.label}: {line.value}")
    rich.line(f"{shared_text('render.total', lang)}: {summary.total}", "b")
    markup = inline_markup(_rows(_button_json(b) for b in summary.buttons))
    return TelegramAction("text", html=rich.html(MAX_MESSAGE), reply_markup=markup, shape="summary")


def render_payment(link: PaymentLink, lang: Lang, *, invoices: bool) -> list[TelegramAction]:
    buttons = list(link.buttons)
    if not any(b.url for b in buttons):
        buttons.insert(0, Button(label=shared_text("render.pay_here", lang), payload="payurl", url=link.url))
    markup = inline_markup(_rows(_button_json(b) for b in buttons))
    actions = [
        TelegramAction("text", html=RichText().add(link.text).html(MAX_MESSAGE), reply_markup=markup, shape="payment")
    ]
    if invoices:
        actions.append(TelegramAction("invoice", order_number=link.order_number, shape="invoice"))
    return actions


def render_text(reply: TextReply | HandoffNotice, lang: Lang) -> list[TelegramAction]:
    markup = inline_markup(_rows(_button_json(b) for b in reply.buttons))
    body = RichText().add(reply.text, "i" if isinstance(reply, HandoffNotice) else "").html(MAX_MESSAGE)
    if not _asks_for_phone(reply.text):
        return [TelegramAction("text", html=body, reply_markup=markup, shape=reply.type)]
    if markup is None:  # one message can carry only one keyboard
        return [TelegramAction("text", html=body, reply_markup=share_phone_keyboard(lang), shape=reply.type)]
    prompt = html.escape(text("share_phone.prompt", lang), quote=False)
    return [
        TelegramAction("text", html=body, reply_markup=markup, shape=reply.type),
        TelegramAction("text", html=prompt, reply_markup=share_phone_keyboard(lang), shape="share_phone"),
    ]


def _asks_for_phone(value: str) -> bool:
    for key in PHONE_PROMPT_KEYS:
        for lang in LANGS:
            try:
                if value.strip() == shared_text(key, lang).strip():
                    return True
            except KeyError:
                continue
    return False


def render(replies: Sequence[OutgoingMessage], lang: Lang, *, invoices: bool = False) -> list[TelegramAction]:
    actions: list[TelegramAction] = []
    for reply in replies:
        if isinstance(reply, ProductCard):
            actions.append(render_card(reply))
        elif isinstance(reply, Carousel):
            actions.append(render_carousel(reply, lang))
        elif isinstance(reply, OrderSummary):
            actions.append(render_summary(reply, lang))
        elif isinstance(reply, PaymentLink):
            actions.extend(render_payment(reply, lang, invoices=invoices))
        else:
            actions.extend(render_text(reply, lang))
    return actions


def edits_in_place(payload: str) -> bool:
    """The answer to this button replaces the message it was pressed on (a new page of results,
    another spec chosen on a product card) instead of adding a message below it."""
    return button_codes.edits_in_place(payload)


def plain_len(markup: str) -> int:
    """Visible length (UTF-16 units) of rendered HTML, as Telegram counts it."""
    return utf16_len(html.unescape(_TAG.sub("", markup)))
