"""The web chat as a customer sees it, in Debian's chromium, in both languages, on a phone
(390x844) and a desktop (1280x800): search -> options -> cart -> checkout -> pay (sandbox)
-> track -> after-sales -> handoff, then a reload that must show the same conversation.

After every step every message is measured: nothing wider than the chat, nothing cut, no
label squeezed to one character per line, no raw internal codes, no untranslated keys. The
phone walks save the key screens to docs/screenshots/ (the README shows them). A second test
checks /chat's accessibility basics: labelled controls, contrast >= 4.5:1, keyboard-only use.
"""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from pymongo import AsyncMongoClient

from bot.webchat import session_user
from chatcart.embedded_db import free_port
from chatcart.settings import Settings
from core.mongo import Document
from dialogs.messages import Lang
from dialogs.shop_adapter import CommerceSandbox
from tests.browser import CHROMIUM, launched_chromium, running_web_shop
from tests.conversations.webchat_page import (
    LAUNCH_ARGS,
    ChatPage,
    catalog_keys,
    contrast_problems,
    overflow_problems,
    pattern,
    text,
    text_problems,
    unlabelled_controls,
)
from tests.screenshots import screenshot_dir

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(shutil.which(CHROMIUM) is None, reason="needs Debian chromium (make test-deps)"),
]
SCREENSHOTS = screenshot_dir()
FAILURES = Path(__file__).resolve().parents[2] / "test-artifacts" / "webchat"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
KEYS = catalog_keys()

SEARCH = {"zh": "有没有蓝牙耳机", "en": "do you have bluetooth headphones?"}
ADDRESS = {
    "zh": "张三 13800138000 上海市黄浦区南京东路88号创意园区B座1203室",
    "en": "John Smith, 13800138000, Room 1203, Building B, 88 East Nanjing Road, Huangpu, Shanghai",
}
RETURN = {"zh": "我要退货", "en": "I want to return it"}
HUMAN = {"zh": "转人工", "en": "I want to talk to a person"}
AGENT = {
    "zh": ("小李", "您好，我是客服小李，退货单已经收到了。"),
    "en": ("Amy", "Hi, I'm Amy. I have your return request."),
}


@pytest.fixture(scope="module")
async def shop_url(
    mongo_uri: str, tmp_path_factory: pytest.TempPathFactory, mongo_client: AsyncMongoClient[Document]
) -> AsyncIterator[tuple[str, Any]]:
    settings = Settings(
        mongodb_uri=mongo_uri,
        db_name=f"webchat_{uuid.uuid4().hex[:8]}",
        data_dir=Path(tmp_path_factory.mktemp("webchat")),
        host="127.0.0.1",
        port=free_port(),
        payment_sandbox_secret="browser-test-secret-123",
    )
    async with running_web_shop(settings) as shop:
        yield shop
    await mongo_client.drop_database(settings.db_name)


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Any]:
    async with launched_chromium(LAUNCH_ARGS) as launched:
        yield launched


def _photo(tmp_path: Path) -> Path:
    path = tmp_path / "parcel.png"
    image = Image.new("RGB", (64, 48), "#8899aa")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


class Walk:
    """One customer's walk through the shop, checking the page after every step."""

    def __init__(self, chat: ChatPage, lang: Lang, shots: str | None) -> None:
        self.chat, self.lang, self.shots = chat, lang, shots
        self.checked = 0

    async def check(self, step: str) -> None:
        FAILURES.mkdir(parents=True, exist_ok=True)
        problems, count = await overflow_problems(self.chat.page)
        problems += await text_problems(self.chat.page, KEYS)
        if problems:
            await self.chat.page.screenshot(path=str(FAILURES / f"webchat-{self.lang}-{step}.png"), full_page=True)
        assert not problems, f"{self.lang} {step}: {problems}"
        assert count > 0
        self.checked += 1

    async def shot(self, name: str, focus: Any = None) -> None:
        if self.shots is None:
            return
        if focus is not None:
            await focus.scroll_into_view_if_needed()
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        await self.chat.page.screenshot(path=str(SCREENSHOTS / f"webchat-{self.lang}-{self.shots}-{name}.png"))


