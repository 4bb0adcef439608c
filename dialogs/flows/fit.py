"""Whether a product suits a use ("冬天去长白山够用吗", "is it warm enough for winter camping?"):
answered honestly from what the catalog says - description and options - and never with a
made-up "yes". When the catalog does not say, the bot says so and shows what it does say."""

from __future__ import annotations

import re

from dialogs import buttons as codes
from dialogs.flows import browse, products
from dialogs.flows.base import menu_buttons
from dialogs.ports import ProductView
from dialogs.turn import Turn

_WORD = re.compile(r"[a-z]{4,}|[\u4e00-\u9fff]{2}", re.I)
# Words of the question that say nothing about the product ("够用吗", "is it good enough for").
_NOT_A_FEATURE = re.compile(
    r"够用|适合|合适|适用|能用|可以|好用|冬天|夏天|enough|good|suitable|would|will|does|this|that|with|for|okay",
    re.I,
)


def _described(question: str, product: ProductView) -> bool:
    """The question names something the catalog text says about the product ("防水吗" and a
    description with 防水)."""
    said = f"{product.description} {' '.join(v for vs in product.options.values() for v in vs)}".lower()
    text = question.lower()
    grams = {text[i : i + 2] for i in range(len(text) - 1) if re.fullmatch(r"[\u4e00-\u9fff]{2}", text[i : i + 2])}
    words = set(re.findall(r"[a-z]{4,}", text)) | grams
    return any(word in said for word in words if not _NOT_A_FEATURE.fullmatch(word))


async def answer(turn: Turn, about: ProductView | None = None) -> None:
    product = about or await browse.resolve_product(turn)
    if product is None:
        turn.say("product.which", *menu_buttons(turn))
        return
    fields = {
        "title": product.title,
        "description": product.description or "-",
        "options": products.options_text(product),
    }
    human = turn.button("menu.human", codes.HUMAN)
    if _described(turn.text, product):
        turn.say("fit.described", human, **fields)
    else:
        turn.say("fit.unsure", human, **fields)
    if turn.state.suspended:
        return  # in the middle of a flow (checkout): the step is asked again next, no card
    products.remember_product(turn, product)
    products.show(turn, product)
