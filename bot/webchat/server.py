"""The web chat: GET /chat (one HTML page), GET /chat/static/* (its script and styles),
WS /chat/ws (JSON frames), POST /chat/upload (photos).

Guests get a random session token kept in localStorage; the conversation is keyed by a hash
of it, so the token itself never appears in the database or the logs. Signing in with a
phone number or e-mail (one-time code) links that identity to the customer, which merges
carts, orders and addresses across devices.

On connect the page gets the conversation's last 50 messages from the stored transcript
(a reload or a second tab shows the same conversation); a conversation that has none yet
gets the shop's welcome.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
from pathlib import Path
from typing import Any

from aiohttp import WSMsgType, web
from aiolimiter import AsyncLimiter
from PIL import Image, UnidentifiedImageError
from pydantic import ValidationError

from bot.webchat.frames import (
    CLIENT_FRAME,
    MAX_FRAME_BYTES,
    MAX_TEXT_CHARS,
    Hello,
    OtpRequest,
    OtpVerify,
    PressButton,
    SayText,
    SendImages,
)
from bot.webchat.history import HISTORY_LIMIT, history_frame
from bot.webchat.otp import INDEXES, OtpService, SandboxEmail, SandboxSms
from bot.webchat.sender import WebchatSender, replies_frame
from commerce.errors import DomainError
from core.logging_setup import get_logger
from core.mongo import Database, ensure_indexes
from core.outage import is_database_outage
from dialogs.engine import DialogEngine
from dialogs.i18n import load_catalog, t
from dialogs.messages import IncomingMessage, Lang

CHANNEL = "webchat"
STATIC = Path(__file__).parent / "static"
MAX_UPLOAD_BYTES = 5_000_000
log = get_logger(__name__)


def session_user(token: str) -> str:
    """The channel user id for a session token (a hash: tokens are credentials)."""
    return hashlib.sha256(token.encode()).hexdigest()[:32]


def _texts() -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for lang in ("zh", "en"):
        catalog = load_catalog(lang)
        texts[lang] = {k.split(".", 1)[1]: str(v) for k, v in catalog.items() if k.startswith("webchat.")}
    return texts


class WebChat:
    def __init__(self, engine: DialogEngine, otp: OtpService, media_dir: Path) -> None:
        self.engine = engine
        self.otp = otp
        self.media_dir = media_dir
        self.sender = WebchatSender()
        engine.outbound.register(CHANNEL, self.sender)
        page = (STATIC / "chat.html").read_text(encoding="utf-8")
        self.page = page.replace("__CHATCART_TEXTS__", json.dumps(_texts(), ensure_ascii=False).replace("</", "<\\/"))

    # --- HTTP -----------------------------------------------------------------------------------
    async def index(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self.page,
            content_type="text/html",
            headers={
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "same-origin",
                "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; "
                "script-src 'self'; connect-src 'self' ws: wss:",
            },
        )

    async def asset(self, request: web.Request) -> web.FileResponse:
        """The page's script and styles (separate files: cached, and the CSP allows only 'self')."""
        return web.FileResponse(STATIC / request.match_info["name"], headers={"Cache-Control": "no-cache"})

    async def upload(self, request: web.Request) -> web.Response:
        """A photo for after-sales: re-encoded (drops metadata and anything that is not an image)."""
        token = request.headers.get("X-Chat-Token", "")
        if not token or len(token) > 128:
            return web.json_response({"error": {"code": "unauthorized", "message": "no session"}}, status=401)
        data = await request.read()
        if not data or len(data) > MAX_UPLOAD_BYTES:
            return web.json_response({"error": {"code": "too_large", "message": "max 5 MB"}}, status=413)
        try:
            with Image.open(io.BytesIO(data)) as image:
                image.thumbnail((1600, 1600))
                converted = image.convert("RGB")
                out = io.BytesIO()
                converted.save(out, "JPEG", quality=85)
        except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
            return web.json_response({"error": {"code": "not_an_image", "message": "not an image"}}, status=422)
        folder = self.media_dir / "chat"
        folder.mkdir(parents=True, exist_ok=True)
        name = f"{secrets.token_urlsafe(12)}.jpg"
        (folder / name).write_bytes(out.getvalue())
        return web.json_response({"url": f"/media/chat/{name}"})

    # --- WebSocket --------------------------------------------------------------------------------
    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30, max_msg_size=MAX_FRAME_BYTES)
        await ws.prepare(request)
        user: str | None = None
        lang: Lang | None = None
        limiter = AsyncLimiter(20, 10)  # a person types far slower; protects the engine from floods
        try:
            async for message in ws:
                if message.type != WSMsgType.TEXT:
                    continue
                async with limiter:
                    try:
                        frame = CLIENT_FRAME.validate_json(message.data)
                    except ValidationError as exc:
                        await ws.send_json(_frame_error(exc))
                        continue
                    try:
                        if isinstance(frame, Hello):
                            user, lang = await self._hello(ws, frame, user)
                            continue
                        if user is None:
                            await ws.send_json({"type": "error", "code": "hello_first"})
                            continue
                        await self._frame(ws, user, frame, lang)
                    except Exception as exc:
                        if not is_database_outage(exc):
                            raise
                        # The socket stays open; the customer is asked to send it again later.
                        text = t("error.unavailable", lang or "zh")
                        await ws.send_json({"type": "error", "code": "unavailable", "text": text})
        finally:
            if user is not None:
                self.sender.detach(user, ws)
        return ws

    async def _hello(self, ws: web.WebSocketResponse, frame: Hello, previous: str | None) -> tuple[str, Lang | None]:
        token = frame.token if frame.token and len(frame.token) >= 20 else secrets.token_urlsafe(24)
        user = session_user(token)
        if previous and previous != user:
            self.sender.detach(previous, ws)
        # Pushed while away: already in the transcript, so the history below shows them.
        self.sender.attach(user, ws)
        lang = frame.lang
        await ws.send_json({"type": "welcome", "token": token, "lang": await self.engine.language_of(CHANNEL, user)})
        history = await self.engine.history(CHANNEL, user, HISTORY_LIMIT)
        if history:
            await ws.send_json(history_frame(history))
        else:  # first open: greet, as a chat app does on /start
            greeting = await self.engine.handle(IncomingMessage.from_text(CHANNEL, user, "/start", lang_hint=lang))
            await ws.send_json(replies_frame("replies", greeting))
        return user, lang

    async def _frame(self, ws: web.WebSocketResponse, user: str, frame: Any, lang: Lang | None) -> None:
        if isinstance(frame, SayText):
            incoming = IncomingMessage.from_text(CHANNEL, user, frame.text, lang_hint=lang)
        elif isinstance(frame, PressButton):
            incoming = IncomingMessage.from_button(CHANNEL, user, frame.payload, frame.label, lang_hint=lang)
        elif isinstance(frame, SendImages):
            incoming = IncomingMessage(
                channel=CHANNEL,
                channel_user_id=user,
                kind="image",
                text=frame.text,
                image_urls=tuple(frame.urls),
                lang_hint=lang,
            )
        elif isinstance(frame, OtpRequest | OtpVerify):
            await self._sign_in(ws, user, frame)
            return
        else:  # pragma: no cover - the union is exhaustive
            return
        result = await self.engine.handle_turn(incoming)
        # The page's own texts follow the conversation's language (the switch, or a clear signal).
        await ws.send_json({**replies_frame("replies", result.replies), "lang": result.lang})

    async def _sign_in(self, ws: web.WebSocketResponse, user: str, frame: OtpRequest | OtpVerify) -> None:
        lang = await self.engine.language_of(CHANNEL, user)
        try:
            if isinstance(frame, OtpRequest):
                _, value = await self.otp.request(frame.identifier)
                await ws.send_json({"type": "otp_sent", "text": t("webchat.code_sent", lang, who=value)})
                return
            verified = await self.otp.verify(frame.identifier, frame.code)
            if verified is None:
                await ws.send_json({"type": "otp_failed", "text": t("webchat.code_invalid", lang)})
                return
            kind, value = verified
            await self.engine.link_identity(CHANNEL, user, kind, value)
            await ws.send_json({"type": "signed_in", "who": value, "text": t("webchat.signed_in", lang, who=value)})
        except DomainError as exc:
            key = "webchat.bad_identifier" if exc.code == "bad_identifier" else "error.generic"
            await ws.send_json({"type": "otp_failed", "code": exc.code, "text": t(key, lang)})


