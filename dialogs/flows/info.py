"""Small talk, help, shop information (FAQ) and asking for a human."""

from __future__ import annotations

from dialogs import buttons as codes
from dialogs.flows import browse, products
from dialogs.flows.base import menu_buttons
from dialogs.handoff import HandoffService
from dialogs.messages import HandoffNotice
from dialogs.references import asks_about_price
from dialogs.turn import Turn

# Intents answered from the editable FAQ content.
FAQ_INTENTS = {
    "shipping_info": "shipping",
    "invoice": "invoice",
    "ask_promotion": "promotions",
    "payment_problem": "payment",
}
# The FAQ entry that answers haggling (prices are fixed; coupons, sales, free shipping).
BARGAIN_ENTRY = "pricing"


async def greet(turn: Turn) -> None:
    turn.say("greet.welcome", *menu_buttons(turn))


async def help_(turn: Turn) -> None:
    turn.say(
        "help.text", *menu_buttons(turn), turn.button("menu.faq", codes.FAQ), turn.button("menu.human", codes.HUMAN)
    )


async def thanks(turn: Turn) -> None:
    turn.say("smalltalk.thanks")


async def goodbye(turn: Turn) -> None:
    turn.say("smalltalk.goodbye")


async def chitchat(turn: Turn) -> None:
    # A bare product name can look like small talk to the NLU ("cutting board"): the catalog decides.
    if await browse.search_as_fallback(turn):
        return
    turn.say("smalltalk.chitchat", *menu_buttons(turn))


async def affirm_or_deny(turn: Turn) -> None:
    """ "ok" / "no" with nothing pending: acknowledge and offer the menu."""
    turn.say("smalltalk.ok", *menu_buttons(turn))


async def faq_topics(turn: Turn, _: str = "") -> None:
    entries = await turn.services.faq.entries()
    buttons = [turn.button("faq.topic", codes.FAQ, entry.key, title=entry.question.get(turn.lang)) for entry in entries]
    turn.say("faq.choose", *buttons[:8])


async def faq_answer(turn: Turn, key: str) -> None:
    if not key:
        await faq_topics(turn)
        return
    entry = await turn.services.faq.get(key)
    if entry is None:
        await faq_topics(turn)
        return
    turn.say(
        "faq.answer",
        turn.button("menu.faq_more", codes.FAQ),
        *menu_buttons(turn)[:2],
        question=entry.question.get(turn.lang),
        answer=entry.answer.get(turn.lang),
    )


async def _price_talk_about(turn: Turn) -> None:
    """Talking price makes the product named the one talked about; with none named, the product
    on screen stays on screen ("349 is steep.. can u do 300?" then "fine ill take it")."""
    shown = products.on_screen(turn)
    await browse.note_product(turn)
    context = turn.state.context
    if shown is None or context.get("product") != shown:
        return
    context["shown_at"] = turn.state.version
    if turn.text and products.may_name_options(turn.text):
        # "那三文鱼味的 买三袋能便宜点不": the flavour asked about is the one bought next
        product = await turn.services.shop.product(shown, turn.lang)
        chosen = products.selection_from_text(turn, product) if product is not None else {}
        if product is not None and chosen:
            products.set_selection(turn, product, chosen)


async def bargain(turn: Turn) -> None:
    """Haggling ("500 and i buy right now?", "能便宜点不", "两个算120呗"): prices are the same for
    everyone - said honestly, with the ways to save that there are (the shop's pricing answer) -
    and the product haggled over is still the one to buy at its price."""
    await _price_talk_about(turn)
    entry = await turn.services.faq.get(BARGAIN_ENTRY)
    if entry is None:
        await faq_question(turn)
        return
    await faq_answer(turn, entry.key)


async def faq_for_intent(turn: Turn) -> None:
    if turn.intent == "ask_promotion":
        await _price_talk_about(turn)  # "any discount on the dutch oven?": that oven is the one talked about
    entry = await turn.services.faq.match(turn.text) if turn.text else None
    if entry is None or turn.intent not in entry.intents:
        entry = await turn.services.faq.for_intent(turn.intent) or entry
    if entry is None:
        await faq_topics(turn)
        return
    await faq_answer(turn, entry.key)
    if turn.intent == "payment_problem":
        turn.say(
            "payment.problem_hint", turn.button("button.pay_again", codes.PAY), turn.button("menu.human", codes.HUMAN)
        )


async def faq_question(turn: Turn) -> None:
    """A question about how things work (refund times, prices): the FAQ entry it names."""
    if turn.text and asks_about_price(turn.text):
        await _price_talk_about(turn)  # "5 headlamps for 60 each?": the headlamp is the one talked about
    entry = await turn.services.faq.match(turn.text) if turn.text else None
    if entry is None:
        await faq_topics(turn)
        return
    await faq_answer(turn, entry.key)


async def request_human(turn: Turn, reason: str = "customer") -> None:
    state = turn.state
    if state.handoff_status != "none":
        turn.say("handoff.still_waiting")
        return
    HandoffService.mark_waiting(state, reason)
    state.context.pop("waiting_reminded", None)
    turn.reply(
        HandoffNotice(
            text=turn.t("handoff.waiting"),
            status="waiting",
            buttons=(turn.button("button.back_to_bot", codes.HANDOFF, "cancel"),),
        )
    )


async def human_button(turn: Turn, _: str = "") -> None:
    turn.intent = "human_agent"
    await request_human(turn, "customer")


async def human_intent(turn: Turn) -> None:
    await request_human(turn, "customer")


async def complaint(turn: Turn) -> None:
    turn.say("complaint.sorry")
    await request_human(turn, "complaint")
