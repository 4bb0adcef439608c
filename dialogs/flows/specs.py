"""Choosing a product's options - by button or typed ("黑色 L码", "the 256 one") - and finishing
an add-to-cart that waited for them."""

from __future__ import annotations

import re

from dialogs.flows import cart, fit, products, several
from dialogs.flows.base import menu_buttons
from dialogs.ports import ProductView, SearchQuery
from dialogs.references import asks_to_buy, mentioned_values, missing_amounts, product_words, spec_text
from dialogs.turn import Turn

# A spec named as a request, not only a choice: "the red one please", "来个大号".
# ("要黑色的" alone only chooses: the card's "add" button is the next step customers expect.)
_REQUEST = re.compile(
    r"^\s*(?:来|买|拿)|给我|就要|\b(?:please|pls|plz|i'?ll\s+(?:take|have|get|go\s+with)|i'?d\s+like|give\s+me|"
    r"go(?:ing)?\s+with)\b",
    re.I,
)


async def spec_follow_up(turn: Turn) -> bool:
    """Specs typed for the product on screen: select them (and finish a pending "add to cart")."""
    said = without_stock_echo(turn.text or "")
    if said == (turn.text or ""):
        return await _spec_follow_up(turn)
    # "oh sold out? paperback is fine then": the echo of the card's news is no question; the rest
    # is read as the whole message
    whole = turn.message
    turn.message = whole.model_copy(update={"text": said})
    try:
        return await _spec_follow_up(turn)
    finally:
        turn.message = whole


async def _spec_follow_up(turn: Turn) -> bool:
    context = turn.state.context
    product_id = context.get("product")
    if not product_id or not turn.text:
        return False
    # Most messages about the product on screen are not specs ("how long is the warranty?"):
    # its options as shown tell that without reading it again.
    remembered = products.remembered_options(context, str(product_id))
    if remembered is not None and _asks_for_missing(turn, remembered):
        product = await turn.services.shop.product(product_id, turn.lang)
        if product is not None and products.say_unavailable(turn, product):
            turn.intent = "select_spec"  # "五阶的有吗" under the cube's card: not made, the real ones
            products.show(turn, product)
            return True
    if (
        remembered is not None
        and not products.names_only_specs(turn, remembered)
        and not _may_answer_open_option(turn, remembered)
    ):
        return False
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None or several.names_versions_of(turn.text, product):
        return False  # "那中文平装来俩 英文平装一本": several versions, each added with its count
    only_specs = products.spec_only(turn, product)
    if not only_specs and not await _answers_open_option(turn, product):
        return False
    chosen = products.selection_from_text(turn, product)
    missing = products.unmatched_specs(turn, product)
    if missing and not chosen:
        turn.intent = "select_spec"
        turn.say(
            "product.spec_unavailable",
            title=product.title,
            wanted=" ".join(missing),
            options=products.options_text(product),
        )
        products.show(turn, product)
        return True
    if not chosen:
        return False
    turn.intent = "select_spec"
    current = products.set_selection(turn, product, {**products.selection(turn, product), **chosen})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return True
    if _REQUEST.search(turn.text) or (not only_specs and _buys(turn)):
        # "the red one please", "要白色的": choosing and asking for it - add it, don't only select.
        turn.intent = "add_to_cart"
        if await cart.restates_a_line(turn, product, cart.wanted_quantity(turn)):
            return True  # "fine, i'll take the deluxe one" right after the deluxe one went in
        quantity = products.count_for(turn.text, product, cart.wanted_quantity(turn)) or 1
        await cart.choose_variant(turn, product, current, quantity)
        return True
    products.show(turn, product)
    return True


async def option_button(turn: Turn, value: str) -> None:
    """ "option:<dim>.<value>" on the product on screen; completes a pending add-to-cart."""
    context = turn.state.context
    product_id = context.get("product")
    product = await turn.services.shop.product(product_id, turn.lang) if product_id else None
    try:
        dim_index, value_index = (int(part) for part in value.split(".", 1))
        dim = list(product.options)[dim_index] if product else ""
        chosen_value = product.options[dim][value_index] if product else ""
    except (ValueError, IndexError, KeyError):
        product = None
    if product is None:
        turn.say("generic.button_expired", *menu_buttons(turn))
        return
    current = products.set_selection(turn, product, {**products.selection(turn, product), dim: chosen_value})
    pending = context.get("pending_add")
    if pending and pending.get("product") == product.product_id:
        await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        return
    products.show(turn, product)


