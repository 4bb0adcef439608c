"""Replies -> WeChat messages: one article per news message, numbered choices, links, size limits."""

from __future__ import annotations

from bot.wechat.links import Links
from bot.wechat.render import MAX_TEXT_BYTES, WxNews, WxText, passive_xml, plan_messages, split_text
from bot.wechat.xmlsafe import parse_wechat_xml
from dialogs.messages import Button, OrderSummary, PaymentLink, ProductCard, SpecChoice, SummaryLine, TextReply

LINKS = Links("https://shop.example", oauth=False)


def test_product_card_becomes_news_then_choices() -> None:
    card = ProductCard(
        product_id="EAR-1",
        title="降噪耳机",
        price="¥899.00",
        text="库存 12",
        image_url="/media/e.png",
        specs=(SpecChoice(name="颜色", values=("黑", "白")),),
        buttons=(Button(label="加入购物车", payload="add:EAR-1"), Button(label="返回", payload="back")),
    )
    news, text = plan_messages([card], "zh", LINKS)
    assert isinstance(news, WxNews)
    assert isinstance(text, WxText)
    assert news.article.title == "降噪耳机 ¥899.00"
    assert news.article.description == "库存 12 · 颜色: 黑 / 白"
    assert news.article.url == "https://shop.example/p/EAR-1?lang=zh"
    assert news.article.picurl == "https://shop.example/media/e.png"
    assert text.content.endswith("1. 加入购物车\n2. 返回")


def test_payment_link_goes_through_oauth_and_stays_a_link() -> None:
    pay = PaymentLink(text="订单 A1 待支付", url="https://shop.example/pay/abc", order_number="A1", amount="¥10.00")
    [text] = plan_messages([pay], "zh", Links("https://shop.example", oauth=True))
    assert isinstance(text, WxText)
    assert "https://shop.example/wechat/oauth/start?next=%2Fpay%2Fabc" in text.content


def test_foreign_links_are_not_wrapped() -> None:
    links = Links("https://shop.example", oauth=True)
    assert links.page("https://pay.other.example/x") == "https://pay.other.example/x"
    assert links.page("//evil.example/x") == "//evil.example/x"


def test_text_replies_merge_and_summary_renders() -> None:
    summary = OrderSummary(
        text="确认订单",
        lines=(SummaryLine(label="商品", value="耳机 x1"),),
        total="¥899.00",
        buttons=(Button(label="确认", payload="confirm"),),
    )
    [text] = plan_messages([TextReply(text="好的"), summary], "en", LINKS)
    assert isinstance(text, WxText)
    assert text.content.startswith("好的\n\n确认订单")
    assert "耳机 x1" in text.content
    assert "1. 确认" in text.content


def test_long_text_is_split_under_the_byte_limit() -> None:
    long = "\n".join(f"第{i}行：这是一段很长的商品描述" for i in range(300))
    chunks = split_text(long)
    assert len(chunks) > 1
    assert all(len(c.encode()) <= MAX_TEXT_BYTES for c in chunks)
    assert "\n".join(chunks) == long
    assert all(len(c.encode()) <= 100 for c in split_text("长" * 500, 100))


def test_passive_xml_escapes_cdata_terminator() -> None:
    xml = passive_xml(WxText("a ]]> b <x>"), openid="oU", account="gh_1")
    fields = parse_wechat_xml(xml)
    assert fields["Content"] == "a ]]> b <x>"
    assert fields["ToUserName"] == "oU"
    assert fields["FromUserName"] == "gh_1"
