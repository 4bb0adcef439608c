"""The conversation engine: one incoming message in, the bot's replies out.

A turn loads the conversation state, works out what the customer means (command, button,
number typed for a shown choice, or free text through the NLU), lets the active flow or the
matching intent handler answer, and saves the state with optimistic concurrency. Messages
from the same conversation are handled one at a time in this process; across processes the
versioned save keeps the state consistent.
"""

from __future__ import annotations

import asyncio
import copy
from collections import OrderedDict
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from commerce.errors import DomainError
from core.batch import WriteBatch
from core.logging_setup import get_logger
from core.mongo import CollectionIndexes, Database, ensure_indexes
from core.outage import is_database_outage
from dialogs import router
from dialogs.handoff import HandoffService
from dialogs.language import detect_language
from dialogs.messages import LANGS, Button, IncomingMessage, Lang, OutgoingMessage, choice_buttons, normalize_lang
from dialogs.outbound import Outbound
from dialogs.review import UnrecognisedMessages, needs_review
from dialogs.services import DialogConfig, DialogServices
from dialogs.state import conversation_id
from dialogs.transcript import TranscriptEntry
from dialogs.turn import Turn
from dialogs.turn_cache import turn_scope

if TYPE_CHECKING:
    from dialogs.notify import Notifier

# DialogConfig, DialogServices and detect_language are imported from here by callers.
__all__ = ["DialogConfig", "DialogEngine", "DialogServices", "TurnResult", "detect_language", "parse_lang_arg"]

log = get_logger(__name__)


class _KeyedLocks:
    """One asyncio.Lock per conversation, forgetting idle ones (bounded memory)."""

    def __init__(self, capacity: int = 10_000) -> None:
        self._locks: OrderedDict[str, asyncio.Lock] = OrderedDict()
        self._capacity = capacity

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock = self._locks.get(key)
        if lock is None:
            lock = self._locks[key] = asyncio.Lock()
        self._locks.move_to_end(key)
        async with lock:
            yield
        while len(self._locks) > self._capacity:
            oldest, candidate = next(iter(self._locks.items()))
            if candidate.locked():
                break
            del self._locks[oldest]


@dataclass
class TurnResult:
    replies: list[OutgoingMessage]
    intent: str
    lang: Lang
    customer_id: str | None