def _frame_error(exc: ValidationError) -> dict[str, Any]:
    """What was wrong with a frame, for the page to explain (a too-long text says so)."""
    for error in exc.errors():
        if error.get("type") == "string_too_long" and error.get("loc", ())[-1:] == ("text",):
            return {"type": "error", "code": "too_long", "max": MAX_TEXT_CHARS}
    return {"type": "error", "code": "bad_frame"}


def setup_webchat(
    app: web.Application,
    engine: DialogEngine,
    *,
    otp: OtpService | None = None,
    media_dir: Path | None = None,
    db: Database | None = None,
    secret: str | None = None,
) -> WebChat:
    """Mount /chat, /chat/ws and /chat/upload over the dialog engine."""
    dialog_engine = engine
    if otp is None:
        if db is None:
            raise ValueError("setup_webchat needs `otp` or a database for one-time codes")
        otp = OtpService(db, sms=SandboxSms(), email=SandboxEmail(), secret=secret or secrets.token_hex(16))
    chat = WebChat(dialog_engine, otp, media_dir or Path("var/media"))
    otp_db = db

    async def _indexes(_: web.Application) -> None:
        if otp_db is not None:
            await ensure_indexes(otp_db, INDEXES)

    app.on_startup.append(_indexes)
    app.router.add_get("/chat", chat.index)
    app.router.add_get("/chat/static/{name:chat\\.(?:js|css)}", chat.asset)
    app.router.add_get("/chat/ws", chat.socket)
    app.router.add_post("/chat/upload", chat.upload)
    return chat
