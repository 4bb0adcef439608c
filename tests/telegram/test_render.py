"""Rendering replies for Telegram: escaping, limits, keyboards (pure functions)."""

from __future__ import annotations

from bot.telegram.render import MAX_CAPTION, RichText, plain_len, render, utf16_len
from bot.telegram.texts import keys
from dialogs.i18n import t
from dialogs.messages import Button, Carousel, OrderSummary, PaymentLink, ProductCard, SummaryLine, TextReply


def test_text_is_html_escaped() -> None:
    [action] = render([TextReply(text="a < b & <script>alert(1)</script>")], "en")
    assert action.html == "a &lt; b &amp; &lt;script&gt;alert(1)&lt;/script&gt;"


def test_long_caption_is_cut_on_visible_text_not_markup() -> None:
    title = "杯" * 10
    card = ProductCard(product_id="P1", title=title, text="😀<&>" * 400, price="¥1.00", image_url="https://x/y.png")
    [action] = render([card], "zh")
    assert action.kind == "photo"
    assert plain_len(action.html) <= MAX_CAPTION
    assert action.html.startswith(f"<b>{title}</b>")
    assert action.html.endswith("…")
    assert action.html.count("&lt;") >= 1
    assert not action.html.endswith(("&", "&l", "&lt"))
    # The photo's full text survives for the text fallback.
    assert plain_len(action.fallback_html) > MAX_CAPTION


def test_utf16_cut_never_splits_an_emoji() -> None:
    rich = RichText().add("😀" * 10)
    cut = rich.truncated(6).plain
    assert cut == "😀😀…"
    assert utf16_len(cut) <= 6


def test_carousel_numbers_item_buttons_and_keeps_paging_in_one_row() -> None:
    items = tuple(
        ProductCard(
            product_id=f"P{i}", title=f"Item {i}", price="¥1.00", buttons=(Button(label="Details", payload=f"p:P{i}"),)
        )
        for i in (1, 2)
    )
    carousel = Carousel(
        text="Results",
        items=items,
        page=2,
        pages=3,
        buttons=(Button(label="◀", payload="pg:1"), Button(label="▶", payload="pg:3")),
    )
    [action] = render([carousel], "en")
    rows = action.reply_markup["inline_keyboard"] if action.reply_markup else []
    assert rows[0] == [{"text": "1 · Details", "callback_data": "p:P1"}]
    assert rows[-1] == [{"text": "◀", "callback_data": "pg:1"}, {"text": "▶", "callback_data": "pg:3"}]
    assert "Page 2 of 3" in action.html


def test_card_without_image_is_a_text_message() -> None:
    [action] = render([ProductCard(product_id="P1", title="Mug")], "en")
    assert action.kind == "text"
    assert action.html == "<b>Mug</b>"


def test_payment_link_has_a_url_button_and_an_invoice_when_enabled() -> None:
    link = PaymentLink(
        text="Order placed", url="https://shop.example.com/pay/1", order_number="20250101-0001", amount="10.00"
    )
    [text_only] = render([link], "en")
    assert text_only.inline_buttons == [{"text": "Pay here", "url": "https://shop.example.com/pay/1"}]
    _message, invoice = render([link], "en", invoices=True)
    assert (invoice.kind, invoice.order_number) == ("invoice", "20250101-0001")


def test_order_summary_lists_lines_and_total() -> None:
    summary = OrderSummary(
        text="Please confirm",
        lines=(SummaryLine(label="Mug ×2", value="¥58.00"),),
        total="¥58.00",
        buttons=(Button(label="Confirm", payload="yes"),),
    )
    [action] = render([summary], "en")
    assert action.html == "<b>Please confirm</b>\nMug ×2: ¥58.00\n<b>Total: ¥58.00</b>"


def test_phone_question_offers_the_share_contact_keyboard() -> None:
    [action] = render([TextReply(text=t("checkout.ask_phone", "zh"))], "zh")
    assert action.reply_markup is not None
    assert action.reply_markup["keyboard"][0][0]["request_contact"] is True
    with_buttons = render(
        [TextReply(text=t("checkout.ask_phone", "en"), buttons=(Button(label="Cancel", payload="no"),))], "en"
    )
    assert len(with_buttons) == 2
    assert with_buttons[1].reply_markup is not None
    assert with_buttons[1].reply_markup["keyboard"][0][0]["request_contact"] is True


def test_action_round_trips_through_a_document() -> None:
    from bot.telegram.render import TelegramAction

    [action] = render([TextReply(text="hi", buttons=(Button(label="A", payload="a"),))], "en")
    assert TelegramAction.from_doc(action.to_doc()) == action


def test_both_languages_have_the_same_telegram_texts() -> None:
    assert keys("zh") == keys("en")
