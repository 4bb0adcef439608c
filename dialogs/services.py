"""What a dialog turn may use: the shop, the NLU, the stores, the outbound channels, the settings.

Kept apart from the engine so that `Turn` (and through it every flow) can name its services
without importing the engine that runs the flows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dialogs.faq import FaqService
from dialogs.handoff import HandoffService
from dialogs.messages import Lang
from dialogs.outbound import Outbound
from dialogs.ports import ShopPort
from dialogs.review import UnrecognisedMessages
from dialogs.state import ConversationStore
from dialogs.transcript import Transcript

if TYPE_CHECKING:
    from nlu.engine import NluEngine


@dataclass(frozen=True)
class DialogConfig:
    nlu_threshold: float = 0.35
    page_size: int = 5
    default_lang: Lang = "zh"
    # Channels where customers can send photos (after-sales evidence).
    photo_channels: frozenset[str] = frozenset({"webchat", "telegram", "wechat"})
    failures_before_human: int = 2


@dataclass
class DialogServices:
    shop: ShopPort
    nlu: NluEngine
    store: ConversationStore
    transcript: Transcript
    faq: FaqService
    handoff: HandoffService
    outbound: Outbound
    config: DialogConfig = field(default_factory=DialogConfig)
    review: UnrecognisedMessages | None = None  # keeps the messages the bot did not understand