async def _walk(
    browser: Any, base: str, container: Any, lang: Lang, viewport: dict[str, int], shots: str | None, tmp_path: Path
) -> Any:
    t = lambda key: text(key, lang)  # noqa: E731 - reads like the catalog lookups of the code
    context = await browser.new_context(
        locale="zh-CN" if lang == "zh" else "en-US", viewport=viewport, device_scale_factor=1
    )
    page = await context.new_page()
    await page.goto(f"{base}/chat")
    chat = ChatPage(page, lang)
    walk = Walk(chat, lang, shots)

    # First open: a welcome, in the page's language.
    await chat.wait_for_text(t("greet.welcome")[:12])
    await walk.check("welcome")

    # Search -> a carousel whose cards say "Details" once each (not the title again).
    await chat.say(SEARCH[lang])
    carousel = await chat.last_of("carousel")
    await walk.check("search")
    first_card = carousel.locator(".card").first
    labels = [label.strip() for label in await first_card.locator(".btn").all_inner_texts()]
    title = (await first_card.locator(".title").inner_text()).strip()
    assert labels.count(t("webchat.details")) == 1, labels
    assert title not in labels
    await walk.shot("1-search", carousel)

    # Details -> options -> add to cart. A product card shows each of its buttons once.
    await chat.press(t("webchat.details"), within=first_card)
    for _ in range(3):
        card = await chat.last_of("product")
        options = card.locator('button.btn[data-payload^="option:"]')
        if await options.count() == 0:
            break
        before = await chat.frames()
        await options.first.click()
        await page.wait_for_function(f"() => Number(document.getElementById('log').dataset.frames) > {before}")
    card = await chat.last_of("product")
    payloads = [await b.get_attribute("data-payload") for b in await card.locator(".btn").all()]
    assert len(payloads) == len(set(payloads)), f"buttons shown twice: {payloads}"
    await walk.check("product")
    await walk.shot("2-product", card)
    await chat.press(t("button.add_to_cart"))
    await walk.check("cart")

    # Check out: address, shipping, coupon -> the order summary.
    await chat.press(t("button.checkout"))
    await chat.say(ADDRESS[lang])
    await chat.press_payload("shipping:express")
    await chat.press(t("button.no_coupon"))
    summary = await chat.last_of("order_summary")
    total_label = summary.locator(".line.total .label")
    assert (await total_label.inner_text()).strip() == t("webchat.total")
    await walk.check("summary")
    await walk.shot("3-summary", summary)

    # Place it and pay on the sandbox page; its result page leads back to the chat.
    await chat.press(t("button.confirm_order"))
    payment = await chat.last_of("payment_link")
    await walk.check("payment link")
    href = await payment.locator("a.btn.primary").get_attribute("href")
    assert href
    assert href.startswith(f"{base}/pay/sandbox/")
    await page.goto(href)
    await page.locator("button.pay").click()
    back = page.locator("a.back-to-chat")
    await back.wait_for()
    await walk.shot("4-paid")
    await back.click()
    await page.wait_for_url(f"{base}/chat")
    await chat.wait_for_text(pattern("payment.confirmed", lang))
    assert await page.locator('#log .msg[data-type="order_summary"]').count() >= 1  # the history is back
    await walk.check("back from payment")

    # The shop ships it: the news arrives in the open chat; tracking shows the parcel.
    token = await page.evaluate("localStorage.getItem('chatcart_token')")
    conversation = f"webchat:{session_user(token)}"
    state = await container.dialogs.services.store.get(conversation)
    sandbox = CommerceSandbox(container.commerce, actor="browser-test")
    shipped = await sandbox.ship_latest(state.customer_id)
    assert shipped is not None
    await chat.wait_for_text(shipped.tracking_no or "SF")
    await chat.press(t("button.track"))
    await walk.check("tracking")
    await walk.shot("5-tracking", page.locator("#log .msg.bot").last)

    # Delivered -> a return with a reason and a photo.
    assert await sandbox.deliver_latest(state.customer_id) is not None
    await chat.wait_for_text(pattern("tracking.delivered", lang))
    await chat.say(RETURN[lang])
    reasons = load_reasons(lang)
    await chat.press(reasons[1])
    before = await chat.frames()
    await page.set_input_files("#file", str(_photo(tmp_path)))
    await page.wait_for_function(f"() => Number(document.getElementById('log').dataset.frames) > {before}")
    await page.locator("#log .msg.me img.photo").last.wait_for()
    await chat.press(t("button.photos_done"))
    await chat.press(t("button.yes"))
    await chat.wait_for_text(pattern("aftersales.filed", lang))
    await walk.check("after-sales")
    await walk.shot("6-aftersales", page.locator("#log .msg.bot").last)

    # A person takes over: name and initial on their messages, a line when they join and leave.
    await chat.say(HUMAN[lang])
    name, words = AGENT[lang]
    await container.dialogs.handoff.take_over(conversation, "staff-browser", name)
    await page.locator("#log .msg.person-line", has_text=name).wait_for()
    await container.dialogs.handoff.agent_send(conversation, "staff-browser", words, name)
    said = page.locator("#log .row.agent", has_text=words).last
    await said.wait_for()
    assert (await said.locator(".who").inner_text()).strip() == name
    assert (await said.locator(".avatar").inner_text()).strip() == name[0].upper()
    await container.dialogs.handoff.release(conversation, "staff-browser", name)
    await page.locator("#log .msg.person-line", has_text=name).nth(1).wait_for()
    await walk.check("handoff")
    await walk.shot("7-handoff")

    # Reload: the same conversation, from the stored transcript.
    shown_before = await page.locator("#log .msg").count()
    await page.reload()
    await page.locator("#log .row.agent", has_text=words).wait_for()
    assert await page.locator("#log .msg").count() >= min(shown_before, 40)
    assert await page.locator("#log .msg.me img.photo").count() >= 1
    await walk.check("reload")
    assert walk.checked == 11  # every step above was measured
    return page


