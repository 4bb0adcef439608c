"""The conversation engine: channel-neutral messages, dialog state, flows, handoff, notifications.

The composition root (`chatcart.bootstrap.build_dialog_engine`) wires it to the shop
(`dialogs.shop_adapter.CommerceShop` over `commerce.services.Commerce`) and an NLU engine.
"""

from __future__ import annotations

from core.mongo import CollectionIndexes


def dialog_indexes() -> list[CollectionIndexes]:
    # Imported here so that `import dialogs` (done for any dialogs submodule) stays light.
    from dialogs import faq, review, state, transcript

    return [*state.INDEXES, *transcript.INDEXES, *faq.INDEXES, *review.INDEXES]
