"""Plain-text rendering of replies for channels without buttons (terminal, SMS-like chats).

Pressable buttons become numbered choices in one list after all replies; the engine keeps
the same list (`choice_buttons`) so that typing "2" presses the second choice.
"""

from __future__ import annotations

from dialogs.i18n import t
from dialogs.messages import (
    Carousel,
    HandoffNotice,
    Lang,
    OrderSummary,
    OutgoingMessage,
    PaymentLink,
    ProductCard,
    TextReply,
    choice_buttons,
)


def _card_lines(card: ProductCard, lang: Lang) -> list[str]:
    lines = [f"【{card.title}】 {card.price}".rstrip()]
    if card.text:
        lines.append(f"  {card.text}")
    for spec in card.specs:
        values = " / ".join(f"[{v}]" if v == spec.selected else v for v in spec.values)
        lines.append(f"  {spec.name}: {values}")
    if card.image_url:
        lines.append(f"  {t('render.image', lang)}: {card.image_url}")
    return lines


def render_reply(reply: OutgoingMessage, lang: Lang) -> list[str]:
    """The text lines of one reply (without its numbered buttons)."""
    lines: list[str] = []
    if isinstance(reply, TextReply | HandoffNotice):
        lines.append(reply.text)
    elif isinstance(reply, ProductCard):
        lines.extend(_card_lines(reply, lang))
    elif isinstance(reply, Carousel):
        lines.append(reply.text)
        for index, item in enumerate(reply.items, start=1):
            lines.append(f"  ({index}) {item.title}  {item.price}".rstrip())
            if item.text:
                lines.append(f"      {item.text}")
        if reply.pages > 1:
            lines.append(t("render.page", lang, page=reply.page, pages=reply.pages))
    elif isinstance(reply, PaymentLink):
        lines.append(reply.text)
        lines.append(f"{t('render.pay_here', lang)}: {reply.url}")
    elif isinstance(reply, OrderSummary):
        lines.append(reply.text)
        lines.extend(f"  {line.label}: {line.value}" for line in reply.lines)
        lines.append(f"  {t('render.total', lang)}: {reply.total}")
    for button in reply.buttons:
        if button.url and button.url != getattr(reply, "url", None):
            lines.append(f"  {button.label}: {button.url}")
    return lines


def render_as_text(replies: list[OutgoingMessage], lang: Lang) -> str:
    """All replies as one text, followed by the numbered choices."""
    blocks = ["\n".join(render_reply(reply, lang)) for reply in replies]
    choices = choice_buttons(replies)
    if choices:
        numbered = "\n".join(f"{index}. {button.label}" for index, button in enumerate(choices, start=1))
        blocks.append(f"{t('render.choose', lang)}\n{numbered}")
    return "\n\n".join(block for block in blocks if block)