# --- an option answer with chatter around it ------------------------------------------------------

# A question about the product ("is the M big enough for a beagle?", "蓝色的保温吗") is answered,
# not taken as a choice.
_QUESTION = re.compile(
    r"[?？]|吗|么|多少|几|哪|什么|怎么|有没有|有没|"
    r"^\s*(?:how|what|which|when|where|why|is|are|does|do|can|could|will|would|should)\b|"
    r"\b(?:do|does|did)\s+(?:you|it|they|u)\b|\bhave\s+you\s+got\b|\bany\s+chance\b",
    re.I,
)
# A value named to turn it down ("M is too small for him", "不要蓝色") is no choice of it.
_REFUSAL = re.compile(
    r"\bnot\b|n't\b|\bno\b|\btoo\s+(?:small|big|large|tight|loose|short|long|dark|light)\b|"
    r"不是|不要|不想|不喜欢|太小|太大|太短|太长|偏小|偏大",
    re.I,
)
_CART_WORDS = re.compile(
    r"不要|删|去掉|换成|改成|结算|付款|购物车里|\b(?:remove|delete|drop|swap|change|instead|checkout|check\s+out|pay)\b",
    re.I,
)
MAX_ANSWER = 80


def _may_answer_open_option(turn: Turn, options: dict[str, list[str]]) -> bool:
    """Cheap first look: under the card of a product with an option still open, a short message
    that names one of its values ("M i think, he's a beagle", "73吧 宝宝七个月")."""
    text = turn.text or ""
    context = turn.state.context
    product_id = context.get("product")
    pending = context.get("pending_add") or {}
    if not text or len(text) > MAX_ANSWER or any(p.search(text) for p in (_QUESTION, _REFUSAL, _CART_WORDS)):
        return False
    if products.on_screen(turn) != product_id and pending.get("product") != product_id:
        return False
    if any(len(mentioned_values(text, values)) > 1 for values in options.values()):
        return False  # "38和40的各来一双", "black 42 and white 44": several versions, added each
    return bool(products.options_named(text, options))


async def _answers_open_option(turn: Turn, product: ProductView) -> bool:
    """The message answers the option still open on the product's card, whatever else it chats
    about ("the blue, it's for my mum"); unless it clearly names another product ("actually the
    pet bed, size L")."""
    options = product.options
    if not _may_answer_open_option(turn, options):
        return False
    chosen = products.selection(turn, product)
    open_dims = [dim for dim, values in options.items() if dim not in chosen and len(values) > 1]
    named = products.options_named(turn.text or "", options)
    if not any(dim in named for dim in open_dims) and not _replaces_sold_out(product, chosen, named):
        return False
    return not await names_other_product(turn, product)


def _replaces_sold_out(product: ProductView, chosen: dict[str, str], named: dict[str, str]) -> bool:
    """The version chosen on the card is sold out and the message names another value for one of
    its options ("那红色的吧 一样大小", "olive then"): that is the version wanted now."""
    current = products.matching_variants(product, chosen) if chosen else []
    if len(current) != 1 or current[0].stock > 0:
        return False
    return any(dim in chosen and chosen[dim] != value for dim, value in named.items())


# Asking whether a version exists: "有吗", "do you have it in", "any in".
_HAVE = re.compile(
    r"有没有|有没|有吗|有的吗|吗|呢|[?？]|\b(?:do|does|you|u|have|has|got|it|them|one|any|in|size|available|stock|"
    r"is|are|there|come|comes|what|about|how)\b",
    re.I,
)


def _asks_for_missing(turn: Turn, options: dict[str, list[str]]) -> bool:
    """ "五阶的有吗", "do you have it in 44" under a card: only a version the product lacks, asked for."""
    text = turn.text or ""
    if len(text) > MAX_ANSWER:
        return False
    missing = [a for values in options.values() for a in missing_amounts(text, list(values))]
    if not missing:
        return False
    rest = spec_text(text)
    for amount in missing:
        rest = rest.replace(amount, " ")
    rest = _HAVE.sub(" ", rest)
    return products.nothing_but_specs(rest, options)


