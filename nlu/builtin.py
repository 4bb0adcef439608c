"""The default in-process engine: linear intent classifier + rule/lookup entity extractors."""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.logging_setup import get_logger
from nlu.catalog_only import is_catalog_reference
from nlu.classifier import DICTIONARY, LinearIntentModel, features, train_model
from nlu.engine import EXPECTED_INTENT_BOOST, FALLBACK_INTENT, Entity, IntentScore, ParseResult
from nlu.extract import EntityExtractor
from nlu.noise import (
    is_arithmetic,
    is_bare_number,
    is_filler_only,
    is_function_words_only,
    is_repetitive,
    latin_words,
    looks_like_code,
    strip_markup,
    unknown_word_share,
)
from nlu.pinyin import PinyinReader, build_table, load_table, save_table
from nlu.spelling import SpellingNormaliser
from nlu.text import detect_language, feature_text, has_meaningful_content
from nlu.tokenizer import WordTokenizer, build_small_dictionary, shared_tokenizer, stem_word
from nlu.training_data import DATA_DIR, files_digest, load_files, training_files

log = get_logger(__name__)

DEFAULT_THRESHOLD = 0.35
REVIEWED_FILE = "reviewed.yml"  # staff-labelled examples beside the model (see nlu/retrain.py)
RANKING_SIZE = 10
# Confidence multiplier for Latin-script messages made only of words never seen in training
# (keyboard mashing): a lone typo'd word can still pass, gibberish drops below the threshold.
UNKNOWN_WORDS_DAMPING = 0.6
# Stronger multiplier when most words are not even near a training word or an English word ("jfkdls"):
# single letters and plural endings alone can otherwise lift a shop intent over the threshold.
MASHING_DAMPING = 0.4
# A message made only of a brand/product name (+ model code) is a search this sure at least.
CATALOG_REFERENCE_CONFIDENCE = 0.9
SEARCH_INTENT = "search_product"
ADDRESS_INTENT = "change_address"
# A change of address names where the parcel goes (an address, a place, the recipient, a phone);
# "i got the wrong version, can you send the pro instead?" only shares "send ... instead" with it.
# Without any such word the change_address score is multiplied by this.
NO_PLACE_DAMPING = 0.5
_PLACE_WORDS = re.compile(
    r"地址|收货|收件|寄到|送到|送去|寄去|地方|电话|手机|号码|搬家|搬了|信息|家|公司|学校|单位|省|市|区|路|街|号|"
    r"\b(?:address\w*|addr|ship\w*|deliver\w*|recipient|phone|number|moved?|moving|postcode|zip|street|road|"
    r"home|office|work|place|house|flat|apartment|city|town|details|info|somewhere|elsewhere|location)\b",
    re.IGNORECASE,
)
_EMOJI_CATEGORIES = {"So", "Sk"}


def _has_symbols(text: str) -> bool:
    """Emoji and other symbols carry intent on their own (👍, 🙏, 😡)."""
    return any(unicodedata.category(char) in _EMOJI_CATEGORIES for char in text[:200])


def _raise_to(probabilities: np.ndarray, index: int, floor: float) -> np.ndarray:
    """Probabilities with class `index` at least `floor`, the others scaled to keep the sum."""
    current = float(probabilities[index])
    if current >= floor:
        return probabilities
    total = float(probabilities.sum())
    others = total - current
    scaled = probabilities * ((total - floor) / others) if others > 0 else probabilities.copy()
    scaled[index] = floor
    return scaled


@dataclass(frozen=True)
class LoadedModel:
    model: LinearIntentModel
    tokenizer: WordTokenizer
    pinyin: PinyinReader
    files: list[Path]
    data_hash: str


def _dictionary_chars(dictionary: Path, texts: list[str]) -> set[str]:
    """Every character of the tokenizer's dictionary words and of the training texts."""
    chars = set("".join(texts))
    with dictionary.open(encoding="utf-8") as handle:
        for line in handle:
            chars.update(line.split(" ", 1)[0])
    return chars


