"""Database outage on the WeChat endpoint (issue 17): the first deliveries of a message are held
past WeChat's wait, so WeChat retries (a short outage loses nothing); the last delivery gets the
polite "try again later" from the catalogs as its passive reply."""

from __future__ import annotations

from typing import Any

from pymongo.errors import ServerSelectionTimeoutError

from dialogs.i18n import t
from tests.wechat.conftest import HarnessFactory


async def test_outage_lets_wechat_retry_then_answers_politely(make_harness: HarnessFactory) -> None:
    h = await make_harness(budget=0.3, reply_timeout=1.0)

    async def database_down(*_: Any, **__: Any) -> bool:
        raise ServerSelectionTimeoutError("No servers found yet")

    h.channel.processor.inbox.claim = database_down  # type: ignore[method-assign]
    delivery = await h.sim.push(h.sim.text("oUser1", "还有货吗"))
    assert len(delivery.attempts) == 3  # WeChat retried the unanswered deliveries
    assert delivery.reply is not None, delivery.error
    assert delivery.reply["Content"] == t("error.unavailable", "zh")
    assert h.dialogs.seen == []
