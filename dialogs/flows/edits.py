"""Several cart edits in one message: "白的那个改成两条吧 粉色的换成灰色", "make the white one 2 and change
the pink one to grey", "remove the pink one and make the white one 2".

The message is cut into clauses (punctuation, 然后 / 再 / 另外 / and / also / then, and in Chinese
a space between clauses); a clause with no word of editing joins the next one. Each clause is
read on its own, like a one-edit message: the words describing a line pick it (the same matching as
any cart edit, option words in any spelling), and the clause removes it, gives it another option
(its new value after 改成 / to / instead), or sets its quantity. Every line is found against the
cart as it was, then all edits are made and one reply tells what changed. A message that is not
two such edits (a buying list, an edit whose line is unclear) is left to the one-edit paths.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from dialogs.flows import browse, cart, products
from dialogs.messages import TextReply
from dialogs.ports import CartLineView, CartView, ProductView
from dialogs.references import asks_for_more, asks_to_set_quantity, only_quantity, trailing_number
from dialogs.turn import Turn

if TYPE_CHECKING:
    from nlu.engine import ParseResult

MAX_CLAUSES = 4
_SEPARATOR = re.compile(
    r"[,，;；。!！\n]+|\s*(?:然后|接着|另外|还有|同时|并且|再把|\b(?:and\s+then|and\s+also|and|also|then|plus)\b)\s*",
    re.I,
)
# A space next to a Chinese character ends a clause ("白的那个改成两条吧 粉色的换成灰色", "navy的改成M 围巾不要了").
_HAN_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+|\s+(?=[\u4e00-\u9fff])")
# Clauses typed without a break: after a count ("白的改成两条粉色的换成灰色"), before a second verb
# ("make the white one 2 change the pink one to grey"). A piece with no edit in it joins the next.
_RUN_ON = re.compile(
    r"(?<=[一二两三四五六七八九十俩仨\d][条件个双只盒包瓶支套份副本袋罐])(?:吧|呢|啊)?(?=[\u4e00-\u9fff])|"
    r"(?<=\S)\s+(?=(?:change|make|swap|switch|remove|delete|drop|take)\b)",
    re.I,
)
# Taking a line out ("粉色的不要了", "remove the pink one").
_DROP = re.compile(
    r"不要了|不要|删掉|删了|删除|去掉|拿掉|移除|\b(?:remove|delete|drop|scrap|ditch|nix|get\s+rid\s+of)\b|"
    r"\btake\s+(?:out|off)\b|\btake\s+(?:it|them|that|those|the\s+\w+(?:\s+ones?)?)\s+(?:out|off)\b",
    re.I,
)
# Buying words: a clause that adds is no edit of a line ("and add a grey one", "再来一条灰色的").
_ADDS = re.compile(r"加一|加个|加购|\b(?:add|buy)\b", re.I)
# "换成黑色T恤 xl 俩", "get the grey one instead": what a removed line makes way for, when it names
# a product the cart does not hold (a new product to add, not an option of a line).
_IN_ITS_PLACE = re.compile(
    r"^\s*(?:那|就|那就)?(?:换成|改成|换个|换|改买|改要|改拿)\s*|"
    r"^\s*(?:and\s+)?(?:(?:swap|switch|change)\s+(?:it|that|them)\s+(?:for|to)|instead\s+(?:get|add)|get|add)\s+",
    re.I,
)
_ZH_COUNT = re.compile(r"[一二两三四五六七八九十俩仨\d]\s*[个件条双只盒包瓶支套份副本袋罐]")
_EN_SET = re.compile(r"\b(?:make|set|change|should\s+be|want)\b.*\d|\d+\s*(?:of\s+(?:them|those))?\s*$", re.I)


@dataclass(frozen=True)
class Clause:
    text: str
    start: int
    end: int


@dataclass(frozen=True)
class Edit:
    """What one clause does to one line: remove it, another variant (`sku`), or a quantity."""

    line: CartLineView
    product: ProductView
    remove: bool = False
    sku: str = ""
    quantity: int = 0


def clauses(text: str) -> list[Clause]:
    """The clauses of the message; one with no word of editing joins the next ("白色那条，改成两条")."""
    cuts = [(m.start(), m.end()) for m in _SEPARATOR.finditer(text)]
    cuts += [(m.start(), m.end()) for m in (*_HAN_SPACE.finditer(text), *_RUN_ON.finditer(text))]
    spans: list[tuple[int, int]] = []
    start = 0
    for a, b in sorted(cuts):
        if a >= start:
            spans.append((start, a))
            start = b
    spans.append((start, len(text)))
    found: list[Clause] = []
    held: int | None = None
    for a, b in spans:
        if not text[a:b].strip():
            continue
        a = held if held is not None else a
        if _edits(text[a:b]):
            found.append(Clause(text[a:b], a, b))
            held = None
        else:
            held = a
    if held is not None and found:
        last = found[-1]
        found[-1] = Clause(text[last.start :], last.start, len(text))
    return found


def _changes_a_line(text: str) -> bool:
    """A verb of changing or removing, not only a count ("白色的两条" may be what to buy)."""
    return bool(cart.asks_for_change(text) or _DROP.search(text) or asks_to_set_quantity(text))


def _edits(text: str) -> bool:
    """A word of editing a line: a change, a removal or a count."""
    return bool(
        cart.asks_for_change(text)
        or _DROP.search(text)
        or asks_to_set_quantity(text)
        or _ZH_COUNT.search(text)
        or _EN_SET.search(text)
    )


def _clause_turn(turn: Turn, clause: Clause) -> Turn:
    """The turn as if the customer had typed only this clause."""
    message = turn.message.model_copy(update={"text": clause.text})
    return replace(turn, message=message, parse=_clause_parse(turn.parse, clause), replies=[])


def _clause_parse(parse: ParseResult | None, clause: Clause) -> ParseResult | None:
    if parse is None:
        return None
    inside = [
        replace(e, start=e.start - clause.start, end=e.end - clause.start)
        for e in parse.entities
        if e.start >= clause.start and e.end <= clause.end
    ]
    return replace(parse, text=clause.text, entities=inside)


async def several_edits_intent(turn: Turn, intent: str) -> bool:
    """Two or more edits of cart lines in one message, each made (False: not such a message)."""
    text = turn.text
    context = turn.state.context
    if not text or intent in cart.NOT_A_SWAP or cart.about_after_sales(text) or _ADDS.search(text):
        return False
    if context.get("list_kind") == "orders" or not (context.get("last_sku") or context.get("cart_skus")):
        return False
    parts = clauses(text)
    if not 2 <= len(parts) <= MAX_CLAUSES or not any(_changes_a_line(part.text) for part in parts):
        return False  # "白色的两条，粉色的一条" with no word of changing may be a buying list
    shop_cart = await turn.services.shop.cart(turn.customer_id, turn.lang)
    if len(shop_cart.lines) < 2:
        return False
    edits: list[Edit] = []
    missing: list[str] = []
    added: list[Turn] = []
    for part in parts:
        clause_turn = _clause_turn(turn, part)
        if added and only_quantity(part.text):
            added[-1] = _with_text(added[-1], f"{added[-1].text} {part.text}")  # "换成烟灰色T恤 两件": its count
            continue
        outcome = await _edit_of(clause_turn, shop_cart)
        if outcome is None or isinstance(outcome, str):
            replacement = await _in_its_place(clause_turn, edits)
            if replacement is not None:
                added.append(replacement)  # "围巾不要了 换成黑色T恤": the T-shirt is bought, not looked for
                continue
        if isinstance(outcome, str):
            missing.append(outcome)  # "change the blue one to grey" with no blue line: said, not guessed
            continue
        if outcome is None or any(e.line.sku == outcome.line.sku for e in edits):
            return False  # a clause whose line is unclear: the one-edit paths ask about it
        edits.append(outcome)
    turn.intent = "edit_cart_lines"
    await _apply(turn, edits, missing, added)
    return True


async def _in_its_place(clause_turn: Turn, edits: list[Edit]) -> Turn | None:
    """After a removal, "换成黑色T恤 xl 俩" / "get the grey hoodie instead" naming a product the cart
    does not hold: the clause as a buying message for it (None when it is no such clause)."""
    if not any(edit.remove for edit in edits):
        return None
    text = clause_turn.text
    place = _IN_ITS_PLACE.match(text)
    rest = text[place.end() :] if place else ""
    if not rest.strip():
        return None
    buying = _with_text(clause_turn, rest)
    product = await browse.find_to_buy(buying)
    if product is None or any(edit.product.product_id == product.product_id for edit in edits):
        return None
    return buying


async def _edit_of(clause_turn: Turn, shop_cart: CartView) -> Edit | str | None:
    """What the clause does to the one line it describes; what it names that no line is (a str);
    None when the line or the edit is unclear."""
    text = clause_turn.text
    if asks_for_more(text):
        return None
    if _DROP.search(text):
        match = await cart.matching_lines(clause_turn, shop_cart)
        if match.missing or len(match.lines) != 1 or not match.described:
            return match.missing or None  # each clause names its own line ("都不要了" alone names none)
        return await _line_edit(clause_turn, match.lines[0], remove=True)
    # "change the blue one to grey", "粉色的换成灰色": the words before the new value name the line
    match = await cart.matching_lines(_with_text(clause_turn, cart.described_part(text)), shop_cart)
    if match.missing or not match.lines or not match.described:
        return match.missing or None
    quantity = _quantity(clause_turn)
    swaps = await cart.option_swaps(clause_turn, match.lines)
    if len(swaps) == 1:
        target = cart.target_variant(swaps[0])
        line = swaps[0].line
        return Edit(line, swaps[0].product, sku=target, quantity=quantity or line.quantity) if target else None
    if swaps or len(match.lines) != 1 or quantity is None:
        return None
    return await _line_edit(clause_turn, match.lines[0], quantity=quantity)


async def _line_edit(turn: Turn, line: CartLineView, *, remove: bool = False, quantity: int = 0) -> Edit | None:
    product = await turn.services.shop.product_by_sku(line.sku, turn.lang)
    return Edit(line, product, remove=remove, quantity=quantity) if product is not None else None


def _with_text(turn: Turn, text: str) -> Turn:
    return _clause_turn(turn, Clause(text, 0, len(text)))


def _quantity(clause_turn: Turn) -> int | None:
    """ "make the white one 2" (the number at the end), "白的那个改成两条吧" (a counted number)."""
    text = clause_turn.text
    number = trailing_number(text)  # "the pink one 3": the count, not the "one"
    return number if number is not None else cart.wanted_quantity(clause_turn)


async def _apply(turn: Turn, edits: list[Edit], missing: list[str], added: list[Turn]) -> None:
    """Every edit made, one reply saying what changed (and what could not be), then the products
    bought in place of removed ones added (each saying so, or asking for its option)."""
    shop = turn.services.shop
    said = [turn.t("cart.no_such_line", named=named[:40]) for named in missing]
    for edit in edits:
        label = cart.line_label(edit.line)
        if edit.remove:
            await shop.remove_from_cart(turn.customer_id, edit.line.sku, turn.lang)
            said.append(turn.t("cart.removed", title=label))
            continue
        sku = edit.sku or edit.line.sku
        variant = edit.product.variant(sku)
        title = f"{edit.product.title} ({'/'.join(variant.attributes.values())})" if variant else label
        if variant is None or variant.stock < edit.quantity or not 0 < edit.quantity <= cart.MAX_QTY:
            left = variant.stock if variant is not None else 0
            said.append(turn.t("cart.line_not_changed", title=title, count=left))
            continue
        if edit.sku and edit.sku != edit.line.sku:
            await shop.remove_from_cart(turn.customer_id, edit.line.sku, turn.lang)
            await shop.add_to_cart(turn.customer_id, sku, edit.quantity, turn.lang)
            products.set_selection(turn, edit.product, dict(variant.attributes))
            turn.state.context["last_sku"] = sku
            said.append(turn.t("cart.option_changed", old=label, new=title, qty=edit.quantity))
        else:
            await shop.set_quantity(turn.customer_id, sku, edit.quantity, turn.lang)
            said.append(turn.t("cart.line_quantity_set", title=label, qty=edit.quantity))
        cart.touch(turn, sku)
    turn.reply(TextReply(text="\n".join(said)))
    for buying in added:
        await cart.add_intent(buying)
        turn.replies.extend(buying.replies)
    if added:
        return  # the adding said what the cart holds now, or asked for the new product's option
    await cart.view_after_edit(turn)
