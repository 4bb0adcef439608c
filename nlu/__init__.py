"""Natural-language understanding for shop chats in Chinese and English.

`nlu.factory.build_engine(...)` gives an engine; `await engine.parse(text)` gives a ParseResult
with the intent, ranked alternatives and entities (Rasa's JSON shape via `to_rasa_dict()`).
"""

from nlu.engine import ENTITY_TYPES, FALLBACK_INTENT, INTENTS, Entity, IntentScore, NluEngine, ParseResult

__all__ = ["ENTITY_TYPES", "FALLBACK_INTENT", "INTENTS", "Entity", "IntentScore", "NluEngine", "ParseResult"]
