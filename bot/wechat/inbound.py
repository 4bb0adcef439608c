"""What a WeChat push means for chatcart: a message for the dialogs, or bookkeeping only.

The fields are read through wechatpy's message and event classes (the XML itself is parsed
by `xmlsafe`, never by xmltodict). Menu CLICK keys map to dialog commands/buttons.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Literal

from wechatpy.events import EVENT_TYPES
from wechatpy.messages import MESSAGE_TYPES, UnknownMessage

from bot.wechat.menu import MENU_ACTIONS
from dialogs.messages import MAX_PAYLOAD_BYTES, MAX_TEXT_CHARS, IncomingMessage

CHANNEL = "wechat"

# Events after which the customer-service (custom message) window is open for 48 hours.
WINDOW_EVENTS = frozenset(
    {
        "subscribe",
        "subscribe_scan",
        "scan",
        "click",
        "view",
        "location_select",
        "scancode_push",
        "scancode_waitmsg",
        "pic_sysphoto",
        "pic_photo_or_album",
        "pic_weixin",
    }
)

Action = Literal["dialog", "voice_unrecognized", "unsupported", "unsubscribe", "template_finished", "ignore"]


class InboundRejected(ValueError):
    """A push without the fields every WeChat message carries."""


@dataclass(frozen=True)
class Inbound:
    """One push from WeChat, with what chatcart should do about it."""

    fields: dict[str, Any]
    message: Any  # the wechatpy message / event object
    msg_type: str
    event: str  # lower case; "" for ordinary messages
    openid: str
    account: str  # the official account's original id (gh_...)
    create_time: int
    action: Action
    incoming: IncomingMessage | None = None
    scene: str | None = None

    @property
    def dedup_key(self) -> str:
        """MsgId for messages; FromUserName + CreateTime (+ event) for events, as WeChat advises."""
        msg_id = str(self.fields.get("MsgId") or self.fields.get("MsgID") or "")
        if msg_id and self.msg_type != "event":
            return f"msg:{msg_id}"
        key = str(self.fields.get("EventKey") or "")
        digest = hashlib.sha1(f"{self.event}|{key}".encode()).hexdigest()[:12]  # noqa: S324 - a short tag
        return f"evt:{self.openid}:{self.create_time}:{digest}"

    @property
    def opens_window(self) -> bool:
        return self.msg_type != "event" or self.event in WINDOW_EVENTS


def wechatpy_message(fields: dict[str, Any]) -> tuple[Any, str, str]:
    """The same dispatch as `wechatpy.parse_message`, on already (safely) parsed fields."""
    data = dict(fields)
    msg_type = str(data.get("MsgType") or "").lower()
    event = ""
    if msg_type == "event":
        event = str(data.get("Event") or "").lower()
        key = str(data.get("EventKey") or "")
        if event == "subscribe" and key.startswith("qrscene_"):
            event = "subscribe_scan"
            data["Event"], data["EventKey"] = event, key[len("qrscene_") :]
        cls = EVENT_TYPES.get(event, UnknownMessage)
    else:
        cls = MESSAGE_TYPES.get(msg_type, UnknownMessage)
    return cls(data), msg_type, event


def parse_inbound(fields: dict[str, Any]) -> Inbound:
    for required in ("FromUserName", "ToUserName", "CreateTime", "MsgType"):
        if not isinstance(fields.get(required), str) or not fields[required]:
            raise InboundRejected(f"missing {required}")
    create_time = str(fields["CreateTime"])
    if not create_time.isdigit() or len(create_time) > 12:
        raise InboundRejected("bad CreateTime")
    openid = str(fields["FromUserName"])[:128]
    message, msg_type, event = wechatpy_message(fields)
    base: dict[str, Any] = {
        "fields": fields,
        "message": message,
        "msg_type": msg_type,
        "event": event,
        "openid": openid,
        "account": str(fields["ToUserName"])[:64],
        "create_time": int(create_time),
    }
    action, incoming, scene = _meaning(message, msg_type, event, openid)
    inbound = Inbound(**base, action=action, scene=scene)
    if incoming is not None:
        incoming = incoming.model_copy(update={"message_id": inbound.dedup_key})
        inbound = Inbound(**base, action=action, incoming=incoming, scene=scene)
    return inbound


def _text(value: Any) -> str:
    return str(value or "").strip()[:MAX_TEXT_CHARS]


def _meaning(message: Any, msg_type: str, event: str, openid: str) -> tuple[Action, IncomingMessage | None, str | None]:
    if msg_type == "text":
        return "dialog", IncomingMessage.from_text(CHANNEL, openid, _text(message.content)), None
    if msg_type == "voice":
        recognized = _text(message.recognition)
        if not recognized:
            return "voice_unrecognized", None, None
        return "dialog", IncomingMessage.from_text(CHANNEL, openid, recognized), None
    if msg_type == "image":
        url = _text(message.image)
        urls = (url,) if url.startswith(("http://", "https://")) else ()
        return "dialog", IncomingMessage(channel=CHANNEL, channel_user_id=openid, kind="image", image_urls=urls), None
    if msg_type == "location":
        try:
            latitude, longitude = float(message.location_x), float(message.location_y)
        except (TypeError, ValueError):
            return "unsupported", None, None
        if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
            return "unsupported", None, None
        return (
            "dialog",
            IncomingMessage(
                channel=CHANNEL,
                channel_user_id=openid,
                kind="location",
                latitude=latitude,
                longitude=longitude,
                text=_text(message.label),
            ),
            None,
        )
    if msg_type == "link":
        text = " ".join(part for part in (_text(message.title), _text(message.url)) if part)
        return "dialog", IncomingMessage.from_text(CHANNEL, openid, text[:MAX_TEXT_CHARS]), None
    if msg_type != "event":
        return "unsupported", None, None
    return _event_meaning(message, event, openid)


def _event_meaning(message: Any, event: str, openid: str) -> tuple[Action, IncomingMessage | None, str | None]:
    if event in ("subscribe", "subscribe_scan", "scan"):
        scene = _text(getattr(message, "scene_id", None) or "")[:64] or None
        # No text: "/start" would make the engine guess English for a brand-new follower.
        start = IncomingMessage(
            channel=CHANNEL, channel_user_id=openid, kind="command", command="start", args=scene or ""
        )
        return "dialog", start, scene
    if event == "unsubscribe":
        return "unsubscribe", None, None
    if event == "templatesendjobfinish":
        return "template_finished", None, None
    if event == "click":
        key = _text(message.key)
        mapped = MENU_ACTIONS.get(key)
        if mapped is not None:
            return "dialog", mapped.incoming(openid), None
        if key and len(key.encode("utf-8")) <= MAX_PAYLOAD_BYTES:
            # Keys set up by the shop owner may be dialog button payloads ("pop", "cart").
            return "dialog", IncomingMessage.from_button(CHANNEL, openid, key), None
        return "ignore", None, None
    return "ignore", None, None  # VIEW (user leaves to a page), LOCATION reports, card events, ...
