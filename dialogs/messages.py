"""Channel-neutral chat messages: what a customer sends in, what the bot sends out.

Channels translate their own updates into `IncomingMessage` and render `OutgoingMessage`s
as well as their medium allows (see `dialogs.render.render_as_text` for bare text).
Models are pydantic so the web chat can validate and serialise them as JSON frames.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from core.mongo import utcnow

Lang = Literal["zh", "en"]
LANGS: tuple[Lang, ...] = ("zh", "en")

# Telegram's callback_data limit; every channel must be able to carry a payload back to us.
MAX_PAYLOAD_BYTES = 64
MAX_TEXT_CHARS = 4000

COMMANDS = ("start", "cart", "orders", "help", "human", "lang")


def normalize_lang(value: str | None) -> Lang | None:
    """'zh-CN', 'zh_Hans', 'cn', '中文' -> 'zh'; 'en-US', 'english' -> 'en'; else None."""
    if not value:
        return None
    text = value.strip().lower().replace("_", "-")
    if text.startswith(("zh", "cn", "中")) or text in {"chinese", "汉语", "简体"}:
        return "zh"
    if text.startswith(("en", "英")):
        return "en"
    return None


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- incoming ------------------------------------------------------------------------------


class IncomingMessage(_Model):
    """One thing the customer did: typed, pressed, shared or commanded."""

    channel: str = Field(min_length=1, max_length=32)
    channel_user_id: str = Field(min_length=1, max_length=128)
    kind: Literal["text", "button", "location", "image", "contact", "command"] = "text"
    text: str = Field(default="", max_length=MAX_TEXT_CHARS)
    payload: str = Field(default="", max_length=MAX_PAYLOAD_BYTES * 4)  # bytes checked by channels
    command: str = Field(default="", max_length=32)  # without the slash: "start", "lang"
    args: str = Field(default="", max_length=256)
    lang_hint: Lang | None = None
    image_urls: tuple[str, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    phone: str = Field(default="", max_length=32)
    display_name: str = Field(default="", max_length=128)
    message_id: str = Field(default="", max_length=128)
    at: datetime = Field(default_factory=utcnow)

    @classmethod
    def from_text(cls, channel: str, user: str, text: str, lang_hint: Lang | None = None) -> IncomingMessage:
        """Typed text; a leading '/word' becomes a command as every chat app does."""
        stripped = text.strip()[:MAX_TEXT_CHARS]
        if stripped.startswith("/") and len(stripped) > 1:
            name, _, rest = stripped[1:].partition(" ")
            name = name.split("@", 1)[0].lower()  # Telegram: /start@ShopBot
            return cls(
                channel=channel,
                channel_user_id=user,
                kind="command",
                command=name[:32],
                args=rest.strip()[:256],
                text=stripped,
                lang_hint=lang_hint,
            )
        return cls(channel=channel, channel_user_id=user, kind="text", text=stripped, lang_hint=lang_hint)

    @classmethod
    def from_button(
        cls, channel: str, user: str, payload: str, label: str = "", lang_hint: Lang | None = None
    ) -> IncomingMessage:
        return cls(
            channel=channel,
            channel_user_id=user,
            kind="button",
            payload=payload[: MAX_PAYLOAD_BYTES * 4],
            text=label[:MAX_TEXT_CHARS],
            lang_hint=lang_hint,
        )

    def transcript_text(self) -> str:
        if self.kind == "button":
            return f"[{self.payload}] {self.text}".strip()
        if self.kind == "location":
            return f"[location {self.latitude},{self.longitude}]"
        if self.kind == "image":
            return f"[image x{len(self.image_urls)}] {self.text}".strip()
        if self.kind == "contact":
            return "[contact]"
        return self.text


# --- outgoing ------------------------------------------------------------------------------


class Button(_Model):
    label: str = Field(min_length=1, max_length=64)
    payload: str = Field(min_length=1)
    url: str | None = None  # a link button (payment page) instead of a callback

    @field_validator("payload")
    @classmethod
    def _short_payload(cls, value: str) -> str:
        if len(value.encode("utf-8")) > MAX_PAYLOAD_BYTES:
            raise ValueError(f"button payload longer than {MAX_PAYLOAD_BYTES} bytes: {value!r}")
        return value


class TextReply(_Model):
    """Plain text, optionally with quick-reply buttons."""

    type: Literal["text"] = "text"
    text: str
    buttons: tuple[Button, ...] = ()
    agent_name: str = ""  # set when a person wrote it: chats show who is talking


class SpecChoice(_Model):
    """One selectable dimension of a product (颜色 / Color) and its values."""

    name: str
    values: tuple[str, ...]
    selected: str | None = None


class ProductCard(_Model):
    type: Literal["product"] = "product"
    product_id: str
    title: str
    text: str = ""  # price / stock / description line
    price: str = ""
    image_url: str | None = None
    specs: tuple[SpecChoice, ...] = ()
    buttons: tuple[Button, ...] = ()
    agent_name: str = ""  # an agent sent this card from the console


class Carousel(_Model):
    """A page of product cards (search results, recommendations) with paging buttons."""

    type: Literal["carousel"] = "carousel"
    text: str
    items: tuple[ProductCard, ...]
    page: int = 1
    pages: int = 1
    buttons: tuple[Button, ...] = ()


class PaymentLink(_Model):
    type: Literal["payment_link"] = "payment_link"
    text: str
    url: str
    order_number: str
    amount: str
    buttons: tuple[Button, ...] = ()


class SummaryLine(_Model):
    label: str
    value: str


class OrderSummary(_Model):
    type: Literal["order_summary"] = "order_summary"
    text: str  # heading
    lines: tuple[SummaryLine, ...]
    total: str
    order_number: str | None = None
    buttons: tuple[Button, ...] = ()


class HandoffNotice(_Model):
    type: Literal["handoff"] = "handoff"
    text: str
    status: Literal["waiting", "agent", "released"]
    buttons: tuple[Button, ...] = ()
    agent_name: str = ""  # the person who joined or left


OutgoingMessage = Annotated[
    TextReply | ProductCard | Carousel | PaymentLink | OrderSummary | HandoffNotice, Field(discriminator="type")
]


def signed_by(message: OutgoingMessage, agent_name: str) -> OutgoingMessage:
    """The message marked as written by the agent `agent_name` (when its type can carry it)."""
    if agent_name and isinstance(message, TextReply | ProductCard | HandoffNotice):
        return message.model_copy(update={"agent_name": agent_name[:64]})
    return message


def buttons_of(replies: list[OutgoingMessage]) -> list[Button]:
    """Every button shown in a batch of replies, in display order (cards inside carousels too)."""
    found: list[Button] = []
    for reply in replies:
        if isinstance(reply, Carousel):
            for item in reply.items:
                found.extend(item.buttons)
        found.extend(reply.buttons)
    return found


def choice_buttons(replies: list[OutgoingMessage]) -> list[Button]:
    """The pressable (non-link) buttons, de-duplicated: what "type the number" refers to."""
    seen: set[str] = set()
    choices: list[Button] = []
    for button in buttons_of(replies):
        if button.url is None and button.payload not in seen:
            seen.add(button.payload)
            choices.append(button)
    return choices
