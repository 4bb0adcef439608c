"""Unrecognised messages: fallbacks are kept with their conversation, grouped, labelled in the
admin (CSRF, roles, audit), and exported as Rasa YAML by `chatcart nlu export-reviewed`."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestClient

from commerce.api.principal import Role
from dialogs.messages import IncomingMessage
from dialogs.review import group_key, needs_review
from nlu.training_data import parse_yaml_text
from tests.admin_web.conftest import csrf_of, make_staff, sign_in

Client = TestClient[web.Request, web.Application]
SLANG = "blorf snark doo"


async def _say(container: Any, user: str, text: str) -> str:
    result = await container.dialogs.handle_turn(IncomingMessage.from_text("webchat", user, text, "en"))
    return str(result.intent)


async def _seed(container: Any) -> None:
    for user, text in (("u1", SLANG), ("u2", "Blorf  snark DOO!!"), ("u3", "blorf snark dooo")):
        assert (await container.nlu.parse(text)).intent.name == "nlu_fallback"
        await _say(container, user, text)  # the bot says it did not understand, or tries the words as a search
    assert await _say(container, "u4", "where is my order") != "nlu_fallback"


async def test_fallbacks_are_kept_grouped_with_their_conversations(container: Any) -> None:
    await _seed(container)
    review = container.dialogs.review
    groups = {group.key: group for group in await review.groups()}
    assert set(groups) == {group_key(SLANG), group_key("blorf snark dooo")}  # the order question is not kept
    same = groups[group_key(SLANG)]
    assert same.count == 2
    assert same.text == SLANG
    assert {(e.channel, e.conversation_id) for e in same.examples} == {
        ("webchat", "webchat:u1"),
        ("webchat", "webchat:u2"),
    }
    clusters = await review.similar_groups()
    assert len(clusters) == 1  # "doo" and "dooo" are shown together
    assert clusters[0].count == 3


async def test_staff_label_a_group_in_one_click(client: Client, container: Any) -> None:
    await _seed(container)
    await make_staff(container, "agent1", [Role.AGENT])
    await sign_in(client, "agent1")
    page = await client.get("/admin/nlu-review")
    assert page.status == 200
    html = await page.text()
    assert SLANG in html
    assert "webchat:u1" in html
    token = await csrf_of(client, "/admin/nlu-review")
    keys = [group_key(SLANG), group_key("blorf snark dooo")]

    refused = await client.post("/admin/nlu-review/label", data={"keys": keys, "intent": "human_agent"})
    assert refused.status == 403  # no CSRF token
    bad = await client.post("/admin/nlu-review/label", data={"_csrf": token, "keys": keys, "intent": "fly_to_moon"})
    assert bad.status == 422
    done = await client.post(
        "/admin/nlu-review/label",
        data={"_csrf": token, "keys": keys, "intent": "human_agent"},
        allow_redirects=False,
    )
    assert done.status == 303
    assert SLANG not in await (await client.get("/admin/nlu-review")).text()
    assert SLANG in await (await client.get("/admin/nlu-review?status=labelled")).text()
    entries = await container.db["admin_audit"].find({"action": "nlu_review.label"}).to_list(None)
    assert len(entries) == 1
    # One example per phrasing: "Blorf  snark DOO!!" folds to the same text as "blorf snark doo".
    assert await container.dialogs.review.labelled_examples() == {"human_agent": [SLANG, "blorf snark dooo"]}

    # Agents label; only owners retrain or roll back the model.
    assert (await client.post("/admin/nlu-review/retrain", data={"_csrf": token})).status == 403
    assert (await client.post("/admin/nlu-review/rollback", data={"_csrf": token})).status == 403


async def test_pages_need_the_right_role(client: Client, container: Any) -> None:
    await make_staff(container, "catalog1", [Role.CATALOG_MANAGER])
    await sign_in(client, "catalog1")
    assert (await client.get("/admin/nlu-review")).status == 403
    assert "nlu-review" not in await (await client.get("/admin/")).text()


async def test_export_reviewed_writes_rasa_yaml(container: Any, tmp_path: Path) -> None:
    await _seed(container)
    await container.dialogs.review.label([group_key(SLANG)], "human_agent", "staff-1")
    target = tmp_path / "reviewed.yml"
    settings = container.settings
    env = {**os.environ, "MONGODB_URI": settings.mongodb_uri, "CHATCART_DB_NAME": settings.db_name}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "chatcart",
        "nlu",
        "export-reviewed",
        str(target),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    assert "1 examples for 1 intents" in out.decode()
    data = parse_yaml_text(target.read_text(encoding="utf-8"))
    assert [(e.text, e.intent) for e in data.examples] == [(SLANG, "human_agent")]


def test_a_message_the_nlu_gave_up_on_is_kept_even_when_the_dialog_guessed() -> None:
    # The dialog may try unknown words as a product search; staff still get to see them.
    assert needs_review("text", "blorf snark pls", "search_product", "nlu_fallback", 0.2)
    assert needs_review("text", "asdf qwer", "nlu_fallback", "nlu_fallback", 0.1)
    assert needs_review("text", "maybe the thing", "search_product", "search_product", 0.3)
    assert not needs_review("text", "red mug", "search_product", "search_product", 0.9)
    assert not needs_review("button", "red mug", "nlu_fallback", "nlu_fallback", 0.1)
