"""The 5-second rule: late answers go through the custom API, retries never duplicate."""

from __future__ import annotations

from bot.wechat.inbox import INBOX
from tests.wechat.conftest import HarnessFactory, ScriptedDialogs, carousel_answer


async def test_slow_dialog_answers_via_custom_api_without_duplicates(make_harness: HarnessFactory) -> None:
    # Budget 0.3 s, WeChat gives up after 0.5 s and retries (same query), the dialog needs 1.2 s.
    h = await make_harness(budget=0.3, reply_timeout=0.5, dialogs=ScriptedDialogs(delay=1.2))
    delivery = await h.sim.push(h.sim.text("oSlow", "慢慢来"))
    assert delivery.answered, delivery.error
    assert delivery.reply is None  # "success": nothing passive
    assert delivery.attempts[0].body == "success"
    await h.channel.processor.drain()
    assert h.sim.texts("oSlow") == ["echo: 慢慢来"]
    assert [m.via for m in h.sim.chat("oSlow")] == ["custom"]
    assert len(h.dialogs.seen) == 1


async def test_retries_while_processing_get_one_answer(make_harness: HarnessFactory) -> None:
    """WeChat times out before our budget (slow network): every retry waits, one answer in total."""
    h = await make_harness(budget=1.5, reply_timeout=0.3, dialogs=ScriptedDialogs(delay=0.8))
    h.sim.attempts = 4
    delivery = await h.sim.push(h.sim.text("oRetry", "在吗"), same_query_on_retry=False)
    await h.channel.processor.drain()
    assert len(delivery.attempts) >= 2
    assert len(h.dialogs.seen) == 1
    assert h.sim.texts("oRetry") == ["echo: 在吗"]


async def test_retry_after_passive_reply_gets_the_same_answer(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    fields = h.sim.text("oTwice", "第一次")
    first = await h.sim.push(fields)
    second = await h.sim.push(fields, same_query_on_retry=False)  # same MsgId, new nonce
    assert first.reply is not None
    assert second.reply is not None
    assert first.reply["Content"] == second.reply["Content"] == "echo: 第一次"
    assert len(h.dialogs.seen) == 1


async def test_event_retries_are_deduplicated_by_sender_and_time(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    event = h.sim.event("oEvt", "subscribe")
    await h.sim.push(event)
    await h.sim.push(dict(event), same_query_on_retry=False)
    assert [m.command for m in h.dialogs.seen] == ["start"]


async def test_multi_part_answer_is_passive_plus_custom(make_harness: HarnessFactory) -> None:
    h = await make_harness(dialogs=ScriptedDialogs(answer=carousel_answer))
    delivery = await h.sim.push(h.sim.text("oShop", "耳机"))
    await h.channel.processor.drain()
    assert delivery.reply is not None
    assert delivery.reply["MsgType"] == "text"
    chat = h.sim.chat("oShop")
    assert [m.via for m in chat] == ["passive", "custom", "custom", "custom"]
    assert "为您找到 3 件商品" in chat[0].content
    assert "1. 查看 1" in chat[0].content
    assert [m.articles[0]["title"] for m in chat[1:]] == ["耳机 1 ¥199.00", "耳机 2 ¥299.00", "耳机 3 ¥399.00"]
    assert all(len(m.articles) == 1 for m in chat[1:])
    assert chat[1].articles[0]["picurl"].endswith("/media/p1.png")
    assert "/p/P1" in chat[1].articles[0]["url"] or "%2Fp%2FP1" in chat[1].articles[0]["url"]


async def test_inbox_records_the_delivery_mode(make_harness: HarnessFactory) -> None:
    h = await make_harness()
    await h.sim.push(h.sim.text("oMode", "hi"))
    entries = await h.db[INBOX].find({}).to_list()
    assert [(e["state"], e["mode"]) for e in entries] == [("done", "passive")]