def load_reasons(lang: Lang) -> list[str]:
    from dialogs.i18n import load_catalog

    reasons = load_catalog(lang)["aftersales.reasons"]
    assert isinstance(reasons, list)
    return reasons


@pytest.mark.parametrize(
    ("lang", "viewport"),
    [("zh", PHONE), ("en", PHONE), ("zh", DESKTOP), ("en", DESKTOP)],
    ids=["zh-phone", "en-phone", "zh-desktop", "en-desktop"],
)
async def test_customer_walk(
    shop_url: tuple[str, Any], browser: Any, lang: Lang, viewport: dict[str, int], tmp_path: Path
) -> None:
    base, container = shop_url
    shots = "phone" if viewport is PHONE else None
    page = await _walk(browser, base, container, lang, viewport, shots, tmp_path)
    if viewport is PHONE:
        # The narrowest and widest phones show every kind of message of the walk as well.
        for width in (320, 430):
            await page.set_viewport_size({"width": width, "height": 800})
            problems, count = await overflow_problems(page)
            assert not problems, f"{lang} at {width}px: {problems}"
            assert count > 20
    else:
        await page.screenshot(path=str(SCREENSHOTS / f"webchat-{lang}-desktop.png"))
    await page.context.close()


@pytest.mark.parametrize("lang", ["zh", "en"])
async def test_chat_accessibility_basics(shop_url: tuple[str, Any], browser: Any, lang: Lang) -> None:
    base, _ = shop_url
    context = await browser.new_context(locale="zh-CN" if lang == "zh" else "en-US", viewport=PHONE)
    page = await context.new_page()
    await page.goto(f"{base}/chat")
    chat = ChatPage(page, lang)
    await chat.wait_for_text(text("greet.welcome", lang)[:12])

    # Every control has a name, in the page's language.
    assert await unlabelled_controls(page) == []
    assert await page.get_attribute("#text", "aria-label") is None
    assert (await page.locator("label[for=text]").inner_text()) == text("webchat.message_label", lang)
    assert await page.get_attribute("#photo", "aria-label") == text("webchat.photo_label", lang)
    assert await page.get_attribute("#langBtn", "aria-label") == text("webchat.switch_language", lang)
    assert await page.get_attribute("html", "lang") == ("zh-CN" if lang == "zh" else "en")

    # Keyboard only: Tab reaches the message box, Enter sends, the answer's buttons take focus.
    await page.locator("body").focus()
    for _ in range(12):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "text":
            break
    assert await page.evaluate("document.activeElement.id") == "text"
    before = await chat.frames()
    await page.keyboard.type(SEARCH[lang])
    await page.keyboard.press("Enter")
    await page.wait_for_function(f"() => Number(document.getElementById('log').dataset.frames) > {before}")
    await page.locator('#log .msg[data-type="carousel"]').wait_for()
    details = page.locator("#log .card .btn").first
    await details.focus()
    assert await page.evaluate("document.activeElement.dataset.payload || ''") != ""
    before = await chat.frames()
    await page.keyboard.press("Enter")
    await page.locator('#log .msg[data-type="product"]').wait_for()
    assert await unlabelled_controls(page) == []

    # Contrast of every text on the page, from the computed styles.
    assert await contrast_problems(page) == []

    # Too long: a counter, a clear error, nothing sent; the server's own refusal is shown too.
    await page.fill("#text", "长" * 2001 if lang == "zh" else "x" * 2001)
    assert (await page.locator("#counter").inner_text()).strip() == "2001/2000"
    assert await page.locator("#send").is_disabled()
    error = page.locator("#error")
    assert text("webchat.too_long", lang).split("{")[0] in await error.inner_text()
    await page.fill("#text", "")
    assert await error.is_hidden()
    before = await chat.frames()
    await page.evaluate("socket.send(JSON.stringify({type: 'button', payload: ''}))")
    await page.locator("#log .msg.error").wait_for()
    assert text("webchat.bad_frame", lang) in await page.locator("#log .msg.error").last.inner_text()

    # The conversation switches language (here by the command): the page's own texts follow.
    other: Lang = "en" if lang == "zh" else "zh"
    await chat.say(f"/lang {other}")
    assert (await page.locator("#send").inner_text()).strip() == text("webchat.send", other)
    assert await page.get_attribute("#text", "placeholder") == text("webchat.placeholder", other)
    await context.close()
