"""The review loop in Debian's chromium: a message the bot does not understand shows up under
"Unrecognised messages", an owner labels it in one click and retrains, and the same message is
then understood in the web chat - without restarting anything. Then the owner rolls back."""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from chatcart.bootstrap import running_container
from chatcart.settings import Settings
from commerce.api.principal import Role
from nlu.builtin import BuiltinNluEngine
from tests.admin_web.conftest import PASSWORD, build_admin_app, make_staff
from tests.admin_web.test_browser import ARTIFACTS
from tests.browser import served_on_loopback

pytestmark = pytest.mark.browser
SLANG = "blorf snark doo"


@pytest.fixture
async def own_container(mongo_uri: str, tmp_path: Path, nlu_model_dir: Path) -> AsyncIterator[Any]:
    """The real app with its own copy of the trained model (retraining swaps files in it)."""
    BuiltinNluEngine(nlu_model_dir)  # trained once per session
    model_dir = tmp_path / "nlu"
    shutil.copytree(nlu_model_dir, model_dir)
    settings = Settings(
        mongodb_uri=mongo_uri, db_name=f"review_{uuid.uuid4().hex[:10]}", data_dir=tmp_path, nlu_model_dir=model_dir
    )
    async with running_container(settings) as built:
        try:
            yield built
        finally:
            await built.database.client.drop_database(settings.db_name)


@pytest.fixture
async def served(own_container: Any) -> AsyncIterator[str]:
    async with served_on_loopback(build_admin_app(own_container)) as base_url:
        yield base_url


async def test_unrecognised_message_is_labelled_retrained_and_understood(
    served: str, browser: Any, own_container: Any
) -> None:
    from playwright.async_api import expect

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await make_staff(own_container, "boss", [Role.OWNER])

    chat = await (await browser.new_context(locale="en-US")).new_page()
    await chat.goto(f"{served}/chat")
    await chat.fill("#text", SLANG)
    await chat.press("#text", "Enter")
    # The bot may say it did not understand or try the words as a search: either way it is kept.
    await expect(chat.locator("#log")).to_contain_text(
        re.compile("didn't understand|couldn't find anything"), timeout=15_000
    )

    admin = await (await browser.new_context(locale="en-US", viewport={"width": 1400, "height": 900})).new_page()
    await admin.goto(f"{served}/admin/")
    await admin.fill("input[name=username]", "boss")
    await admin.fill("input[name=password]", PASSWORD)
    await admin.click("button[type=submit]")
    await admin.click("nav a[data-nav=nlu_review]")
    row = admin.locator("tr.review-group", has_text=SLANG)
    await expect(row).to_be_visible()
    await expect(row).to_contain_text("webchat")
    await admin.screenshot(path=str(ARTIFACTS / "nlu_review.png"), full_page=True)

    await row.locator("select[name=intent]").select_option("human_agent")
    await row.locator("button[data-action=label]").click()
    await expect(admin.locator(".flash.ok")).to_be_visible()
    await expect(admin.locator("tr.review-group", has_text=SLANG)).to_have_count(0)

    await admin.click("button[data-action=retrain]")
    await expect(admin.locator("#nlu-model")).to_have_attribute("data-state", "running")
    await expect(admin.locator("#nlu-model")).to_have_attribute("data-state", "done", timeout=300_000)
    await admin.screenshot(path=str(ARTIFACTS / "nlu_retrained.png"), full_page=True)

    # The same message, same running server: now the bot hands the customer to a person.
    await chat.fill("#text", SLANG)
    await chat.press("#text", "Enter")
    await expect(chat.locator("#log")).to_contain_text(re.compile("passing you to a person"), timeout=15_000)
    assert (await own_container.nlu.parse(SLANG)).intent.name == "human_agent"

    await admin.click("button[data-action=rollback]")
    await expect(admin.locator(".flash.ok")).to_be_visible()
    await expect(admin.locator("#nlu-model")).to_contain_text("Rolled back")
    assert (await own_container.nlu.parse(SLANG)).intent.name == "nlu_fallback"
    audit = {entry["action"] async for entry in own_container.db["admin_audit"].find({})}
    assert {"nlu_review.label", "nlu.retrain", "nlu.rollback"} <= audit