class DialogEngine:
    def __init__(
        self, services: DialogServices, *, indexes: list[CollectionIndexes] | None = None, db: Database | None = None
    ) -> None:
        self.services = services
        self.notifier: Notifier | None = None
        self._locks = _KeyedLocks()
        self._indexes = indexes or []
        self._db = db
        self._ready = False

    async def start(self) -> None:
        """Create the dialog collections' indexes and seed the FAQ, once (idempotent)."""
        if self._ready:
            return
        if self._db is not None and self._indexes:
            await ensure_indexes(self._db, self._indexes)
        await self.services.store.migrate()
        await self.services.faq.entries()
        self._ready = True

    @property
    def handoff(self) -> HandoffService:
        return self.services.handoff

    @property
    def outbound(self) -> Outbound:
        return self.services.outbound

    async def handle(self, incoming: IncomingMessage) -> list[OutgoingMessage]:
        return (await self.handle_turn(incoming)).replies

    async def handle_turn(self, incoming: IncomingMessage) -> TurnResult:
        """`handle`, also telling how the message was understood (script mode, tests, console)."""
        if not self._ready:
            await self.start()
        key = conversation_id(incoming.channel, incoming.channel_user_id)
        async with self._locks.hold(key):
            with turn_scope():
                return await self._handle_locked(incoming)

    async def _handle_locked(self, incoming: IncomingMessage) -> TurnResult:
        services = self.services
        guessed = detect_language(incoming.text, first_message=True) if incoming.kind == "text" else None
        default_lang = incoming.lang_hint or guessed or services.config.default_lang
        state = await services.store.load(incoming.channel, incoming.channel_user_id, default_lang)
        original = copy.deepcopy(state.to_doc())
        turn = Turn(message=incoming, state=state, services=services)
        if incoming.lang_hint and not state.lang_locked and state.version == 0:
            state.lang = incoming.lang_hint
        try:
            if state.customer_id is None:
                # A conversation stored for the first time is, almost always, a customer seen
                # for the first time: try creating them first (one command instead of two).
                state.customer_id = await services.shop.identify(
                    incoming.channel,
                    incoming.channel_user_id,
                    state.lang,
                    incoming.display_name,
                    likely_new=not state.stored,
                )
            await router.route(turn)
        except DomainError as exc:
            log.info("dialog.domain_error", code=exc.code, conversation=state.id)
            turn.replies.append(router.domain_error_reply(turn, exc))
        except Exception as exc:
            if is_database_outage(exc):
                raise  # the channel answers "try again later" and keeps the message where it can
            # Never leave the customer without an answer, never store a half-done turn.
            log.exception("dialog.turn_failed", conversation=state.id)
            turn.replies = [router.internal_error_reply(turn)]
            await services.transcript.record_turn(state.id, incoming, turn.replies)
            return TurnResult(turn.replies, turn.intent or "error", state.lang, state.customer_id)
        shown = choice_buttons(turn.replies)
        if turn.replies:
            state.buttons = [{"label": b.label, "payload": b.payload} for b in shown]
        # The transcript rides in the state write's round trip.
        batch = services.store.new_batch()
        services.transcript.add_turn(batch, state.id, incoming, turn.replies)
        self._keep_for_review(batch, turn)
        await services.store.save(state, original, batch=batch)
        return TurnResult(turn.replies, turn.intent, state.lang, state.customer_id)

    def _keep_for_review(self, batch: WriteBatch, turn: Turn) -> None:
        """A text the bot did not understand (or barely) goes to the admin's review list."""
        review = self.services.review
        parse = turn.parse
        if review is None or parse is None:
            return
        nlu_intent, confidence = parse.intent.name, float(parse.intent.confidence)
        if needs_review(turn.message.kind, turn.text, turn.intent or "", nlu_intent, confidence):
            review.add(
                batch,
                text=turn.text,
                lang=turn.state.lang,
                channel=turn.message.channel,
                conversation_id=turn.state.id,
                intent=nlu_intent,
                confidence=confidence,
            )

    @property
    def review(self) -> UnrecognisedMessages | None:
        return self.services.review

    # --- helpers for channels ------------------------------------------------------------------
    async def link_identity(self, channel: str, channel_user_id: str, kind: str, value: str) -> str:
        """Sign-in: attach a verified phone/e-mail to this conversation's customer (merging accounts)."""
        key = conversation_id(channel, channel_user_id)
        async with self._locks.hold(key):
            state = await self.services.store.load(channel, channel_user_id, self.services.config.default_lang)
            original = copy.deepcopy(state.to_doc())
            customer = state.customer_id or await self.services.shop.identify(channel, channel_user_id, state.lang)
            owner = await self.services.shop.identity_owner(kind, value)
            state.customer_id = await self.services.shop.link_identity(customer, kind, value)
            await self.services.store.save(state, original)
            # Conversations of the merged-away account (other devices) now belong to the survivor.
            for old in {customer, owner} - {None, state.customer_id}:
                if old is not None:
                    await self.services.store.reassign_customer(old, state.customer_id)
            return state.customer_id

    async def history(self, channel: str, channel_user_id: str, limit: int = 50) -> list[TranscriptEntry]:
        """The conversation's last `limit` messages, oldest first (a chat reopened shows them)."""
        return await self.services.transcript.history(conversation_id(channel, channel_user_id), limit)

    async def language_of(self, channel: str, channel_user_id: str) -> Lang:
        state = await self.services.store.get(conversation_id(channel, channel_user_id))
        return state.lang if state else self.services.config.default_lang

    async def shown_buttons(self, channel: str, channel_user_id: str) -> list[Button]:
        state = await self.services.store.get(conversation_id(channel, channel_user_id))
        if state is None:
            return []
        return [Button(label=b["label"], payload=b["payload"]) for b in state.buttons]


def parse_lang_arg(value: str) -> Lang | None:
    lang = normalize_lang(value)
    return lang if lang in LANGS else None
