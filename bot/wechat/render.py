"""Turning the dialogs' replies into WeChat messages.

WeChat limits (checked 2024, documented in the README):
- a passive reply is ONE message; a news (图文) passive reply may carry only 1 article when it
  answers a user's text/image/voice/video/link/location message (up to 8 for event replies);
- a customer-service news message (`message/custom/send`, msgtype news) carries 1 article
  (more gives errcode 45008);
- text content is kept under ~2048 bytes per message.
So an answer becomes a sequence: the first message goes back passively, the rest through the
customer-service API. Product cards become one-article news messages with the picture and a
link to the product page; pressable buttons become numbered choices (typing the number
presses the button, as in every text channel); link buttons stay links.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from wechatpy.replies import ArticlesReply
from wechatpy.replies import TextReply as WxTextReply

from bot.wechat.links import Links
from bot.wechat.xmlsafe import cdata
from dialogs.i18n import t
from dialogs.messages import Carousel, Lang, OutgoingMessage, PaymentLink, ProductCard, choice_buttons
from dialogs.render import render_reply

MAX_TEXT_BYTES = 2000
MAX_ARTICLES_PER_ANSWER = 8
TITLE_CHARS = 64
DESCRIPTION_CHARS = 120


@dataclass(frozen=True)
class WxText:
    content: str

    def to_doc(self) -> dict[str, Any]:
        return {"type": "text", "content": self.content}


@dataclass(frozen=True)
class WxArticle:
    title: str
    description: str
    url: str
    picurl: str

    def to_doc(self) -> dict[str, str]:
        return {"title": self.title, "description": self.description, "url": self.url, "picurl": self.picurl}


@dataclass(frozen=True)
class WxNews:
    article: WxArticle  # one article: the most both passive and custom news messages allow

    def to_doc(self) -> dict[str, Any]:
        return {"type": "news", "article": self.article.to_doc()}


WxMessage = WxText | WxNews


def message_from_doc(doc: dict[str, Any]) -> WxMessage:
    if doc.get("type") == "news":
        a = doc["article"]
        return WxNews(WxArticle(str(a["title"]), str(a["description"]), str(a["url"]), str(a["picurl"])))
    return WxText(str(doc.get("content") or ""))


def custom_payload(message: WxMessage) -> dict[str, Any]:
    """The `message/custom/send` body (without `touser`)."""
    if isinstance(message, WxNews):
        return {"msgtype": "news", "news": {"articles": [message.article.to_doc()]}}
    return {"msgtype": "text", "text": {"content": message.content}}


def passive_xml(message: WxMessage, *, openid: str, account: str) -> str:
    """The passive reply XML (before safe-mode encryption), built with wechatpy."""
    now = int(time.time())
    if isinstance(message, WxNews):
        a = message.article
        reply = ArticlesReply(source=cdata(account), target=cdata(openid), time=now)
        reply.add_article(
            {
                "title": cdata(a.title),
                "description": cdata(a.description),
                "image": cdata(a.picurl),
                "url": cdata(a.url),
            }
        )
        return str(reply.render())
    return str(
        WxTextReply(source=cdata(account), target=cdata(openid), time=now, content=cdata(message.content)).render()
    )


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _article(card: ProductCard, lang: Lang, links: Links) -> WxArticle:
    details = [card.text] if card.text else []
    details.extend(f"{spec.name}: {' / '.join(spec.values)}" for spec in card.specs)
    return WxArticle(
        title=_clip(f"{card.title} {card.price}".strip(), TITLE_CHARS),
        description=_clip(" · ".join(details), DESCRIPTION_CHARS),
        url=links.product_page(card.product_id, lang),
        picurl=links.absolute(card.image_url),
    )


def split_text(text: str, limit: int = MAX_TEXT_BYTES) -> list[str]:
    """Chunks of at most `limit` UTF-8 bytes, cut at line ends where possible."""
    chunks: list[str] = []
    current = ""
    for line in text.split("\n"):
        candidate = f"{current}\n{line}" if current else line
        if len(candidate.encode("utf-8")) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        while len(line.encode("utf-8")) > limit:  # one enormous line: cut by characters
            cut = len(line.encode("utf-8")[:limit].decode("utf-8", errors="ignore"))
            chunks.append(line[:cut])
            line = line[cut:]
        current = line
    if current.strip():
        chunks.append(current)
    return chunks


def _text_lines(reply: OutgoingMessage, lang: Lang, links: Links) -> list[str]:
    lines = render_reply(reply, lang)
    if isinstance(reply, PaymentLink) and links.oauth:
        wrapped = links.page(reply.url)
        lines = [line.replace(reply.url, wrapped) for line in lines]
    return lines


def plan_messages(replies: list[OutgoingMessage], lang: Lang, links: Links) -> list[WxMessage]:
    """The WeChat messages for one answer, in the order the customer should read them."""
    segments: list[WxMessage | list[str]] = []
    articles = 0

    def add_lines(lines: list[str]) -> None:
        if segments and isinstance(segments[-1], list):
            segments[-1].extend(["", *lines])
        else:
            segments.append(list(lines))

    for reply in replies:
        if isinstance(reply, ProductCard):
            if articles < MAX_ARTICLES_PER_ANSWER:
                segments.append(WxNews(_article(reply, lang, links)))
                articles += 1
            else:
                add_lines(_text_lines(reply, lang, links))
            link_lines = [f"{b.label}: {links.page(b.url)}" for b in reply.buttons if b.url]
            if link_lines:
                add_lines(link_lines)
            continue
        add_lines(_text_lines(reply, lang, links))
        if isinstance(reply, Carousel):
            for item in reply.items:
                if articles >= MAX_ARTICLES_PER_ANSWER:
                    break
                segments.append(WxNews(_article(item, lang, links)))
                articles += 1

    choices = choice_buttons(replies)
    if choices:
        numbered = [t("render.choose", lang)]
        numbered.extend(f"{index}. {button.label}" for index, button in enumerate(choices, start=1))
        text_positions = [i for i, s in enumerate(segments) if isinstance(s, list)]
        if text_positions:
            segment = segments[text_positions[-1]]
            assert isinstance(segment, list)
            segment.extend(["", *numbered])
        else:
            segments.append(numbered)

    messages: list[WxMessage] = []
    for segment in segments:
        if isinstance(segment, list):
            messages.extend(WxText(chunk) for chunk in split_text("\n".join(segment).strip()))
        else:
            messages.append(segment)
    return messages
