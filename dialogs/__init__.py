"""The conversation engine: channel-neutral messages, dialog state, flows, handoff, notifications.

`build_dialog_engine` wires it to the shop (`commerce.services.Commerce`) and an NLU engine;
the composition root (`chatcart.bootstrap`) and the tests call it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from core.mongo import CollectionIndexes, Database

if TYPE_CHECKING:
    from dialogs.engine import DialogConfig, DialogEngine
    from dialogs.outbound import Outbound


def dialog_indexes() -> list[CollectionIndexes]:
    from dialogs import faq, review, state, transcript

    return [*state.INDEXES, *transcript.INDEXES, *faq.INDEXES, *review.INDEXES]


def build_dialog_engine(
    *, commerce: Any, nlu: Any, db: Database, outbound: Outbound | None = None, config: DialogConfig | None = None
) -> DialogEngine:
    """A ready DialogEngine over the real shop services.

    `commerce` is `commerce.services.Commerce`; `nlu` an `nlu.engine.NluEngine`. Channels
    register their `OutboundSender` on `engine.outbound`. When commerce has an event bus,
    `engine.notifier` is subscribed to it (pushes payment/shipping/after-sales updates).
    """
    from dialogs.engine import DialogConfig, DialogEngine, DialogServices
    from dialogs.faq import FaqService
    from dialogs.handoff import HandoffService
    from dialogs.notify import EVENT_TYPES, Notifier
    from dialogs.outbound import Outbound
    from dialogs.review import UnrecognisedMessages
    from dialogs.shop_adapter import CommerceShop
    from dialogs.state import ConversationStore
    from dialogs.transcript import Transcript

    transcript = Transcript(db)
    outbound = outbound or Outbound(transcript)
    if outbound.transcript is None:
        outbound.transcript = transcript
    store = ConversationStore(db)
    shop = CommerceShop(commerce)
    services = DialogServices(
        shop=shop,
        nlu=nlu,
        store=store,
        transcript=transcript,
        faq=FaqService(db),
        handoff=HandoffService(store, outbound),
        outbound=outbound,
        config=config or DialogConfig(),
        review=UnrecognisedMessages(db),
    )
    engine = DialogEngine(services, indexes=dialog_indexes(), db=db)
    notifier = Notifier(store, shop, outbound)
    engine.notifier = notifier
    events = getattr(commerce, "events", None)
    if events is not None and hasattr(events, "subscribe"):
        events.subscribe(notifier.handle, EVENT_TYPES)
    return engine