def _buys(turn: Turn) -> bool:
    """An option answer that also asks for the product ("香草味的 两瓶", "the khaki one, add it")."""
    understood = turn.parse.intent.name if turn.parse is not None else ""
    return asks_to_buy(turn.text or "") or understood == "add_to_cart"


async def names_other_product(turn: Turn, product: ProductView) -> bool:
    """Do the words around the option name a product other than `product`? The NLU's product name
    or what is left of the message must find another product whose title they name."""
    rest = products.without_option_words(product_words(turn.text or ""), product)
    named = turn.entity("product")
    for words in (str(named) if named else "", rest):
        if not words or products.title_mentions(product.title, words):
            continue
        found = await turn.services.shop.search(SearchQuery(text=words[:80]), turn.lang, 1, 3)
        if any(
            hit.product_id != product.product_id and products.title_mentions(hit.title, words) for hit in found.items
        ):
            return True
    return False


# --- an option chosen and a question asked in one message ------------------------------------------

# Sentences: split at their ends, and (in Chinese, written without punctuation) at spaces.
_SENTENCE = re.compile(r"(?<=[.!?。！？,，])\s*|(?<=[\u4e00-\u9fff吧])\s+(?=[\u4e00-\u9fff])")


# "没货了？", "sold out?": the customer echoing the card's news before naming another version - no
# question about the product to answer (the version named replaces the sold-out one).
_STOCK_ECHO = re.compile(
    r"^(?:又|都|已经|居然|竟然|oh\s+|ah\s+)?(?:(?:that|it)'?s\s+|(?:that|it)\s+is\s+)?(?:没货|卖完|售罄|断货|缺货|没有货|sold\s*out|out\s+of\s+stock)"
    r"(?:了|啦|啊|呀|吗|嘛)?\s*(?:already|again)?[?？!！.。…\s]*$",
    re.I,
)


def without_stock_echo(text: str) -> str:
    """The message without a "sold out?" echoing the card, when something else is said too."""
    pieces = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    echoes = [p for p in pieces if _STOCK_ECHO.match(p)]
    if not echoes or len(echoes) == len(pieces):
        return text
    for echo in echoes:
        text = text.replace(echo, " ", 1)  # the rest as written ("1.7L" stays whole)
    return " ".join(text.split())


def _question_and_choice(text: str) -> tuple[str, str] | None:
    """ "oh ok then 43 i guess. they run true to size right?" -> ("they run true to size right?",
    "oh ok then 43 i guess"); None unless the message is both a question and something else."""
    pieces = [p.strip() for p in _SENTENCE.split(text) if p and p.strip()]
    asked = [p for p in pieces if _QUESTION.search(p) and not _STOCK_ECHO.match(p)]
    said = [p for p in pieces if not _QUESTION.search(p)]
    if not asked or not said:
        return None
    return " ".join(asked), " ".join(said)


async def choice_with_question(turn: Turn) -> bool:
    """Step first: an option of the product on screen chosen (or chosen again: "then 43") in a
    message that also asks about the product ("they run true to size right?", "那就43吧 这款偏大吗"):
    the choice is made - the purchase waiting for it finished - and the question answered from
    what the catalog says, about that product (never a search for the question's words)."""
    product_id = products.on_screen(turn)
    split = _question_and_choice(turn.text or "")
    if product_id is None or split is None or len(turn.text or "") > MAX_ANSWER:
        return False
    question, said = split
    if any(p.search(said) for p in (_REFUSAL, _CART_WORDS)):
        return False
    product = await turn.services.shop.product(product_id, turn.lang)
    if product is None:
        return False
    whole = turn.message
    turn.message = whole.model_copy(update={"text": said})
    try:
        chosen = products.selection_from_text(turn, product)
        if not chosen or await names_other_product(turn, product):
            return False
        turn.intent = "select_spec"
        current = products.set_selection(turn, product, {**products.selection(turn, product), **chosen})
        pending = turn.state.context.get("pending_add")
        if pending and pending.get("product") == product.product_id:
            await cart.choose_variant(turn, product, current, int(pending.get("qty") or 1))
        elif _REQUEST.search(said) or asks_to_buy(said):
            turn.intent = "add_to_cart"
            quantity = products.count_for(said, product, cart.wanted_quantity(turn)) or 1
            await cart.choose_variant(turn, product, current, quantity)
        turn.message = whole.model_copy(update={"text": question})
        await fit.answer(turn, product)
    finally:
        turn.message = whole
    return True
