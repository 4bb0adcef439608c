"""A fake Telegram Bot API server for tests, benchmarks and trying the bot without an account
(aiohttp on a loopback port; `python -m simulators telegram` chats with it from a terminal).

It speaks the real wire format: `POST /bot<token>/<method>` with form, multipart or JSON
bodies, answers `{"ok": true, "result": ...}` with Message/Chat/User objects, and fails the
way Telegram does (400 "message is not modified", 403 "bot was blocked by the user", 429 with
`parameters.retry_after`). Every call is recorded for assertions; faults can be injected.
Point aiogram at it with `TelegramAPIServer.from_base(fake.base_url)`.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

# Fields aiogram sends JSON-encoded inside form bodies.
_JSON_FIELDS = {
    "reply_markup",
    "media",
    "allowed_updates",
    "commands",
    "prices",
    "entities",
    "caption_entities",
    "scope",
    "link_preview_options",
    "reply_parameters",
    "suggested_tip_amounts",
    "provider_data",
    "shipping_options",
}
_INT_FIELDS = {
    "chat_id",
    "message_id",
    "offset",
    "limit",
    "timeout",
    "total_amount",
    "max_connections",
    "cache_time",
    "latitude",
    "longitude",
}
_BOOL_FIELDS = {"drop_pending_updates", "show_alert", "ok", "need_phone_number", "is_flexible"}
SEND_METHODS = {"sendMessage", "sendPhoto", "sendInvoice", "sendLocation", "sendChatAction", "sendDocument"}
EDIT_METHODS = {"editMessageText", "editMessageReplyMarkup", "editMessageCaption", "editMessageMedia"}
BOT_USER = {
    "id": 900000001,
    "is_bot": True,
    "first_name": "ChatCart",
    "username": "chatcart_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float
    files: dict[str, bytes] = field(default_factory=dict)
    in_webhook_response: bool = False  # came as the method of a webhook's 200, not as a request

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None


@dataclass
class Fault:
    method: str | None  # None = any method
    status: int
    description: str
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None


def _coerce(key: str, value: str) -> Any:
    if key in _JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return value
    if key in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return float(value)
    if key in _BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


class FakeTelegramAPI:
    def __init__(self, token: str = "123456:TEST-token-for-chatcart") -> None:  # noqa: S107 - fake
        self.token = token
        self.calls: list[Call] = []
        self.webhook_replies = 0  # calls that came in webhook responses rather than as requests
        self.faults: list[Fault] = []
        self.blocked: set[int] = set()
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.files: dict[str, bytes] = {}  # file_id -> content (uploads and seeded photos)
        self.updates: list[dict[str, Any]] = []  # queue served by getUpdates (polling mode)
        self.webhook: dict[str, Any] = {"url": "", "allowed_updates": None, "secret_token": None}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self.delay_seconds = 0.0  # simulated API latency
        # getUpdates waits up to its `timeout` for an update, as Telegram's long polling does. Off for
        # tests, which append to `updates` directly and stop the server while a poll may be open.
        self.long_poll = False
        self._update_queued = asyncio.Event()
        self._stopping = False  # ends open long polls, so stopping does not wait out their timeout
        self._ids = itertools.count(1000)
        self._file_ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -----------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> FakeTelegramAPI:
        """Serve on 127.0.0.1:`port` (0: a free port, see `base_url`)."""
        app = web.Application(client_max_size=20_000_000)
        app.router.add_post("/bot{token}/{method}", self._handle)
        app.router.add_get("/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        self._stopping = True
        self._update_queued.set()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeTelegramAPI:
        return await self.start()

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    # --- test helpers ----------------------------------------------------------------------------
    def inject(
        self,
        method: str | None,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        times: int = 1,
        chat_id: int | None = None,
    ) -> None:
        self.faults.append(Fault(method, status, description, retry_after, times, chat_id))

    def block(self, chat_id: int) -> None:
        self.blocked.add(chat_id)

    def calls_to(self, *methods: str, chat_id: int | None = None) -> list[Call]:
        return [c for c in self.calls if c.method in methods and (chat_id is None or c.chat_id == chat_id)]

    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Successful-or-not send calls (sendMessage, sendPhoto, sendInvoice, ...)."""
        return self.calls_to(*SEND_METHODS, chat_id=chat_id)

    def texts(self, chat_id: int | None = None) -> list[str]:
        return [
            str(c.params.get("text") or c.params.get("caption") or c.params.get("title") or "")
            for c in self.sent(chat_id)
        ]

    def seed_file(self, content: bytes) -> str:
        file_id = f"seeded-{next(self._file_ids)}"
        self.files[file_id] = content
        return file_id

    async def wait_for(self, predicate: Callable[[], object], seconds: float = 5.0) -> None:
        try:
            async with asyncio.timeout(seconds):
                while not predicate():  # noqa: ASYNC110 - the predicate reads plain attributes
                    await asyncio.sleep(0.01)
        except TimeoutError:
            raise AssertionError("fake Telegram API: condition not met in time") from None

    def reset(self) -> None:
        self.calls.clear()
        self.faults.clear()

    # --- HTTP ------------------------------------------------------------------------------------
    async def _parse(self, request: web.Request) -> tuple[dict[str, Any], dict[str, bytes]]:
        files: dict[str, bytes] = {}
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = dict(await request.json())
        elif request.method == "POST" and request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = value.file.read()
                else:
                    params[key] = _coerce(key, str(value))
        for key, value in request.query.items():
            params.setdefault(key, _coerce(key, value))
        return params, files

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return self._error(401, "Unauthorized")
        method = request.match_info["method"]
        params, files = await self._parse(request)
        call = Call(method, params, time.monotonic(), files)
        self.calls.append(call)
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        fault = self._take_fault(call)
        if fault is not None:
            return self._error(fault.status, fault.description, retry_after=fault.retry_after)
        if call.chat_id in self.blocked and (method in SEND_METHODS or method in EDIT_METHODS):
            return self._error(403, "Forbidden: bot was blocked by the user")
        if method == "getUpdates" and self.long_poll:
            await self._wait_for_updates(params)
        handler = getattr(self, f"_m_{method}", None)
        if handler is None:
            return self._error(404, "Not Found: method not found")
        try:
            result = handler(params, files)
        except _ApiError as exc:
            return self._error(exc.status, exc.description)
        return web.json_response({"ok": True, "result": result})

    def queue_update(self, update: dict[str, Any]) -> None:
        """An update for getUpdates, waking a long poll that waits for one."""
        self.updates.append(update)
        self._update_queued.set()

    async def _wait_for_updates(self, params: dict[str, Any]) -> None:
        offset = int(params.get("offset") or 0)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(min(float(params.get("timeout") or 0), 50.0)):
                while not self._stopping and not any(update["update_id"] >= offset for update in self.updates):
                    self._update_queued.clear()
                    await self._update_queued.wait()

    def execute_webhook_reply(self, body: Any) -> None:
        """What Telegram does with a webhook's 200 response that names a `method`: it executes the
        call as if requested, reporting nothing back (a refused call is dropped silently)."""
        if not isinstance(body, dict) or not isinstance(body.get("method"), str):
            return
        params = {key: value for key, value in body.items() if key != "method"}
        call = Call(body["method"], params, time.monotonic(), in_webhook_response=True)
        self.calls.append(call)
        self.webhook_replies += 1
        if self._take_fault(call) is not None:
            return
        if call.chat_id in self.blocked and (call.method in SEND_METHODS or call.method in EDIT_METHODS):
            return
        handler = getattr(self, f"_m_{call.method}", None)
        if handler is not None:
            with contextlib.suppress(_ApiError):
                handler(params, {})

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        content = self.files.get(file_id)
        if content is None:
            return web.Response(status=404)
        return web.Response(body=content, content_type="image/jpeg")

    def _take_fault(self, call: Call) -> Fault | None:
        for fault in self.faults:
            if (fault.method in (None, call.method)) and (fault.chat_id in (None, call.chat_id)) and fault.times > 0:
                fault.times -= 1
                if fault.times == 0:
                    self.faults.remove(fault)
                return fault
        return None

    @staticmethod
    def _error(status: int, description: str, *, retry_after: int | None = None) -> web.Response:
        body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
        if retry_after is not None:
            body["parameters"] = {"retry_after": retry_after}
        return web.json_response(body, status=status)

    # --- objects ---------------------------------------------------------------------------------
    def _chat(self, chat_id: int) -> dict[str, Any]:
        if chat_id < 0:
            return {"id": chat_id, "type": "group", "title": "Test group"}
        return {"id": chat_id, "type": "private", "first_name": "Test", "username": f"user{chat_id}"}

    def _message(self, chat_id: int, **content: Any) -> dict[str, Any]:
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": self._chat(chat_id),
            "from": BOT_USER,
            **{k: v for k, v in content.items() if v is not None},
        }
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _photo(self, params: dict[str, Any], files: dict[str, bytes], key: str) -> list[dict[str, Any]]:
        value = params.get(key)
        if key in files or (isinstance(value, str) and value.startswith("attach://")):
            name = value[len("attach://") :] if isinstance(value, str) and value.startswith("attach://") else key
            content = files.get(name)
            if content is None:
                raise _ApiError(400, "Bad Request: there is no photo in the request")
            file_id = f"upload-{next(self._file_ids)}"
            self.files[file_id] = content
        elif isinstance(value, str) and value:
            if value.startswith(("http://", "https://")):
                if "127.0.0.1" in value or "localhost" in value:
                    raise _ApiError(400, "Bad Request: wrong HTTP URL specified")
                file_id = f"url-{next(self._file_ids)}"
                self.files[file_id] = value.encode()
            elif value in self.files:
                file_id = value
            else:
                raise _ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        else:
            raise _ApiError(400, "Bad Request: there is no photo in the request")
        return [{"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 320, "height": 320, "file_size": 1000}]

    def _stored(self, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params.get("chat_id", 0)), int(params.get("message_id", 0)))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError(400, "Bad Request: message to edit not found")
        return message

    # --- methods ---------------------------------------------------------------------------------
    def _m_getMe(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return BOT_USER

    def _m_sendMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        text = str(params.get("text") or "")
        if not text.strip():
            raise _ApiError(400, "Bad Request: message text is empty")
        if len(text) > 4096:
            raise _ApiError(400, "Bad Request: message is too long")
        return self._message(int(params["chat_id"]), text=text, reply_markup=_inline_only(params))

    def _m_sendPhoto(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        caption = params.get("caption")
        if caption is not None and len(str(caption)) > 1024:
            raise _ApiError(400, "Bad Request: message caption is too long")
        photo = self._photo(params, files, "photo")
        return self._message(int(params["chat_id"]), photo=photo, caption=caption, reply_markup=_inline_only(params))

    def _m_sendLocation(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        location = {"latitude": params["latitude"], "longitude": params["longitude"]}
        return self._message(int(params["chat_id"]), location=location)

    def _m_sendChatAction(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_sendInvoice(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        prices = params.get("prices") or []
        if not params.get("provider_token") and params.get("currency") != "XTR":
            raise _ApiError(400, "Bad Request: PAYMENT_PROVIDER_INVALID")
        if not prices:
            raise _ApiError(400, "Bad Request: prices must be non-empty")
        total = sum(int(p["amount"]) for p in prices)
        invoice = {
            "title": params["title"],
            "description": params["description"],
            "start_parameter": params.get("start_parameter", ""),
            "currency": params["currency"],
            "total_amount": total,
        }
        return self._message(int(params["chat_id"]), invoice=invoice, reply_markup=_inline_only(params))

    def _edit(self, params: dict[str, Any], changes: dict[str, Any]) -> Any:
        message = self._stored(params)
        if all(message.get(k) == v for k, v in changes.items()):
            raise _ApiError(
                400,
                "Bad Request: message is not modified: specified new message content and reply "
                "markup are exactly the same as a current content and reply markup of the message",
            )
        message.update({k: v for k, v in changes.items() if v is not None})
        for key, value in changes.items():
            if value is None:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        return message

    def _m_editMessageText(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        message = self._stored(params)
        if "text" not in message:
            raise _ApiError(400, "Bad Request: there is no text in the message to edit")
        return self._edit(params, {"text": str(params["text"]), "reply_markup": params.get("reply_markup")})

    def _m_editMessageReplyMarkup(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._edit(params, {"reply_markup": params.get("reply_markup")})

    def _m_editMessageCaption(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return self._edit(params, {"caption": params.get("caption"), "reply_markup": params.get("reply_markup")})

    def _m_editMessageMedia(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        media = dict(params.get("media") or {})
        message = self._stored(params)
        if "photo" not in message:
            raise _ApiError(400, "Bad Request: there is no media in the message to edit")
        photo = self._photo({"media": media.get("media")}, files, "media")
        if (
            str(media.get("media", "")).startswith("http")
            and message.get("photo_source") == media.get("media")
            and message.get("caption") == media.get("caption")
            and message.get("reply_markup") == params.get("reply_markup")
        ):
            raise _ApiError(400, "Bad Request: message is not modified")
        message["photo_source"] = media.get("media")
        return self._edit(
            params, {"photo": photo, "caption": media.get("caption"), "reply_markup": params.get("reply_markup")}
        )

    def _m_deleteMessage(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.messages.pop((int(params["chat_id"]), int(params["message_id"])), None)
        return True

    def _m_answerCallbackQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True

    def _m_answerPreCheckoutQuery(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not params.get("ok") and not params.get("error_message"):
            raise _ApiError(400, "Bad Request: error_message is required")
        return True

    def _m_getFile(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        file_id = str(params.get("file_id") or "")
        if file_id not in self.files:
            raise _ApiError(400, "Bad Request: invalid file_id")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(self.files[file_id]),
            "file_path": f"photos/{file_id}",
        }

    def _m_setWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if not str(params.get("url", "")).startswith("https://"):
            raise _ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = {
            "url": params["url"],
            "allowed_updates": params.get("allowed_updates"),
            "secret_token": params.get("secret_token"),
            "drop_pending_updates": bool(params.get("drop_pending_updates")),
        }
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _m_deleteWebhook(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.webhook = {"url": "", "allowed_updates": None, "secret_token": None}
        if params.get("drop_pending_updates"):
            self.updates.clear()
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        info: dict[str, Any] = {
            "url": self.webhook["url"],
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if self.webhook.get("allowed_updates"):
            info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _m_setMyCommands(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        self.commands[str(params.get("language_code") or "")] = list(params.get("commands") or [])
        return True

    def _m_getUpdates(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        if self.webhook["url"]:
            raise _ApiError(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.updates = [u for u in self.updates if u["update_id"] >= offset]
        return self.updates[: int(params.get("limit") or 100)]

    def _m_close(self, params: dict[str, Any], files: dict[str, bytes]) -> Any:
        return True


class _ApiError(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def _inline_only(params: dict[str, Any]) -> dict[str, Any] | None:
    """Telegram echoes inline keyboards in the Message, not reply keyboards."""
    markup = params.get("reply_markup")
    return markup if isinstance(markup, dict) and "inline_keyboard" in markup else None


# --- building updates in Telegram's JSON shape ---------------------------------------------------


class UpdateFactory:
    """Real-shaped Update JSON for a private chat with one user."""

    # update_ids are unique per bot, not per user: one counter for every factory in the process.
    _update_ids = itertools.count(10_000)

    def __init__(self, user_id: int = 424242, language_code: str = "en", first_name: str = "Alice") -> None:
        self.user_id = user_id
        self.language_code = language_code
        self.first_name = first_name
        self._message_ids = itertools.count(1)

    @property
    def user(self) -> dict[str, Any]:
        return {"id": self.user_id, "is_bot": False, "first_name": self.first_name, "language_code": self.language_code}

    @property
    def chat(self) -> dict[str, Any]:
        return {"id": self.user_id, "type": "private", "first_name": self.first_name}

    def next_update_id(self) -> int:
        return next(UpdateFactory._update_ids)

    def _message(self, **content: Any) -> dict[str, Any]:
        return {
            "update_id": self.next_update_id(),
            "message": {
                "message_id": next(self._message_ids),
                "date": int(time.time()),
                "chat": self.chat,
                "from": self.user,
                **content,
            },
        }

    def text(self, text: str) -> dict[str, Any]:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split(" ", 1)[0])}]
        return self._message(**content)

    def contact(self, phone: str) -> dict[str, Any]:
        return self._message(contact={"phone_number": phone, "first_name": self.first_name, "user_id": self.user_id})

    def location(self, latitude: float, longitude: float) -> dict[str, Any]:
        return self._message(location={"latitude": latitude, "longitude": longitude})

    def photo(self, file_id: str, caption: str = "") -> dict[str, Any]:
        sizes = [
            {"file_id": f"{file_id}-small", "file_unique_id": "s", "width": 90, "height": 90},
            {"file_id": file_id, "file_unique_id": f"u{file_id}", "width": 800, "height": 800},
        ]
        content: dict[str, Any] = {"photo": sizes}
        if caption:
            content["caption"] = caption
        return self._message(**content)

    def sticker(self) -> dict[str, Any]:
        return self._message(
            sticker={
                "file_id": "stk",
                "file_unique_id": "stk",
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
        )

    def callback(self, data: str, message: dict[str, Any]) -> dict[str, Any]:
        """Pressing an inline button of `message` (a Message as returned by the fake API)."""
        return {
            "update_id": self.next_update_id(),
            "callback_query": {
                "id": f"cb{self.next_update_id()}",
                "from": self.user,
                "chat_instance": "ci-1",
                "message": message,
                "data": data,
            },
        }

    def pre_checkout(self, payload: str, currency: str, total_amount: int) -> dict[str, Any]:
        return {
            "update_id": self.next_update_id(),
            "pre_checkout_query": {
                "id": f"pcq{self.next_update_id()}",
                "from": self.user,
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
            },
        }

    def successful_payment(self, payload: str, currency: str, total_amount: int, charge_id: str) -> dict[str, Any]:
        return self._message(
            successful_payment={
                "currency": currency,
                "total_amount": total_amount,
                "invoice_payload": payload,
                "telegram_payment_charge_id": charge_id,
                "provider_payment_charge_id": f"prov-{charge_id}",
            }
        )
