"""A transcript message as a person reads it in the console: the same rendering for the
conversation loaded with the page and for messages arriving live.

Customers' button presses are stored with their payload ("[product:P112] 查看详情",
"[rsn:0]", "[photos:done]"); an agent reads the button's label instead, or, when the channel
sent none, what the button does. Photos come back as their addresses to show as thumbnails.
Times are in the shop's zone (`ShopClock`), labels in the console's language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from admin_web.i18n import translate, translate_or
from core.shop_time import ShopClock, TimeStyle
from dialogs import buttons
from dialogs.transcript import TranscriptEntry

_BUTTON = re.compile(r"^\[(?P<payload>[^\]\s]+)\]\s*(?P<label>.*)$", re.DOTALL)
_IMAGE = re.compile(r"^\[image x(?P<count>\d+)\]\s*(?P<caption>.*)$", re.DOTALL)
_LOCATION = re.compile(r"^\[location (?P<where>[-\d.]+,[-\d.]+)\]$")
# Pressed buttons whose value says something to a person (a product code, an order number).
_VALUE_SHOWN = frozenset(
    {buttons.PRODUCT, buttons.ADD_SKU, buttons.ORDER, buttons.TRACK, buttons.PAY, buttons.CANCEL_ORDER}
)


@dataclass(frozen=True, slots=True)
class ShownMessage:
    key: str
    sender: str  # customer / bot / agent / system (the CSS class)
    sender_label: str
    time: str
    text: str
    pressed: bool = False  # a button press, shown as such
    images: tuple[str, ...] = ()

    def to_event(self) -> dict[str, object]:
        return {
            "key": self.key,
            "sender": self.sender,
            "sender_label": self.sender_label,
            "time": self.time,
            "text": self.text,
            "pressed": self.pressed,
            "images": list(self.images),
        }


def show_transcript(
    lang: str, clock: ShopClock, messages: Iterable[TranscriptEntry], *, style: TimeStyle = "time"
) -> list[ShownMessage]:
    return [
        show_message(
            lang,
            clock,
            key=m.key,
            sender=m.sender,
            kind=m.kind,
            text=m.text,
            at=m.at,
            images=m.images,
            style=style,
            payload=m.payload,
        )
        for m in messages
    ]


def button_label(lang: str, payload: str) -> str:
    """What a pressed button did, when the channel did not send its label."""
    code, value = buttons.split(payload)
    label = translate_or(lang, f"pressed.{code}", translate(lang, "pressed.other"))
    return f"{label} {value}" if value and code in _VALUE_SHOWN else label


def show_message(
    lang: str,
    clock: ShopClock,
    *,
    key: str,
    sender: str,
    kind: str,
    text: str,
    at: datetime | None,
    images: tuple[str, ...] = (),
    style: TimeStyle = "time",
    payload: Mapping[str, Any] | None = None,
) -> ShownMessage:
    shown_text, pressed = text, False
    if sender == "customer":
        shown_text, pressed = _customer_text(lang, kind, text, images)
    elif kind == "product" and payload:
        # A card's text is its small print (brand, stock): lead with what the customer saw.
        heading = " ".join(str(payload.get(k) or "") for k in ("title", "price")).strip()
        shown_text = " · ".join(p for p in (heading, text) if p)
    return ShownMessage(
        key=key,
        sender=sender,
        sender_label=translate_or(lang, f"sender.{sender}", sender),
        time=clock.format(at, style),
        text=shown_text,
        pressed=pressed,
        images=tuple(u for u in images if u.startswith(("https://", "http://", "/"))),
    )


def _customer_text(lang: str, kind: str, text: str, images: tuple[str, ...]) -> tuple[str, bool]:
    if kind == "button" and (match := _BUTTON.match(text)):
        return match.group("label").strip() or button_label(lang, match.group("payload")), True
    if kind == "image" and (match := _IMAGE.match(text)):
        caption = match.group("caption").strip()
        count = len(images) or int(match.group("count"))
        photos = translate(lang, "pressed.photo_count", count=count)
        return (f"{photos} · {caption}" if caption else photos), False
    if kind == "location" and (match := _LOCATION.match(text)):
        return translate(lang, "pressed.location", where=match.group("where")), False
    if kind == "contact":
        return translate(lang, "pressed.contact"), False
    return text, False
