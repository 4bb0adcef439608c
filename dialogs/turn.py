"""One dialog turn: the incoming message, the conversation state, the NLU reading, the replies.

Flows receive a `Turn` and add replies to it; they never talk to a channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from dialogs.i18n import t
from dialogs.messages import Button, IncomingMessage, Lang, OutgoingMessage, TextReply
from dialogs.references import counted_away, without_typos
from dialogs.state import ConversationState
from nlu.extract.candidates import CATALOG_EXTRACTOR

if TYPE_CHECKING:
    from dialogs.services import DialogServices
    from nlu.engine import Entity, ParseResult

MAX_REFS = 40


@dataclass
class Turn:
    message: IncomingMessage
    state: ConversationState
    services: DialogServices
    parse: ParseResult | None = None
    replies: list[OutgoingMessage] = field(default_factory=list)
    intent: str = ""  # what the turn was understood as (shown in script JSON output)

    # --- language and texts -------------------------------------------------------------------
    @property
    def lang(self) -> Lang:
        return self.state.lang

    def t(self, key: str, **params: Any) -> str:
        return t(key, self.state.lang, **params)

    @property
    def text(self) -> str:
        return without_typos(self.message.text.strip())

    @property
    def customer_id(self) -> str:
        if self.state.customer_id is None:  # identify() runs before any flow
            raise RuntimeError("turn without customer")
        return self.state.customer_id

    # --- replies -----------------------------------------------------------------------------
    def reply(self, message: OutgoingMessage) -> None:
        self.replies.append(message)

    def say(self, key: str, *buttons: Button, **params: Any) -> None:
        self.replies.append(TextReply(text=self.t(key, **params), buttons=tuple(buttons)))

    def button(self, label_key: str, prefix: str, value: str = "", **params: Any) -> Button:
        return Button(label=self.t(label_key, **params)[:64], payload=self.payload(prefix, value))

    def payload(self, prefix: str, value: str = "") -> str:
        """A button payload within 64 bytes: long values are kept in the state as a short ref."""
        if not value:
            return prefix
        candidate = f"{prefix}:{value}"
        if len(candidate.encode("utf-8")) <= 64:
            return candidate
        refs: list[str] = list(self.state.context.get("refs") or [])
        if value in refs:
            index = refs.index(value)
        else:
            refs = [*refs[-(MAX_REFS - 1) :], value]
            index = len(refs) - 1
        self.state.context["refs"] = refs
        return f"{prefix}:~{index}"

    def deref(self, value: str) -> str:
        if value.startswith("~"):
            refs: list[str] = list(self.state.context.get("refs") or [])
            try:
                return refs[int(value[1:])]
            except (ValueError, IndexError):
                return ""
        return value

    # --- NLU helpers ------------------------------------------------------------------------
    def entity(self, name: str) -> Any | None:
        if name == "product":
            named = self.product_names()
            return named[0].value if named else None
        return self.parse.first(name) if self.parse else None

    def product_names(self) -> list[Entity]:
        """The product names the NLU found, a catalog title typed in full first ("1 cream 3.5 liter
        Cast Iron Dutch Oven" is the dutch oven in cream, not the face cream "cream" is a word for);
        never a name read across a count ("一口红色3.5L珐琅锅": 一口 counts a pot, there is no 口红)."""
        if self.parse is None:
            return []
        text = self.parse.text
        found = [e for e in self.parse.entities if e.entity == "product" and not counted_away(text, e.start)]
        found.sort(key=lambda e: e.extractor != CATALOG_EXTRACTOR)
        return found

    def entities(self, name: str) -> list[Any]:
        return self.parse.entity_values(name) if self.parse else []

    @property
    def nlu_intent(self) -> str:
        return self.parse.intent.name if self.parse else ""

    @property
    def confidence(self) -> float:
        return float(self.parse.intent.confidence) if self.parse else 0.0
