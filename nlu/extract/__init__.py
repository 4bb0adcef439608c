"""Entity extraction: fixed formats, numbers, sizes and vocabulary phrases, merged without overlaps."""

from __future__ import annotations

import re
import threading

from nlu.engine import Entity
from nlu.extract.amounts import find_prices, find_quantities
from nlu.extract.candidates import CATALOG_EXTRACTOR, Candidate, resolve
from nlu.extract.patterns import find_all as find_patterns
from nlu.extract.sizes import find_sizes
from nlu.text import MAX_EXTRACT_CHARS, normalize_aligned
from nlu.vocab import PhraseMatcher, color_phrases

LOOKUP_EXTRACTOR = "chatcart.lookup"
VOCAB_ENTITIES = ("brand", "category", "product")
_GAP_BEFORE_IDENTIFIER = re.compile(r"^(?:[\s:：,，#是为到]|to|is)*$")


def english_plurals(phrase: str) -> list[str]:
    """Plural forms of an English lookup phrase ("phone case" -> "phone cases"); none for Chinese."""
    if not phrase.isascii() or not phrase[-1:].isalpha() or phrase.endswith("s"):
        return []
    if phrase.endswith(("x", "ch", "sh")):
        return [phrase + "es"]
    if phrase.endswith("y") and phrase[-2:-1] not in "aeiou":
        return [phrase[:-1] + "ies"]
    return [phrase + "s"]


class EntityExtractor:
    """All entity extractors; the phrase vocabulary can be swapped while parses run."""

    def __init__(self, lookups: dict[str, list[str]] | None = None, synonyms: dict[str, str] | None = None) -> None:
        self._base_lookups = {name: list(values) for name, values in (lookups or {}).items()}
        self._base_synonyms = {key.lower(): value for key, value in (synonyms or {}).items()}
        self._lock = threading.Lock()
        self.version = 0
        self._synonyms: dict[str, str] = {}
        self._matcher = PhraseMatcher()
        self._catalog_terms: set[str] = set()
        self.update_vocabulary([], [], [], None)

    def update_vocabulary(
        self,
        products: list[str],
        brands: list[str],
        categories: list[str],
        synonyms: dict[str, str] | None = None,
    ) -> None:
        """Rebuild the phrase matcher from the shop's lookups plus the live catalog.

        Catalog names win over the shipped lookup tables; a synonym maps a surface form to a
        canonical name, and the synonym's entity type is that of its canonical name.
        """
        merged_synonyms = dict(self._base_synonyms)
        merged_synonyms.update({key.lower(): value for key, value in (synonyms or {}).items()})
        phrases: list[tuple[str, str, str]] = list(color_phrases())
        entity_of: dict[str, str] = {}
        for name in VOCAB_ENTITIES:
            for value in self._base_lookups.get(name, []):
                canonical = merged_synonyms.get(value.lower(), value)
                phrases.extend((form, name, canonical) for form in english_plurals(value))
                phrases.append((value, name, canonical))
                entity_of.setdefault(value.lower(), name)
        for name, values in self._base_lookups.items():
            if name not in VOCAB_ENTITIES:
                phrases.extend((value, name, merged_synonyms.get(value.lower(), value)) for value in values)
        catalog: list[tuple[str, str, str]] = []
        for name, values in (("category", categories), ("brand", brands), ("product", products)):
            for value in values:
                if value and value.strip():
                    catalog.append((value.strip(), name, value.strip()))
                    entity_of[value.strip().lower()] = name
        for surface, canonical in merged_synonyms.items():
            entity = entity_of.get(canonical.lower())
            if entity is not None:
                phrases.append((surface, entity, canonical))
        matcher = PhraseMatcher()
        matcher.add_many(phrases)
        matcher.add_many(catalog)
        catalog_terms = {normalize_aligned(value) for value, _, _ in catalog}
        with self._lock:
            self._matcher = matcher
            self._synonyms = merged_synonyms
            self._catalog_terms = catalog_terms
            self.version += 1

    def extract(self, text: str) -> list[Entity]:
        text = text[:MAX_EXTRACT_CHARS]
        normalized = normalize_aligned(text)
        matcher, catalog_terms = self._matcher, self._catalog_terms
        candidates: list[Candidate] = [
            *find_patterns(text, normalized),
            *find_prices(normalized),
            *find_quantities(normalized),
            *find_sizes(text, normalized),
        ]
        identifiers = [c for c in candidates if c.entity in ("phone", "order_id", "tracking_no", "email")]
        for hit in matcher.find(normalized):
            if any(
                _GAP_BEFORE_IDENTIFIER.match(normalized[hit.end : c.start]) for c in identifiers if c.start >= hit.end
            ):
                continue  # "手机13912345678", "phone to +44 ...": the word names the number, not a product
            surface = normalized[hit.start : hit.end]
            extractor = CATALOG_EXTRACTOR if surface in catalog_terms else LOOKUP_EXTRACTOR
            candidates.append(Candidate(hit.entity, hit.value, hit.start, hit.end, extractor))
        return resolve(candidates, text)

    def normalize_value(self, value: str) -> str:
        """Map a surface form through the synonyms (蓝牙耳机 = 无线耳机)."""
        return self._synonyms.get(value.lower(), value)