class BuiltinNluEngine:
    """Trains from the YAML under `data_dir` (once; the model is cached in `model_dir`).

    A stored model whose training-data hash differs from the current YAML is retrained
    automatically at construction, so editing the data never leaves a stale model behind.
    """

    def __init__(
        self,
        model_dir: Path,
        *,
        threshold: float = DEFAULT_THRESHOLD,
        data_dir: Path = DATA_DIR,
        cache_size: int = 4096,
        retrain: bool = False,
    ) -> None:
        self.threshold = threshold
        self.model_dir = Path(model_dir)
        self.data_dir = Path(data_dir)
        if not training_files(self.data_dir):
            raise FileNotFoundError(f"no NLU training data under {self.data_dir}")
        self._files = self._training_files()
        data = load_files(self._files)  # examples are dropped after start-up: only vocabularies stay
        self.data_hash = files_digest(self._files)
        self._lookup_words = [value for values in data.lookups.values() for value in values]
        self.extractor = EntityExtractor(data.lookups, data.synonyms)
        self._train_lock = threading.Lock()
        self._speller = SpellingNormaliser({})
        self._speller_model: LinearIntentModel | None = None
        self.pinyin = PinyinReader({})
        self.model, self.tokenizer = self._load_or_train(force=retrain)
        self._known_words = self._word_vocabulary()
        self.tokenizer.warm_up()  # load jieba now, not on the first customer message
        self._cached_parse = lru_cache(maxsize=cache_size)(self._parse_uncached)

    # --- model lifecycle ----------------------------------------------------------------
    def _training_files(self) -> list[Path]:
        """The YAML under data_dir plus the staff-reviewed examples kept beside the model."""
        reviewed = self.model_dir / REVIEWED_FILE
        return training_files(self.data_dir) + ([reviewed] if reviewed.is_file() else [])

    def load_stored(self) -> LoadedModel:
        """Read the model now stored in model_dir (after a swap); raises if it is missing or stale.

        Safe to call from a worker thread: nothing the parser uses is touched until `install`.
        """
        files = self._training_files()
        data_hash = files_digest(files)
        model = LinearIntentModel.load(self.model_dir)
        table = load_table(self.model_dir)
        dictionary = self.model_dir / DICTIONARY
        if model is None or table is None or not dictionary.exists():
            raise FileNotFoundError(f"no complete model in {self.model_dir}")
        if model.data_hash != data_hash:
            raise ValueError(f"the model in {self.model_dir} was trained on other data")
        tokenizer = shared_tokenizer(dictionary)
        tokenizer.warm_up()
        return LoadedModel(model, tokenizer, PinyinReader(table), files, data_hash)

    def install(self, loaded: LoadedModel) -> None:
        """Serve `loaded` from the next parse on (call it on the thread that parses)."""
        self._files, self.data_hash = loaded.files, loaded.data_hash
        self.model, self.tokenizer, self.pinyin = loaded.model, loaded.tokenizer, loaded.pinyin
        self._known_words = self._word_vocabulary()
        self._cached_parse.cache_clear()

    def _load_or_train(self, *, force: bool) -> tuple[LinearIntentModel, WordTokenizer]:
        dictionary = self.model_dir / DICTIONARY
        if not force:
            model = LinearIntentModel.load(self.model_dir)
            table = load_table(self.model_dir)
            if model is not None and model.data_hash == self.data_hash and dictionary.exists() and table is not None:
                self.pinyin = PinyinReader(table)
                return model, shared_tokenizer(dictionary)
        return self.train()

    def train(self) -> tuple[LinearIntentModel, WordTokenizer]:
        """(Re)train from the YAML and persist; returns the new model and tokenizer."""
        with self._train_lock:
            dictionary = self.model_dir / DICTIONARY
            build_small_dictionary(dictionary, self._lookup_words)
            tokenizer = shared_tokenizer(dictionary)
            examples = load_files(self._files).examples
            texts = [e.text for e in examples]
            table = build_table(_dictionary_chars(dictionary, texts))
            pinyin = PinyinReader(table)
            model = train_model(texts, [e.intent for e in examples], tokenizer, self.data_hash, pinyin=pinyin)
            save_table(table, self.model_dir)
            model.save(self.model_dir)
            log.info(
                "nlu_model_trained",
                examples=len(examples),
                intents=len(model.classes),
                features=len(model.vocabulary),
                model_dir=str(self.model_dir),
            )
            self.model, self.tokenizer, self.pinyin = model, tokenizer, pinyin
            self._known_words = self._word_vocabulary()
            if hasattr(self, "_cached_parse"):
                self._cached_parse.cache_clear()
            return model, tokenizer

    @property
    def speller(self) -> SpellingNormaliser:
        if self._speller_model is not self.model:
            self._speller = SpellingNormaliser(self.model.words, self.model.english, self.pinyin.syllables)
            self._speller_model = self.model
        return self._speller

    def _word_vocabulary(self) -> frozenset[str]:
        return frozenset(term[2:] for term in self.model.vocabulary if term.startswith("w:"))

    def _is_known_word(self, word: str) -> bool:
        return word in self._known_words or stem_word(word) in self._known_words

    def _without_placeless_address_change(self, content: str, probabilities: np.ndarray) -> np.ndarray:
        """change_address damped when the message names no place, recipient or contact at all."""
        if ADDRESS_INTENT not in self.model.classes or _PLACE_WORDS.search(content) or re.search(r"\d{5,}", content):
            return probabilities
        index = self.model.classes.index(ADDRESS_INTENT)
        damped = probabilities.copy()
        damped[index] *= NO_PLACE_DAMPING
        # The mass taken from change_address goes to the others in proportion: the total is kept.
        others = float(probabilities.sum() - probabilities[index])
        if others > 0:
            scale = (float(probabilities.sum()) - float(damped[index])) / others
            damped = np.where(np.arange(len(damped)) == index, damped, probabilities * scale)
        return damped

    def _is_word_like(self, word: str) -> bool:
        """An unknown word the classifier can still read: a typo of a training word.

        Real English words the data never uses ("frying pan") give only sub-word evidence, like
        mashing: they take the stronger damping, so a product name from an unseen catalog falls
        back (and is searched) instead of passing as payment_problem on "pan" ~ "pay".
        """
        return self.speller.correct_word(word) is not None

    def _unknown_words_damping(self, content: str) -> float:
        """Confidence multiplier for a Latin message made only of words never seen in training."""
        words = latin_words(content)
        word_like = sum(self._is_word_like(word) for word in words)
        # Mostly gibberish ("blorp snarf wibble": one near-miss of "scarf" among nonsense) is
        # mashing; a message of typos ("refnud plz") keeps the milder multiplier.
        return UNKNOWN_WORDS_DAMPING if word_like * 2 >= len(words) else MASHING_DAMPING

    # --- vocabulary ---------------------------------------------------------------------
    def update_vocabulary(
        self,
        products: list[str],
        brands: list[str],
        categories: list[str],
        synonyms: dict[str, str] | None = None,
    ) -> None:
        self.extractor.update_vocabulary(products, brands, categories, synonyms)

    @property
    def vocabulary_version(self) -> int:
        return self.extractor.version

    def forget_parses(self) -> None:
        """Empty the cache of parsed texts (benchmarks: measure parses, not cache hits)."""
        self._cached_parse.cache_clear()

    # --- parsing ------------------------------------------------------------------------
    async def parse(
        self,
        text: str,
        *,
        lang_hint: str | None = None,
        expected_intents: frozenset[str] | None = None,
    ) -> ParseResult:
        return self.parse_sync(text, lang_hint=lang_hint, expected_intents=expected_intents)

    def parse_sync(
        self,
        text: str,
        *,
        lang_hint: str | None = None,
        expected_intents: frozenset[str] | None = None,
    ) -> ParseResult:
        if not isinstance(text, str):
            text = "" if text is None else str(text)
        expected = frozenset(expected_intents) if expected_intents else None
        return self._cached_parse(text, lang_hint, self.extractor.version, expected)

    def _expectation_weights(self, expected: frozenset[str]) -> np.ndarray | None:
        """Per-class prior multipliers for a step expecting `expected` (None: nothing to weigh)."""
        weights = np.array([EXPECTED_INTENT_BOOST if name in expected else 1.0 for name in self.model.classes])
        return weights if (weights != 1.0).any() else None

    def _parse_uncached(
        self,
        text: str,
        lang_hint: str | None,
        _vocabulary_version: int,
        expected: frozenset[str] | None = None,
    ) -> ParseResult:
        language = detect_language(text, lang_hint)
        content = strip_markup(text)
        if (
            not (has_meaningful_content(content) or _has_symbols(content))
            or looks_like_code(content)
            or is_repetitive(content)
            or is_filler_only(content)
            or is_function_words_only(content)
        ):
            return self._fallback(text, language, [])
        if is_bare_number(content):
            # A phone or order number typed on its own answers a question; it is not an intent.
            return self._fallback(text, language, self.extractor.extract(text))
        if is_arithmetic(content):
            return self._fallback(text, language, [])  # "1+1等于几": a quiz, not a request
        cleaned = self.speller.correct(feature_text(content))
        probabilities = self.model.predict(features(cleaned, self.tokenizer, self.pinyin))
        if unknown_word_share(content, self._is_known_word) == 1.0:
            probabilities = probabilities * self._unknown_words_damping(content)
        entities = self.extractor.extract(text)
        if SEARCH_INTENT in self.model.classes and is_catalog_reference(text, entities):
            probabilities = _raise_to(
                probabilities, self.model.classes.index(SEARCH_INTENT), CATALOG_REFERENCE_CONFIDENCE
            )
        probabilities = self._without_placeless_address_change(content, probabilities)
        if expected:
            # The step's expectations as a prior (nlu.engine.boost_expected, same rule): the
            # total is kept, so damped gibberish stays below the threshold.
            weights = self._expectation_weights(expected)
            if weights is not None:
                total = float(probabilities.sum())
                weighted = probabilities * weights
                probabilities = weighted * (total / float(weighted.sum()))
        order = probabilities.argsort()[::-1][:RANKING_SIZE]
        ranking = [IntentScore(self.model.classes[i], float(probabilities[i])) for i in order]
        intent = ranking[0]
        if intent.confidence < self.threshold:
            # Rasa's FallbackClassifier shape: nlu_fallback on top with the threshold as confidence.
            intent = IntentScore(FALLBACK_INTENT, self.threshold)
            ranking = [intent, *ranking]
        return ParseResult(text, intent, ranking, entities, language)

    @staticmethod
    def _fallback(text: str, language: str, entities: list[Entity]) -> ParseResult:
        fallback = IntentScore(FALLBACK_INTENT, 1.0)
        return ParseResult(text, fallback, [fallback], entities, language)
